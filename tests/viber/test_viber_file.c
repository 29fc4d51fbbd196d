/* Viber files: streaming encryption in pieces of any size, HMAC and MD5 over the ciphertext,
 * tampering, the file reference carried in a message. */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/viber.h>

#include "test.h"

static void
fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

/* Encrypts in pieces following `steps` (cycled); returns the ciphertext's tag and MD5. */
static void
encrypt_pieces(uint8_t *ct, const uint8_t *pt, size_t n, const uint8_t key[32], const size_t *steps,
               size_t nsteps, uint8_t hmac[32], uint8_t md5[16])
{
    struct e2e_viber_file_stream f;
    e2e_viber_file_init(&f, key);
    for (size_t off = 0, k = 0; off < n; k++) {
        size_t m = steps[k % nsteps] < n - off ? steps[k % nsteps] : n - off;
        CHECK_OK(e2e_viber_file_encrypt_update(&f, ct + off, pt + off, m));
        off += m;
    }
    e2e_viber_file_encrypt_final(&f, hmac, md5);
    CHECK(e2e_ct_is_zero(&f, sizeof f)); /* final wipes the stream */
}

static void
test_streaming_any_piece_size(void)
{
    enum { N = 5000 };
    uint8_t *pt = malloc(N), *one = malloc(N), *ct = malloc(N), *back = malloc(N);
    uint8_t key[32], h1[32], m1[16], h2[32], m2[16], md5[16];
    fill(pt, N, 1);
    fill(key, 32, 2);
    static const size_t whole[] = {N};
    static const size_t odd[] = {1, 7, 63, 64, 65, 1000, 3, 128};
    encrypt_pieces(one, pt, N, key, whole, 1, h1, m1);
    encrypt_pieces(ct, pt, N, key, odd, 8, h2, m2);
    CHECK_MEM(ct, one, N);
    CHECK_MEM(h1, h2, 32);
    CHECK_MEM(m1, m2, 16);
    e2e_md5(md5, ct, N); /* the storage server's transfer check covers the ciphertext */
    CHECK_MEM(md5, m1, 16);
    CHECK(memcmp(ct, pt, 64) != 0);

    /* decrypt in other pieces, in place */
    struct e2e_viber_file_stream f;
    memcpy(back, ct, N);
    e2e_viber_file_init(&f, key);
    static const size_t dsteps[] = {100, 1, 31, 700};
    for (size_t off = 0, k = 0; off < N; k++) {
        size_t m = dsteps[k % 4] < N - off ? dsteps[k % 4] : N - off;
        CHECK_OK(e2e_viber_file_decrypt_update(&f, back + off, back + off, m));
        off += m;
    }
    CHECK_OK(e2e_viber_file_decrypt_final(&f, h1, N, NULL));
    CHECK_MEM(back, pt, N);

    /* verify-only pass (out = NULL), then the size check */
    e2e_viber_file_init(&f, key);
    CHECK_OK(e2e_viber_file_decrypt_update(&f, NULL, ct, N));
    CHECK_OK(e2e_viber_file_decrypt_final(&f, h1, N, NULL));
    e2e_viber_file_init(&f, key);
    CHECK_OK(e2e_viber_file_decrypt_update(&f, NULL, ct, N - 1));
    struct e2e_report why;
    CHECK_ERR(e2e_viber_file_decrypt_final(&f, h1, N, &why), E2E_ERR_MALFORMED);
    CHECK(why.check && strcmp(why.check, "size") == 0);
    free(pt);
    free(one);
    free(ct);
    free(back);
}

