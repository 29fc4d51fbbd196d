/* AES back ends and modes: both back ends against the same vectors, and the mode properties. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>

#include "calcrun.h"
#include "cli.h"
#include "test.h"
#include "vecfile.h"

static int impls[2] = {E2E_AES_PORTABLE, E2E_AES_AESNI};
static char impl_names[2][16] = {"portable", "aesni"};
static int nimpls = 1; /* aesni added when the CPU has it */

/* Runs one AES vector record through its calculator with --impl forced. */
static int
run_with_impl(const struct vec_record *r, void *arg)
{
    const char *impl = arg;
    const char *name = vec_get(r, "calc");
    if (!name || strncmp(name, "aes-", 4) != 0 || strcmp(name, "aes-gcm") == 0)
        return 0;
    const struct calc_cmd *cmd = calc_find(name);
    CHECK(cmd != NULL);
    if (!cmd)
        return 0;
    char *argv[64];
    int argc = calc_argv_from_record(r, cmd, argv, 60);
    CHECK(argc >= 0);
    if (argc < 0)
        return 0;
    argv[argc++] = strdup("--impl");
    argv[argc++] = strdup(impl);
    char *out = NULL, *err = NULL;
    int rc = calc_capture(cmd, argc, argv, &out, &err);
    const char *want = vec_get(r, "expect");
    const char *want_exit = vec_get(r, "expect_exit");
    CHECK_EQ(rc, want_exit ? atoi(want_exit) : 0);
    if (want && rc == 0) {
        out[strcspn(out, "\n")] = 0;
        if (strcmp(out, want) != 0)
            test_fail_(r->file, r->line, "impl %s: got %s want %s", impl, out, want);
        test_checks_++;
    }
    calc_argv_free(argv, argc);
    free(out);
    free(err);
    return 0;
}

static void
test_vectors_both_impls(void)
{
    static const char *files[] = {"tests/vectors/cipher/aes.vec", "tests/vectors/cipher/ige.vec"};
    for (int i = 0; i < nimpls; i++)
        for (size_t f = 0; f < sizeof files / sizeof files[0]; f++)
            CHECK_EQ(vec_file_each(test_source_path(files[f]), run_with_impl,
                                   impl_names[i]),
                     0);
}

/* tdlib tdutils/test/crypto.cpp AesIgeState (reference/telegram.md 10.1): a reproducible
 * generator and the CRC-32 of each ciphertext. */
static void
test_tdlib_ige_crc(void)
{
    static const size_t lens[] = {0, 16, 32, 256, 1024, 65536};
    static const uint32_t crcs[] = {0, 2045698207u, 2423540300u, 525522475u, 1545267325u,
                                    724143417u};
    for (int im = 0; im < nimpls; im++) {
        for (size_t t = 0; t < 6; t++) {
            size_t len = lens[t];
            uint32_t seed = (uint32_t)len;
            uint8_t *pt = malloc(len + 1), *ct = malloc(len + 1), key[32], iv[32], iv2[32];
            for (size_t i = 0; i < len; i++) {
                seed = seed * 123457567u + 987651241u;
                pt[i] = (uint8_t)((seed >> 23) & 255);
            }
            for (size_t i = 0; i < 32; i++) {
                seed = seed * 123457567u + 987651241u;
                key[i] = (uint8_t)((seed >> 23) & 255);
            }
            for (size_t i = 0; i < 32; i++) {
                seed = seed * 123457567u + 987651241u;
                iv[i] = (uint8_t)((seed >> 23) & 255);
            }
            memcpy(iv2, iv, 32);
            e2e_aes_key k;
            CHECK_OK(e2e_aes_setkey_impl(&k, key, 32, impls[im]));
            CHECK_OK(e2e_aes_ige_encrypt(&k, iv, pt, len, ct));
            CHECK_EQ(e2e_crc32(0, ct, len), crcs[t]);
            CHECK_OK(e2e_aes_ige_decrypt(&k, iv2, ct, len, ct));
            CHECK_MEM(ct, pt, len);
            free(pt);
            free(ct);
        }
    }
}

static void
fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 31 + (i >> 3));
}

