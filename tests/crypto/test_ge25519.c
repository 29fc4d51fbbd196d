/*
 * The prepared-key Ed25519/XEdDSA verification (src/crypto/ge25519.c) against libsodium's
 * crypto_sign_ed25519_verify_detached, which e2e_xeddsa_verify uses: the same answer for honest
 * signatures, every single-bit change of signature and message, non-canonical s, small-order
 * R, keys of mixed order, keys off the curve and small-order keys; RFC 8032 test 1 through
 * the internal entry points.
 */
#include <string.h>

#include <sodium.h>

#include <e2ekit/crypto.h>

#include "crypto/fe25519.h"
#include "crypto/ge25519.h"
#include "test.h"

static uint64_t seed = 0xD1B54A32D192ED03ull;

static uint64_t
rnd64(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static void
rnd_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)rnd64();
}

/* The prepared verifier and the one-shot (libsodium) verification agree; returns the answer. */
static int
both(const struct e2e_xeddsa_verifier *v, const uint8_t pub[32], const uint8_t *msg, size_t n,
     const uint8_t sig[64])
{
    int a = e2e_xeddsa_verify_with(v, msg, n, sig);
    int b = e2e_xeddsa_verify(pub, msg, n, sig);
    CHECK_EQ(a, b);
    return a;
}

/* u = (1 + y) / (1 - y): the Montgomery form of an Edwards y, for keys made on the Edwards side */
static void
montgomery_u(uint8_t u[32], const uint8_t edwards[32])
{
    e2e__fe y, one, num, den;
    uint8_t ybytes[32];
    memcpy(ybytes, edwards, 32);
    ybytes[31] &= 0x7f;
    e2e__fe_frombytes(&y, ybytes);
    e2e__fe_one(&one);
    e2e__fe_add(&num, &one, &y);
    e2e__fe_sub(&den, &one, &y);
    e2e__fe_invert(&den, &den);
    e2e__fe_mul(&num, &num, &den);
    e2e__fe_tobytes(u, &num);
}

/* a fresh X25519 key pair with its signer and verifier */
static void
fresh_key(uint8_t pub[32], struct e2e_xeddsa_signer *s, struct e2e_xeddsa_verifier *v)
{
    uint8_t priv[32];
    rnd_bytes(priv, 32);
    e2e_x25519_clamp(priv);
    e2e_x25519_public(pub, priv);
    e2e_xeddsa_signer_init(s, priv);
    e2e_xeddsa_verifier_init(v, pub);
}