static void
test_tampered_file(void)
{
    enum { N = 300 };
    uint8_t pt[N], ct[N], key[32], hmac[32], md5[16];
    static const size_t whole[] = {N};
    fill(pt, N, 3);
    fill(key, 32, 4);
    encrypt_pieces(ct, pt, N, key, whole, 1, hmac, md5);
    for (size_t i = 0; i < N; i++) {
        struct e2e_viber_file_stream f;
        ct[i] ^= 0x80;
        e2e_viber_file_init(&f, key);
        CHECK_OK(e2e_viber_file_decrypt_update(&f, NULL, ct, N));
        CHECK_ERR(e2e_viber_file_decrypt_final(&f, hmac, N, NULL), E2E_ERR_AUTH);
        ct[i] ^= 0x80;
    }
    struct e2e_viber_file_stream f;
    key[0] ^= 1;
    e2e_viber_file_init(&f, key);
    CHECK_OK(e2e_viber_file_decrypt_update(&f, NULL, ct, N));
    CHECK_ERR(e2e_viber_file_decrypt_final(&f, hmac, N, NULL), E2E_ERR_AUTH);
}

static void
test_fresh_key_per_file(void)
{
    struct test_ctx t;
    e2e_ctx *ctx = test_ctx_new(&t, 41);
    struct e2e_viber_file_stream f;
    uint8_t k1[32], k2[32], c1[64], c2[64], pt[64] = {0}, h[32], m[16];
    CHECK_OK(e2e_viber_file_encrypt_init(&f, ctx, k1));
    CHECK_OK(e2e_viber_file_encrypt_update(&f, c1, pt, 64));
    e2e_viber_file_encrypt_final(&f, h, m);
    CHECK_OK(e2e_viber_file_encrypt_init(&f, ctx, k2));
    CHECK_OK(e2e_viber_file_encrypt_update(&f, c2, pt, 64));
    e2e_viber_file_encrypt_final(&f, h, m);
    CHECK(memcmp(k1, k2, 32) != 0 && memcmp(c1, c2, 64) != 0);
    test_ctx_free(&t);
}

static void
test_file_reference(void)
{
    struct e2e_viber_file_ref r, back;
    uint8_t buf[E2E_VIBER_FILE_REF_MAX];
    size_t len;
    memset(&r, 0, sizeof r);
    memcpy(r.file_id, "f/2026/01/abc123", 16);
    r.file_id_len = 16;
    fill(r.file_key, 32, 5);
    r.size = 123456789012ull;
    fill(r.hmac, 32, 6);
    CHECK_OK(e2e_viber_file_ref_encode(buf, sizeof buf, &len, &r));
    CHECK_EQ(len, 2 + 1 + 16 + 32 + 8 + 32);
    CHECK_OK(e2e_viber_file_ref_parse(&back, buf, len, NULL));
    CHECK_EQ(back.file_id_len, 16);
    CHECK_MEM(back.file_id, r.file_id, 16);
    CHECK_MEM(back.file_key, r.file_key, 32);
    CHECK_EQ(back.size, r.size);
    CHECK_MEM(back.hmac, r.hmac, 32);
    for (size_t cut = 0; cut < len; cut++)
        CHECK_ERR(e2e_viber_file_ref_parse(&back, buf, cut, NULL), E2E_ERR_MALFORMED);
    buf[2] = 0;
    CHECK_ERR(e2e_viber_file_ref_parse(&back, buf, len, NULL), E2E_ERR_MALFORMED);
    buf[2] = 65;
    CHECK_ERR(e2e_viber_file_ref_parse(&back, buf, len, NULL), E2E_ERR_MALFORMED);
    buf[0] = 9;
    CHECK_ERR(e2e_viber_file_ref_parse(&back, buf, len, NULL), E2E_ERR_UNSUPPORTED);
    r.file_id_len = 0;
    CHECK_ERR(e2e_viber_file_ref_encode(buf, sizeof buf, &len, &r), E2E_ERR_INVALID);
    r.file_id_len = 16;
    CHECK_ERR(e2e_viber_file_ref_encode(buf, 10, &len, &r), E2E_ERR_BUFFER);
}

int
main(void)
{
    RUN(test_streaming_any_piece_size);
    RUN(test_tampered_file);
    RUN(test_fresh_key_per_file);
    RUN(test_file_reference);
    return test_finish();
}
