/* Padding, device-consistency information and the pairwise plaintext (reference §3, §4). */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/whatsapp.h>

#include "WAE2E.pb-c.h"
#include "test.h"

static void
test_padding(void)
{
    struct test_ctx t;
    test_ctx_new(&t, 11);
    uint8_t in[8] = "message", out[32];
    size_t n, m;
    unsigned seen[16] = {0};
    for (int i = 0; i < 400; i++) {
        CHECK_OK(e2e_wa_pad(out, sizeof out, &n, in, 7, t.ctx));
        unsigned pad = out[n - 1];
        CHECK(pad >= 1 && pad <= 15 && n == 7 + pad);
        seen[pad]++;
        for (unsigned k = 0; k < pad; k++)
            CHECK_EQ(out[7 + k], pad);
        CHECK_OK(e2e_wa_unpad(&m, out, n, NULL));
        CHECK_EQ(m, 7);
    }
    for (unsigned p = 1; p <= 15; p++)
        CHECK(seen[p] > 0); /* every length occurs; 0 never does */
    CHECK_EQ(seen[0], 0);
    struct e2e_report why;
    /* a wrong byte inside the padding, a zero, a count above 16, more than the data, empty */
    CHECK_OK(e2e_wa_pad_n(out, sizeof out, &n, in, 7, 5));
    out[n - 3] ^= 1;
    CHECK_ERR(e2e_wa_unpad(&m, out, n, &why), E2E_ERR_MALFORMED);
    CHECK(strcmp(why.check, "padding") == 0);
    uint8_t z[4] = {1, 2, 3, 0}, big[20], all[3] = {3, 3, 3};
    memset(big, 17, sizeof big);
    CHECK_ERR(e2e_wa_unpad(&m, z, 4, NULL), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_wa_unpad(&m, big, sizeof big, NULL), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_wa_unpad(&m, all, 2, NULL), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_wa_unpad(&m, all, 3, &why), E2E_ERR_MALFORMED);
    CHECK(strcmp(why.check, "empty") == 0);
    CHECK_ERR(e2e_wa_unpad(&m, all, 0, NULL), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_wa_pad_n(out, sizeof out, &n, in, 7, 0), E2E_ERR_INVALID);
    CHECK_ERR(e2e_wa_pad_n(out, sizeof out, &n, in, 7, 16), E2E_ERR_INVALID);
    CHECK_ERR(e2e_wa_pad_n(out, 10, &n, in, 7, 4), E2E_ERR_BUFFER);
    test_ctx_free(&t);
}

struct lists {
    struct test_ctx t;
    struct e2e_wa_devlist alice, bob;
};

static void
lists_make(struct lists *l)
{
    uint32_t k;
    test_ctx_new(&l->t, 12);
    e2e_wa_devlist_init(&l->alice, 100, l->t.ctx);
    CHECK_OK(e2e_wa_devlist_add(&l->alice, l->t.ctx, &k)); /* alice has a laptop */
    l->t.now_ms += 5000;
    e2e_wa_devlist_init(&l->bob, 200, l->t.ctx); /* bob: phone only */
}

