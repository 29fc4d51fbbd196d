/* TL: the codec's canonical output and lenient, bounded input; the secret-chat schema byte for
 * byte against the reference's derived vector, every constructor of layers 46..144 read, and
 * every truncation of a rich message refused. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/telegram.h>

#include "codec/tl.h"
#include "telegram/internal.h"
#include "test.h"

static void
test_bytes_encoding(void)
{
    uint8_t buf[1100], data[1000];
    struct e2e_writer w;
    memset(data, 0xab, sizeof data);
    static const struct {
        size_t n, size;
        const char *head;
    } cases[] = {
        {0, 4, "00000000"},   {1, 4, "01ab0000"},     {3, 4, "03ababab"},
        {253, 256, "fdabab"}, {254, 260, "fefe0000"}, {1000, 1004, "fee80300"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        e2e_writer_init(&w, buf, sizeof buf);
        memset(buf, 0x77, sizeof buf);
        e2e__tl_write_bytes(&w, data, cases[i].n);
        CHECK_OK(w.err);
        CHECK_EQ(w.len, cases[i].size);
        CHECK_EQ(e2e__tl_bytes_size(cases[i].n), cases[i].size);
        uint8_t head[4];
        size_t hn = unhex(head, 4, cases[i].head);
        CHECK_MEM(buf, head, hn);
        /* zero padding, canonical */
        size_t hdr = cases[i].n < 254 ? 1 : 4;
        for (size_t j = hdr + cases[i].n; j < cases[i].size; j++)
            CHECK_EQ(buf[j], 0);
        /* and back */
        struct e2e_reader r;
        size_t n;
        e2e_reader_init(&r, buf, w.len);
        const uint8_t *p = e2e__tl_read_bytes(&r, &n, 1000);
        CHECK_OK(e2e_reader_done(&r));
        CHECK_EQ(n, cases[i].n);
        CHECK(n == 0 || (p && memcmp(p, data, n) == 0));
    }
    /* the writer refuses what the 0xFE form cannot hold */
    e2e_writer_init(&w, buf, sizeof buf);
    e2e__tl_write_bytes(&w, data, E2E_TL_BYTES_MAX + 1);
    CHECK_ERR(w.err, E2E_ERR_INVALID);
}

static int
read_bytes_hex(const char *hex, size_t max, size_t *n, size_t *left)
{
    uint8_t buf[64];
    struct e2e_reader r;
    size_t len = unhex(buf, sizeof buf, hex);
    e2e_reader_init(&r, buf, len);
    (void)e2e__tl_read_bytes(&r, n, max);
    *left = e2e_reader_left(&r);
    return r.err;
}

static void
test_bytes_lenient_and_bounded(void)
{
    size_t n, left;
    /* long form for a short value, non-zero padding, the 0xFF form: accepted like tdlib */
    CHECK_OK(read_bytes_hex("fe03000061626300", 100, &n, &left));
    CHECK_EQ(n, 3);
    CHECK_EQ(left, 0);
    CHECK_OK(read_bytes_hex("0261629999", 100, &n, &left));
    CHECK_EQ(n, 2);
    CHECK_EQ(left, 1);
    CHECK_OK(read_bytes_hex("ff0200000000000061620000", 100, &n, &left));
    CHECK_EQ(n, 2);
    CHECK_EQ(left, 0);
    /* lengths beyond the caller's bound or the input; missing padding; huge 0xFF lengths */
    CHECK_ERR(read_bytes_hex("0361626300", 2, &n, &left), E2E_ERR_MALFORMED);
    CHECK_ERR(read_bytes_hex("0561626300", 100, &n, &left), E2E_ERR_MALFORMED);
    CHECK_ERR(read_bytes_hex("026162", 100, &n, &left), E2E_ERR_MALFORMED);
    CHECK_ERR(read_bytes_hex("feffffff61626300", 1u << 30, &n, &left), E2E_ERR_MALFORMED);
    CHECK_ERR(read_bytes_hex("ffffffffffffffff6162", SIZE_MAX, &n, &left), E2E_ERR_MALFORMED);
    CHECK_ERR(read_bytes_hex("fe0100", 100, &n, &left), E2E_ERR_MALFORMED);
    CHECK_ERR(read_bytes_hex("", 100, &n, &left), E2E_ERR_MALFORMED);
    CHECK_EQ(n, 0);
}

