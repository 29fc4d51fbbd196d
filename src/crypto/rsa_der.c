/*
 * PKCS#1 (RFC 8017 appendix A.1) RSAPublicKey and two-prime RSAPrivateKey in DER, written
 * here over the bounded reader and writer: a strict decoder (DER, not BER) is a few dozen
 * lines, where OpenSSL's generic decoders accept BER forms and trailing bytes.
 *
 *   RSAPublicKey  ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
 *   RSAPrivateKey ::= SEQUENCE { version INTEGER (0), modulus, publicExponent, privateExponent,
 *                                prime1, prime2, exponent1, exponent2, coefficient }
 */
#include <string.h>

#include <openssl/bn.h>

#include "core/bytes.h"
#include "core/util.h"
#include "crypto/rsa_internal.h"

#define DER_INTEGER  0x02
#define DER_SEQUENCE 0x30

/* ---- decoding ------------------------------------------------------------------------------ */

/* Definite length in its minimal form (short form below 128, no leading zero length byte). */
static size_t
read_length(struct e2e_reader *r)
{
    uint8_t first = e2e_read_u8(r);
    if (first < 0x80)
        return first;
    size_t nbytes = first & 0x7F;
    if (nbytes == 0 || nbytes > 3) { /* indefinite form, or longer than any key we accept */
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
        return 0;
    }
    size_t len = 0;
    for (size_t i = 0; i < nbytes; i++)
        len = len << 8 | e2e_read_u8(r);
    if (len < 0x80 || len >> (8 * (nbytes - 1)) == 0)
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
    return len;
}

/* The content of the next element, which must carry `tag`. */
static const uint8_t *
read_tlv(struct e2e_reader *r, uint8_t tag, size_t *len)
{
    if (e2e_read_u8(r) != tag)
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
    *len = read_length(r);
    return e2e_read_view(r, *len);
}

/* A non-negative INTEGER in minimal two's complement. */
static BIGNUM *
read_integer(struct e2e_reader *r, int secret)
{
    size_t len;
    const uint8_t *v = read_tlv(r, DER_INTEGER, &len);
    if (!v)
        return NULL;
    if (len == 0 || (v[0] & 0x80) || (len > 1 && v[0] == 0 && !(v[1] & 0x80))) {
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
        return NULL;
    }
    BIGNUM *x = secret ? BN_secure_new() : BN_new();
    if (!x || !BN_bin2bn(v, (int)len, x)) {
        BN_free(x);
        e2e_reader_fail(r, E2E_ERR_NOMEM);
        return NULL;
    }
    return x;
}

static int
decode_private(struct e2e_rsa_parts *k, struct e2e_reader *r)
{
    BIGNUM *version = read_integer(r, 0);
    int v0 = version && BN_is_zero(version);
    int v1 = version && BN_is_one(version);
    BN_free(version);
    if (!v0) {
        e2e_reader_fail(r, v1 ? E2E_ERR_UNSUPPORTED : E2E_ERR_MALFORMED);
        return r->err;
    }
    k->n = read_integer(r, 0);
    k->e = read_integer(r, 0);
    k->d = read_integer(r, 1);
    k->p = read_integer(r, 1);
    k->q = read_integer(r, 1);
    k->dp = read_integer(r, 1);
    k->dq = read_integer(r, 1);
    k->qinv = read_integer(r, 1);
    return r->err;
}

int
e2e__rsa_der_decode(struct e2e_rsa_parts *k, int private_part, const uint8_t *der, size_t len)
{
    struct e2e_reader outer, r;
    e2e_reader_init(&outer, der, len);
    size_t seq_len;
    const uint8_t *seq = read_tlv(&outer, DER_SEQUENCE, &seq_len);
    int rc = e2e_reader_done(&outer);
    if (rc != E2E_OK)
        return rc;
    e2e_reader_init(&r, seq, seq_len);
    if (private_part) {
        rc = decode_private(k, &r);
    } else {
        k->n = read_integer(&r, 0);
        k->e = read_integer(&r, 0);
    }
    return rc != E2E_OK ? rc : e2e_reader_done(&r);
}

/* ---- encoding ------------------------------------------------------------------------------ */

static size_t
length_size(size_t len)
{
    return len < 0x80 ? 1 : len < 0x100 ? 2 : len < 0x10000 ? 3 : 4;
}

static void
write_length(struct e2e_writer *w, size_t len)
{
    size_t n = length_size(len) - 1;
    if (n == 0) {
        e2e_write_u8(w, (uint8_t)len);
        return;
    }
    e2e_write_u8(w, (uint8_t)(0x80 | n));
    while (n--)
        e2e_write_u8(w, (uint8_t)(len >> (8 * n)));
}

/* Content bytes of an INTEGER holding x >= 0 (a leading zero when the top bit is set). */
static size_t
integer_content(const BIGNUM *x)
{
    size_t n = (size_t)BN_num_bytes(x);
    return n == 0 ? 1 : n + ((BN_num_bits(x) & 7) == 0);
}

static size_t
integer_size(const BIGNUM *x)
{
    size_t c = integer_content(x);
    return 1 + length_size(c) + c;
}

static void
write_integer(struct e2e_writer *w, const BIGNUM *x)
{
    size_t c = integer_content(x);
    e2e_write_u8(w, DER_INTEGER);
    write_length(w, c);
    uint8_t *p = e2e_write_reserve(w, c);
    if (p && BN_bn2binpad(x, p, (int)c) < 0)
        w->err = E2E_ERR_CRYPTO;
}

int
e2e__rsa_der_encode(const e2e_rsa *k, int private_part, uint8_t *out, size_t out_cap,
                    size_t *out_len)
{
    const BIGNUM *pub[] = {k->n, k->e};
    const BIGNUM *priv[] = {NULL, k->n, k->e, k->d, k->p, k->q, k->dp, k->dq, k->qinv};
    const BIGNUM *const *ints = private_part ? priv : pub;
    size_t count = private_part ? E2E_ARRAY_LEN(priv) : E2E_ARRAY_LEN(pub);
    BIGNUM *zero = BN_new();
    if (!zero)
        return E2E_ERR_NOMEM;
    priv[0] = zero; /* version 0: two primes */
    size_t body = 0;
    for (size_t i = 0; i < count; i++)
        body += integer_size(ints[i]);
    *out_len = 1 + length_size(body) + body;
    int rc = E2E_ERR_BUFFER;
    if (out_cap >= *out_len) {
        struct e2e_writer w;
        e2e_writer_init(&w, out, out_cap);
        e2e_write_u8(&w, DER_SEQUENCE);
        write_length(&w, body);
        for (size_t i = 0; i < count; i++)
            write_integer(&w, ints[i]);
        rc = w.err;
        if (rc != E2E_OK)
            e2e_wipe(out, out_cap);
    }
    BN_free(zero);
    return rc;
}
