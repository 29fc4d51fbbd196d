/*
 * Call keys (reference/whatsapp.md §6): a fresh 32-byte SRTP master secret per callee
 * device, our documented expansion of it to SRTP master key + salt, and the group-call key
 * rotation with its 5-second grace period.
 */
#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>
#include <e2ekit/whatsapp.h>

#include "core/log.h"
#include "core/util.h"

static const char call_label[] = "e2ekit whatsapp call srtp v1";

int
e2e_wa_call_master(struct e2e_wa_call_master *m, const uint8_t secret[32], int profile,
                   const char *sender, const e2e_ctx *ctx)
{
    uint8_t info[sizeof call_label + 3 + E2E_WA_DEVICE_ID_MAX], okm[44];
    size_t sl = sender ? strlen(sender) : 0, kl, ml;
    if (profile == E2E_SRTP_AES_CM_128_HMAC_SHA1_80)
        kl = 16, ml = 14;
    else if (profile == E2E_SRTP_AEAD_AES_256_GCM)
        kl = 32, ml = 12;
    else
        return E2E_ERR_INVALID;
    if (!sender || sl == 0 || sl >= E2E_WA_DEVICE_ID_MAX)
        return E2E_ERR_INVALID;
    size_t n = 0;
    memcpy(info, call_label, sizeof call_label - 1);
    n = sizeof call_label - 1;
    info[n++] = 0;
    info[n++] = (uint8_t)profile;
    info[n++] = 0;
    memcpy(info + n, sender, sl);
    n += sl;
    E2E_TRY(e2e_hkdf_sha256(okm, kl + ml, NULL, 0, secret, 32, info, n));
    memset(m, 0, sizeof *m);
    m->profile = (uint32_t)profile;
    memcpy(m->master_key, okm, kl);
    m->master_key_len = kl;
    memcpy(m->master_salt, okm + kl, ml);
    m->master_salt_len = ml;
    e2e_wipe(okm, sizeof okm);
    E2E_TRACE(ctx, "whatsapp call: HKDF(secret, \"%s\" 00 %02x 00 \"%s\", %zu)", call_label,
              (unsigned)profile, sender, kl + ml);
    e2e_trace_hex(ctx, "  SRTP master key", m->master_key, kl);
    e2e_trace_hex(ctx, "  SRTP master salt", m->master_salt, ml);
    return E2E_OK;
}

int
e2e_wa_call_offer_new(struct e2e_wa_call_offer *o, const e2e_ctx *ctx, int profile,
                      const uint8_t call_id[16])
{
    if (!e2e_srtp_profile_name(profile))
        return E2E_ERR_INVALID;
    memset(o, 0, sizeof *o);
    memcpy(o->call_id, call_id, 16);
    o->profile = (uint32_t)profile;
    int rc = e2e_random(ctx, o->master_secret, 32);
    if (rc != E2E_OK)
        e2e_wipe(o, sizeof *o);
    else
        e2e_trace_hex(ctx, "whatsapp call: fresh master secret", o->master_secret, 32);
    return rc;
}

/* ---- group calls -------------------------------------------------------------------------- */

struct e2e_wa_group_call {
    char self[E2E_WA_DEVICE_ID_MAX];
    uint8_t call_id[16];
    char members[E2E_WA_GROUP_CALL_MAX][E2E_WA_DEVICE_ID_MAX];
    size_t n_members;
    char distributor[E2E_WA_DEVICE_ID_MAX];
    uint32_t generation; /* the server's membership generation */
    uint32_t epoch, prev_epoch;
    int has_key, has_prev;
    uint8_t key[32], prev_key[32];
    uint64_t prev_expires_ms;
};

static int
copy_id(char dst[E2E_WA_DEVICE_ID_MAX], const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n == 0 || n >= E2E_WA_DEVICE_ID_MAX)
        return E2E_ERR_INVALID;
    memcpy(dst, src, n + 1);
    return E2E_OK;
}