static void
test_dci_and_fanout(void)
{
    struct lists l;
    lists_make(&l);
    struct e2e_wa_dci dci;
    e2e_wa_dci_from_lists(&dci, &l.alice, &l.bob);
    CHECK(e2e_wa_dci_sender_has_companions(&dci));
    CHECK(!e2e_wa_dci_recipient_has_companions(&dci));
    static const char text[] = "hello bob";
    struct e2e_wa_content c = {
        .kind = E2E_WA_CONTENT_TEXT, .text = (const uint8_t *)text, .text_len = 9};
    uint8_t to_bob[256], to_laptop[256];
    size_t n1, n2;
    CHECK_OK(e2e_wa_plaintext_build(to_bob, sizeof to_bob, &n1, l.t.ctx, &c, &dci, NULL));
    /* the copy for alice's own laptop: wrapped, and (3)/(4) still describe bob */
    CHECK_OK(e2e_wa_plaintext_build(to_laptop, sizeof to_laptop, &n2, l.t.ctx, &c, &dci,
                                    "200@s.whatsapp.net"));
    struct e2e_wa_plaintext a, b;
    CHECK_OK(e2e_wa_plaintext_parse(&a, to_bob, n1, NULL));
    CHECK_OK(e2e_wa_plaintext_parse(&b, to_laptop, n2, NULL));
    CHECK_EQ(a.content.kind, E2E_WA_CONTENT_TEXT);
    CHECK(a.content.text_len == 9 && memcmp(a.content.text, text, 9) == 0);
    CHECK(a.sent_to == NULL);
    CHECK(b.sent_to_len == 18 && memcmp(b.sent_to, "200@s.whatsapp.net", 18) == 0);
    CHECK(b.content.text_len == 9 && memcmp(b.content.text, text, 9) == 0);
    CHECK(a.has_dci && b.has_dci);
    CHECK_EQ(b.dci.sender_timestamp, l.alice.timestamp);
    CHECK_EQ(b.dci.recipient_timestamp, l.bob.timestamp);
    CHECK_EQ(b.dci.n_recipient, 1);
    CHECK(e2e_wa_dci_sender_has_companions(&b.dci) && !e2e_wa_dci_recipient_has_companions(&b.dci));
    CHECK_MEM(&a.dci, &dci, sizeof dci);
    CHECK_MEM(&b.dci, &dci, sizeof dci);

    /* protobuf-c reads the same fields at WhatsApp's numbers */
    size_t len = n2 - to_laptop[n2 - 1];
    WAE2E__Message *m = wae2_e__message__unpack(NULL, len, to_laptop);
    CHECK(m && m->devicesentmessage && m->devicesentmessage->message && m->messagecontextinfo &&
          m->messagecontextinfo->devicelistmetadata);
    if (m && m->devicesentmessage && m->messagecontextinfo &&
        m->messagecontextinfo->devicelistmetadata) {
        CHECK(strcmp(m->devicesentmessage->destinationjid, "200@s.whatsapp.net") == 0);
        CHECK(strcmp(m->devicesentmessage->message->conversation, "hello bob") == 0);
        WAE2E__DeviceListMetadata *d = m->messagecontextinfo->devicelistmetadata;
        CHECK(d->sendertimestamp == l.alice.timestamp && d->n_senderkeyindexes == 2);
        CHECK(d->recipienttimestamp == l.bob.timestamp && d->n_recipientkeyindexes == 1);
        CHECK_EQ(m->messagecontextinfo->devicelistmetadataversion, 2);
    }
    if (m)
        wae2_e__message__free_unpacked(m, NULL);
    test_ctx_free(&l.t);
}

/* A message written by protobuf-c (as another client would) parses with our codec, unknown
 * fields (title, fileName) skipped. */