static void
test_ige_chaining_and_in_place(void)
{
    uint8_t key[32], iv[32], ivA[32], ivB[32], pt[256], one[256], two[256];
    fill(key, 32, 1);
    fill(iv, 32, 2);
    fill(pt, sizeof pt, 3);
    for (int im = 0; im < nimpls; im++) {
        e2e_aes_key k;
        CHECK_OK(e2e_aes_setkey_impl(&k, key, 32, impls[im]));
        memcpy(ivA, iv, 32);
        CHECK_OK(e2e_aes_ige_encrypt(&k, ivA, pt, sizeof pt, one));
        /* in two parts, the iv carrying over: the same stream (how file parts chain) */
        memcpy(ivB, iv, 32);
        CHECK_OK(e2e_aes_ige_encrypt(&k, ivB, pt, 96, two));
        CHECK_OK(e2e_aes_ige_encrypt(&k, ivB, pt + 96, 160, two + 96));
        CHECK_MEM(two, one, sizeof one);
        CHECK_MEM(ivA, ivB, 32);
        /* in place */
        memcpy(two, pt, sizeof pt);
        memcpy(ivB, iv, 32);
        CHECK_OK(e2e_aes_ige_encrypt(&k, ivB, two, sizeof two, two));
        CHECK_MEM(two, one, sizeof one);
        memcpy(ivB, iv, 32);
        CHECK_OK(e2e_aes_ige_decrypt(&k, ivB, two, sizeof two, two));
        CHECK_MEM(two, pt, sizeof pt);
        CHECK_ERR(e2e_aes_ige_encrypt(&k, ivB, pt, 17, two), E2E_ERR_INVALID);
        CHECK_ERR(e2e_aes_ige_decrypt(&k, ivB, pt, 15, two), E2E_ERR_INVALID);
    }
}

static void
test_cbc_pkcs7(void)
{
    uint8_t key[32], iv[16], pt[80], ct[96], back[96];
    fill(key, 32, 9);
    fill(iv, 16, 8);
    fill(pt, sizeof pt, 7);
    for (int im = 0; im < nimpls; im++) {
        e2e_aes_key k;
        CHECK_OK(e2e_aes_setkey_impl(&k, key, 32, impls[im]));
        for (size_t n = 0; n <= 64; n++) {
            size_t cn = 0, bn = 0;
            CHECK_OK(e2e_aes_cbc_pkcs7_encrypt(&k, iv, pt, n, ct, sizeof ct, &cn));
            CHECK_EQ(cn, e2e_pkcs7_padded_len(n));
            CHECK_OK(e2e_aes_cbc_pkcs7_decrypt(&k, iv, ct, cn, back, sizeof back, &bn));
            CHECK_EQ(bn, n);
            CHECK_MEM(back, pt, n);
            /* exactly enough room, and one byte too little */
            CHECK_OK(e2e_aes_cbc_pkcs7_decrypt(&k, iv, ct, cn, back, n, &bn));
            if (n)
                CHECK_ERR(e2e_aes_cbc_pkcs7_decrypt(&k, iv, ct, cn, back, n - 1, &bn),
                          E2E_ERR_BUFFER);
            CHECK_ERR(e2e_aes_cbc_pkcs7_encrypt(&k, iv, pt, n, ct, cn - 1, &bn), E2E_ERR_BUFFER);
        }
        /* in place */
        uint8_t buf[48];
        size_t cn, bn;
        memcpy(buf, pt, 40);
        CHECK_OK(e2e_aes_cbc_pkcs7_encrypt(&k, iv, buf, 40, buf, sizeof buf, &cn));
        CHECK_OK(e2e_aes_cbc_pkcs7_encrypt(&k, iv, pt, 40, ct, sizeof ct, &bn));
        CHECK_MEM(buf, ct, 48);
        CHECK_OK(e2e_aes_cbc_pkcs7_decrypt(&k, iv, buf, cn, buf, sizeof buf, &bn));
        CHECK_MEM(buf, pt, 40);
        /* malformed: empty, not whole blocks, bad padding (a raw block ending in 0 and in 17) */
        CHECK_ERR(e2e_aes_cbc_pkcs7_decrypt(&k, iv, ct, 0, back, sizeof back, &bn),
                  E2E_ERR_MALFORMED);
        CHECK_ERR(e2e_aes_cbc_pkcs7_decrypt(&k, iv, ct, 31, back, sizeof back, &bn),
                  E2E_ERR_MALFORMED);
        uint8_t raw[16], ivc[16];
        static const uint8_t last_bytes[] = {0, 17, 255};
        for (size_t b = 0; b < sizeof last_bytes; b++) {
            memset(raw, 3, sizeof raw);
            raw[15] = last_bytes[b];
            memcpy(ivc, iv, 16);
            CHECK_OK(e2e_aes_cbc_encrypt(&k, ivc, raw, 16, ct));
            CHECK_ERR(e2e_aes_cbc_pkcs7_decrypt(&k, iv, ct, 16, back, sizeof back, &bn),
                      E2E_ERR_MALFORMED);
        }
        /* padding bytes that disagree with the count */
        memset(raw, 4, sizeof raw);
        raw[13] = 5;
        memcpy(ivc, iv, 16);
        CHECK_OK(e2e_aes_cbc_encrypt(&k, ivc, raw, 16, ct));
        CHECK_ERR(e2e_aes_cbc_pkcs7_decrypt(&k, iv, ct, 16, back, sizeof back, &bn),
                  E2E_ERR_MALFORMED);
    }
}