static void
test_honest_and_every_bit(void)
{
    for (int k = 0; k < 24; k++) {
        uint8_t pub[32], sig[64], msg[80], z[64];
        size_t n = (size_t)(rnd64() % sizeof msg);
        struct e2e_xeddsa_signer s;
        static struct e2e_xeddsa_verifier v;
        fresh_key(pub, &s, &v);
        rnd_bytes(msg, sizeof msg);
        rnd_bytes(z, sizeof z);
        CHECK(v.valid);
        e2e_xeddsa_sign(sig, &s, msg, n, z);
        CHECK_OK(both(&v, pub, msg, n, sig));
        for (size_t bit = 0; bit < 512; bit++) {
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            CHECK_ERR(both(&v, pub, msg, n, sig), E2E_ERR_AUTH);
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        for (size_t bit = 0; bit < 8 * n; bit += 7) {
            msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            CHECK_ERR(both(&v, pub, msg, n, sig), E2E_ERR_AUTH);
            msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        /* another key's verifier */
        fresh_key(pub, &s, &v);
        CHECK_ERR(both(&v, pub, msg, n, sig), E2E_ERR_AUTH);
    }
}

/* s + L still fits in 253 bits for most s: same equation, rejected by both as non-canonical */
static void
test_noncanonical_s(void)
{
    static const uint8_t L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,       0xd6,
                                  0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, [31] = 0x10};
    int tried = 0;
    for (int k = 0; k < 40 && tried < 8; k++) {
        uint8_t pub[32], sig[64], msg[16], z[64];
        struct e2e_xeddsa_signer s;
        static struct e2e_xeddsa_verifier v;
        fresh_key(pub, &s, &v);
        rnd_bytes(msg, sizeof msg);
        rnd_bytes(z, sizeof z);
        e2e_xeddsa_sign(sig, &s, msg, sizeof msg, z);
        uint8_t sign = sig[63] & 0x80, sum[32];
        unsigned c = 0;
        for (int i = 0; i < 32; i++) {
            c += (unsigned)(i == 31 ? sig[32 + i] & 0x7f : sig[32 + i]) + L[i];
            sum[i] = (uint8_t)c;
            c >>= 8;
        }
        if (sum[31] & 0xE0)
            continue; /* s + L >= 2^253: rejected earlier, not the case under test */
        memcpy(sig + 32, sum, 32);
        sig[63] |= sign;
        CHECK_ERR(both(&v, pub, msg, sizeof msg, sig), E2E_ERR_AUTH);
        tried++;
    }
    CHECK(tried == 8);
}

/* R = the identity with s = h k, so that sB - hA = R holds: libsodium rejects the small-order
 * R, and so must we; then R of order 1, 2, 4 or 8 with random s */
static void
test_small_order_R(void)
{
    static const char *small[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };
    uint8_t pub[32], msg[8] = "small-R";
    static struct e2e_xeddsa_verifier v;
    struct e2e_xeddsa_signer signer;
    fresh_key(pub, &signer, &v);
    uint8_t wide[64] = {0}, k[32], h[64], hr[32], sig[64];
    memcpy(wide, signer.k, 32);
    crypto_core_ed25519_scalar_reduce(k, wide);
    unhex(sig, 32, small[1]);
    crypto_hash_sha512_state hs;
    crypto_hash_sha512_init(&hs);
    crypto_hash_sha512_update(&hs, sig, 32);
    crypto_hash_sha512_update(&hs, signer.A, 32);
    crypto_hash_sha512_update(&hs, msg, sizeof msg);
    crypto_hash_sha512_final(&hs, h);
    crypto_core_ed25519_scalar_reduce(hr, h);
    crypto_core_ed25519_scalar_mul(sig + 32, hr, k);
    sig[63] |= signer.A[31] & 0x80;
    CHECK_ERR(both(&v, pub, msg, sizeof msg, sig), E2E_ERR_AUTH);
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++) {
        for (int sign = 0; sign < 2; sign++) {
            unhex(sig, 32, small[i]);
            sig[31] |= (uint8_t)(sign << 7);
            rnd_bytes(sig + 32, 32);
            sig[63] &= 0x0f;
            CHECK_ERR(both(&v, pub, msg, sizeof msg, sig), E2E_ERR_AUTH);
        }
    }
}

/*
 * A = aB + T with T of order 8: neither verifier asks for a key in the prime-order subgroup.
 * With R = rB and s = r + ha the equation sB - hA = R - hT holds exactly when 8 divides h, so
 * both must accept those signatures and reject the others.
 */
