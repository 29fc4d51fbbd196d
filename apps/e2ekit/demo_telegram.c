/*
 * The demo's telegram chapter: a secret chat created with the DH checks, messages both ways, a
 * lost message recovered with Resend, a re-key after 100 messages, an encrypted file forwarded
 * to a second chat without re-encryption, and a call whose key exchange is hash-committed and
 * whose four emoji agree on both sides. Everything between the parties goes through the demo
 * server as opaque bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/telegram.h>

#include "core/util.h"
#include "demo.h"

struct tg_demo {
    struct demo *d;
    struct demo_server *srv;
    e2e_dh_cache *cache;
    e2e_tg_chat *alice, *bob;
    int quiet;        /* bulk traffic: deliver without narrating each message */
    int kept_old_key; /* a side still held the previous key right after switching */
};

static void
say_event(struct tg_demo *t, const char *who, const struct e2e_tg_event *ev)
{
    struct demo *d = t->d;
    switch (ev->type) {
    case E2E_TG_EV_MESSAGE:
        if (!t->quiet)
            demo_say(d, "%s reads \"%.*s\" (out_seq_no %d, layer %d, MTProto %d)", who,
                     (int)ev->message.text_len, ev->message.text, ev->out_seq_no, ev->layer,
                     ev->mtproto);
        break;
    case E2E_TG_EV_SERVICE:
        if (!t->quiet && ev->action.type == E2E_TG_ACTION_NOTIFY_LAYER)
            demo_say(d, "%s: the peer announces layer %d", who, ev->action.layer);
        else if (ev->action.type == E2E_TG_ACTION_REQUEST_KEY ||
                 ev->action.type == E2E_TG_ACTION_ACCEPT_KEY ||
                 ev->action.type == E2E_TG_ACTION_COMMIT_KEY)
            demo_say(d, "%s: re-key step %s (exchange_id %lld)", who,
                     ev->action.type == E2E_TG_ACTION_REQUEST_KEY  ? "RequestKey"
                     : ev->action.type == E2E_TG_ACTION_ACCEPT_KEY ? "AcceptKey"
                                                                   : "CommitKey",
                     (long long)ev->action.exchange_id);
        else if (!t->quiet && ev->action.type == E2E_TG_ACTION_RESEND)
            demo_say(d, "%s: the peer asks for Resend(%d, %d)", who, ev->action.start_seq_no,
                     ev->action.end_seq_no);
        break;
    case E2E_TG_EV_NEED_RESEND:
        demo_say(d, "%s sees a gap and asks for out_seq_no %d..%d again", who, ev->start_seq_no,
                 ev->end_seq_no);
        break;
    case E2E_TG_EV_RESENT:
        demo_say(d, "%s re-sends its stored ciphertexts %d..%d (not re-encrypted)", who,
                 ev->start_seq_no, ev->end_seq_no);
        break;
    case E2E_TG_EV_REKEYED:
        demo_say(d, "%s now uses the key with fingerprint %lld", who,
                 (long long)ev->key_fingerprint);
        break;
    case E2E_TG_EV_ABORTED:
        demo_say(d, "%s: chat aborted (%s)", who, ev->reason ? ev->reason : "?");
        break;
    default:
        break;
    }
}

static void
events(struct tg_demo *t, e2e_tg_chat *c, const char *who)
{
    struct e2e_tg_event ev;
    while (e2e_tg_chat_next_event(c, &ev) == E2E_OK) {
        if (ev.type == E2E_TG_EV_REKEYED)
            t->kept_old_key |= e2e_tg_chat_previous_key_held(c);
        say_event(t, who, &ev);
    }
}

/* Everything in from's outbox goes to the server for `to`. */
static int
post_all(struct tg_demo *t, e2e_tg_chat *from, const char *fname, const char *tname)
{
    const uint8_t *p;
    size_t n, k = 0;
    while (e2e_tg_chat_next_output(from, &p, &n) == E2E_OK) {
        int rc = demo_server_post(t->srv, fname, tname, p, n);
        if (rc != E2E_OK)
            return rc;
        k++;
    }
    return (int)k;
}

