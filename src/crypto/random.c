/* Default randomness (libsodium) and the deterministic ChaCha20 generator. */
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include <e2ekit/crypto.h>

#include "core/log.h"
#include "core/util.h"
#include "crypto/sodium.h"

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_status;

static void
sodium_start(void)
{
    sodium_status = sodium_init();
}

void
e2e__sodium_ready(void)
{
    pthread_once(&sodium_once, sodium_start);
}

int
e2e__sys_random(uint8_t *out, size_t n)
{
    e2e__sodium_ready();
    if (sodium_status < 0)
        return E2E_ERR_RNG;
    randombytes_buf(out, n);
    return E2E_OK;
}

void
e2e_drbg_seed(struct e2e_drbg *d, const void *seed, size_t n)
{
    static const char label[] = "e2ekit drbg v1";
    e2e_sha256_ctx h;
    e2e_sha256_init(&h);
    e2e_sha256_update(&h, label, sizeof label - 1);
    e2e_sha256_update(&h, seed, n);
    e2e_sha256_final(&h, d->key);
    d->block = 0;
    d->used = sizeof d->buf;
}

static void
drbg_block(struct e2e_drbg *d, uint8_t out[64])
{
    uint8_t nonce[8];
    e2e_store64_le(nonce, d->block++);
    memset(out, 0, 64);
    crypto_stream_chacha20_xor(out, out, 64, nonce, d->key);
}

int
e2e_drbg_rng(void *drbg, uint8_t *out, size_t n)
{
    struct e2e_drbg *d = drbg;
    e2e__sodium_ready();
    while (n) {
        if (d->used == sizeof d->buf) {
            drbg_block(d, d->buf);
            d->used = 0;
        }
        size_t k = E2E_MIN(n, sizeof d->buf - d->used);
        memcpy(out, d->buf + d->used, k);
        e2e_wipe(d->buf + d->used, k);
        d->used += k;
        out += k;
        n -= k;
    }
    return 0;
}