static void
test_mixed_order_keys(void)
{
    static const char *t8 = "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05";
    uint8_t T[32];
    unhex(T, 32, t8);
    int accepted = 0, rejected = 0;
    for (int k = 0; k < 6; k++) {
        uint8_t a[32], aB[32], A[32], u[32], wide[64];
        rnd_bytes(wide, 64);
        crypto_core_ed25519_scalar_reduce(a, wide);
        CHECK(crypto_scalarmult_ed25519_base_noclamp(aB, a) == 0);
        CHECK(crypto_core_ed25519_add(A, aB, T) == 0);
        montgomery_u(u, A);
        static struct e2e_xeddsa_verifier v;
        e2e_xeddsa_verifier_init(&v, u);
        CHECK(v.valid);
        CHECK_MEM(v.y, A, 31);
        for (int j = 0; j < 12; j++) {
            uint8_t r[32], R[32], h[64], hr[32], s[32], sig[64], msg[12];
            rnd_bytes(msg, sizeof msg);
            rnd_bytes(wide, 64);
            crypto_core_ed25519_scalar_reduce(r, wide);
            CHECK(crypto_scalarmult_ed25519_base_noclamp(R, r) == 0);
            crypto_hash_sha512_state hs;
            crypto_hash_sha512_init(&hs);
            crypto_hash_sha512_update(&hs, R, 32);
            crypto_hash_sha512_update(&hs, A, 32);
            crypto_hash_sha512_update(&hs, msg, sizeof msg);
            crypto_hash_sha512_final(&hs, h);
            crypto_core_ed25519_scalar_reduce(hr, h);
            crypto_core_ed25519_scalar_mul(s, hr, a);
            crypto_core_ed25519_scalar_add(s, s, r);
            memcpy(sig, R, 32);
            memcpy(sig + 32, s, 32);
            sig[63] |= A[31] & 0x80;
            int rc = both(&v, u, msg, sizeof msg, sig);
            CHECK_EQ(rc, (hr[0] & 7) == 0 ? E2E_OK : E2E_ERR_AUTH);
            if (rc == E2E_OK)
                accepted++;
            else
                rejected++;
        }
    }
    CHECK(accepted > 0 && rejected > 0);
    test_note("mixed-order keys: %d accepted (8 | h), %d rejected", accepted, rejected);
}

/* keys: random u (about half are off the curve), small-order and special values */
static void
test_odd_keys(void)
{
    static const char *special[] = {
        "0000000000000000000000000000000000000000000000000000000000000000", /* u = 0: y = -1 */
        "0100000000000000000000000000000000000000000000000000000000000000", /* u = 1: y = 0 */
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* u = -1 */
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* u = p */
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", /* order 8 */
    };
    int invalid = 0;
    for (size_t i = 0; i < 64 + sizeof special / sizeof special[0]; i++) {
        uint8_t u[32], sig[64], msg[4] = "odd";
        if (i < 64)
            rnd_bytes(u, 32);
        else
            unhex(u, 32, special[i - 64]);
        static struct e2e_xeddsa_verifier v;
        e2e_xeddsa_verifier_init(&v, u);
        invalid += !v.valid;
        if (i >= 64)
            CHECK(!v.valid);
        rnd_bytes(sig, 64);
        sig[63] &= 0x0f;
        CHECK_ERR(both(&v, u, msg, sizeof msg, sig), E2E_ERR_AUTH);
    }
    CHECK(invalid > 16); /* random u: about half lie on the twist */
}

/* RFC 8032 7.1 TEST 1 (empty message) through the internal entry points, and libsodium agrees */
static void
test_rfc8032(void)
{
    uint8_t pk[32], sig[64], y[32];
    static uint64_t table[E2E__GE_TABLE_WORDS];
    unhex(pk, 32, "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    unhex(sig, 64,
          "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39"
          "701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    CHECK(crypto_sign_ed25519_verify_detached(sig, NULL, 0, pk) == 0);
    memcpy(y, pk, 32);
    y[31] &= 0x7f;
    CHECK(e2e__ge_key_precompute(table, y) == 0);
    CHECK(e2e__ge_verify(table, pk, NULL, 0, sig) == 0);
    uint8_t wrong[32];
    memcpy(wrong, pk, 32);
    wrong[31] ^= 0x80; /* the other sign: another key */
    CHECK(e2e__ge_verify(table, wrong, NULL, 0, sig) != 0);
    sig[0] ^= 1;
    CHECK(e2e__ge_verify(table, pk, NULL, 0, sig) != 0);
}

int
main(void)
{
    if (sodium_init() < 0)
        return 1;
    RUN(test_honest_and_every_bit);
    RUN(test_noncanonical_s);
    RUN(test_small_order_R);
    RUN(test_mixed_order_keys);
    RUN(test_odd_keys);
    RUN(test_rfc8032);
    return test_finish();
}