/* Everything the server holds for `to` is received by `to`. */
static int
take_all(struct tg_demo *t, e2e_tg_chat *to, const char *tname)
{
    uint8_t *p;
    size_t n;
    int bad = 0;
    while (demo_server_take(t->srv, tname, 0, &p, &n, NULL) == E2E_OK) {
        struct e2e_report why;
        int rc = e2e_tg_chat_receive(to, t->d->ctx, p, n, &why);
        free(p);
        if (rc != E2E_OK && rc != E2E_ERR_DUPLICATE) {
            demo_check(t->d, 0, "%s: %s (%s)", tname, e2e_err_name(rc), why.detail);
            bad = 1;
        }
        events(t, to, tname);
    }
    return bad;
}

/* Bulk traffic, straight from one outbox into the other chat. */
static int
direct(struct tg_demo *t, e2e_tg_chat *from, e2e_tg_chat *to, const char *tname)
{
    const uint8_t *p;
    size_t n;
    int bad = 0;
    while (e2e_tg_chat_next_output(from, &p, &n) == E2E_OK) {
        uint8_t copy[2048];
        if (n > sizeof copy)
            return 1;
        memcpy(copy, p, n);
        bad |= e2e_tg_chat_receive(to, t->d->ctx, copy, n, NULL) != E2E_OK;
        events(t, to, tname);
    }
    return bad;
}

static int
send_text(struct tg_demo *t, e2e_tg_chat *c, const char *text)
{
    struct e2e_tg_message m;
    uint8_t r[8];
    memset(&m, 0, sizeof m);
    if (e2e_random(t->d->ctx, r, sizeof r) != E2E_OK)
        return E2E_ERR_RNG;
    memcpy(&m.random_id, r, sizeof m.random_id);
    m.text = text;
    m.text_len = strlen(text);
    return e2e_tg_chat_send_message(c, t->d->ctx, &m);
}

/* ---- 1. creation ----------------------------------------------------------------------------- */

static int
create(struct tg_demo *t, e2e_tg_chat **creator, e2e_tg_chat **acceptor, const char *cname,
       const char *aname, int narrate)
{
    struct demo *d = t->d;
    uint8_t g_a[256], g_b[256], *p;
    size_t la, lb, n;
    int64_t fp;
    struct e2e_report why;
    const uint8_t *prime = e2e_dh_telegram_prime();
    int rc = e2e_tg_chat_request(creator, d->ctx, t->cache, prime, 256, 3, g_a, &la, &why);
    if (!demo_ok(d, rc, "creator: (p, g) checked through the cache, a drawn, g_a computed"))
        return rc;
    if (narrate)
        demo_value(d, "g_a (messages.requestEncryption)", g_a, la);
    if ((rc = demo_server_post(t->srv, cname, aname, g_a, la)) != E2E_OK ||
        (rc = demo_server_take(t->srv, aname, 0, &p, &n, NULL)) != E2E_OK)
        return rc;
    rc = e2e_tg_chat_accept(acceptor, d->ctx, t->cache, prime, 256, 3, p, n, g_b, &lb, &fp, &why);
    free(p);
    if (!demo_ok(d, rc, "acceptor: g_a in range, b drawn, key = g_a^b mod p, fingerprint"))
        return rc;
    uint8_t msg[264];
    memcpy(msg, g_b, lb);
    memcpy(msg + lb, &fp, 8);
    if (narrate) {
        demo_value(d, "g_b (messages.acceptEncryption)", g_b, lb);
        demo_say(d, "key_fingerprint = last 64 bits of SHA1(key) = %lld", (long long)fp);
    }
    if ((rc = demo_server_post(t->srv, aname, cname, msg, lb + 8)) != E2E_OK ||
        (rc = demo_server_take(t->srv, cname, 0, &p, &n, NULL)) != E2E_OK)
        return rc;
    memcpy(&fp, p + n - 8, 8);
    rc = e2e_tg_chat_confirm(*creator, d->ctx, p, n - 8, fp, &why);
    free(p);
    return demo_ok(d, rc, "creator: g_b in range, the same key, fingerprints equal") ? E2E_OK : rc;
}