static void
test_vectors_and_bools(void)
{
    uint8_t buf[64];
    struct e2e_reader r;
    int64_t v[3] = {1, -1, INT64_MIN};
    struct e2e_writer w;
    e2e_writer_init(&w, buf, sizeof buf);
    e2e__tl_write_vector_long(&w, v, 3);
    CHECK_HEX(buf, 8, "15c4b51c03000000");
    e2e_reader_init(&r, buf, w.len);
    CHECK_EQ(e2e__tl_read_vector(&r, 8, 10), 3);
    CHECK_EQ(e2e__tl_read_long(&r), 1);
    CHECK_EQ(e2e__tl_read_long(&r), -1);
    CHECK(e2e__tl_read_long(&r) == INT64_MIN);
    CHECK_OK(e2e_reader_done(&r));
    /* a count the input cannot hold, above the bound, negative; a wrong vector id */
    static const char *bad[] = {"15c4b51c04000000", "15c4b51c0b000000", "15c4b51cffffffff",
                                "15c4b51d00000000", "15c4b5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = unhex(buf, sizeof buf, bad[i]);
        uint8_t full[64];
        memcpy(full, buf, len);
        memset(full + len, 0, 24); /* three elements' worth of bytes after the header */
        e2e_reader_init(&r, full, len + (i == 0 ? 24 : 0));
        CHECK_EQ(e2e__tl_read_vector(&r, 8, 10), 0);
        CHECK_ERR(r.err, E2E_ERR_MALFORMED);
    }
    unhex(buf, 8, "b5757299379779bc");
    e2e_reader_init(&r, buf, 8);
    CHECK_EQ(e2e__tl_read_bool(&r), 1);
    CHECK_EQ(e2e__tl_read_bool(&r), 0);
    CHECK_OK(e2e_reader_done(&r));
    unhex(buf, 4, "00000000");
    e2e_reader_init(&r, buf, 4);
    (void)e2e__tl_read_bool(&r);
    CHECK_ERR(r.err, E2E_ERR_MALFORMED);
}

/* reference/telegram.md 10.2: the derived secret-chat message's TL, byte for byte. */
static void
test_derived_layer_message(void)
{
    uint8_t rnd[31], buf[256];
    for (int i = 0; i < 31; i++)
        rnd[i] = (uint8_t)(0xa0 + i);
    struct e2e_tg_message m;
    memset(&m, 0, sizeof m);
    m.random_id = 0x0123456789abcdef;
    m.text = "Hello, secret chat!";
    m.text_len = 19;
    struct e2e_writer w;
    e2e_writer_init(&w, buf, sizeof buf);
    e2e__tg_write_layer_message(&w, rnd, 144, 0, 1, &m);
    CHECK_OK(w.err);
    CHECK_EQ(w.len, 88);
    CHECK_HEX(buf, 88,
              "8917e31b1fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbe900000000"
              "0000000010000007446cc9100000000efcdab8967452301000000001348656c6c6f2c207365637265"
              "74206368617421");
    struct e2e__tg_layer l;
    CHECK_OK(e2e__tg_parse_layer(&l, buf, w.len, NULL));
    CHECK_EQ(l.layer, 144);
    CHECK_EQ(l.in_seq_no, 0);
    CHECK_EQ(l.out_seq_no, 1);
    CHECK_EQ(l.kind, E2E_TG_ID_MESSAGE);
    CHECK_EQ(l.random_len, 31);
    struct e2e_tg_message out;
    struct e2e_tg_action a;
    int64_t rid;
    CHECK_OK(e2e__tg_decode_inner(l.kind, l.msg, l.msg_len, &out, &a, &rid, NULL, 0));
    CHECK(rid == 0x0123456789abcdef);
    CHECK(out.text_len == 19 && memcmp(out.text, "Hello, secret chat!", 19) == 0);
}

/* ---- a small TL builder for hand-made messages --------------------------------------------- */

struct tlb {
    uint8_t buf[4096];
    struct e2e_writer w;
};

static void
tlb_init(struct tlb *b)
{
    e2e_writer_init(&b->w, b->buf, sizeof b->buf);
}

static void
id(struct tlb *b, uint32_t v)
{
    e2e__tl_write_id(&b->w, v);
}

static void
i32(struct tlb *b, int32_t v)
{
    e2e__tl_write_int(&b->w, v);
}

static void
i64(struct tlb *b, int64_t v)
{
    e2e__tl_write_long(&b->w, v);
}

static void
str(struct tlb *b, const char *s)
{
    e2e__tl_write_string(&b->w, s, strlen(s));
}

