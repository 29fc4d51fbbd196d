/* Benchmarks of AES modes, Salsa20 and RC4, each next to the bare library call. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <string.h>

#include <openssl/aes.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <e2ekit/crypto.h>

#include "bench.h"

static uint8_t key[32], iv[32], in[65536], out[65536 + 32];

struct len_arg {
    size_t n;
    e2e_aes_key k;
    EVP_CIPHER_CTX *evp;
    AES_KEY ossl;
};

static void
b_ige_enc(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    while (iters--) {
        uint8_t v[32];
        memcpy(v, iv, 32);
        if (e2e_aes_ige_encrypt(&a->k, v, in, a->n, out))
            return;
        bench_consume(out, 1);
    }
}

static void
b_ige_dec(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    while (iters--) {
        uint8_t v[32];
        memcpy(v, iv, 32);
        if (e2e_aes_ige_decrypt(&a->k, v, in, a->n, out))
            return;
        bench_consume(out, 1);
    }
}

static void
b_ossl_ige_enc(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    while (iters--) {
        uint8_t v[32];
        memcpy(v, iv, 32);
        AES_ige_encrypt(in, out, a->n, &a->ossl, v, AES_ENCRYPT);
        bench_consume(out, 1);
    }
}

static void
b_evp_cbc_enc(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    int len;
    while (iters--) {
        EVP_EncryptInit_ex(a->evp, NULL, NULL, NULL, iv);
        EVP_EncryptUpdate(a->evp, out, &len, in, (int)a->n);
        bench_consume(out, 1);
    }
}

/* per-message key setup, as MTProto derives a fresh key for every message */
static void
b_ige_enc_keyed(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    while (iters--) {
        e2e_aes_key k;
        uint8_t v[32];
        memcpy(v, iv, 32);
        if (e2e_aes_setkey(&k, key, 32) || e2e_aes_ige_encrypt(&k, v, in, a->n, out))
            return;
        bench_consume(out, 1);
    }
}

static void
b_ossl_ige_enc_keyed(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    while (iters--) {
        AES_KEY k;
        uint8_t v[32];
        memcpy(v, iv, 32);
        AES_set_encrypt_key(key, 256, &k);
        AES_ige_encrypt(in, out, a->n, &k, v, AES_ENCRYPT);
        bench_consume(out, 1);
    }
}

static void
b_evp_cbc_enc_keyed(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    int len;
    while (iters--) {
        EVP_EncryptInit_ex(a->evp, NULL, NULL, key, iv);
        EVP_EncryptUpdate(a->evp, out, &len, in, (int)a->n);
        bench_consume(out, 1);
    }
}

static void
b_cbc_dec(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    while (iters--) {
        uint8_t v[16];
        memcpy(v, iv, 16);
        if (e2e_aes_cbc_decrypt(&a->k, v, in, a->n, out))
            return;
        bench_consume(out, 1);
    }
}

static void
b_evp_cbc_dec(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    int len;
    while (iters--) {
        EVP_DecryptInit_ex(a->evp, NULL, NULL, NULL, iv);
        EVP_DecryptUpdate(a->evp, out, &len, in, (int)a->n);
        bench_consume(out, 1);
    }
}

static void
b_ctr(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    while (iters--) {
        e2e_aes_ctr_xor(&a->k, iv, 0, in, a->n, out);
        bench_consume(out, 1);
    }
}

static void
b_evp_ctr(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    int len;
    while (iters--) {
        EVP_EncryptInit_ex(a->evp, NULL, NULL, NULL, iv);
        EVP_EncryptUpdate(a->evp, out, &len, in, (int)a->n);
        bench_consume(out, 1);
    }
}

static void
b_salsa(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    while (iters--) {
        if (e2e_salsa20_xor(out, in, a->n, iv, 0, key, a->k.rounds == 10 ? 16 : 32))
            return;
        bench_consume(out, 1);
    }
}

static void
b_sodium_salsa(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    while (iters--) {
        crypto_stream_salsa20_xor(out, in, a->n, iv, key);
        bench_consume(out, 1);
    }
}

static void
b_rc4(void *arg, uint64_t iters)
{
    struct len_arg *a = arg;
    while (iters--) {
        struct e2e_rc4 r;
        if (e2e_rc4_init(&r, key, 16))
            return;
        e2e_rc4_xor(&r, out, in, a->n);
        bench_consume(out, 1);
    }
}

static double
mbps(size_t n, double ns)
{
    return (double)n / ns * 1e3; /* bytes per ns -> MB/s */
}