static int
chapter_create(struct tg_demo *t)
{
    struct demo *d = t->d;
    demo_say(d, "1. Alice opens a secret chat with Bob. The server hands out the DH config:");
    demo_value(d, "p (Telegram's 2048-bit safe prime), g = 3", e2e_dh_telegram_prime(), 256);
    E2E_TRY(create(t, &t->alice, &t->bob, "alice", "bob", 1));
    demo_check(d, e2e_dh_cache_full_checks(t->cache) == 0,
               "the well-known prime is recognised: no primality test was needed");
    uint8_t va[36], vb[36];
    if (e2e_tg_chat_visualization(t->alice, va) != E2E_OK ||
        e2e_tg_chat_visualization(t->bob, vb) != E2E_OK)
        return E2E_ERR_STATE;
    demo_value(d, "key visualisation (SHA1 || SHA256 of the key)", va, 36);
    demo_check(d, memcmp(va, vb, 36) == 0, "Alice and Bob see the same key picture");

    /* what the checks stop: a g_b of 1 would force the key to 1 */
    e2e_tg_chat *mallory = NULL;
    uint8_t g[256], one[256];
    size_t gl;
    struct e2e_report why;
    memset(one, 0, sizeof one);
    one[255] = 1;
    if (e2e_tg_chat_request(&mallory, d->ctx, t->cache, e2e_dh_telegram_prime(), 256, 3, g, &gl,
                            NULL) == E2E_OK)
        demo_expect(d, e2e_tg_chat_confirm(mallory, d->ctx, one, 256, 0, &why), E2E_ERR_WEAK_KEY,
                    "a forged g_b = 1 is refused by the range check");
    e2e_tg_chat_free(mallory);
    return E2E_OK;
}

/* ---- 2-3. messages, Resend ----------------------------------------------------------------- */

static int
chapter_messages(struct tg_demo *t)
{
    struct demo *d = t->d;
    demo_say(d, "2. Both announce their layer, then talk. Alice created the chat: her messages "
                "use x = 0 and odd out_seq_no, Bob's x = 8 and even ones.");
    int bad = post_all(t, t->alice, "alice", "bob") < 0 || post_all(t, t->bob, "bob", "alice") < 0;
    bad |= take_all(t, t->bob, "bob") | take_all(t, t->alice, "alice");
    E2E_TRY(send_text(t, t->alice, "Hi Bob, this is end-to-end."));
    E2E_TRY(send_text(t, t->bob, "Hi Alice, the server only sees ciphertext."));
    bad |= post_all(t, t->alice, "alice", "bob") < 0 || post_all(t, t->bob, "bob", "alice") < 0;
    bad |= take_all(t, t->bob, "bob") | take_all(t, t->alice, "alice");
    demo_check(d, !bad && e2e_tg_chat_his_layer(t->alice) == E2E_TG_LAYER,
               "both directions delivered; each side knows the other speaks layer %d",
               E2E_TG_LAYER);

    demo_say(d, "3. Alice sends three messages; the server loses the second.");
    E2E_TRY(send_text(t, t->alice, "one"));
    E2E_TRY(send_text(t, t->alice, "two (lost on the way)"));
    E2E_TRY(send_text(t, t->alice, "three"));
    bad |= post_all(t, t->alice, "alice", "bob") != 3;
    uint8_t *p;
    size_t n;
    if (demo_server_take(t->srv, "bob", 1, &p, &n, NULL) == E2E_OK) {
        demo_say(d, "server: the message for bob (%zu bytes) is dropped", n);
        free(p);
    }
    bad |= take_all(t, t->bob, "bob");
    bad |= post_all(t, t->bob, "bob", "alice") != 1; /* the Resend */
    bad |= take_all(t, t->alice, "alice");
    bad |= post_all(t, t->alice, "alice", "bob") != 1; /* the stored "two" */
    bad |= take_all(t, t->bob, "bob");
    uint32_t out, in, since;
    e2e_tg_chat_counters(t->bob, &out, &in, &since);
    return demo_check(d, !bad && in == 5, "the gap is filled: Bob read all five, in order") ? 0
                                                                                            : -1;
}

/* ---- 4. re-key ----------------------------------------------------------------------------- */

