/*
 * 2048-bit MTProto DH: parameter checks (reference/telegram.md 1.2, 1.4), the verdict cache,
 * the public-value range check at its boundaries, agreement and known answers.
 *
 * Known answers were computed independently with Debian's /usr/bin/python3 as
 * pow(g, int.from_bytes(a, "big"), p). The RFC 3526 prime was rebuilt from the RFC's formula
 * 2^2048 - 2^1984 - 1 + 2^64 * (floor(2^1918 pi) + 124476) (pi by Machin's formula) and found a
 * safe prime by Miller-Rabin in the same script.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>

#include "test.h"

/* RFC 3526 section 3, the 2048-bit MODP group: a safe prime with p mod 8 = 7, mod 24 = 23, so
 * every g in 2..7 is acceptable */
static const char rfc3526_p14[] =
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74"
    "020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437"
    "4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed"
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05"
    "98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb"
    "9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b"
    "e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718"
    "3995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff";
/* a 2048-bit prime, 3 mod 4, whose (p-1)/2 is composite (Python random.Random(2026) + MR) */
static const char not_safe_prime[] =
    "a9946f00142c55116b259a2a7d887af3b6195b5f33c957c1a18e1c74427cd87d"
    "e3571c1e7fd6c10f064bbfce1a7f75ca98ea33a9ae3947f3c20c9d7f9a246fc1"
    "9d14a1a718d400ac7c7ce0c892a1e3603cf2b876f7814f57b2925576162ee294"
    "adf5cc2463cb652df5e2fa94ac1aed62192e83968b129e4f6c5bda85e0b16cbf"
    "34674fcefe696516900321e5cb44527c7eedde455557fd7fc835d14a767cfb69"
    "931f219097d08d5d62393c8b57eaa89931940fa177d910880c4ffcf91407a888"
    "40a53e3d984a10ed7f691021a5867b78ef9b8910103c527ecf49a40f5e749557"
    "85c7d5913671162b2fedca2f516d895fdd1d1c836b428ad73d6ee588e03b34ab";

/* Telegram prime, g = 3, a = (7i + 3) mod 256, b = (11i + 5) mod 256 (i = 0..255) */
static const char kat_A[] = "ad9320f2ddbd39d8f8f96bef56cafa4768fe1ba1c59d18516b733c7fe834982e"
                            "c0ca288deae491f845bb4d39f0b9c7bd79649ee775903fae0428b073c7500377"
                            "44a763407097957ebc00c63ab1c31017c0df4c1677c8090130c24854c57f984e"
                            "6cad87248715c437becbf817e9d6c05fe0d14d6b817beae992e490dc9a4f568e"
                            "1b94c279559a9c7f93b3a81a4077d30a1160a64cc4f0717bb99cd2725273d383"
                            "023e63c32b98b6d1cf70c5de0575841627f2b26ad8ba3f7361bb0ea6828e9309"
                            "e41287285d7162345197ff2515f9c94515008aa752a256677edb98f565b7b860"
                            "023fd14ff3fc9c3d9d99e8996d04c0a1487da0ee2870c90df4f87c55aac4dd31";
static const char kat_B[] = "0f9dff85b51daa2d56460702228cd4a43d4504ad468b703580b165ae68fcd525"
                            "d775029d3271468df4f47b92d7bdd97d3db98f42df8e1c7708244d697100905d"
                            "091cb58e1db913c243276991fae75681ea77a9bba46a36d0caa16813ee50652a"
                            "dce2fa8b29733c025de17022bbb6151781404cf72e3ac1cf3da5c6acd985437a"
                            "31e2973818a26ec63119d2a43947411b76c7929e6a42f3b08b0fda5575f64c56"
                            "11d446b0157fd5b8cd8e8195e7f091c20a6b089d2f59bbdd4a8e394af7263807"
                            "8ab17f630200e0b54cf13aaceee1925069868c30f2a99395e6eac2ab2ed34aac"
                            "17bca47df08c60df3df50a3d5bd81d7dc5453291a8bd3c1b9af88877bb6af1cc";
