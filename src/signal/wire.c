/*
 * Bounded, allocation-free codec for the per-message protobufs (see wire.h for the rules it
 * shares with protobuf-c). Every read is checked against what remains; nothing is assumed of
 * peer data.
 */
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "codec/pb.h"
#include "signal/internal.h"
#include "signal/wire.h"

static size_t
put_uint32_field(uint8_t *p, uint32_t num, uint32_t v)
{
    p[0] = (uint8_t)(num << 3 | E2E__PB_VARINT);
    return 1 + e2e__pb_put_varint(p + 1, v);
}

static size_t
put_key_field(uint8_t *p, uint32_t num, const uint8_t key[32])
{
    p[0] = (uint8_t)(num << 3 | E2E__PB_LEN);
    p[1] = E2E_SIGNAL_PUBKEY_LEN;
    e2e_signal_pubkey_encode(p + 2, key);
    return 2 + E2E_SIGNAL_PUBKEY_LEN;
}

static size_t
put_len_head(uint8_t *p, uint32_t num, size_t n)
{
    p[0] = (uint8_t)(num << 3 | E2E__PB_LEN);
    return 1 + e2e__pb_put_varint(p + 1, n);
}

/* ---- field checks shared by the parsers ------------------------------------------------------ */

static int
bad_wire_type(struct e2e_report *why, const char *msg, const struct e2e__pb_field *f)
{
    return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed", "%s: field %u has wire type %u",
                           msg, f->num, f->wt);
}

static int
want(const struct e2e__pb_field *f, unsigned wt)
{
    return f->wt == wt;
}

static int
key_field(uint8_t out[32], const struct e2e__pb_field *f, struct e2e_report *why,
          const char *what)
{
    if (e2e_signal_pubkey_decode(out, f->p, f->n) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                               "%s is not a 33-byte 0x05 public key (%zu bytes)", what, f->n);
    return E2E_OK;
}

/* Version nibble: 3 is the only one spoken; older is legacy, newer unknown. */
static int
check_version(uint8_t b, struct e2e_report *why, const char *msg)
{
    unsigned v = b >> 4;
    if (v != E2E_SIGNAL_VERSION)
        return e2e_report_fail(why, E2E_ERR_UNSUPPORTED, "version",
                               "%s version %u (only %u is supported)", msg, v, E2E_SIGNAL_VERSION);
    return E2E_OK;
}

/* ---- SignalMessage --------------------------------------------------------------------------- */

static int
signal_fields(struct e2e__parsed_msg *m, struct e2e_reader *r, unsigned *seen,
              struct e2e__pb_field *key, struct e2e_report *why)
{
    struct e2e__pb_field f;
    int rc;
    while ((rc = e2e__pb_next(r, &f)) == 1) {
        switch (f.num) {
        case 1:
            if (!want(&f, E2E__PB_LEN))
                return bad_wire_type(why, "SignalMessage", &f);
            *key = f; /* the last occurrence counts: decoded after the loop */
            *seen |= 1;
            break;
        case 2:
        case 3:
            if (!want(&f, E2E__PB_VARINT))
                return bad_wire_type(why, "SignalMessage", &f);
            if (f.num == 2)
                m->counter = (uint32_t)f.v;
            else
                m->previous_counter = (uint32_t)f.v;
            *seen |= 1u << (f.num - 1);
            break;
        case 4:
            if (!want(&f, E2E__PB_LEN))
                return bad_wire_type(why, "SignalMessage", &f);
            m->ciphertext = f.p;
            m->ciphertext_len = f.n;
            *seen |= 8;
            break;
        default:
            break;
        }
    }
    if (rc < 0)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                               "SignalMessage: bad protobuf at byte %zu", r->pos + 1);
    return E2E_OK;
}

