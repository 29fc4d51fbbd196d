/*
 * ISO/IEC 9796-2 digital signature scheme 1 (the first edition's mechanism, kept in the 2002
 * and 2010 editions) with SHA-1 and the implicit trailer 0xBC, over raw RSA.
 *
 * The message representative F is B = floor(k / 8) bytes for a k-bit modulus:
 *
 *   total recovery   (M fits):    4B BB .. BB BA | M  | SHA1(M) | BC    (4A | M | ... when
 *                                                                        M leaves no room)
 *   partial recovery (M = M1 M2): 6A | M1 | SHA1(M1 M2) | BC,   |M1| = B - 22
 *
 * Bit by bit, the first nibble is the header: '01' (so that F < 2^(8B-1) <= n), then the
 * more-data bit (0 total, 1 partial), then '0'. Padding nibbles '1011' (B) follow, closed by
 * one '1010' (A). For a modulus of a whole number of bytes F has k - 1 significant bits and
 * the layout is the one of the standard's examples, of EMV and of Skype's certificates (whose
 * blocks start 4B BB .. BA). For other k, F is one byte shorter than the modulus and the RSA
 * input carries a leading zero byte: the standard fixes the bit string, not how it is cut into
 * bytes, and this is the cut that keeps F < n for every modulus.
 *
 * Verification accepts exactly these forms: the header and padding bytes, the trailer, the
 * length of M1 and the hash are all checked, and any difference is E2E_ERR_AUTH.
 */
#include <string.h>

#include <e2ekit/crypto.h>

#include "core/util.h"
#include "crypto/rsa_internal.h"

#define ISO_HASH       20 /* SHA-1 */
#define ISO_OVERHEAD   (1 + ISO_HASH + 1)
#define ISO_TRAILER    0xBC
#define ISO_TOTAL_PAD1 0x4A /* header nibble 0100 + closing padding nibble 1010 */
#define ISO_TOTAL_PAD  0x4B /* header nibble 0100 + padding nibble 1011 */
#define ISO_PARTIAL    0x6A /* header nibble 0110 + closing padding nibble 1010 */
#define ISO_PAD        0xBB
#define ISO_PAD_END    0xBA

/* Bytes of F: the whole modulus when its bit length is a multiple of 8, else one less. */
static size_t
rep_bytes(const e2e_rsa *k)
{
    return e2e_rsa_bits(k) / 8;
}

/* Writes F for msg into f[0..B). Returns the number of message bytes inside. */
static size_t
encode(uint8_t *f, size_t B, const uint8_t *msg, size_t n)
{
    size_t cap = B - ISO_OVERHEAD, inside, pos;
    if (n <= cap) {
        size_t pad = B - ISO_HASH - 1 - n; /* header + padding bytes, >= 1 */
        if (pad == 1) {
            f[0] = ISO_TOTAL_PAD1;
        } else {
            f[0] = ISO_TOTAL_PAD;
            memset(f + 1, ISO_PAD, pad - 2);
            f[pad - 1] = ISO_PAD_END;
        }
        inside = n;
        pos = pad;
    } else {
        f[0] = ISO_PARTIAL;
        inside = cap;
        pos = 1;
    }
    if (inside)
        memcpy(f + pos, msg, inside);
    e2e_sha1(f + pos + inside, msg, n);
    f[B - 1] = ISO_TRAILER;
    return inside;
}

int
e2e_iso9796_sign(const e2e_rsa *k, uint8_t *sig, size_t sig_cap, size_t *sig_len,
                 size_t *recoverable_len, const uint8_t *msg, size_t n)
{
    size_t L = e2e_rsa_bytes(k), B = rep_bytes(k);
    if (!k->has_private || (!msg && n))
        return E2E_ERR_INVALID;
    *sig_len = L;
    if (sig_cap < L)
        return E2E_ERR_BUFFER;
    uint8_t rep[E2E_RSA_MAX_BITS / 8];
    memset(rep, 0, L - B);
    size_t inside = encode(rep + (L - B), B, msg, n);
    int rc = e2e_rsa_private_raw(k, sig, rep, L);
    if (rc == E2E_OK && recoverable_len)
        *recoverable_len = inside;
    if (rc != E2E_OK)
        e2e_wipe(sig, L);
    return rc;
}

/*
 * The recoverable part of F[0..B) and whether it is partial: offset and length of M (or M1).
 * E2E_ERR_AUTH unless the header, padding and trailer have exactly the form above.
 */
static int
parse_rep(const uint8_t *f, size_t B, size_t *m_off, size_t *m_len, int *partial)
{
    size_t end = B - ISO_HASH - 1; /* where the hash starts */
    size_t pos = 1;
    if (f[B - 1] != ISO_TRAILER)
        return E2E_ERR_AUTH;
    *partial = f[0] == ISO_PARTIAL;
    if (f[0] == ISO_TOTAL_PAD) {
        while (pos < end && f[pos] == ISO_PAD)
            pos++;
        if (pos == end || f[pos] != ISO_PAD_END)
            return E2E_ERR_AUTH;
        pos++;
    } else if (f[0] != ISO_TOTAL_PAD1 && f[0] != ISO_PARTIAL) {
        return E2E_ERR_AUTH;
    }
    *m_off = pos;
    *m_len = end - pos;
    return E2E_OK;
}

static int
check_rep(const uint8_t *f, size_t B, const uint8_t *m2, size_t m2_len, size_t *m_off,
          size_t *m_len)
{
    int partial;
    if (parse_rep(f, B, m_off, m_len, &partial) != E2E_OK)
        return E2E_ERR_AUTH;
    /* Partial recovery means some of the message travelled outside; total recovery means
     * none did. Either mismatch is a signature on another message. */
    if (partial != (m2_len > 0))
        return E2E_ERR_AUTH;
    uint8_t h[ISO_HASH];
    e2e_sha1_ctx c;
    e2e_sha1_init(&c);
    e2e_sha1_update(&c, f + *m_off, *m_len);
    e2e_sha1_update(&c, m2, m2_len);
    e2e_sha1_final(&c, h);
    return e2e_ct_equal(h, f + *m_off + *m_len, ISO_HASH) ? E2E_OK : E2E_ERR_AUTH;
}

int
e2e_iso9796_verify(const e2e_rsa *k, uint8_t *m1, size_t m1_cap, size_t *m1_len, const uint8_t *sig,
                   size_t sig_len, const uint8_t *m2, size_t m2_len)
{
    size_t L = e2e_rsa_bytes(k), B = rep_bytes(k), m_off = 0, m_len = 0;
    *m1_len = 0;
    if ((!sig && sig_len) || (!m2 && m2_len))
        return E2E_ERR_INVALID;
    if (sig_len != L)
        return E2E_ERR_AUTH;
    uint8_t rep[E2E_RSA_MAX_BITS / 8];
    int rc = e2e_rsa_public_raw(k, rep, sig, sig_len);
    if (rc == E2E_ERR_MALFORMED || (rc == E2E_OK && L > B && rep[0] != 0))
        rc = E2E_ERR_AUTH;
    if (rc == E2E_OK)
        rc = check_rep(rep + (L - B), B, m2, m2_len, &m_off, &m_len);
    if (rc == E2E_OK && m1_cap < m_len)
        rc = E2E_ERR_BUFFER;
    if (rc == E2E_OK && m_len) {
        memcpy(m1, rep + (L - B) + m_off, m_len);
        *m1_len = m_len;
    }
    return rc;
}
