/*
 * Several independent IGE encryptions at once. One IGE chain is bound by the
 * AES instruction latency (each round waits for the previous one, each block
 * for the previous block), leaving the two AES units mostly idle; four
 * independent chains fill them (about 3.4x the throughput of one). Without
 * AES-NI each job runs on its own; the results are the same.
 *
 * (Interleaving two SHA-256 computations on SHA-NI was measured too and gave
 * nothing on this project's build machine, so it is not here.)
 */
#include <string.h>

#include "core/util.h"
#include "crypto/aes_impl.h"

/* ---- IGE ----------------------------------------------------------------------------------- */

#if defined(__x86_64__) || defined(__i386__)
#include <wmmintrin.h>

#define AESNI __attribute__((target("aes,sse4.1")))
#define IGE_LANES 4

static inline __m128i
ld(const uint8_t *p)
{
    return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* `blocks` blocks of each of the m lanes (same number of rounds), chains interleaved; the
 * chaining XORs folded into the first and last round keys as in aes_ni.c. */
AESNI static void
ige_lanes(const struct e2e_aes_ige_job *const *j, int m, size_t from, size_t blocks)
{
    const __m128i *rk[IGE_LANES];
    __m128i c_prev[IGE_LANES], p_prev[IGE_LANES], x[IGE_LANES], p[IGE_LANES];
    unsigned nr = j[0]->key->rounds;
    for (int k = 0; k < m; k++) {
        rk[k] = (const __m128i *)(const void *)j[k]->key->enc;
        c_prev[k] = ld(j[k]->iv);
        p_prev[k] = ld(j[k]->iv + 16);
    }
    for (size_t b = from; b < from + blocks; b++) {
        for (int k = 0; k < m; k++) {
            p[k] = ld(j[k]->in + 16 * b);
            x[k] = _mm_xor_si128(c_prev[k], _mm_xor_si128(p[k], rk[k][0]));
        }
        for (unsigned r = 1; r < nr; r++)
            for (int k = 0; k < m; k++)
                x[k] = _mm_aesenc_si128(x[k], rk[k][r]);
        for (int k = 0; k < m; k++) {
            c_prev[k] = _mm_aesenclast_si128(x[k], _mm_xor_si128(rk[k][nr], p_prev[k]));
            _mm_storeu_si128((__m128i *)(void *)(j[k]->out + 16 * b), c_prev[k]);
            p_prev[k] = p[k];
        }
    }
    for (int k = 0; k < m; k++) {
        _mm_storeu_si128((__m128i *)(void *)j[k]->iv, c_prev[k]);
        _mm_storeu_si128((__m128i *)(void *)(j[k]->iv + 16), p_prev[k]);
    }
}

/* Lanes in order of length: all run together up to the shortest, then one fewer, and so on. */
static void
ige_group(const struct e2e_aes_ige_job *const *j, int m)
{
    size_t done = 0;
    for (int first = 0; first < m; first++) {
        size_t upto = j[first]->n / 16;
        if (upto > done)
            ige_lanes(j + first, m - first, done, upto - done);
        done = upto > done ? upto : done;
    }
}

#endif

int
e2e_aes_ige_encrypt_many(const struct e2e_aes_ige_job *jobs, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (jobs[i].n % 16)
            return E2E_ERR_INVALID;
    size_t i = 0;
#if defined(__x86_64__) || defined(__i386__)
    while (i < count && jobs[i].key->impl == E2E_AES_AESNI) {
        /* up to four jobs with AES-NI keys of one size, sorted by length */
        const struct e2e_aes_ige_job *g[IGE_LANES];
        uint32_t rounds = jobs[i].key->rounds;
        int m = 0;
        while (m < IGE_LANES && i < count && jobs[i].key->impl == E2E_AES_AESNI &&
               jobs[i].key->rounds == rounds) {
            const struct e2e_aes_ige_job *t = &jobs[i++];
            int k = m++;
            while (k > 0 && g[k - 1]->n > t->n) {
                g[k] = g[k - 1];
                k--;
            }
            g[k] = t;
        }
        ige_group(g, m);
    }
#endif
    for (; i < count; i++) {
        int rc = e2e_aes_ige_encrypt(jobs[i].key, jobs[i].iv, jobs[i].in, jobs[i].n, jobs[i].out);
        if (rc)
            return rc;
    }
    return E2E_OK;
}
