/* X25519, XEdDSA (Signal's variant) and Ed25519: properties and every failure path. */
#include <string.h>

#include <e2ekit/crypto.h>

#include "test.h"

static void
test_x25519_small_order(void)
{
    /* the points of order 1, 2, 4 and 8 (and their non-canonical encodings p - 1, p, p + 1):
     * DH with any of them is all-zero, which must be refused */
    static const char *const pts[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };
    uint8_t priv[32], pub[32], out[32];
    struct test_ctx t;
    e2e_ctx *ctx = test_ctx_new(&t, 1);
    CHECK_OK(e2e_x25519_keygen(ctx, priv, pub));
    CHECK_EQ(priv[0] & 7, 0);
    CHECK_EQ(priv[31] & 0xc0, 0x40);
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        unhex(pub, 32, pts[i]);
        memset(out, 0x77, 32);
        CHECK_ERR(e2e_x25519_shared(out, priv, pub), E2E_ERR_WEAK_KEY);
        CHECK(e2e_ct_is_zero(out, 32));
    }
    /* agreement */
    uint8_t a[32], A[32], b[32], B[32], s1[32], s2[32];
    CHECK_OK(e2e_x25519_keygen(ctx, a, A));
    CHECK_OK(e2e_x25519_keygen(ctx, b, B));
    CHECK_OK(e2e_x25519_shared(s1, a, B));
    CHECK_OK(e2e_x25519_shared(s2, b, A));
    CHECK_MEM(s1, s2, 32);
    test_ctx_free(&t);
}

static void
flip_all_bits_fail_xeddsa(const uint8_t pub[32], const uint8_t *msg, size_t n, uint8_t sig[64])
{
    for (int i = 0; i < 512; i++) {
        sig[i / 8] ^= (uint8_t)(1u << (i % 8));
        CHECK_ERR(e2e_xeddsa_verify(pub, msg, n, sig), E2E_ERR_AUTH);
        sig[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
}

static void
test_xeddsa_roundtrip_and_flips(void)
{
    struct test_ctx t;
    e2e_ctx *ctx = test_ctx_new(&t, 2);
    uint8_t priv[32], pub[32], sig[64], msg[100], z[64];
    for (int k = 0; k < 40; k++) {
        CHECK_OK(e2e_x25519_keygen(ctx, priv, pub));
        CHECK_OK(e2e_random(ctx, msg, sizeof msg));
        CHECK_OK(e2e_random(ctx, z, sizeof z));
        struct e2e_xeddsa_signer s;
        e2e_xeddsa_signer_init(&s, priv);
        size_t n = (size_t)k * 2;
        e2e_xeddsa_sign(sig, &s, msg, n, z);
        CHECK_OK(e2e_xeddsa_verify(pub, msg, n, sig));
        /* the same through the ctx helper (fresh Z) */
        CHECK_OK(e2e_xeddsa_sign_ctx(sig, priv, msg, n, ctx));
        CHECK_OK(e2e_xeddsa_verify(pub, msg, n, sig));
        if (n) {
            msg[0] ^= 1;
            CHECK_ERR(e2e_xeddsa_verify(pub, msg, n, sig), E2E_ERR_AUTH);
            msg[0] ^= 1;
        }
        /* the reference verifier ignores the top bit of u; so do we */
        pub[31] ^= 0x80;
        CHECK_OK(e2e_xeddsa_verify(pub, msg, n, sig));
        pub[31] ^= 0x80;
        /* another key */
        uint8_t p2[32], q2[32];
        CHECK_OK(e2e_x25519_keygen(ctx, p2, q2));
        CHECK_ERR(e2e_xeddsa_verify(q2, msg, n, sig), E2E_ERR_AUTH);
        if (k < 3)
            flip_all_bits_fail_xeddsa(pub, msg, n, sig);
    }
    test_ctx_free(&t);
}

static void
test_xeddsa_signal_vector_flips(void)
{
    /* reference/signal.md 12.3: the upstream test flips one bit per byte; flip them all */
    uint8_t pub[32], msg[33], sig[64];
    unhex(pub, 32, "ab7e717d4a163b7d9a1d8071dfe9dcf8cdcd1cea3339b6356be84d887e322c64");
    unhex(msg, 33, "05edce9d9c415ca78cb7252e72c2c4a554d3eb29485a0e1d503118d1a82d99fb4a");
    unhex(sig, 64,
          "5de88ca9a89b4a115da79109c67c9c7464a3e4180274f1cb8c63c2984e286dfbede82deb9dcd9fae0bfbb821"
          "569b3d9001bd8130cd11d486cef047bd60b86e88");
    CHECK_OK(e2e_xeddsa_verify(pub, msg, sizeof msg, sig));
    flip_all_bits_fail_xeddsa(pub, msg, sizeof msg, sig);
    /* u = p - 1 maps to y = 0 (a small-order point): refused */
    uint8_t bad[32];
    unhex(bad, 32, "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    CHECK_ERR(e2e_xeddsa_verify(bad, msg, sizeof msg, sig), E2E_ERR_AUTH);
}

static void
test_ed25519_flips(void)
{
    uint8_t seed[32], pub[32], sk[64], sig[64];
    static const uint8_t msg[] = {0xaf, 0x82};
    unhex(seed, 32, "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7");
    e2e_ed25519_seed_keypair(pub, sk, seed);
    e2e_ed25519_sign(sig, msg, sizeof msg, sk);
    CHECK_OK(e2e_ed25519_verify(sig, msg, sizeof msg, pub));
    for (int i = 0; i < 512; i++) {
        sig[i / 8] ^= (uint8_t)(1u << (i % 8));
        CHECK_ERR(e2e_ed25519_verify(sig, msg, sizeof msg, pub), E2E_ERR_AUTH);
        sig[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    for (int i = 0; i < 256; i++) {
        pub[i / 8] ^= (uint8_t)(1u << (i % 8));
        CHECK_ERR(e2e_ed25519_verify(sig, msg, sizeof msg, pub), E2E_ERR_AUTH);
        pub[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
}

int
main(void)
{
    RUN(test_x25519_small_order);
    RUN(test_xeddsa_roundtrip_and_flips);
    RUN(test_xeddsa_signal_vector_flips);
    RUN(test_ed25519_flips);
    return test_finish();
}