static void
key32(struct tlb *b, uint8_t fillv)
{
    uint8_t k[32];
    memset(k, fillv, sizeof k);
    e2e__tl_write_bytes(&b->w, k, 32);
}

/* Wraps an inner message in a decryptedMessageLayer and parses + decodes it. */
static int
parse_inner(struct tlb *inner, struct e2e_tg_message *m, struct e2e_tg_action *a, int64_t *ids,
            size_t cap)
{
    static uint8_t tl[4200]; /* the decoded views point into it */
    uint8_t rnd[31] = {0};
    struct e2e_writer w;
    struct e2e__tg_layer l;
    int64_t rid;
    e2e_writer_init(&w, tl, sizeof tl);
    e2e__tl_write_id(&w, E2E_TG_ID_MESSAGE_LAYER);
    e2e__tl_write_bytes(&w, rnd, 31);
    e2e__tl_write_int(&w, 144);
    e2e__tl_write_int(&w, 0);
    e2e__tl_write_int(&w, 1);
    e2e_write_bytes(&w, inner->buf, inner->w.len);
    int rc = e2e__tg_parse_layer(&l, tl, w.len, NULL);
    if (rc != E2E_OK)
        return rc;
    return e2e__tg_decode_inner(l.kind, l.msg, l.msg_len, m, a, &rid, ids, cap);
}

/* decryptedMessage with media and every optional field; media chosen by `which`. */
static void
rich_message(struct tlb *b, int which)
{
    tlb_init(b);
    id(b, E2E_TG_ID_MESSAGE);
    i32(b, 1 << 5 | 1 << 9 | 1 << 7 | 1 << 11 | 1 << 3 | 1 << 17);
    i64(b, 77);
    i32(b, 5);
    str(b, "caption text");
    switch (which) {
    case 0: /* document (143+) with every attribute */
        id(b, E2E_TG_MEDIA_DOCUMENT);
        str(b, "thumb");
        i32(b, 90);
        i32(b, 90);
        str(b, "video/mp4");
        i64(b, 5000000000);
        key32(b, 1);
        key32(b, 2);
        id(b, E2E_TL_VECTOR);
        i32(b, 10);
        id(b, 0x6c37c15cu), i32(b, 640), i32(b, 480);                   /* imageSize */
        id(b, 0x11b58939u);                                             /* animated */
        id(b, 0xfb0a5727u);                                             /* sticker23 */
        id(b, 0x5910cccbu), i32(b, 1), i32(b, 2), i32(b, 3);            /* video (old) */
        id(b, 0x0ef02ce6u), i32(b, 1), i32(b, 9), i32(b, 2), i32(b, 3); /* video66 */
        id(b, 0x051448e5u), i32(b, 9);                                  /* audio23 */
        id(b, 0xded218e0u), i32(b, 9), str(b, "title"), str(b, "performer");
        id(b, 0x9852f9c6u), i32(b, 7 | 1 << 10), i32(b, 9), str(b, "t"), str(b, "p"),
            str(b, "wave"); /* audio with every flag */
        id(b, 0x3a556302u), str(b, "smile"), id(b, 0x861cc8a0u), str(b, "set"); /* sticker */
        id(b, 0x15590068u), str(b, "clip.mp4");                                 /* filename */
        str(b, "doc caption");
        break;
    case 1: /* photo */
        id(b, E2E_TG_MEDIA_PHOTO);
        str(b, "t");
        i32(b, 1), i32(b, 1), i32(b, 800), i32(b, 600), i32(b, 12345);
        key32(b, 3);
        key32(b, 4);
        str(b, "photo caption");
        break;
    case 2: /* video */
        id(b, E2E_TG_MEDIA_VIDEO);
        str(b, "t");
        i32(b, 1), i32(b, 1), i32(b, 30);
        str(b, "video/mp4");
        i32(b, 800), i32(b, 600), i32(b, 99);
        key32(b, 5);
        key32(b, 6);
        str(b, "");
        break;
    case 3: /* external document with a cached photo size */
        id(b, E2E_TG_MEDIA_EXTERNAL);
        i64(b, 1), i64(b, 2), i32(b, 3);
        str(b, "image/webp");
        i32(b, 4);
        id(b, 0xe9a734fau), str(b, "s"), id(b, 0x53d69076u), i32(b, 1), i64(b, 2), i32(b, 3),
            i64(b, 4), i32(b, 5), i32(b, 6), str(b, "bytes");
        i32(b, 2);
        id(b, E2E_TL_VECTOR), i32(b, 0);
        break;
    case 4:
        id(b, E2E_TG_MEDIA_GEO);
        e2e__tl_write_double(&b->w, 50.45);
        e2e__tl_write_double(&b->w, 30.52);
        break;
    case 5:
        id(b, E2E_TG_MEDIA_CONTACT), str(b, "+380"), str(b, "First"), str(b, "Last"), i32(b, 9);
        break;
    case 6:
        id(b, E2E_TG_MEDIA_VENUE);
        e2e__tl_write_double(&b->w, 1.0);
        e2e__tl_write_double(&b->w, 2.0);
        str(b, "title"), str(b, "address"), str(b, "provider"), str(b, "id");
        break;
    case 7:
        id(b, E2E_TG_MEDIA_WEBPAGE), str(b, "https://example.org");
        break;
    default:
        id(b, E2E_TG_MEDIA_EMPTY);
        break;
    }
    /* entities: every kind */
    static const uint32_t plain[] = {0xbb92ba95u, 0xfa04579du, 0x6f635b0du, 0x6cef8ac7u,
                                     0x6ed02538u, 0x64e475c2u, 0xbd610bc9u, 0x826f8b60u,
                                     0x28a20571u, 0x9b69e34bu, 0x4c4e743fu, 0x761e6af4u,
                                     0x9c4e7e8bu, 0xbf0693d4u, 0x020df5d0u, 0x32ca960fu};
    id(b, E2E_TL_VECTOR);
    i32(b, 16 + 4);
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        id(b, plain[i]), i32(b, 0), i32(b, 1);
    id(b, 0x73924be0u), i32(b, 0), i32(b, 1), str(b, "c");
    id(b, 0x76a6d327u), i32(b, 0), i32(b, 1), str(b, "https://x");
    id(b, 0x352dca58u), i32(b, 0), i32(b, 1), i32(b, 42);
    id(b, 0xc8cf05f8u), i32(b, 0), i32(b, 1), i64(b, 43);
    str(b, "bot");
    i64(b, 66);   /* reply_to_random_id */
    i64(b, 1234); /* grouped_id */
    CHECK_OK(b->w.err);
}

