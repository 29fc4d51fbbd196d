/* Helpers for the telegram tests (see tgtest.h). */
#include "tgtest.h"

#include <stdlib.h>
#include <string.h>

#include "codec/tl.h"
#include "core/util.h"
#include "telegram/chat.h"

void
tg_pair_new(struct tg_pair *p, uint64_t seed)
{
    uint8_t g_a[256], g_b[256];
    size_t g_a_len = 0, g_b_len = 0;
    int64_t fp = 0;
    memset(p, 0, sizeof *p);
    test_ctx_new(&p->t, seed);
    CHECK_OK(e2e_dh_cache_new(&p->cache));
    const uint8_t *prime = e2e_dh_telegram_prime();
    CHECK_OK(e2e_tg_chat_request(&p->a, p->t.ctx, p->cache, prime, 256, 3, g_a, &g_a_len, NULL));
    CHECK_OK(e2e_tg_chat_accept(&p->b, p->t.ctx, p->cache, prime, 256, 3, g_a, g_a_len, g_b,
                                &g_b_len, &fp, NULL));
    CHECK_OK(e2e_tg_chat_confirm(p->a, p->t.ctx, g_b, g_b_len, fp, NULL));
    tg_settle(p);
    tg_events(p->a, 0, NULL);
    tg_events(p->b, 0, NULL);
}

void
tg_pair_free(struct tg_pair *p)
{
    e2e_tg_chat_free(p->a);
    e2e_tg_chat_free(p->b);
    e2e_dh_cache_free(p->cache);
    test_ctx_free(&p->t);
}

size_t
tg_take(e2e_tg_chat *c, struct tg_blobs *b)
{
    const uint8_t *v;
    size_t n, k = 0;
    while (e2e_tg_chat_next_output(c, &v, &n) == E2E_OK) {
        if (b->count == TG_BLOBS_MAX) {
            test_fail_(__FILE__, __LINE__, "more than %d blobs", TG_BLOBS_MAX);
            break;
        }
        b->p[b->count] = malloc(n);
        memcpy(b->p[b->count], v, n);
        b->n[b->count++] = n;
        k++;
    }
    return k;
}

void
tg_blobs_free(struct tg_blobs *b)
{
    for (size_t i = 0; i < b->count; i++)
        free(b->p[i]);
    b->count = 0;
}

size_t
tg_deliver(e2e_tg_chat *from, e2e_tg_chat *to, const e2e_ctx *ctx)
{
    struct tg_blobs *b = calloc(1, sizeof *b);
    size_t k = tg_take(from, b);
    for (size_t i = 0; i < b->count; i++) {
        struct e2e_report why;
        int rc = e2e_tg_chat_receive(to, ctx, b->p[i], b->n[i], &why);
        if (rc != E2E_OK)
            test_fail_(__FILE__, __LINE__, "delivery %zu: %s (%s: %s)", i, e2e_err_name(rc),
                       why.check ? why.check : "", why.detail);
        test_checks_++;
    }
    tg_blobs_free(b);
    free(b);
    return k;
}

void
tg_settle(struct tg_pair *p)
{
    for (int round = 0; round < 16; round++)
        if (tg_deliver(p->a, p->b, p->t.ctx) + tg_deliver(p->b, p->a, p->t.ctx) == 0)
            return;
    test_fail_(__FILE__, __LINE__, "the chats did not settle");
}

size_t
tg_events(e2e_tg_chat *c, int type, struct e2e_tg_event *last)
{
    struct e2e_tg_event ev;
    size_t k = 0;
    while (e2e_tg_chat_next_event(c, &ev) == E2E_OK) {
        if (type && ev.type != type)
            continue;
        k++;
        if (last)
            *last = ev;
    }
    return k;
}

int
tg_send_text(e2e_tg_chat *c, const e2e_ctx *ctx, const char *text)
{
    struct e2e_tg_message m;
    memset(&m, 0, sizeof m);
    m.random_id = (int64_t)strlen(text) * 7919;
    m.text = text;
    m.text_len = strlen(text);
    return e2e_tg_chat_send_message(c, ctx, &m);
}

size_t
tg_snapshot(const e2e_tg_chat *c, uint8_t **blob)
{
    size_t n = e2e_tg_chat_serialized_size(c), len = 0;
    *blob = malloc(n);
    CHECK_OK(e2e_tg_chat_serialize(c, *blob, n, &len));
    CHECK_EQ(len, n);
    return len;
}