static int
chapter_rekey(struct tg_demo *t)
{
    struct demo *d = t->d;
    int64_t before = e2e_tg_chat_key_fingerprint(t->alice);
    demo_say(d, "4. Perfect forward secrecy: after more than 100 messages (both directions "
                "count) a new DH runs inside the chat. Both sides reach the count together and "
                "ask at once; the larger exchange_id (signed 64-bit) wins and the other side "
                "accepts it. The next 100 messages go straight from outbox to inbox, without a "
                "line each.");
    t->quiet = 1;
    int bad = 0;
    for (int i = 0; i < 60 && !bad; i++) {
        bad |= send_text(t, t->alice, "chatter") != E2E_OK;
        bad |= direct(t, t->alice, t->bob, "bob") | direct(t, t->bob, t->alice, "alice");
        bad |= send_text(t, t->bob, "chatter") != E2E_OK;
        bad |= direct(t, t->bob, t->alice, "alice") | direct(t, t->alice, t->bob, "bob");
        if (e2e_tg_chat_key_fingerprint(t->alice) != before &&
            e2e_tg_chat_key_fingerprint(t->alice) == e2e_tg_chat_key_fingerprint(t->bob))
            break;
    }
    t->quiet = 0;
    int64_t after = e2e_tg_chat_key_fingerprint(t->alice);
    demo_check(d, t->kept_old_key,
               "right after switching, the old key was kept for messages still in flight");
    demo_check(d, !bad && after != before && after == e2e_tg_chat_key_fingerprint(t->bob),
               "a new key on both sides: fingerprint %lld -> %lld", (long long)before,
               (long long)after);
    E2E_TRY(send_text(t, t->alice, "Under the new key."));
    E2E_TRY(send_text(t, t->bob, "Old key gone."));
    bad |= post_all(t, t->alice, "alice", "bob") < 0 || post_all(t, t->bob, "bob", "alice") < 0;
    bad |= take_all(t, t->bob, "bob") | take_all(t, t->alice, "alice");
    return demo_check(d,
                      !bad && !e2e_tg_chat_previous_key_held(t->alice) &&
                          !e2e_tg_chat_previous_key_held(t->bob),
                      "messages flow under the new key; both sides have wiped the old one")
               ? 0
               : -1;
}

/* ---- 5. a file ----------------------------------------------------------------------------- */

/* The next message from the server for `who`, received; then its document opened from the
 * stored ciphertext. */
static int
receive_file(struct tg_demo *t, e2e_tg_chat *c, const char *who, const uint8_t *stored, size_t n,
             const uint8_t *file, size_t size)
{
    struct demo *d = t->d;
    struct e2e_tg_event ev;
    struct e2e_tg_file_stream s;
    uint8_t *p, *back = malloc(n);
    size_t pn;
    int ok = back && demo_server_take(t->srv, who, 0, &p, &pn, NULL) == E2E_OK;
    if (ok) {
        ok = e2e_tg_chat_receive(c, d->ctx, p, pn, NULL) == E2E_OK;
        free(p);
    }
    ok =
        ok && e2e_tg_chat_next_event(c, &ev) == E2E_OK && ev.message.media == E2E_TG_MEDIA_DOCUMENT;
    ok = ok && e2e_tg_file_stream_init(&s, &ev.message.document.file, 1) == E2E_OK &&
         e2e_tg_file_stream_update(&s, back, stored, n) == E2E_OK &&
         ev.message.document.size == (int64_t)size && memcmp(back, file, size) == 0;
    demo_check(d, ok,
               "%s opens \"%.*s\" (%lld bytes) from the stored ciphertext with the key and IV "
               "carried in the message",
               who, ok ? (int)ev.message.document.file_name_len : 0,
               ok ? ev.message.document.file_name : "", ok ? (long long)size : 0);
    e2e_tg_file_stream_wipe(&s);
    free(back);
    return ok ? 0 : -1;
}

static void
document(struct e2e_tg_message *m, const struct e2e_tg_file_key *k, int64_t size)
{
    memset(m, 0, sizeof *m);
    m->random_id = 0x5eed;
    m->text = "";
    m->media = E2E_TG_MEDIA_DOCUMENT;
    m->document.mime_type = "application/octet-stream";
    m->document.mime_type_len = strlen(m->document.mime_type);
    m->document.size = size;
    m->document.file = *k;
    m->document.file_name = "notes.bin";
    m->document.file_name_len = 9;
}

static int
encrypt_file(struct demo *d, const struct e2e_tg_file_key *k, const uint8_t *file, size_t size,
             uint8_t *stored, size_t *n)
{
    struct e2e_tg_file_stream s;
    const size_t part = 32768;
    size_t at = 0, last = 0;
    int rc = e2e_tg_file_stream_init(&s, k, 0);
    for (; rc == E2E_OK && size - at > part; at += part)
        rc = e2e_tg_file_stream_update(&s, stored + at, file + at, part);
    if (rc == E2E_OK)
        rc = e2e_tg_file_stream_final(&s, d->ctx, stored + at, size + 16 - at, &last, file + at,
                                      size - at);
    e2e_tg_file_stream_wipe(&s);
    *n = at + last;
    return rc;
}