static void
test_parse_foreign(void)
{
    WAE2E__DocumentMessage doc = WAE2_E__DOCUMENT_MESSAGE__INIT;
    WAE2E__Message msg = WAE2_E__MESSAGE__INIT;
    uint8_t key[32], sha[32], esha[32], buf[512];
    memset(key, 1, 32);
    memset(sha, 2, 32);
    memset(esha, 3, 32);
    doc.mimetype = "application/pdf";
    doc.title = "a title we do not read";
    doc.filename = "report.pdf";
    doc.has_filesha256 = doc.has_mediakey = doc.has_fileencsha256 = doc.has_filelength = 1;
    doc.filesha256 = (ProtobufCBinaryData){32, sha};
    doc.mediakey = (ProtobufCBinaryData){32, key};
    doc.fileencsha256 = (ProtobufCBinaryData){32, esha};
    doc.filelength = 123456;
    doc.directpath = "/v/t62/abc";
    msg.documentmessage = &doc;
    size_t n = wae2_e__message__pack(&msg, buf);
    size_t padded;
    CHECK_OK(e2e_wa_pad_n(buf, sizeof buf, &padded, buf, n, 7));
    struct e2e_wa_plaintext pt;
    CHECK_OK(e2e_wa_plaintext_parse(&pt, buf, padded, NULL));
    CHECK_EQ(pt.content.kind, E2E_WA_CONTENT_MEDIA);
    CHECK_EQ(pt.content.media.type, E2E_WA_MEDIA_DOCUMENT);
    CHECK_MEM(pt.content.media.media_key, key, 32);
    CHECK_MEM(pt.content.media.file_sha256, sha, 32);
    CHECK_MEM(pt.content.media.file_enc_sha256, esha, 32);
    CHECK_EQ(pt.content.media.file_length, 123456);
    CHECK(pt.content.media.direct_path_len == 10 &&
          memcmp(pt.content.media.direct_path, "/v/t62/abc", 10) == 0);
    CHECK(!pt.has_dci);
    /* a media key of 31 bytes is refused */
    doc.mediakey.len = 31;
    n = wae2_e__message__pack(&msg, buf);
    CHECK_OK(e2e_wa_pad_n(buf, sizeof buf, &padded, buf, n, 1));
    struct e2e_report why;
    CHECK_ERR(e2e_wa_plaintext_parse(&pt, buf, padded, &why), E2E_ERR_MALFORMED);
}

static void
roundtrip(const struct e2e_wa_content *c, struct e2e_wa_plaintext *pt, uint8_t *buf, size_t cap)
{
    size_t n;
    CHECK_OK(e2e_wa_plaintext_build_n(buf, cap, &n, c, NULL, NULL, 3));
    CHECK_OK(e2e_wa_plaintext_parse(pt, buf, n, NULL));
    CHECK_EQ(pt->content.kind, c->kind);
}

static void
test_content_kinds(void)
{
    uint8_t buf[1024];
    struct e2e_wa_plaintext pt;
    struct e2e_wa_content c = {0};
    /* sender-key distribution */
    static const uint8_t skdm[] = {0x33, 0x08, 0x01, 0x10, 0x00};
    c.kind = E2E_WA_CONTENT_SKDM;
    c.group_id = "123-456@g.us";
    c.group_id_len = 12;
    c.skdm = skdm;
    c.skdm_len = sizeof skdm;
    roundtrip(&c, &pt, buf, sizeof buf);
    CHECK(pt.content.skdm_len == sizeof skdm && memcmp(pt.content.skdm, skdm, sizeof skdm) == 0);
    CHECK(pt.content.group_id_len == 12 && memcmp(pt.content.group_id, "123-456@g.us", 12) == 0);
    /* audio */
    memset(&c, 0, sizeof c);
    c.kind = E2E_WA_CONTENT_MEDIA;
    c.media.type = E2E_WA_MEDIA_AUDIO;
    memset(c.media.media_key, 9, 32);
    c.media.file_length = 5;
    c.media.mimetype = "audio/ogg";
    c.media.mimetype_len = 9;
    roundtrip(&c, &pt, buf, sizeof buf);
    CHECK_EQ(pt.content.media.type, E2E_WA_MEDIA_AUDIO);
    CHECK_MEM(pt.content.media.media_key, c.media.media_key, 32);
    c.media.type = E2E_WA_MEDIA_IMAGE; /* not in the minimal schema */
    size_t n;
    CHECK_ERR(e2e_wa_plaintext_build_n(buf, sizeof buf, &n, &c, NULL, NULL, 3),
              E2E_ERR_UNSUPPORTED);
    /* call offer */
    memset(&c, 0, sizeof c);
    c.kind = E2E_WA_CONTENT_CALL;
    memset(c.call.master_secret, 0x42, 32);
    memset(c.call.call_id, 0x17, 16);
    c.call.profile = E2E_SRTP_AES_CM_128_HMAC_SHA1_80;
    c.call.epoch = 7;
    roundtrip(&c, &pt, buf, sizeof buf);
    CHECK_MEM(&pt.content.call, &c.call, sizeof c.call);
    c.call.profile = 9;
    CHECK_ERR(e2e_wa_plaintext_build_n(buf, sizeof buf, &n, &c, NULL, NULL, 3), E2E_ERR_INVALID);
    /* output too small, every size below the needed one */
    c.call.profile = E2E_SRTP_AEAD_AES_256_GCM;
    size_t need;
    CHECK_OK(e2e_wa_plaintext_build_n(buf, sizeof buf, &need, &c, NULL, NULL, 3));
    for (size_t cap = 0; cap < need; cap++)
        CHECK_ERR(e2e_wa_plaintext_build_n(buf, cap, &n, &c, NULL, NULL, 3), E2E_ERR_BUFFER);
}