static void
test_every_media_and_entity(void)
{
    static const uint32_t media[] = {
        E2E_TG_MEDIA_DOCUMENT, E2E_TG_MEDIA_PHOTO,   E2E_TG_MEDIA_VIDEO,
        E2E_TG_MEDIA_EXTERNAL, E2E_TG_MEDIA_GEO,     E2E_TG_MEDIA_CONTACT,
        E2E_TG_MEDIA_VENUE,    E2E_TG_MEDIA_WEBPAGE, E2E_TG_MEDIA_EMPTY};
    struct tlb *b = malloc(sizeof *b);
    for (int which = 0; which < 9; which++) {
        struct e2e_tg_message m;
        struct e2e_tg_action a;
        rich_message(b, which);
        CHECK_OK(parse_inner(b, &m, &a, NULL, 0));
        CHECK_EQ(m.media, media[which]);
        CHECK_EQ(m.n_entities, 20);
        CHECK(m.silent && m.has_reply_to && m.has_grouped_id);
        CHECK_EQ(m.reply_to_random_id, 66);
        CHECK_EQ(m.grouped_id, 1234);
        CHECK(m.via_bot_name_len == 3 && memcmp(m.via_bot_name, "bot", 3) == 0);
        if (which == 0) {
            CHECK(m.document.size == 5000000000);
            CHECK(m.document.file_name_len == 8 &&
                  memcmp(m.document.file_name, "clip.mp4", 8) == 0);
            CHECK_EQ(m.document.w, 640);
            CHECK_EQ(m.document.file.key[0], 1);
            CHECK_EQ(m.document.file.iv[31], 2);
        }
        if (which == 1)
            CHECK(m.document.w == 800 && m.document.size == 12345 && m.document.file.iv[0] == 4);
        if (which == 2)
            CHECK(m.document.duration == 30 && m.document.size == 99);
        /* every truncation of the inner message is refused (the layer's exact length too) */
        size_t full = b->w.len;
        for (size_t cut = 0; cut < full; cut += 3) {
            b->w.len = cut;
            CHECK(parse_inner(b, &m, &a, NULL, 0) != E2E_OK);
        }
        b->w.len = full;
    }
    /* a file key of 31 bytes, an unknown attribute, an unknown media, an unknown entity */
    struct e2e_tg_message m;
    struct e2e_tg_action a;
    rich_message(b, 1);
    size_t off = 4 + 4 + 8 + 4 + 16 + 4 + 4 + 4 * 5; /* at the photo's key */
    CHECK_EQ(b->buf[off], 32);
    b->buf[off] = 31;
    CHECK_ERR(parse_inner(b, &m, &a, NULL, 0), E2E_ERR_MALFORMED);
    rich_message(b, 0);
    b->buf[4 + 4 + 8 + 4 + 16 + 4 + 8 + 4 + 4 + 12 + 8 + 36 + 36 + 8] ^= 1; /* 1st attribute */
    CHECK_ERR(parse_inner(b, &m, &a, NULL, 0), E2E_ERR_MALFORMED);
    rich_message(b, 7);
    b->buf[4 + 4 + 8 + 4 + 16] ^= 1; /* media id */
    CHECK_ERR(parse_inner(b, &m, &a, NULL, 0), E2E_ERR_MALFORMED);
    rich_message(b, 8);
    b->buf[4 + 4 + 8 + 4 + 16 + 4 + 8] ^= 1; /* first entity id */
    CHECK_ERR(parse_inner(b, &m, &a, NULL, 0), E2E_ERR_MALFORMED);
    free(b);
}