static int
chapter_file(struct tg_demo *t)
{
    struct demo *d = t->d;
    const size_t size = 100000;
    struct e2e_tg_file_key k;
    struct e2e_tg_message m;
    e2e_tg_chat *alice2 = NULL, *carol = NULL;
    uint8_t *file = malloc(size), *stored = malloc(size + 16);
    size_t n = 0;
    int bad = 1;
    demo_say(d, "5. Alice sends a 100000-byte file: its own random key and IV, one AES-256-IGE "
                "stream over 32 KiB parts, the last part padded.");
    int rc = file && stored ? e2e_random(d->ctx, file, size) : E2E_ERR_NOMEM;
    if (rc == E2E_OK)
        rc = e2e_tg_file_key_new(&k, d->ctx);
    if (rc == E2E_OK)
        rc = encrypt_file(d, &k, file, size, stored, &n);
    if (!demo_ok(d, rc, "file encrypted part by part in constant memory"))
        goto out;
    demo_say(d, "file key_fingerprint (MD5 of key || iv, halves XORed) = %d",
             e2e_tg_file_fingerprint(&k));
    demo_value(d, "uploaded once; the server stores", stored, n);
    document(&m, &k, (int64_t)size);
    if (e2e_tg_chat_send_message(t->alice, d->ctx, &m) != E2E_OK ||
        post_all(t, t->alice, "alice", "bob") != 1 ||
        receive_file(t, t->bob, "bob", stored, n, file, size) != 0)
        goto out;
    demo_say(d, "Alice forwards the stored file to Carol in another secret chat: a new message "
                "with the same key and IV, no re-encryption, no new upload.");
    if (create(t, &alice2, &carol, "alice", "carol", 0) != E2E_OK)
        goto out;
    post_all(t, alice2, "alice", "carol");
    post_all(t, carol, "carol", "alice");
    bad = take_all(t, carol, "carol") | take_all(t, alice2, "alice");
    events(t, carol, "carol");
    bad |= e2e_tg_chat_send_message(alice2, d->ctx, &m) != E2E_OK ||
           post_all(t, alice2, "alice", "carol") != 1 ||
           receive_file(t, carol, "carol", stored, n, file, size) != 0;
out:
    e2e_wipe(&k, sizeof k);
    e2e_tg_chat_free(alice2);
    e2e_tg_chat_free(carol);
    free(file);
    free(stored);
    return bad ? -1 : 0;
}

/* ---- 6. a call ----------------------------------------------------------------------------- */

static void
say_emoji(struct demo *d, const char *who, const uint16_t idx[4],
          const struct e2e_tg_emoji_table *tab)
{
    demo_say(d, "%s sees %s %s %s %s (indices %u %u %u %u)", who, tab->entry[idx[0]],
             tab->entry[idx[1]], tab->entry[idx[2]], tab->entry[idx[3]], idx[0], idx[1], idx[2],
             idx[3]);
}

static int
call_exchange(struct tg_demo *t, e2e_tg_call **caller, e2e_tg_call **callee)
{
    struct demo *d = t->d;
    uint8_t hash[32], g_a[256], g_b[256], bad[256];
    size_t la, lb;
    int64_t fp;
    struct e2e_report why;
    const uint8_t *p = e2e_dh_telegram_prime();
    demo_say(d, "6. Alice calls Bob. She commits to g_a by sending only its SHA-256; Bob must "
                "pick g_b before he sees g_a.");
    int rc = e2e_tg_call_request(caller, d->ctx, t->cache, p, 256, 3, hash, &why);
    if (!demo_ok(d, rc, "caller: a drawn, g_a_hash = SHA256(g_a) (phone.requestCall)"))
        return rc;
    demo_value(d, "g_a_hash", hash, 32);
    rc = e2e_tg_call_accept(callee, d->ctx, t->cache, p, 256, 3, hash, g_b, &lb, &why);
    if (!demo_ok(d, rc, "callee: hash kept, b drawn, g_b sent (phone.acceptCall)"))
        return rc;
    rc = e2e_tg_call_confirm(*caller, d->ctx, g_b, lb, g_a, &la, &fp, &why);
    if (!demo_ok(d, rc,
                 "caller: key = g_b^a mod p; g_a revealed with the fingerprint "
                 "(phone.confirmCall)"))
        return rc;
    memcpy(bad, g_a, la);
    bad[la - 1] ^= 1;
    demo_expect(d, e2e_tg_call_complete(*callee, d->ctx, bad, la, fp, &why), E2E_ERR_AUTH,
                "a g_a that is not the committed one (one bit changed) is rejected");
    rc = e2e_tg_call_complete(*callee, d->ctx, g_a, la, fp, &why);
    if (!demo_ok(d, rc, "callee: SHA256(g_a) matches the commitment; same key and fingerprint"))
        return rc;
    demo_expect(d, e2e_tg_call_complete(*callee, d->ctx, g_a, la, fp, &why), E2E_ERR_DUPLICATE,
                "the same update again is accepted only once");
    return E2E_OK;
}