static void
test_ctr_streaming_and_carry(void)
{
    uint8_t key[32], iv[16], pt[300], whole[300], part[300], blk[16], ks[16];
    fill(key, 32, 5);
    fill(pt, sizeof pt, 6);
    memset(iv, 0, 8);
    memset(iv + 8, 0xff, 8); /* the second block carries into the high 64 bits */
    for (int im = 0; im < nimpls; im++) {
        e2e_aes_key k;
        CHECK_OK(e2e_aes_setkey_impl(&k, key, 32, impls[im]));
        e2e_aes_ctr_xor(&k, iv, 0, pt, sizeof pt, whole);
        /* block 1 must use counter 00..01 00..00 */
        memset(blk, 0, 16);
        blk[7] = 1;
        e2e_aes_encrypt_block(&k, ks, blk);
        for (int i = 0; i < 16; i++)
            ks[i] ^= pt[16 + i];
        CHECK_MEM(whole + 16, ks, 16);
        /* any split gives the same stream */
        static const size_t cuts[] = {0, 1, 15, 16, 17, 63, 64, 65, 130, 299, 300};
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            size_t x = cuts[c];
            e2e_aes_ctr_xor(&k, iv, 0, pt, x, part);
            e2e_aes_ctr_xor(&k, iv, x, pt + x, sizeof pt - x, part + x);
            CHECK_MEM(part, whole, sizeof whole);
        }
        /* ICM: the 16-bit counter may reach 0xffff but not wrap */
        uint8_t b0[16];
        memset(b0, 0x11, 16);
        b0[14] = 0xff;
        b0[15] = 0xfe;
        CHECK_OK(e2e_aes_icm_xor(&k, b0, pt, 32, part));
        CHECK_ERR(e2e_aes_icm_xor(&k, b0, pt, 33, part), E2E_ERR_LIMIT);
        b0[14] = b0[15] = 0;
        CHECK_OK(e2e_aes_icm_xor(&k, b0, pt, 0, part));
    }
}

