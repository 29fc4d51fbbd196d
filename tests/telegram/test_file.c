/* Encrypted files: the fingerprint, one IGE stream across parts in constant memory, the padded
 * last part, document media carrying key and IV in both layer forms, and forwarding a stored
 * file to another chat without re-encrypting it. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/telegram.h>

#include "telegram/chat.h"
#include "test.h"
#include "tgtest.h"

static void
test_fingerprint(void)
{
    struct e2e_tg_file_key k;
    for (int i = 0; i < 32; i++) {
        k.key[i] = (uint8_t)i;
        k.iv[i] = (uint8_t)(32 + i);
    }
    CHECK_EQ(e2e_tg_file_fingerprint(&k), -217561997); /* reference/telegram.md 10.2 */
    k.iv[31] ^= 1;
    CHECK(e2e_tg_file_fingerprint(&k) != -217561997);
}

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static void
test_stream_parts(void)
{
    struct test_ctx t;
    struct e2e_tg_file_key k;
    struct e2e_tg_file_stream s;
    const size_t size = 3 * 512 * 1024 + 1000; /* three full upload parts and a short last one */
    uint8_t *file = malloc(size), *whole = malloc(size + 16), *parts = malloc(size + 16);
    size_t n, m;
    test_ctx_new(&t, 7);
    fill(file, size, 1);
    CHECK_OK(e2e_tg_file_key_new(&k, t.ctx));
    /* one call over everything */
    CHECK_OK(e2e_tg_file_stream_init(&s, &k, 0));
    CHECK_OK(e2e_tg_file_stream_final(&s, t.ctx, whole, size + 16, &n, file, size));
    CHECK_EQ(n, (size + 15) / 16 * 16);
    CHECK_ERR(e2e_tg_file_stream_update(&s, whole, file, 16), E2E_ERR_INVALID); /* finished */
    /* the same stream in 512 KiB parts, in place, the last part padded */
    memcpy(parts, file, size);
    CHECK_OK(e2e_tg_file_stream_init(&s, &k, 0));
    size_t at = 0;
    for (; size - at > 512 * 1024; at += 512 * 1024)
        CHECK_OK(e2e_tg_file_stream_update(&s, parts + at, parts + at, 512 * 1024));
    CHECK_ERR(e2e_tg_file_stream_update(&s, parts, parts, 100), E2E_ERR_INVALID);
    CHECK_OK(
        e2e_tg_file_stream_final(&s, t.ctx, parts + at, size + 16 - at, &m, parts + at, size - at));
    CHECK_EQ(at + m, n);
    /* the padding is random, so only the whole blocks before it agree byte for byte */
    CHECK_MEM(parts, whole, size / 16 * 16);
    /* decrypting in other-sized parts gives the file back; the padding is cut by media size */
    CHECK_OK(e2e_tg_file_stream_init(&s, &k, 1));
    at = 0;
    while (at < n) {
        size_t part = n - at < 48 * 1024 ? n - at : 48 * 1024;
        CHECK_OK(e2e_tg_file_stream_update(&s, parts + at, parts + at, part));
        at += part;
    }
    CHECK_MEM(parts, file, size);
    CHECK_ERR(e2e_tg_file_stream_final(&s, t.ctx, parts, n, &m, parts, 0), E2E_ERR_INVALID);
    e2e_tg_file_stream_wipe(&s);
    CHECK(e2e_ct_is_zero(&s, sizeof s));
    free(file);
    free(whole);
    free(parts);
    test_ctx_free(&t);
}

static void
document(struct e2e_tg_message *m, const struct e2e_tg_file_key *k, int64_t size)
{
    memset(m, 0, sizeof *m);
    m->random_id = 0x55aa;
    m->text = "";
    m->media = E2E_TG_MEDIA_DOCUMENT;
    m->document.mime_type = "application/pdf";
    m->document.mime_type_len = 15;
    m->document.size = size;
    m->document.file = *k;
    m->document.file_name = "report.pdf";
    m->document.file_name_len = 10;
    m->document.caption = "the report";
    m->document.caption_len = 10;
    m->document.thumb = (const uint8_t *)"\xff\xd8\xff";
    m->document.thumb_len = 3;
    m->document.thumb_w = 90;
    m->document.thumb_h = 60;
}

