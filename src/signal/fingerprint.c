/*
 * Safety numbers (reference/signal.md 11; whatsapp.md 7), as libsignal-protocol-c's
 * fingerprint generator computes them:
 *
 *   key bytes  the 33-byte serialized identity key, or the party's device keys serialized and
 *              concatenated in ascending byte order ("create_for_list")
 *   h          SHA-512(0x00 0x00 || keys || stable id || keys), then h = SHA-512(h || keys),
 *              `iterations` hashes in all
 *   30 digits  h[0:30] as six 5-byte big-endian integers, each mod 100000, "%05d"
 *   60 digits  the smaller 30-digit half first (strcmp <= 0 keeps local first on a tie)
 *
 * Scannable form: CombinedFingerprints{version, local{content, [identifier]}, remote{...}}
 * (proto/FingerprintProtocol.proto); v0 carries the key bytes and the identifiers, v1 and v2
 * the first 32 bytes of each h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "FingerprintProtocol.pb-c.h"
#include "core/log.h"
#include "core/util.h"
#include "signal/internal.h"

#define FP_VERSION 0 /* the two leading bytes of the first hash input */

struct party_bytes {
    uint8_t keys[E2E_SIGNAL_FP_MAX_KEYS * 33];
    size_t keys_len;
    uint8_t h[64];
};

static int
cmp33(const void *a, const void *b)
{
    return memcmp(a, b, 33);
}

static int
party_check(const struct e2e_signal_fp_party *p)
{
    if (!p || !p->keys || p->n_keys == 0 || p->n_keys > E2E_SIGNAL_FP_MAX_KEYS ||
        (!p->stable_id && p->stable_id_len) || p->stable_id_len > E2E_SIGNAL_FP_MAX_ID)
        return E2E_ERR_INVALID;
    return E2E_OK;
}

static void
party_hash(struct party_bytes *pb, const struct e2e_signal_fp_party *p, unsigned iterations)
{
    static const uint8_t version[2] = {0, FP_VERSION};
    for (size_t i = 0; i < p->n_keys; i++)
        e2e_signal_pubkey_encode(pb->keys + 33 * i, p->keys[i]);
    pb->keys_len = 33 * p->n_keys;
    qsort(pb->keys, p->n_keys, 33, cmp33);
    e2e_sha512_ctx c;
    e2e_sha512_init(&c);
    e2e_sha512_update(&c, version, sizeof version);
    e2e_sha512_update(&c, pb->keys, pb->keys_len);
    e2e_sha512_update(&c, p->stable_id, p->stable_id_len);
    e2e_sha512_update(&c, pb->keys, pb->keys_len);
    e2e_sha512_final(&c, pb->h);
    for (unsigned i = 1; i < iterations; i++) {
        e2e_sha512_init(&c);
        e2e_sha512_update(&c, pb->h, sizeof pb->h);
        e2e_sha512_update(&c, pb->keys, pb->keys_len);
        e2e_sha512_final(&c, pb->h);
    }
}

static void
digits30(char out[31], const uint8_t h[64])
{
    for (int i = 0; i < 30; i += 5) {
        uint64_t chunk = (uint64_t)h[i] << 32 | (uint64_t)h[i + 1] << 24 |
                         (uint64_t)h[i + 2] << 16 | (uint64_t)h[i + 3] << 8 | h[i + 4];
        snprintf(out + i, 6, "%05u", (unsigned)(chunk % 100000));
    }
}

static void
logical(Textsecure__LogicalFingerprint *lf, const struct party_bytes *pb,
        const struct e2e_signal_fp_party *p, unsigned version)
{
    textsecure__logical_fingerprint__init(lf);
    lf->has_content = 1;
    if (version == 0) {
        lf->content.data = (uint8_t *)(uintptr_t)pb->keys;
        lf->content.len = pb->keys_len;
        lf->has_identifier = 1;
        lf->identifier.data = (uint8_t *)(uintptr_t)p->stable_id;
        lf->identifier.len = p->stable_id_len;
    } else {
        lf->content.data = (uint8_t *)(uintptr_t)pb->h;
        lf->content.len = 32;
    }
}

static Textsecure__CombinedFingerprints
combined(Textsecure__LogicalFingerprint *l, Textsecure__LogicalFingerprint *r, unsigned version)
{
    Textsecure__CombinedFingerprints cf = TEXTSECURE__COMBINED_FINGERPRINTS__INIT;
    cf.has_version = 1;
    cf.version = version;
    cf.localfingerprint = l;
    cf.remotefingerprint = r;
    return cf;
}