static int
call_packets(struct tg_demo *t, e2e_tg_call *caller, e2e_tg_call *callee)
{
    struct demo *d = t->d;
    uint8_t pkt[128], body[128];
    size_t n, bn;
    uint32_t seq;
    struct e2e_report why;
    const char *voice = "\x01(a voice frame)";
    int rc = e2e_tg_call_protect(caller, d->ctx, E2E_TG_CALL_TRANSPORT, E2E_TG_CALL_SEQ_SINGLE,
                                 (const uint8_t *)voice, strlen(voice), pkt, sizeof pkt, &n);
    if (rc == E2E_OK)
        rc = e2e_tg_call_unprotect(callee, d->ctx, E2E_TG_CALL_TRANSPORT, pkt, n, body, sizeof body,
                                   &bn, &seq, &why);
    demo_value(d, "packet (msg_key || AES-256-CTR(seq || message))", pkt, n);
    demo_ok(d, rc, "a packet on the transport channel (x = 0) decrypts on the other side");
    demo_expect(d,
                e2e_tg_call_unprotect(callee, d->ctx, E2E_TG_CALL_TRANSPORT, pkt, n, body,
                                      sizeof body, &bn, &seq, &why),
                E2E_ERR_DUPLICATE, "the same packet replayed is dropped by the 64-entry window");
    return rc;
}

static int
chapter_call(struct tg_demo *t)
{
    struct demo *d = t->d;
    e2e_tg_call *caller = NULL, *callee = NULL;
    uint16_t ea[4], eb[4];
    struct e2e_tg_emoji_table *tab = malloc(sizeof *tab);
    int rc = tab ? call_exchange(t, &caller, &callee) : E2E_ERR_NOMEM;
    if (rc == E2E_OK && (rc = e2e_tg_call_emoji(caller, ea)) == E2E_OK &&
        (rc = e2e_tg_call_emoji(callee, eb)) == E2E_OK) {
        e2e_tg_emoji_table_default(tab);
        demo_say(d, "The emoji come from SHA256(key || g_a); e2ekit draws them from its own "
                    "table (Telegram's table gives the same indices other pictures).");
        say_emoji(d, "Alice", ea, tab);
        say_emoji(d, "Bob", eb, tab);
        demo_check(d, memcmp(ea, eb, sizeof ea) == 0, "the four emoji agree on both sides");
        rc = call_packets(t, caller, callee);
    }
    e2e_tg_call_free(caller);
    e2e_tg_call_free(callee);
    free(tab);
    return rc;
}

int
demo_telegram(struct demo *d)
{
    struct tg_demo t;
    memset(&t, 0, sizeof t);
    t.d = d;
    t.srv = demo_server_new(d, "server");
    if (!t.srv || e2e_dh_cache_new(&t.cache) != E2E_OK) {
        demo_server_free(t.srv);
        return 1;
    }
    int rc = chapter_create(&t);
    if (rc == E2E_OK)
        rc = chapter_messages(&t);
    if (rc == E2E_OK)
        rc = chapter_rekey(&t);
    if (rc == E2E_OK)
        rc = chapter_file(&t);
    if (rc == E2E_OK)
        rc = chapter_call(&t);
    e2e_tg_chat_free(t.alice);
    e2e_tg_chat_free(t.bob);
    e2e_dh_cache_free(t.cache);
    demo_server_free(t.srv);
    return rc == E2E_OK ? 0 : 1;
}