int
e2e__wire_parse_signal(struct e2e__parsed_msg *m, const uint8_t *msg, size_t n,
                       struct e2e_report *why)
{
    memset(m, 0, sizeof *m);
    if (!msg || n <= 1 + E2E_SIGNAL_MAC_LEN)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                               "SignalMessage of %zu bytes is too short", n);
    E2E_TRY(check_version(msg[0], why, "SignalMessage"));
    struct e2e_reader r;
    e2e_reader_init(&r, msg + 1, n - 1 - E2E_SIGNAL_MAC_LEN);
    struct e2e__pb_field key = {0};
    unsigned seen = 0;
    E2E_TRY(signal_fields(m, &r, &seen, &key, why));
    /* libsignal-protocol-c requires ratchetKey, counter and ciphertext; previousCounter is
     * optional (0) */
    if ((seen & 0xB) != 0xB)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed", "SignalMessage lacks %s",
                               !(seen & 1)   ? "ratchetKey"
                               : !(seen & 2) ? "counter"
                                             : "ciphertext");
    E2E_TRY(key_field(m->ratchet_key, &key, why, "ratchetKey"));
    m->data = msg;
    m->len = n;
    m->version = (uint8_t)(msg[0] >> 4);
    return E2E_OK;
}

size_t
e2e__wire_signal_head_len(uint32_t counter, uint32_t previous_counter, size_t ct_len)
{
    return 1 + (2 + E2E_SIGNAL_PUBKEY_LEN) + 1 + e2e__pb_varint_len(counter) + 1 +
           e2e__pb_varint_len(previous_counter) + 1 + e2e__pb_varint_len(ct_len);
}

size_t
e2e__wire_signal_head(uint8_t *out, const uint8_t ratchet_pub[32], uint32_t counter,
                      uint32_t previous_counter, size_t ct_len)
{
    size_t k = 0;
    out[k++] = E2E__VERSION_BYTE;
    k += put_key_field(out + k, 1, ratchet_pub);
    k += put_uint32_field(out + k, 2, counter);
    k += put_uint32_field(out + k, 3, previous_counter);
    k += put_len_head(out + k, 4, ct_len);
    return k;
}

/* ---- PreKeySignalMessage --------------------------------------------------------------------- */

static int
prekey_field(struct e2e__parsed_prekey *p, const struct e2e__pb_field *f, unsigned *seen,
             struct e2e__pb_field keys[2], const uint8_t **inner, size_t *inner_len,
             struct e2e_report *why)
{
    struct e2e_signal_prekey_header *h = &p->h;
    int is_len = f->num >= 2 && f->num <= 4;
    if (f->num < 1 || f->num > 6)
        return E2E_OK;
    if (!want(f, is_len ? E2E__PB_LEN : E2E__PB_VARINT))
        return bad_wire_type(why, "PreKeySignalMessage", f);
    *seen |= 1u << f->num;
    switch (f->num) {
    case 1:
        h->has_one_time_prekey = 1;
        h->one_time_prekey_id = (uint32_t)f->v;
        return E2E_OK;
    case 2:
    case 3:
        keys[f->num - 2] = *f; /* the last occurrence counts */
        return E2E_OK;
    case 4:
        *inner = f->p;
        *inner_len = f->n;
        return E2E_OK;
    case 5:
        h->registration_id = (uint32_t)f->v;
        return E2E_OK;
    default:
        h->signed_prekey_id = (uint32_t)f->v;
        return E2E_OK;
    }
}

int
e2e__wire_parse_prekey(struct e2e__parsed_prekey *p, const uint8_t *msg, size_t n,
                       struct e2e_report *why)
{
    memset(p, 0, sizeof *p);
    if (!msg || n <= 1)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                               "PreKeySignalMessage of %zu bytes is too short", n);
    E2E_TRY(check_version(msg[0], why, "PreKeySignalMessage"));
    struct e2e_reader r;
    e2e_reader_init(&r, msg + 1, n - 1);
    struct e2e__pb_field f;
    const uint8_t *inner = NULL;
    size_t inner_len = 0;
    struct e2e__pb_field keys[2] = {{0}, {0}};
    unsigned seen = 0;
    int rc;
    while ((rc = e2e__pb_next(&r, &f)) == 1)
        E2E_TRY(prekey_field(p, &f, &seen, keys, &inner, &inner_len, why));
    if (rc < 0)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                               "PreKeySignalMessage: bad protobuf at byte %zu", r.pos + 1);
    /* required by libsignal-protocol-c: signedPreKeyId, baseKey, identityKey, message */
    unsigned need = 1u << 6 | 1u << 2 | 1u << 3 | 1u << 4;
    if ((seen & need) != need)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                               "PreKeySignalMessage lacks a required field (seen 0x%02x)", seen);
    E2E_TRY(key_field(p->h.base_key, &keys[0], why, "baseKey"));
    E2E_TRY(key_field(p->h.identity_key, &keys[1], why, "identityKey"));
    E2E_TRY(e2e__wire_parse_signal(&p->inner, inner, inner_len, why));
    if (p->inner.data[0] >> 4 != msg[0] >> 4)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                               "inner message version differs from the outer one");
    return E2E_OK;
}