static const char kat_K[] = "0395a79508bbe07fa0c89334bfa0e0b65b6e1de7c244c89ef149e6ca26e5324d"
                            "9f92925020992ebee1f5889479ad06cc68eb1b65fa6f87c0dc88cf514080d709"
                            "6cda87ba91474c187184fcce11c834ff6fbae857b1c2a2c88307e4b2a4e4e49f"
                            "431279f5614604f2012184612d59370abb253c4ca77dca22b1291eae5c022b53"
                            "2f250abcd27e04e3a05449af789117cc34651b9c18371386847364d4d335aee2"
                            "b66d907947e3dcd706365f364c8c7c29bc18f4be72af12de7a0cfcd577194394"
                            "76e13b6e23c5eb57f13b2e609e40f19ebd2d4d3b26bb9432752ff06736a7c7a7"
                            "8cb716d1b615463fd3e2a6298c0041379106d11788d9ec022d33c023045b4af7";
/* RFC 3526 prime, g = 2, the same a */
static const char kat_A14[] = "7041b7de86c23378b78843b3e83ebe10d55b9fe97e82cd2082812c8b43f204bb"
                              "a8592e55a08d455bd7d74339c725283a6cf75407b406ef3cf377730410304f48"
                              "88a2a348cbdca67496ecb649ae17b04ee042260d5d71b2dabdbc310e3a8a9d09"
                              "58e8d0d686a837b9ed3ec22c29ce7e1f240e6debb7cbe8cb34b52fe6879486a9"
                              "9bbfca3b28b0cde761495e3e71c32689665ca9ff1f062f8ceea8872d126fdddb"
                              "195871d00e13593c28a4e6816938598f2a6403e1f3c7daab00945d81819fb766"
                              "a1d4208fb4350e39cc0968b9db9baeab5b3a1cc3259d530ad2d39b560439cab9"
                              "ee68e4cac32b5d7ef8b0bbbcb189c8ca6079422decce5506216f04b38621d1cd";

static void
fixed_private(uint8_t out[256], unsigned mul, unsigned add)
{
    for (unsigned i = 0; i < 256; i++)
        out[i] = (uint8_t)(mul * i + add);
}

static const e2e_dh_group *
get_group(e2e_dh_cache *c, const uint8_t *p, size_t p_len, int32_t g)
{
    const e2e_dh_group *grp = NULL;
    struct e2e_report why;
    CHECK_OK(e2e_dh_group_get(c, &grp, p, p_len, g, &why));
    return grp;
}

static void
expect_refused(const uint8_t *p, size_t p_len, int32_t g, const char *check)
{
    struct e2e_report why;
    CHECK_ERR(e2e_dh_check_params(p, p_len, g, &why), E2E_ERR_WEAK_KEY);
    CHECK(why.check && strcmp(why.check, check) == 0);
    if (why.check && strcmp(why.check, check) != 0)
        test_note("g=%d: check '%s' (%s), wanted '%s'", (int)g, why.check, why.detail, check);
}

static void
test_telegram_prime_generators(void)
{
    const uint8_t *p = e2e_dh_telegram_prime();
    struct e2e_report why;
    for (int32_t g = 3; g <= 7; g++) {
        if (g == 5 || g == 6)
            continue;
        CHECK_OK(e2e_dh_check_params(p, 256, g, &why));
    }
    /* reference 1.4: p mod 8 = 3, mod 5 = 3, mod 24 = 11 */
    expect_refused(p, 256, 2, "g_residue");
    expect_refused(p, 256, 5, "g_residue");
    expect_refused(p, 256, 6, "g_residue");
    expect_refused(p, 256, 1, "g_range");
    expect_refused(p, 256, 8, "g_range");
    expect_refused(p, 256, -3, "g_range");
}

static void
test_other_safe_prime(void)
{
    uint8_t p[256];
    unhex(p, sizeof p, rfc3526_p14);
    struct e2e_report why;
    CHECK_OK(e2e_dh_check_params(p, 256, 2, &why));
    CHECK_OK(e2e_dh_check_params(p, 256, 6, &why));
}