size_t
e2e_signal_fingerprint_scannable_max(const struct e2e_signal_fp_party *local,
                                     const struct e2e_signal_fp_party *remote)
{
    /* per party: tag + length (3) + content tag + length (3) + keys, identifier tag + length (3)
     * + id; plus the version field (6) */
    size_t n = 6;
    const struct e2e_signal_fp_party *p[2] = {local, remote};
    for (int i = 0; i < 2; i++)
        n += 9 + (p[i] ? 33 * p[i]->n_keys + p[i]->stable_id_len : 0) + 32;
    return n;
}

int
e2e_signal_fingerprint(char display[61], uint8_t *scannable, size_t cap, size_t *scannable_len,
                       unsigned version, unsigned iterations,
                       const struct e2e_signal_fp_party *local,
                       const struct e2e_signal_fp_party *remote)
{
    if (!display || party_check(local) || party_check(remote) || version > 2 || iterations < 1 ||
        iterations > 1000000 || (scannable && !scannable_len))
        return E2E_ERR_INVALID;
    struct party_bytes *pb = calloc(2, sizeof *pb);
    if (!pb)
        return E2E_ERR_NOMEM;
    party_hash(&pb[0], local, iterations);
    party_hash(&pb[1], remote, iterations);
    char l[31], r[31];
    digits30(l, pb[0].h);
    digits30(r, pb[1].h);
    int local_first = strcmp(l, r) <= 0;
    snprintf(display, 61, "%s%s", local_first ? l : r, local_first ? r : l);
    int rc = E2E_OK;
    if (scannable) {
        Textsecure__LogicalFingerprint lf, rf;
        logical(&lf, &pb[0], local, version);
        logical(&rf, &pb[1], remote, version);
        Textsecure__CombinedFingerprints cf = combined(&lf, &rf, version);
        size_t need = textsecure__combined_fingerprints__get_packed_size(&cf);
        if (need > cap)
            rc = E2E_ERR_BUFFER;
        else
            *scannable_len = textsecure__combined_fingerprints__pack(&cf, scannable);
    }
    e2e_wipe(pb, 2 * sizeof *pb);
    free(pb);
    return rc;
}

/* ---- comparison ------------------------------------------------------------------------------ */

static int
bytes_eq(const ProtobufCBinaryData *a, const ProtobufCBinaryData *b)
{
    return a->len == b->len && e2e_ct_equal(a->data, b->data, a->len);
}

static int
compare_parsed(const Textsecure__CombinedFingerprints *ours,
               const Textsecure__CombinedFingerprints *theirs, struct e2e_report *why)
{
    const Textsecure__LogicalFingerprint *ol = ours->localfingerprint,
                                         *orr = ours->remotefingerprint,
                                         *tl = theirs->localfingerprint,
                                         *tr = theirs->remotefingerprint;
    if (!ol || !orr)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed", "our code lacks a fingerprint");
    if (!tl || !tr || !tl->has_content || !tr->has_content || theirs->version != ours->version)
        return e2e_report_fail(why, E2E_ERR_UNSUPPORTED, "version",
                               "scanned code is version %u, ours is %u", theirs->version,
                               ours->version);
    if (ours->version == 0 && (!bytes_eq(&ol->identifier, &tr->identifier) ||
                               !bytes_eq(&orr->identifier, &tl->identifier)))
        return e2e_report_fail(why, E2E_ERR_VERIFY, "identifier",
                               "the scanned code names other users");
    /* both comparisons always run: the time does not say which side differs */
    int same = bytes_eq(&ol->content, &tr->content) & bytes_eq(&orr->content, &tl->content);
    if (!same)
        return e2e_report_fail(why, E2E_ERR_VERIFY, "fingerprint",
                               "identity keys differ from the scanned code's");
    return E2E_OK;
}

int
e2e_signal_fingerprint_compare(const uint8_t *ours, size_t ours_len, const uint8_t *scanned,
                               size_t scanned_len, struct e2e_report *why)
{
    e2e_report_clear(why);
    if (!ours || !scanned)
        return e2e_report_fail(why, E2E_ERR_INVALID, "argument", "missing argument");
    Textsecure__CombinedFingerprints *a =
        textsecure__combined_fingerprints__unpack(NULL, ours_len, ours);
    Textsecure__CombinedFingerprints *b =
        textsecure__combined_fingerprints__unpack(NULL, scanned_len, scanned);
    int rc;
    if (!a)
        rc = e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                             "our code is not a CombinedFingerprints");
    else if (!b)
        rc = e2e_report_fail(why, E2E_ERR_MALFORMED, "malformed",
                             "scanned code is not a CombinedFingerprints");
    else
        rc = compare_parsed(a, b, why);
    if (a)
        textsecure__combined_fingerprints__free_unpacked(a, NULL);
    if (b)
        textsecure__combined_fingerprints__free_unpacked(b, NULL);
    return rc;
}