int
tg_same_state(const e2e_tg_chat *c, const uint8_t *blob, size_t n)
{
    uint8_t *now;
    size_t m = tg_snapshot(c, &now);
    int same = m == n && memcmp(now, blob, n) == 0;
    free(now);
    return same;
}

void
tg_next_seq(const e2e_tg_chat *from, int32_t *in_seq_no, int32_t *out_seq_no)
{
    *in_seq_no = (int32_t)(2 * from->my_in) + from->role;
    *out_seq_no = (int32_t)(2 * (from->my_out + 1)) - 1 - from->role;
}

size_t
tg_layer_tl(uint8_t *out, size_t cap, int32_t layer, int32_t in_seq_no, int32_t out_seq_no,
            const uint8_t *inner, size_t inner_len)
{
    uint8_t rnd[31];
    struct e2e_writer w;
    memset(rnd, 0x5a, sizeof rnd);
    e2e_writer_init(&w, out, cap);
    e2e__tl_write_id(&w, E2E_TG_ID_MESSAGE_LAYER);
    e2e__tl_write_bytes(&w, rnd, sizeof rnd);
    e2e__tl_write_int(&w, layer);
    e2e__tl_write_int(&w, in_seq_no);
    e2e__tl_write_int(&w, out_seq_no);
    e2e_write_bytes(&w, inner, inner_len);
    CHECK_OK(w.err);
    return w.len;
}

size_t
tg_inner_text(uint8_t *out, size_t cap, int64_t random_id, const char *text)
{
    struct e2e_writer w;
    e2e_writer_init(&w, out, cap);
    e2e__tl_write_id(&w, E2E_TG_ID_MESSAGE);
    e2e__tl_write_int(&w, 0);
    e2e__tl_write_long(&w, random_id);
    e2e__tl_write_int(&w, 0);
    e2e__tl_write_string(&w, text, strlen(text));
    CHECK_OK(w.err);
    return w.len;
}

size_t
tg_inner_action(uint8_t *out, size_t cap, const struct e2e_tg_action *a)
{
    /* the library's own writer, then the layer head cut off */
    uint8_t buf[1024], rnd[31];
    struct e2e_writer w;
    memset(rnd, 0, sizeof rnd);
    e2e_writer_init(&w, buf, sizeof buf);
    e2e__tg_write_layer_service(&w, rnd, 144, 0, 0, 0x1122334455667788, a);
    CHECK_OK(w.err);
    size_t head = 4 + 32 + 12;
    CHECK(w.len - head <= cap);
    memcpy(out, buf + head, w.len - head);
    return w.len - head;
}

size_t
tg_forge_plain(const e2e_tg_chat *from, const uint8_t *plain, size_t n, uint8_t *out)
{
    e2e__tg_mtp2_seal(NULL, out, from->cur.key, from->cur.id, from->role ? 8 : 0, plain, n);
    return n + 24;
}

size_t
tg_forge(const e2e_tg_chat *from, const uint8_t *tl, size_t tl_len, int mtproto, uint8_t *out)
{
    uint8_t plain[4096];
    size_t n = mtproto == 1 ? (4 + tl_len + 15) & ~(size_t)15 : e2e_tg_mtp2_padded_size(tl_len);
    CHECK(n <= sizeof plain);
    e2e_store32_le(plain, (uint32_t)tl_len);
    memcpy(plain + 4, tl, tl_len);
    memset(plain + 4 + tl_len, 0xa7, n - 4 - tl_len);
    if (mtproto == 1) {
        CHECK_OK(e2e_tg_mtp1_encrypt(NULL, out, from->cur.key, plain, n));
        return n + 24;
    }
    return tg_forge_plain(from, plain, n, out);
}

size_t
tg_forge_text(const e2e_tg_chat *from, int32_t layer, const char *text, uint8_t *out)
{
    uint8_t inner[512], tl[1024];
    int32_t in, o;
    tg_next_seq(from, &in, &o);
    size_t il = tg_inner_text(inner, sizeof inner, 42, text);
    size_t tn = tg_layer_tl(tl, sizeof tl, layer, in, o, inner, il);
    return tg_forge(from, tl, tn, 2, out);
}