static void
test_broken_primes(void)
{
    uint8_t p[258];
    memcpy(p, e2e_dh_telegram_prime(), 256);
    p[255] ^= 1; /* even */
    expect_refused(p, 256, 4, "p_prime");
    memset(p, 0xff, 256); /* 2^2048 - 1 = 3 * 5 * 17 * 257 * ... */
    expect_refused(p, 256, 4, "p_prime");
    unhex(p, sizeof p, not_safe_prime);
    expect_refused(p, 256, 4, "q_prime");
    /* 2047 bits, in 256 bytes and minimally in 256 bytes with the top bit clear */
    memcpy(p, e2e_dh_telegram_prime(), 256);
    p[0] &= 0x7f;
    expect_refused(p, 256, 4, "p_range");
    /* 2049 bits */
    p[0] = 1;
    memcpy(p + 1, e2e_dh_telegram_prime(), 256);
    expect_refused(p, 257, 4, "p_range");
    /* 2^2047 itself, 0, and an empty p */
    memset(p, 0, sizeof p);
    p[0] = 0x80;
    expect_refused(p, 256, 4, "p_range");
    expect_refused(p + 1, 255, 4, "p_range");
    expect_refused(NULL, 0, 4, "p_range");
    /* leading zero bytes do not change the value */
    p[0] = 0;
    memcpy(p + 1, e2e_dh_telegram_prime(), 256);
    struct e2e_report why;
    CHECK_OK(e2e_dh_check_params(p, 257, 3, &why));
}

static void
test_cache(void)
{
    e2e_dh_cache *c;
    CHECK_OK(e2e_dh_cache_new(&c));
    const uint8_t *tp = e2e_dh_telegram_prime();
    const e2e_dh_group *g3 = get_group(c, tp, 256, 3);
    CHECK(g3 != NULL);
    CHECK_EQ(e2e_dh_cache_full_checks(c), 0); /* the known prime skips the primality tests */
    CHECK(get_group(c, tp, 256, 3) == g3);
    CHECK_EQ(e2e_dh_group_g(g3), 3);
    CHECK(memcmp(e2e_dh_group_p(g3), tp, 256) == 0);

    struct e2e_report why;
    const e2e_dh_group *grp = (const e2e_dh_group *)1;
    CHECK_ERR(e2e_dh_group_get(c, &grp, tp, 256, 2, &why), E2E_ERR_WEAK_KEY);
    CHECK(grp == NULL && why.check && strcmp(why.check, "g_residue") == 0);

    uint8_t p[256];
    unhex(p, sizeof p, rfc3526_p14);
    const e2e_dh_group *g2 = get_group(c, p, 256, 2);
    CHECK(g2 != NULL && g2 != g3);
    CHECK_EQ(e2e_dh_cache_full_checks(c), 1);
    CHECK(get_group(c, p, 256, 2) == g2);
    CHECK_EQ(e2e_dh_cache_full_checks(c), 1);

    /* a refused verdict is cached too, with its reason */
    unhex(p, sizeof p, not_safe_prime);
    for (int i = 0; i < 2; i++) {
        e2e_report_clear(&why);
        CHECK_ERR(e2e_dh_group_get(c, &grp, p, 256, 4, &why), E2E_ERR_WEAK_KEY);
        CHECK(why.check && strcmp(why.check, "q_prime") == 0);
        CHECK_EQ(e2e_dh_cache_full_checks(c), 2);
    }
    e2e_dh_cache_free(c);
}

/* Many different refused p values do not grow the cache without bound, nor evict groups. */
static void
test_cache_bounded(void)
{
    e2e_dh_cache *c;
    CHECK_OK(e2e_dh_cache_new(&c));
    const e2e_dh_group *g3 = get_group(c, e2e_dh_telegram_prime(), 256, 3);
    uint8_t p[256];
    memcpy(p, e2e_dh_telegram_prime(), 256);
    struct e2e_report why;
    const e2e_dh_group *grp;
    for (int i = 0; i < 100; i++) {
        p[100] = (uint8_t)i;
        p[255] = (uint8_t)(2 * i); /* even: refused by the first Miller-Rabin step */
        CHECK_ERR(e2e_dh_group_get(c, &grp, p, 256, 4, &why), E2E_ERR_WEAK_KEY);
    }
    CHECK(get_group(c, e2e_dh_telegram_prime(), 256, 3) == g3);
    e2e_dh_cache_free(c);
}