/* Every byte flipped and every truncation of a call offer: a clear error or a parse, never
 * a crash; a parse that succeeds never yields a call key of another length. */
static void
test_call_offer_tamper(void)
{
    struct e2e_wa_content c = {.kind = E2E_WA_CONTENT_CALL};
    memset(c.call.master_secret, 0x42, 32);
    memset(c.call.call_id, 0x17, 16);
    c.call.profile = E2E_SRTP_AES_CM_128_HMAC_SHA1_80;
    uint8_t buf[256], bad[256];
    size_t n;
    struct lists l;
    lists_make(&l);
    struct e2e_wa_dci dci;
    e2e_wa_dci_from_lists(&dci, &l.alice, &l.bob);
    CHECK_OK(e2e_wa_plaintext_build_n(buf, sizeof buf, &n, &c, &dci, NULL, 4));
    int errors = 0, oks = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(bad, buf, n);
        bad[i] ^= 0xff;
        struct e2e_wa_plaintext pt;
        struct e2e_report why;
        int rc = e2e_wa_plaintext_parse(&pt, bad, n, &why);
        CHECK(rc == E2E_OK || rc == E2E_ERR_MALFORMED || rc == E2E_ERR_UNSUPPORTED);
        if (rc == E2E_OK) { /* a flip inside a value: the content still has its shape */
            oks++;
            CHECK(pt.content.kind == E2E_WA_CONTENT_CALL);
        } else {
            errors++;
            CHECK(why.check != NULL);
        }
    }
    CHECK(errors > 0);
    test_note("call offer: %d flips refused, %d flips inside values (caught by the Signal MAC "
              "in real use)",
              errors, oks);
    for (size_t k = 0; k < n; k++) {
        struct e2e_wa_plaintext pt;
        int rc = e2e_wa_plaintext_parse(&pt, buf, k, NULL);
        if (rc == E2E_OK)
            CHECK_EQ(pt.content.kind, E2E_WA_CONTENT_CALL);
    }
    /* no content at all, two kinds at once */
    uint8_t empty_msg[2] = {0x01, 0x01}; /* just padding */
    struct e2e_wa_plaintext pt;
    CHECK_ERR(e2e_wa_plaintext_parse(&pt, empty_msg, 2, NULL), E2E_ERR_MALFORMED);
    uint8_t unknown[4] = {0x58, 0x01, 0x01, 0x01}; /* field 11 varint, then padding */
    CHECK_ERR(e2e_wa_plaintext_parse(&pt, unknown, 3, NULL), E2E_ERR_UNSUPPORTED);
    uint8_t two[8] = {0x0a, 0x01, 'a', 0x52, 0x00, 0x01}; /* conversation + call (empty) */
    CHECK_ERR(e2e_wa_plaintext_parse(&pt, two, 6, NULL), E2E_ERR_MALFORMED);
    test_ctx_free(&l.t);
}

int
main(void)
{
    RUN(test_padding);
    RUN(test_dci_and_fanout);
    RUN(test_parse_foreign);
    RUN(test_content_kinds);
    RUN(test_call_offer_tamper);
    return test_finish();
}