int
e2e_wa_group_call_new(e2e_wa_group_call **out, const char *self_device, const uint8_t call_id[16])
{
    e2e_wa_group_call *gc = calloc(1, sizeof *gc);
    if (!gc)
        return E2E_ERR_NOMEM;
    if (copy_id(gc->self, self_device) != E2E_OK) {
        free(gc);
        return E2E_ERR_INVALID;
    }
    memcpy(gc->call_id, call_id, 16);
    *out = gc;
    return E2E_OK;
}

void
e2e_wa_group_call_free(e2e_wa_group_call *gc)
{
    if (!gc)
        return;
    e2e_wipe(gc, sizeof *gc);
    free(gc);
}

int
e2e_wa_group_call_pick_distributor(size_t *index, size_t n, const e2e_ctx *ctx)
{
    uint8_t b[4];
    if (n == 0 || n > E2E_WA_GROUP_CALL_MAX)
        return E2E_ERR_INVALID;
    uint32_t limit = UINT32_MAX - UINT32_MAX % (uint32_t)n, v;
    do { /* rejection sampling: uniform below n */
        E2E_TRY(e2e_random(ctx, b, sizeof b));
        v = e2e_load32_be(b);
    } while (v >= limit);
    *index = v % n;
    return E2E_OK;
}

static int
is_member(const e2e_wa_group_call *gc, const char *dev)
{
    for (size_t i = 0; i < gc->n_members; i++)
        if (strcmp(gc->members[i], dev) == 0)
            return 1;
    return 0;
}

static void
forget_keys(e2e_wa_group_call *gc)
{
    e2e_wipe(gc->key, sizeof gc->key);
    e2e_wipe(gc->prev_key, sizeof gc->prev_key);
    gc->has_key = gc->has_prev = 0;
}

int
e2e_wa_group_call_membership(e2e_wa_group_call *gc, const char *const *devices, size_t n,
                             const char *distributor, uint32_t generation, struct e2e_report *why)
{
    char members[E2E_WA_GROUP_CALL_MAX][E2E_WA_DEVICE_ID_MAX], dist[E2E_WA_DEVICE_ID_MAX];
    int found = 0, self_in = 0;
    if (n > E2E_WA_GROUP_CALL_MAX)
        return E2E_ERR_LIMIT;
    E2E_TRY(copy_id(dist, distributor));
    for (size_t i = 0; i < n; i++) {
        E2E_TRY(copy_id(members[i], devices[i]));
        found |= strcmp(members[i], dist) == 0;
        self_in |= strcmp(members[i], gc->self) == 0;
    }
    if (!found)
        return E2E_ERR_INVALID;
    if (gc->n_members && generation <= gc->generation)
        return e2e_report_fail(why, E2E_ERR_PROTOCOL, "generation",
                               "membership generation %u is not newer than %u",
                               (unsigned)generation, (unsigned)gc->generation);
    gc->generation = generation;
    memcpy(gc->members, members, sizeof members);
    gc->n_members = n;
    memcpy(gc->distributor, dist, sizeof dist);
    if (!self_in)
        forget_keys(gc); /* we left the call: nothing to decrypt any more */
    return E2E_OK;
}

int
e2e_wa_group_call_is_distributor(const e2e_wa_group_call *gc)
{
    return gc->n_members > 0 && strcmp(gc->distributor, gc->self) == 0;
}

/* The current key becomes the previous one for 5 seconds; the new one is current. */
static void
install(e2e_wa_group_call *gc, const e2e_ctx *ctx, uint32_t epoch, const uint8_t key[32])
{
    if (gc->has_key) {
        memcpy(gc->prev_key, gc->key, 32);
        gc->prev_epoch = gc->epoch;
        gc->has_prev = 1;
        gc->prev_expires_ms = e2e_now_ms(ctx) + E2E_WA_GROUP_CALL_GRACE_MS;
    }
    memcpy(gc->key, key, 32);
    gc->epoch = epoch;
    gc->has_key = 1;
    E2E_TRACE(ctx, "whatsapp group call: key epoch %u installed, previous kept until %llu ms",
              (unsigned)epoch, (unsigned long long)gc->prev_expires_ms);
}