static void
set_pow2_offset(uint8_t out[256], const uint8_t *p, int sign, int delta)
{
    /* out = (p or 0) + sign * 2^1984 + delta, for small |delta| */
    uint8_t two[256] = {0};
    two[256 - 1984 / 8 - 1] = 1; /* 2^1984: bit 0 of byte 7 */
    int carry = 0;
    for (int i = 255; i >= 0; i--) {
        int v = (p ? p[i] : 0) + sign * two[i] + carry + (i == 255 ? delta : 0);
        carry = (v < 0) ? -1 : v >> 8;
        if (v < 0)
            v += 256;
        out[i] = (uint8_t)v;
    }
}

static void
test_public_range(void)
{
    e2e_dh_cache *c;
    CHECK_OK(e2e_dh_cache_new(&c));
    const uint8_t *p = e2e_dh_telegram_prime();
    const e2e_dh_group *grp = get_group(c, p, 256, 3);
    uint8_t x[257];
    set_pow2_offset(x, NULL, 1, 0); /* 2^1984 */
    CHECK_OK(e2e_dh_check_public(grp, x, 256));
    CHECK_OK(e2e_dh_check_public(grp, x + 7, 249)); /* minimal encoding of the same value */
    set_pow2_offset(x, NULL, 1, -1);                /* 2^1984 - 1 */
    CHECK_ERR(e2e_dh_check_public(grp, x, 256), E2E_ERR_WEAK_KEY);
    set_pow2_offset(x, p, -1, 0); /* p - 2^1984 */
    CHECK_OK(e2e_dh_check_public(grp, x, 256));
    set_pow2_offset(x, p, -1, 1); /* p - 2^1984 + 1 */
    CHECK_ERR(e2e_dh_check_public(grp, x, 256), E2E_ERR_WEAK_KEY);
    memset(x, 0, sizeof x);
    CHECK_ERR(e2e_dh_check_public(grp, x, 256), E2E_ERR_WEAK_KEY); /* 0 */
    CHECK_ERR(e2e_dh_check_public(grp, x, 0), E2E_ERR_WEAK_KEY);   /* empty = 0 */
    x[255] = 1;
    CHECK_ERR(e2e_dh_check_public(grp, x, 256), E2E_ERR_WEAK_KEY); /* 1 */
    CHECK_ERR(e2e_dh_check_public(grp, x + 255, 1), E2E_ERR_WEAK_KEY);
    memcpy(x, p, 256);
    CHECK_ERR(e2e_dh_check_public(grp, x, 256), E2E_ERR_WEAK_KEY); /* p */
    x[255]--;
    CHECK_ERR(e2e_dh_check_public(grp, x, 256), E2E_ERR_WEAK_KEY); /* p - 1 */
    /* 257 bytes are refused even with a leading zero */
    set_pow2_offset(x + 1, NULL, 1, 0);
    x[0] = 0;
    CHECK_ERR(e2e_dh_check_public(grp, x, 257), E2E_ERR_WEAK_KEY);
    e2e_dh_cache_free(c);
}