static void
test_gcm_tamper(void)
{
    uint8_t key[32], nonce[12], ad[20], pt[40], ct[56], out[40];
    fill(key, 32, 1);
    fill(nonce, 12, 2);
    fill(ad, 20, 3);
    fill(pt, 40, 4);
    e2e_aes_gcm *g = NULL;
    CHECK_OK(e2e_aes_gcm_new(&g, key, 32));
    CHECK_OK(e2e_aes_gcm_encrypt(g, ct, nonce, ad, sizeof ad, pt, sizeof pt));
    CHECK_OK(e2e_aes_gcm_decrypt(g, out, nonce, ad, sizeof ad, ct, sizeof ct));
    CHECK_MEM(out, pt, sizeof pt);
    for (size_t i = 0; i < sizeof ct * 8; i++) {
        ct[i / 8] ^= (uint8_t)(1u << (i % 8));
        memset(out, 0xAA, sizeof out);
        CHECK_ERR(e2e_aes_gcm_decrypt(g, out, nonce, ad, sizeof ad, ct, sizeof ct),
                  E2E_ERR_AUTH);
        CHECK(e2e_ct_is_zero(out, sizeof out));
        ct[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    ad[0] ^= 1;
    CHECK_ERR(e2e_aes_gcm_decrypt(g, out, nonce, ad, sizeof ad, ct, sizeof ct), E2E_ERR_AUTH);
    ad[0] ^= 1;
    nonce[11] ^= 1;
    CHECK_ERR(e2e_aes_gcm_decrypt(g, out, nonce, ad, sizeof ad, ct, sizeof ct), E2E_ERR_AUTH);
    nonce[11] ^= 1;
    CHECK_ERR(e2e_aes_gcm_decrypt(g, out, nonce, ad, sizeof ad, ct, 15), E2E_ERR_MALFORMED);
    CHECK_ERR(e2e_aes_gcm_decrypt(g, out, nonce, ad, sizeof ad, ct, sizeof ct - 1), E2E_ERR_AUTH);
    /* rekeying takes effect */
    key[0] ^= 1;
    CHECK_OK(e2e_aes_gcm_rekey(g, key, 32));
    CHECK_ERR(e2e_aes_gcm_decrypt(g, out, nonce, ad, sizeof ad, ct, sizeof ct), E2E_ERR_AUTH);
    CHECK_ERR(e2e_aes_gcm_rekey(g, key, 24), E2E_ERR_INVALID);
    /* rekeying to another key size, and back, gives what a fresh object gives */
    static const size_t sizes[] = {16, 32, 16};
    for (size_t i = 0; i < 3; i++) {
        e2e_aes_gcm *fresh = NULL;
        uint8_t a[56], b[56];
        CHECK_OK(e2e_aes_gcm_rekey(g, key, sizes[i]));
        CHECK_OK(e2e_aes_gcm_new(&fresh, key, sizes[i]));
        CHECK_OK(e2e_aes_gcm_encrypt(g, a, nonce, ad, sizeof ad, pt, sizeof pt));
        CHECK_OK(e2e_aes_gcm_encrypt(fresh, b, nonce, ad, sizeof ad, pt, sizeof pt));
        CHECK_MEM(a, b, sizeof a);
        CHECK_OK(e2e_aes_gcm_decrypt(g, out, nonce, ad, sizeof ad, b, sizeof b));
        CHECK_MEM(out, pt, sizeof pt);
        e2e_aes_gcm_free(fresh);
    }
    e2e_aes_gcm_free(g);
    CHECK_ERR(e2e_aes_gcm_new(&g, key, 31), E2E_ERR_INVALID);
    CHECK(g == NULL);
}

static void
test_setkey_errors(void)
{
    e2e_aes_key k;
    uint8_t key[32] = {0};
    CHECK_ERR(e2e_aes_setkey(&k, key, 24), E2E_ERR_INVALID);
    CHECK_ERR(e2e_aes_setkey(&k, key, 0), E2E_ERR_INVALID);
    CHECK_ERR(e2e_aes_setkey_impl(&k, key, 32, 7), E2E_ERR_INVALID);
    CHECK_OK(e2e_aes_setkey(&k, key, 16));
    CHECK_EQ(k.rounds, 10);
    CHECK_EQ(k.enc_only, 0);
    /* an encryption-only key encrypts exactly as a full one, and refuses to decrypt */
    for (size_t kl = 16; kl <= 32; kl += 16) {
        e2e_aes_key full, enc;
        uint8_t blk[16] = {1, 2, 3}, a[48], b[48], iv[32] = {9}, iv2[32] = {9}, msg[48] = {7};
        CHECK_OK(e2e_aes_setkey(&full, key, kl));
        CHECK_OK(e2e_aes_setkey_enc(&enc, key, kl));
        CHECK_EQ(enc.enc_only, 1);
        e2e_aes_encrypt_block(&full, a, blk);
        e2e_aes_encrypt_block(&enc, b, blk);
        CHECK_MEM(a, b, 16);
        CHECK_OK(e2e_aes_ige_encrypt(&full, iv, msg, 48, a));
        CHECK_OK(e2e_aes_ige_encrypt(&enc, iv2, msg, 48, b));
        CHECK_MEM(a, b, 48);
        e2e_aes_ctr_xor(&full, iv, 5, msg, 48, a);
        e2e_aes_ctr_xor(&enc, iv, 5, msg, 48, b);
        CHECK_MEM(a, b, 48);
        size_t len;
        CHECK_ERR(e2e_aes_ige_decrypt(&enc, iv, a, 48, b), E2E_ERR_STATE);
        CHECK_ERR(e2e_aes_cbc_decrypt(&enc, iv, a, 48, b), E2E_ERR_STATE);
        CHECK_ERR(e2e_aes_cbc_pkcs7_decrypt(&enc, iv, a, 48, b, 48, &len), E2E_ERR_STATE);
        e2e_aes_decrypt_block(&enc, b, a);
        CHECK(e2e_ct_is_zero(b, 16));
    }
    CHECK_EQ(k.impl, e2e_aes_has_aesni() ? E2E_AES_AESNI : E2E_AES_PORTABLE);
}

static void
test_salsa20_rc4(void)
{
    uint8_t key[32], nonce[8], pt[200], whole[200], part[200];
    fill(key, 32, 1);
    fill(nonce, 8, 2);
    fill(pt, sizeof pt, 3);
    for (size_t kl = 16; kl <= 32; kl += 16) {
        CHECK_OK(e2e_salsa20_xor(whole, pt, sizeof pt, nonce, 0, key, kl));
        /* block-aligned continuation with the counter */
        CHECK_OK(e2e_salsa20_xor(part, pt, 128, nonce, 0, key, kl));
        CHECK_OK(e2e_salsa20_xor(part + 128, pt + 128, 72, nonce, 2, key, kl));
        CHECK_MEM(part, whole, sizeof whole);
        CHECK_OK(e2e_salsa20_xor(part, whole, sizeof whole, nonce, 0, key, kl));
        CHECK_MEM(part, pt, sizeof pt);
    }
    CHECK_ERR(e2e_salsa20_xor(part, pt, 10, nonce, 0, key, 24), E2E_ERR_INVALID);
    /* 16-byte keys go four blocks at a time: every length and a counter crossing 2^32 must
     * equal block-at-a-time calls */
    static uint8_t big[1100], one[1100], step[1100];
    fill(big, sizeof big, 9);
    static const uint64_t starts[] = {0, 0xfffffffdu, 0xffffffffffffffffull - 40};
    for (size_t s0 = 0; s0 < 3; s0++) {
        for (size_t n = 0; n <= sizeof big; n += (n < 300 ? 1 : 97)) {
            CHECK_OK(e2e_salsa20_xor(one, big, n, nonce, starts[s0], key, 16));
            for (size_t off = 0; off < n; off += 64)
                CHECK_OK(e2e_salsa20_xor(step + off, big + off, n - off < 64 ? n - off : 64,
                                         nonce, starts[s0] + off / 64, key, 16));
            CHECK_MEM(one, step, n);
        }
    }
    struct e2e_rc4 r;
    CHECK_ERR(e2e_rc4_init(&r, key, 0), E2E_ERR_INVALID);
    CHECK_ERR(e2e_rc4_init(&r, key, 257), E2E_ERR_INVALID);
}

int
main(void)
{
    if (e2e_aes_has_aesni())
        nimpls = 2;
    else
        test_note("this CPU has no AES-NI: only the portable back end is tested");
    RUN(test_setkey_errors);
    RUN(test_vectors_both_impls);
    RUN(test_tdlib_ige_crc);
    RUN(test_ige_chaining_and_in_place);
    RUN(test_cbc_pkcs7);
    RUN(test_ctr_streaming_and_carry);
    RUN(test_gcm_tamper);
    RUN(test_salsa20_rc4);
    return test_finish();
}