/* Receives one message event and checks its document against what was sent. */
static void
check_document(e2e_tg_chat *c, const struct e2e_tg_file_key *k, int64_t size, uint32_t form)
{
    struct e2e_tg_event ev;
    CHECK_OK(e2e_tg_chat_next_event(c, &ev));
    CHECK_EQ(ev.type, E2E_TG_EV_MESSAGE);
    CHECK_EQ(ev.message.media, form);
    const struct e2e_tg_document *d = &ev.message.document;
    CHECK_MEM(d->file.key, k->key, 32);
    CHECK_MEM(d->file.iv, k->iv, 32);
    CHECK_EQ(d->size, size);
    CHECK(d->file_name_len == 10 && memcmp(d->file_name, "report.pdf", 10) == 0);
    CHECK(d->mime_type_len == 15 && memcmp(d->mime_type, "application/pdf", 15) == 0);
    CHECK(d->caption_len == 10 && memcmp(d->caption, "the report", 10) == 0);
    CHECK(d->thumb_len == 3 && d->thumb_w == 90 && d->thumb_h == 60);
}

static void
test_document_and_forwarding(void)
{
    struct tg_pair p1, p2;
    struct e2e_tg_file_key k;
    struct e2e_tg_file_stream s;
    struct e2e_tg_message m;
    uint8_t file[1000], stored[1008], back[1008];
    size_t n;
    tg_pair_new(&p1, 80);
    tg_pair_new(&p2, 81);
    fill(file, sizeof file, 2);
    /* upload once: the server stores the ciphertext under some file id */
    CHECK_OK(e2e_tg_file_key_new(&k, p1.t.ctx));
    CHECK_OK(e2e_tg_file_stream_init(&s, &k, 0));
    CHECK_OK(e2e_tg_file_stream_final(&s, p1.t.ctx, stored, sizeof stored, &n, file, sizeof file));
    /* a peer below layer 143 gets decryptedMessageMediaDocument46 (size:int) */
    document(&m, &k, sizeof file);
    p1.a->his_layer = 101;
    CHECK_OK(e2e_tg_chat_send_message(p1.a, p1.t.ctx, &m));
    CHECK_EQ(tg_deliver(p1.a, p1.b, p1.t.ctx), 1);
    check_document(p1.b, &k, sizeof file, E2E_TG_MEDIA_DOCUMENT46);
    /* ...and cannot be sent a file over 2 GiB; nothing is consumed */
    uint32_t before, in, since;
    e2e_tg_chat_counters(p1.a, &before, &in, &since);
    document(&m, &k, (int64_t)INT32_MAX + 1);
    CHECK_ERR(e2e_tg_chat_send_message(p1.a, p1.t.ctx, &m), E2E_ERR_UNSUPPORTED);
    /* at 143 and above: decryptedMessageMediaDocument (size:long) */
    p1.a->his_layer = E2E_TG_LAYER;
    CHECK_OK(e2e_tg_chat_send_message(p1.a, p1.t.ctx, &m));
    CHECK_EQ(tg_deliver(p1.a, p1.b, p1.t.ctx), 1);
    check_document(p1.b, &k, (int64_t)INT32_MAX + 1, E2E_TG_MEDIA_DOCUMENT);
    /* forward to another chat: the same key and IV in a new message, the same stored bytes,
     * no re-encryption; the receiver there decrypts what the server stored */
    document(&m, &k, sizeof file);
    CHECK_OK(e2e_tg_chat_send_message(p2.b, p2.t.ctx, &m));
    CHECK_EQ(tg_deliver(p2.b, p2.a, p2.t.ctx), 1);
    struct e2e_tg_event ev;
    CHECK_OK(e2e_tg_chat_next_event(p2.a, &ev));
    struct e2e_tg_file_key got = ev.message.document.file;
    int64_t size = ev.message.document.size;
    CHECK_OK(e2e_tg_file_stream_init(&s, &got, 1));
    CHECK_OK(e2e_tg_file_stream_update(&s, back, stored, n));
    CHECK_EQ(size, sizeof file);
    CHECK_MEM(back, file, (size_t)size);
    CHECK_EQ(e2e_tg_file_fingerprint(&got), e2e_tg_file_fingerprint(&k));
    /* only documents can be sent as media */
    m.media = E2E_TG_MEDIA_PHOTO;
    CHECK_ERR(e2e_tg_chat_send_message(p1.a, p1.t.ctx, &m), E2E_ERR_INVALID);
    m.media = E2E_TG_MEDIA_DOCUMENT;
    m.document.size = -1;
    CHECK_ERR(e2e_tg_chat_send_message(p1.a, p1.t.ctx, &m), E2E_ERR_INVALID);
    uint32_t after;
    e2e_tg_chat_counters(p1.a, &after, &in, &since);
    CHECK_EQ(after, before + 1); /* only the 144 document went out */
    e2e_tg_file_stream_wipe(&s);
    tg_pair_free(&p1);
    tg_pair_free(&p2);
}