static void
test_known_answers(void)
{
    e2e_dh_cache *c;
    CHECK_OK(e2e_dh_cache_new(&c));
    const e2e_dh_group *grp = get_group(c, e2e_dh_telegram_prime(), 256, 3);
    uint8_t a[256], b[256], pub[256], key[256], B[256];
    fixed_private(a, 7, 3);
    fixed_private(b, 11, 5);
    CHECK_OK(e2e_dh_public(grp, pub, a));
    CHECK_HEX(pub, 256, kat_A);
    CHECK_OK(e2e_dh_public(grp, B, b));
    CHECK_HEX(B, 256, kat_B);
    CHECK_OK(e2e_dh_compute(grp, key, a, B, 256));
    CHECK_HEX(key, 256, kat_K);

    uint8_t p[256];
    unhex(p, sizeof p, rfc3526_p14);
    const e2e_dh_group *g14 = get_group(c, p, 256, 2);
    CHECK_OK(e2e_dh_public(g14, pub, a));
    CHECK_HEX(pub, 256, kat_A14);
    e2e_dh_cache_free(c);
}

static void
test_agreement(void)
{
    struct test_ctx ta, tb;
    e2e_ctx *ca = test_ctx_new(&ta, 1), *cb = test_ctx_new(&tb, 2);
    e2e_dh_cache *c;
    CHECK_OK(e2e_dh_cache_new(&c));
    const e2e_dh_group *grp = get_group(c, e2e_dh_telegram_prime(), 256, 3);
    uint8_t a[256], A[256], b[256], B[256], ka[256], kb[256];
    CHECK_OK(e2e_dh_keygen(grp, ca, a, A));
    CHECK_OK(e2e_dh_keygen(grp, cb, b, B));
    CHECK_OK(e2e_dh_check_public(grp, A, 256));
    CHECK_OK(e2e_dh_compute(grp, ka, a, B, 256));
    CHECK_OK(e2e_dh_compute(grp, kb, b, A, 256));
    CHECK_MEM(ka, kb, 256);
    CHECK(memcmp(ka, A, 256) != 0);

    /* a peer value that fails the range check leaves a zeroed key */
    uint8_t one = 1;
    memset(kb, 0xaa, sizeof kb);
    CHECK_ERR(e2e_dh_compute(grp, kb, b, &one, 1), E2E_ERR_WEAK_KEY);
    /* minimal (shorter) encodings of the peer's value give the same key */
    size_t skip = 0;
    while (skip < 256 && B[skip] == 0)
        skip++;
    CHECK_OK(e2e_dh_compute(grp, kb, a, B + skip, 256 - skip));
    CHECK_MEM(ka, kb, 256);

    /* the same seed gives the same key pair */
    struct test_ctx t2;
    e2e_ctx *c2 = test_ctx_new(&t2, 1);
    uint8_t a2[256], A2[256];
    CHECK_OK(e2e_dh_keygen(grp, c2, a2, A2));
    CHECK_MEM(a, a2, 256);
    CHECK_MEM(A, A2, 256);
    test_ctx_free(&t2);
    e2e_dh_cache_free(c);
    test_ctx_free(&ta);
    test_ctx_free(&tb);
}

static int
zero_rng(void *user, uint8_t *out, size_t n)
{
    (void)user;
    memset(out, 0, n);
    return 0;
}

static void
test_keygen_broken_rng(void)
{
    struct e2e_ctx_config cfg = {.rng = zero_rng};
    e2e_ctx *ctx;
    CHECK_OK(e2e_ctx_new(&ctx, &cfg));
    e2e_dh_cache *c;
    CHECK_OK(e2e_dh_cache_new(&c));
    const e2e_dh_group *grp = get_group(c, e2e_dh_telegram_prime(), 256, 3);
    uint8_t a[256], A[256];
    CHECK_ERR(e2e_dh_keygen(grp, ctx, a, A), E2E_ERR_RNG);
    uint8_t zero[256] = {0};
    CHECK_ERR(e2e_dh_public(grp, A, zero), E2E_ERR_WEAK_KEY); /* g^0 = 1 */
    e2e_dh_cache_free(c);
    e2e_ctx_free(ctx);
}

int
main(void)
{
    RUN(test_telegram_prime_generators);
    RUN(test_other_safe_prime);
    RUN(test_broken_primes);
    RUN(test_cache);
    RUN(test_cache_bounded);
    RUN(test_public_range);
    RUN(test_known_answers);
    RUN(test_agreement);
    RUN(test_keygen_broken_rng);
    return test_finish();
}