static void
test_layer46_and_service8(void)
{
    struct tlb *b = malloc(sizeof *b);
    struct e2e_tg_message m;
    struct e2e_tg_action a;
    /* decryptedMessage46: silent / grouped_id bits mean nothing there */
    tlb_init(b);
    id(b, E2E_TG_ID_MESSAGE46);
    i32(b, 1 << 5 | 1 << 17 | 1 << 3);
    i64(b, 5), i32(b, 0), str(b, "old"), i64(b, 6);
    CHECK_OK(parse_inner(b, &m, &a, NULL, 0));
    CHECK(!m.silent && !m.has_grouped_id && m.has_reply_to && m.reply_to_random_id == 6);
    /* decryptedMessageService8 (random_bytes inside) wrapping NotifyLayer */
    tlb_init(b);
    id(b, E2E_TG_ID_SERVICE8);
    i64(b, 9), str(b, "0123456789abcdef"), id(b, E2E_TG_ACTION_NOTIFY_LAYER), i32(b, 144);
    CHECK_OK(parse_inner(b, &m, &a, NULL, 0));
    CHECK(a.type == E2E_TG_ACTION_NOTIFY_LAYER && a.layer == 144 && a.random_id == 9);
    /* decryptedMessage8 / 23 are not layers we speak */
    tlb_init(b);
    id(b, 0x204d3878u);
    i64(b, 5), i32(b, 0), str(b, "x"), id(b, E2E_TG_MEDIA_EMPTY);
    CHECK_ERR(parse_inner(b, &m, &a, NULL, 0), E2E_ERR_MALFORMED);
    free(b);
}

