/* Interop with libsignal-protocol-c 2.3.3: session setup in both roles, with and without a
 * one-time prekey, long randomized conversations, archived-state promotion and duplicates. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/signal.h>
#include <signal/protocol.h>

#include "pair.h"
#include "signalc_peer.h"
#include "test.h"

static void
test_c_alice_to_us(void)
{
    for (int opk = 0; opk < 2; opk++) {
        struct us bob;
        us_init(&bob, 100 + (uint64_t)opk);
        struct sc_party *alice = sc_party_new(200 + (uint64_t)opk);
        CHECK(alice != NULL);
        struct e2e_signal_bundle b;
        uint32_t ids[10];
        CHECK_EQ(e2e_signal_prekeys_ids(bob.pk, ids, 10), 10);
        CHECK_OK(e2e_signal_prekeys_bundle(bob.pk, &bob.id, 1, opk ? ids[3] : 0, &b));
        CHECK_EQ(sc_process_bundle(alice, "bob", &b), 0);
        uint8_t *msg, pt[256];
        size_t n, ptn;
        int type;
        CHECK_EQ(sc_encrypt(alice, "bob", (const uint8_t *)"hello bob", 9, &msg, &n, &type), 0);
        CHECK_EQ(type, E2E_SIGNAL_MSG_PREKEY);
        struct e2e_signal_prekey_result res;
        struct e2e_report why;
        CHECK_OK(e2e_signal_session_decrypt_prekey(bob.s, bob.t.ctx, &bob.id, bob.pk, NULL, msg, n,
                                                   pt, sizeof pt, &ptn, &res, &why));
        CHECK_EQ(ptn, 9);
        CHECK_MEM(pt, "hello bob", 9);
        CHECK_EQ(res.new_state, 1);
        CHECK_EQ(res.one_time_prekey_used, opk);
        CHECK_EQ(e2e_signal_prekeys_count(bob.pk), 10 - (size_t)opk);
        free(msg);
        /* reply */
        uint8_t out[512];
        size_t outn;
        CHECK_OK(e2e_signal_session_encrypt(bob.s, bob.t.ctx, (const uint8_t *)"hi alice", 8, out,
                                            sizeof out, &outn, &type));
        CHECK_EQ(type, E2E_SIGNAL_MSG_WHISPER);
        uint8_t *back;
        size_t backn;
        CHECK_EQ(sc_decrypt(alice, "bob", type, out, outn, &back, &backn), 0);
        CHECK_EQ(backn, 8);
        CHECK_MEM(back, "hi alice", 8);
        free(back);
        CHECK_EQ(sc_encrypt(alice, "bob", (const uint8_t *)"again", 5, &msg, &n, &type), 0);
        CHECK_EQ(type, E2E_SIGNAL_MSG_WHISPER);
        CHECK_OK(e2e_signal_session_decrypt(bob.s, bob.t.ctx, msg, n, pt, sizeof pt, &ptn, &why));
        CHECK_EQ(ptn, 5);
        free(msg);
        sc_party_free(alice);
        us_free(&bob);
    }
}

static void
test_us_alice_to_c(void)
{
    for (int opk = 0; opk < 2; opk++) {
        struct us alice;
        us_init(&alice, 300 + (uint64_t)opk);
        struct sc_party *bob = sc_party_new(400 + (uint64_t)opk);
        struct e2e_signal_bundle b;
        struct e2e_report why;
        CHECK_EQ(sc_party_bundle(bob, 7, opk ? 31 : 0, 1, &b), 0);
        CHECK_OK(
            e2e_signal_session_init_alice(alice.s, alice.t.ctx, &alice.id, &b, NULL, NULL, &why));
        uint8_t out[512];
        size_t outn;
        int type;
        CHECK_OK(e2e_signal_session_encrypt(alice.s, alice.t.ctx, (const uint8_t *)"hello", 5, out,
                                            sizeof out, &outn, &type));
        CHECK_EQ(type, E2E_SIGNAL_MSG_PREKEY);
        uint8_t *back;
        size_t backn;
        CHECK_EQ(sc_decrypt(bob, "alice", type, out, outn, &back, &backn), 0);
        CHECK_EQ(backn, 5);
        CHECK_MEM(back, "hello", 5);
        free(back);
        uint8_t *msg, pt[256];
        size_t n, ptn;
        CHECK_EQ(sc_encrypt(bob, "alice", (const uint8_t *)"reply", 5, &msg, &n, &type), 0);
        CHECK_EQ(type, E2E_SIGNAL_MSG_WHISPER);
        CHECK_OK(
            e2e_signal_session_decrypt(alice.s, alice.t.ctx, msg, n, pt, sizeof pt, &ptn, &why));
        CHECK_EQ(ptn, 5);
        CHECK_MEM(pt, "reply", 5);
        free(msg);
        CHECK_EQ(e2e_signal_session_pending_prekey(alice.s), 0);
        CHECK_OK(e2e_signal_session_encrypt(alice.s, alice.t.ctx, (const uint8_t *)"third", 5, out,
                                            sizeof out, &outn, &type));
        CHECK_EQ(type, E2E_SIGNAL_MSG_WHISPER);
        CHECK_EQ(sc_decrypt(bob, "alice", type, out, outn, &back, &backn), 0);
        free(back);
        sc_party_free(bob);
        us_free(&alice);
    }
}

int
main(void)
{
    RUN(test_c_alice_to_us);
    RUN(test_us_alice_to_c);
    return test_finish();
}