int
e2e_wa_group_call_rekey(e2e_wa_group_call *gc, const e2e_ctx *ctx, int profile,
                        struct e2e_wa_call_offer *offer, const char **recipients, size_t cap,
                        size_t *n_recipients)
{
    struct e2e_wa_call_offer o;
    if (!e2e_wa_group_call_is_distributor(gc) || (gc->has_key && gc->epoch >= gc->generation))
        return E2E_ERR_STATE;
    if (cap < gc->n_members - 1)
        return E2E_ERR_BUFFER;
    E2E_TRY(e2e_wa_call_offer_new(&o, ctx, profile, gc->call_id));
    o.epoch = gc->generation;
    install(gc, ctx, o.epoch, o.master_secret);
    size_t k = 0;
    for (size_t i = 0; i < gc->n_members; i++)
        if (strcmp(gc->members[i], gc->self) != 0)
            recipients[k++] = gc->members[i];
    *n_recipients = k;
    *offer = o;
    e2e_wipe(&o, sizeof o);
    return E2E_OK;
}

int
e2e_wa_group_call_accept(e2e_wa_group_call *gc, const e2e_ctx *ctx, const char *from,
                         const struct e2e_wa_call_offer *offer, struct e2e_report *why)
{
    if (!from || gc->n_members == 0 || strcmp(from, gc->distributor) != 0 ||
        !is_member(gc, gc->self))
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "distributor",
                               "'%s' is not the key distributor of the current membership",
                               from ? from : "(none)");
    if (!e2e_ct_equal(offer->call_id, gc->call_id, 16))
        return e2e_report_fail(why, E2E_ERR_UNTRUSTED, "call-id", "key for another call");
    if (offer->epoch < gc->generation || (gc->has_key && offer->epoch <= gc->epoch))
        return e2e_report_fail(why, E2E_ERR_DUPLICATE, "epoch",
                               "key epoch %u is not newer than the current %u",
                               (unsigned)offer->epoch, (unsigned)gc->epoch);
    if (offer->epoch > gc->generation)
        return e2e_report_fail(why, E2E_ERR_PROTOCOL, "epoch",
                               "key for membership generation %u, announced is %u",
                               (unsigned)offer->epoch, (unsigned)gc->generation);
    install(gc, ctx, offer->epoch, offer->master_secret);
    return E2E_OK;
}

int
e2e_wa_group_call_tick(e2e_wa_group_call *gc, const e2e_ctx *ctx)
{
    if (!gc->has_prev || e2e_now_ms(ctx) < gc->prev_expires_ms)
        return 0;
    e2e_wipe(gc->prev_key, sizeof gc->prev_key);
    gc->has_prev = 0;
    E2E_TRACE(ctx, "whatsapp group call: previous key (epoch %u) wiped", (unsigned)gc->prev_epoch);
    return 1;
}

int
e2e_wa_group_call_key(e2e_wa_group_call *gc, const e2e_ctx *ctx, uint32_t epoch, uint8_t secret[32],
                      struct e2e_report *why)
{
    (void)e2e_wa_group_call_tick(gc, ctx);
    if (gc->has_key && epoch == gc->epoch) {
        memcpy(secret, gc->key, 32);
        return E2E_OK;
    }
    if (gc->has_prev && epoch == gc->prev_epoch) {
        memcpy(secret, gc->prev_key, 32);
        return E2E_OK;
    }
    if (epoch == gc->prev_epoch && epoch < gc->epoch)
        return e2e_report_fail(why, E2E_ERR_NOT_FOUND, "expired",
                               "the key of epoch %u was wiped 5 s after the change",
                               (unsigned)epoch);
    return e2e_report_fail(why, E2E_ERR_NOT_FOUND, "epoch", "no key for epoch %u", (unsigned)epoch);
}

uint32_t
e2e_wa_group_call_epoch(const e2e_wa_group_call *gc)
{
    return gc->epoch;
}