size_t
e2e__wire_prekey_head_len(const struct e2e_signal_prekey_header *h, size_t inner_len)
{
    size_t k = 1 + 2 * (2 + E2E_SIGNAL_PUBKEY_LEN) + 1 + e2e__pb_varint_len(inner_len);
    if (h->has_one_time_prekey)
        k += 1 + e2e__pb_varint_len(h->one_time_prekey_id);
    return k;
}

size_t
e2e__wire_prekey_head(uint8_t *out, const struct e2e_signal_prekey_header *h, size_t inner_len)
{
    size_t k = 0;
    out[k++] = E2E__VERSION_BYTE;
    if (h->has_one_time_prekey)
        k += put_uint32_field(out + k, 1, h->one_time_prekey_id);
    k += put_key_field(out + k, 2, h->base_key);
    k += put_key_field(out + k, 3, h->identity_key);
    k += put_len_head(out + k, 4, inner_len);
    return k;
}

size_t
e2e__wire_prekey_tail_len(const struct e2e_signal_prekey_header *h)
{
    return 2 + e2e__pb_varint_len(h->registration_id) + e2e__pb_varint_len(h->signed_prekey_id);
}

size_t
e2e__wire_prekey_tail(uint8_t *out, const struct e2e_signal_prekey_header *h)
{
    size_t k = put_uint32_field(out, 5, h->registration_id);
    return k + put_uint32_field(out + k, 6, h->signed_prekey_id);
}

/* ---- SenderKeyMessage ------------------------------------------------------------------------ */

int
e2e__wire_parse_skmsg(struct e2e__parsed_skmsg *m, const uint8_t *msg, size_t n,
                      struct e2e_report *why)
{
    memset(m, 0, sizeof *m);
    if (!msg || n <= 1 + E2E_SIGNAL_SIG_LEN)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                               "SenderKeyMessage of %zu bytes is too short", n);
    E2E_TRY(check_version(msg[0], why, "SenderKeyMessage"));
    struct e2e_reader r;
    e2e_reader_init(&r, msg + 1, n - 1 - E2E_SIGNAL_SIG_LEN);
    struct e2e__pb_field f;
    unsigned seen = 0;
    int rc;
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        if (f.num < 1 || f.num > 3)
            continue;
        if (!want(&f, f.num == 3 ? E2E__PB_LEN : E2E__PB_VARINT))
            return bad_wire_type(why, "SenderKeyMessage", &f);
        seen |= 1u << f.num;
        if (f.num == 1)
            m->key_id = (uint32_t)f.v;
        else if (f.num == 2)
            m->iteration = (uint32_t)f.v;
        else {
            m->ciphertext = f.p;
            m->ciphertext_len = f.n;
        }
    }
    if (rc < 0)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                               "SenderKeyMessage: bad protobuf at byte %zu", r.pos + 1);
    if (seen != 0xE)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed", "SenderKeyMessage lacks %s",
                               !(seen & 2)   ? "id"
                               : !(seen & 4) ? "iteration"
                                             : "ciphertext");
    m->data = msg;
    m->len = n;
    return E2E_OK;
}

size_t
e2e__wire_skmsg_head_len(uint32_t key_id, uint32_t iteration, size_t ct_len)
{
    return 1 + 1 + e2e__pb_varint_len(key_id) + 1 + e2e__pb_varint_len(iteration) + 1 +
           e2e__pb_varint_len(ct_len);
}

size_t
e2e__wire_skmsg_head(uint8_t *out, uint32_t key_id, uint32_t iteration, size_t ct_len)
{
    size_t k = 0;
    out[k++] = E2E__VERSION_BYTE;
    k += put_uint32_field(out + k, 1, key_id);
    k += put_uint32_field(out + k, 2, iteration);
    k += put_len_head(out + k, 3, ct_len);
    return k;
}