static void
test_every_action(void)
{
    static const uint32_t typing[] = {0x16bf744eu, 0xfd5ec8f5u, 0xa187d66fu, 0x92042ff7u,
                                      0xd52f73f7u, 0xe6ac8a6fu, 0x990a3c1au, 0x8faee98eu,
                                      0x176f8ba1u, 0x628cbc6fu, 0x88f27fbcu, 0xbb718624u};
    uint8_t g[256];
    int64_t ids[4] = {4, 3, 2, 1}, got[4];
    memset(g, 0x42, sizeof g);
    static const uint32_t types[] = {
        E2E_TG_ACTION_SET_TTL,      E2E_TG_ACTION_READ,        E2E_TG_ACTION_DELETE,
        E2E_TG_ACTION_SCREENSHOT,   E2E_TG_ACTION_FLUSH,       E2E_TG_ACTION_RESEND,
        E2E_TG_ACTION_NOTIFY_LAYER, E2E_TG_ACTION_REQUEST_KEY, E2E_TG_ACTION_ACCEPT_KEY,
        E2E_TG_ACTION_ABORT_KEY,    E2E_TG_ACTION_COMMIT_KEY,  E2E_TG_ACTION_NOOP};
    for (size_t i = 0; i < sizeof types / sizeof types[0] + sizeof typing / sizeof typing[0]; i++) {
        struct e2e_tg_action a, back;
        struct e2e_tg_message m;
        memset(&a, 0, sizeof a);
        if (i < sizeof types / sizeof types[0]) {
            a.type = types[i];
        } else {
            a.type = E2E_TG_ACTION_TYPING;
            a.typing = typing[i - sizeof types / sizeof types[0]];
        }
        a.ttl_seconds = 60;
        a.random_ids = ids;
        a.n_random_ids = 4;
        a.start_seq_no = 3;
        a.end_seq_no = 9;
        a.layer = 101;
        a.exchange_id = -7;
        a.g = g;
        a.g_len = 256;
        a.key_fingerprint = INT64_MIN;
        uint8_t buf[2048], rnd[31] = {0};
        struct e2e_writer w;
        e2e_writer_init(&w, buf, sizeof buf);
        e2e__tg_write_layer_service(&w, rnd, 144, 0, 1, 99, &a);
        CHECK_OK(w.err);
        CHECK(w.len <= e2e__tg_action_tl_bound(&a));
        struct e2e__tg_layer l;
        int64_t rid;
        CHECK_OK(e2e__tg_parse_layer(&l, buf, w.len, NULL));
        CHECK_EQ(e2e__tg_inner_random_ids(l.kind, l.msg, l.msg_len),
                 a.type == E2E_TG_ACTION_READ || a.type == E2E_TG_ACTION_DELETE ||
                         a.type == E2E_TG_ACTION_SCREENSHOT
                     ? 4
                     : 0);
        CHECK_OK(e2e__tg_decode_inner(l.kind, l.msg, l.msg_len, &m, &back, &rid, got, 4));
        CHECK_EQ(rid, 99);
        CHECK_EQ(back.type, a.type);
        switch (a.type) {
        case E2E_TG_ACTION_SET_TTL:
            CHECK_EQ(back.ttl_seconds, 60);
            break;
        case E2E_TG_ACTION_READ:
        case E2E_TG_ACTION_DELETE:
        case E2E_TG_ACTION_SCREENSHOT:
            CHECK(back.n_random_ids == 4 && memcmp(back.random_ids, ids, sizeof ids) == 0);
            break;
        case E2E_TG_ACTION_RESEND:
            CHECK(back.start_seq_no == 3 && back.end_seq_no == 9);
            break;
        case E2E_TG_ACTION_NOTIFY_LAYER:
            CHECK_EQ(back.layer, 101);
            break;
        case E2E_TG_ACTION_TYPING:
            CHECK_EQ(back.typing, a.typing);
            break;
        case E2E_TG_ACTION_REQUEST_KEY:
        case E2E_TG_ACTION_ACCEPT_KEY:
            CHECK(back.g_len == 256 && memcmp(back.g, g, 256) == 0);
            /* fall through */
        case E2E_TG_ACTION_ABORT_KEY:
        case E2E_TG_ACTION_COMMIT_KEY:
            CHECK_EQ(back.exchange_id, -7);
            CHECK(back.key_fingerprint ==
                  (a.type == E2E_TG_ACTION_ACCEPT_KEY || a.type == E2E_TG_ACTION_COMMIT_KEY
                       ? INT64_MIN
                       : 0));
            break;
        default:
            break;
        }
        /* truncations */
        for (size_t cut = 4 + 32 + 12; cut < w.len; cut++) {
            struct e2e__tg_layer l2;
            CHECK(e2e__tg_parse_layer(&l2, buf, cut, NULL) != E2E_OK);
        }
    }
    /* a g of 257 bytes, an unknown typing action */
    struct tlb *b = malloc(sizeof *b);
    struct e2e_tg_message m;
    struct e2e_tg_action a;
    uint8_t big[257];
    memset(big, 1, sizeof big);
    tlb_init(b);
    id(b, E2E_TG_ID_SERVICE), i64(b, 1), id(b, E2E_TG_ACTION_REQUEST_KEY), i64(b, 1);
    e2e__tl_write_bytes(&b->w, big, 257);
    CHECK_ERR(parse_inner(b, &m, &a, NULL, 0), E2E_ERR_MALFORMED);
    tlb_init(b);
    id(b, E2E_TG_ID_SERVICE), i64(b, 1), id(b, E2E_TG_ACTION_TYPING), id(b, 0x12345678u);
    CHECK_ERR(parse_inner(b, &m, &a, NULL, 0), E2E_ERR_MALFORMED);
    free(b);
}

int
main(void)
{
    RUN(test_bytes_encoding);
    RUN(test_bytes_lenient_and_bounded);
    RUN(test_vectors_and_bools);
    RUN(test_derived_layer_message);
    RUN(test_every_media_and_entity);
    RUN(test_layer46_and_service8);
    RUN(test_every_action);
    return test_finish();
}