/* The service actions a user can send, as the peer sees them. */
static void
test_service_actions(void)
{
    struct tg_pair p;
    struct e2e_tg_event ev;
    struct e2e_tg_action a;
    int64_t ids[3] = {1, -2, INT64_MAX};
    tg_pair_new(&p, 82);
    static const uint32_t types[] = {
        E2E_TG_ACTION_SET_TTL, E2E_TG_ACTION_READ,   E2E_TG_ACTION_DELETE, E2E_TG_ACTION_SCREENSHOT,
        E2E_TG_ACTION_FLUSH,   E2E_TG_ACTION_TYPING, E2E_TG_ACTION_NOOP};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        memset(&a, 0, sizeof a);
        a.type = types[i];
        a.ttl_seconds = 30;
        a.random_ids = ids;
        a.n_random_ids = 3;
        a.typing = E2E_TG_TYPING;
        CHECK_OK(e2e_tg_chat_send_action(p.a, p.t.ctx, &a));
        CHECK_EQ(tg_deliver(p.a, p.b, p.t.ctx), 1);
        CHECK_OK(e2e_tg_chat_next_event(p.b, &ev));
        CHECK_EQ(ev.type, E2E_TG_EV_SERVICE);
        CHECK_EQ(ev.action.type, types[i]);
        if (types[i] == E2E_TG_ACTION_SET_TTL)
            CHECK_EQ(ev.action.ttl_seconds, 30);
        if (types[i] == E2E_TG_ACTION_TYPING)
            CHECK_EQ(ev.action.typing, E2E_TG_TYPING);
        if (types[i] == E2E_TG_ACTION_READ || types[i] == E2E_TG_ACTION_DELETE ||
            types[i] == E2E_TG_ACTION_SCREENSHOT) {
            CHECK_EQ(ev.action.n_random_ids, 3);
            CHECK(ev.action.random_ids && memcmp(ev.action.random_ids, ids, sizeof ids) == 0);
        }
        CHECK_ERR(e2e_tg_chat_next_event(p.b, &ev), E2E_ERR_NOT_FOUND);
    }
    /* the chat's own actions, and bad arguments, are refused */
    memset(&a, 0, sizeof a);
    a.type = E2E_TG_ACTION_RESEND;
    CHECK_ERR(e2e_tg_chat_send_action(p.a, p.t.ctx, &a), E2E_ERR_INVALID);
    a.type = E2E_TG_ACTION_COMMIT_KEY;
    CHECK_ERR(e2e_tg_chat_send_action(p.a, p.t.ctx, &a), E2E_ERR_INVALID);
    a.type = E2E_TG_ACTION_TYPING;
    a.typing = 0x1234;
    CHECK_ERR(e2e_tg_chat_send_action(p.a, p.t.ctx, &a), E2E_ERR_INVALID);
    a.type = E2E_TG_ACTION_DELETE;
    a.n_random_ids = 2;
    CHECK_ERR(e2e_tg_chat_send_action(p.a, p.t.ctx, &a), E2E_ERR_INVALID);
    /* a length without a pointer */
    struct e2e_tg_message bad;
    memset(&bad, 0, sizeof bad);
    bad.text_len = 3;
    CHECK_ERR(e2e_tg_chat_send_message(p.a, p.t.ctx, &bad), E2E_ERR_INVALID);
    bad.text_len = 0;
    bad.media = E2E_TG_MEDIA_DOCUMENT;
    bad.document.caption_len = 1;
    CHECK_ERR(e2e_tg_chat_send_message(p.a, p.t.ctx, &bad), E2E_ERR_INVALID);
    /* a text too long for one message */
    struct e2e_tg_message m;
    memset(&m, 0, sizeof m);
    char *big = malloc(E2E_TG_MAX_TL);
    memset(big, 'x', E2E_TG_MAX_TL);
    m.text = big;
    m.text_len = E2E_TG_MAX_TL;
    CHECK_ERR(e2e_tg_chat_send_message(p.a, p.t.ctx, &m), E2E_ERR_INVALID);
    m.text_len = 60000;
    CHECK_OK(e2e_tg_chat_send_message(p.a, p.t.ctx, &m));
    CHECK_EQ(tg_deliver(p.a, p.b, p.t.ctx), 1);
    CHECK_OK(e2e_tg_chat_next_event(p.b, &ev));
    CHECK_EQ(ev.message.text_len, 60000);
    free(big);
    tg_pair_free(&p);
}

int
main(void)
{
    RUN(test_fingerprint);
    RUN(test_stream_parts);
    RUN(test_document_and_forwarding);
    RUN(test_service_actions);
    return test_finish();
}