static void
ige_rows(size_t n, const char *label)
{
    struct len_arg a;
    char name[96];
    memset(&a, 0, sizeof a);
    a.n = n;
    if (e2e_aes_setkey(&a.k, key, 32))
        return;
    AES_set_encrypt_key(key, 256, &a.ossl);
    a.evp = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(a.evp, EVP_aes_256_cbc(), NULL, key, iv);
    EVP_CIPHER_CTX_set_padding(a.evp, 0);
    double ours = mbps(n, bench_ns_per_op(b_ige_enc, &a));
    snprintf(name, sizeof name, "AES-256-IGE encrypt %s", label);
    bench_report("cipher", name, "MB/s", ours, "EVP AES-256-CBC encrypt",
                 mbps(n, bench_ns_per_op(b_evp_cbc_enc, &a)), BENCH_HIGHER_IS_BETTER);
    bench_report("cipher", name, "MB/s", ours, "OpenSSL AES_ige_encrypt",
                 mbps(n, bench_ns_per_op(b_ossl_ige_enc, &a)), BENCH_HIGHER_IS_BETTER);
    snprintf(name, sizeof name, "AES-256-IGE decrypt %s", label);
    bench_report("cipher", name, "MB/s", mbps(n, bench_ns_per_op(b_ige_dec, &a)),
                 "EVP AES-256-CBC encrypt", mbps(n, bench_ns_per_op(b_evp_cbc_enc, &a)),
                 BENCH_HIGHER_IS_BETTER);
    snprintf(name, sizeof name, "AES-256-IGE encrypt %s + key setup", label);
    ours = mbps(n, bench_ns_per_op(b_ige_enc_keyed, &a));
    bench_report("cipher", name, "MB/s", ours, "AES_set_encrypt_key + AES_ige_encrypt",
                 mbps(n, bench_ns_per_op(b_ossl_ige_enc_keyed, &a)), BENCH_HIGHER_IS_BETTER);
    bench_report("cipher", name, "MB/s", ours, "EVP AES-256-CBC init(key) + encrypt",
                 mbps(n, bench_ns_per_op(b_evp_cbc_enc_keyed, &a)), BENCH_HIGHER_IS_BETTER);
    EVP_CIPHER_CTX_free(a.evp);
}

static void
stream_rows(size_t n, const char *label)
{
    struct len_arg a;
    char name[96];
    memset(&a, 0, sizeof a);
    a.n = n;
    if (e2e_aes_setkey(&a.k, key, 32))
        return;
    a.evp = EVP_CIPHER_CTX_new();
    EVP_DecryptInit_ex(a.evp, EVP_aes_256_cbc(), NULL, key, iv);
    EVP_CIPHER_CTX_set_padding(a.evp, 0);
    snprintf(name, sizeof name, "AES-256-CBC decrypt %s", label);
    bench_report("cipher", name, "MB/s", mbps(n, bench_ns_per_op(b_cbc_dec, &a)),
                 "EVP AES-256-CBC decrypt", mbps(n, bench_ns_per_op(b_evp_cbc_dec, &a)),
                 BENCH_HIGHER_IS_BETTER);
    EVP_EncryptInit_ex(a.evp, EVP_aes_256_ctr(), NULL, key, iv);
    snprintf(name, sizeof name, "AES-256-CTR %s", label);
    bench_report("cipher", name, "MB/s", mbps(n, bench_ns_per_op(b_ctr, &a)), "EVP AES-256-CTR",
                 mbps(n, bench_ns_per_op(b_evp_ctr, &a)), BENCH_HIGHER_IS_BETTER);
    EVP_CIPHER_CTX_free(a.evp);
    a.k.rounds = 14;
    snprintf(name, sizeof name, "Salsa20 256-bit key %s", label);
    bench_report("cipher", name, "MB/s", mbps(n, bench_ns_per_op(b_salsa, &a)),
                 "libsodium crypto_stream_salsa20_xor",
                 mbps(n, bench_ns_per_op(b_sodium_salsa, &a)), BENCH_HIGHER_IS_BETTER);
    a.k.rounds = 10;
    snprintf(name, sizeof name, "Salsa20 128-bit key %s", label);
    bench_report("cipher", name, "MB/s", mbps(n, bench_ns_per_op(b_salsa, &a)),
                 "Salsa20 256-bit key (libsodium)", mbps(n, bench_ns_per_op(b_sodium_salsa, &a)),
                 BENCH_HIGHER_IS_BETTER);
    snprintf(name, sizeof name, "RC4 key setup + %s", label);
    bench_report_single("cipher", name, "MB/s", mbps(n, bench_ns_per_op(b_rc4, &a)));
}

void
bench_cipher(void)
{
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)(i * 7);
    memset(key, 0x31, sizeof key);
    memset(iv, 0x17, sizeof iv);
    bench_section("cipher: AES-IGE (MTProto)");
    ige_rows(1024, "1 KiB");
    ige_rows(65536, "64 KiB");
    bench_section("cipher: CBC decrypt, CTR, Salsa20, RC4");
    stream_rows(1024, "1 KiB");
    stream_rows(65536, "64 KiB");
}
