/*
 * Sending a one-to-one message (reference/viber.md 4): a fresh 128-bit key encrypts the body
 * once with Salsa20; each device session wraps that key under its own per-message key and
 * authenticates body and entry (docs/protocols/viber.md, "Message").
 */
#include "viber/viber_internal.h"

size_t
e2e_viber_msg_size(size_t pt_len, unsigned n_devices)
{
    return VB_COMMON_FIXED + pt_len + 2 + (size_t)n_devices * VB_ENTRY_START_LEN;
}

int
e2e_viber_msg_begin(struct e2e_viber_msg_builder *b, const e2e_ctx *ctx, const e2e_viber_device *me,
                    const uint8_t *pt, size_t pt_len, uint8_t *out, size_t cap)
{
    struct e2e_writer w;
    if (!b || !me || (!pt && pt_len) || !out)
        return E2E_ERR_INVALID;
    memset(b, 0, sizeof *b);
    b->err = E2E_ERR_STATE;
    if (!me->has_id)
        return E2E_ERR_STATE;
    if (pt_len > E2E_VIBER_MAX_BODY)
        return E2E_ERR_LIMIT;
    if (cap < VB_COMMON_FIXED + pt_len + 2)
        return E2E_ERR_BUFFER;
    E2E_TRY(e2e_random(ctx, b->msg_key, sizeof b->msg_key));
    e2e_writer_init(&w, out, cap);
    e2e_write_u8(&w, VB_VERSION);
    e2e_write_u8(&w, VB_T_MSG);
    e2e_write_bytes(&w, me->udid, 16);
    e2e_write_u32_be(&w, (uint32_t)pt_len);
    uint8_t *body = e2e_write_reserve(&w, pt_len);
    if (pt_len)
        e2e__vb_salsa_once(body, pt, pt_len, b->msg_key, sizeof b->msg_key);
    e2e_sha256(b->body_hash, out, w.len);
    b->count_pos = w.len;
    e2e_write_u16_be(&w, 0);
    b->out = out;
    b->cap = cap;
    b->len = w.len;
    memcpy(b->udid, me->udid, 16);
    memcpy(b->id_pub, me->id_pub, 32);
    b->err = E2E_OK;
    e2e_trace_hex(ctx, "viber: ephemeral 128-bit message key", b->msg_key, 16);
    e2e_trace_hex(ctx, "viber: body hash = SHA256(header || Salsa20 body)", b->body_hash, 32);
    return E2E_OK;
}

/* 1 if the builder already has an entry for udid. */
static int
has_entry(const struct e2e_viber_msg_builder *b, const uint8_t udid[16])
{
    size_t pos = b->count_pos + 2;
    for (unsigned i = 0; i < b->entries; i++) {
        if (memcmp(b->out + pos, udid, 16) == 0)
            return 1;
        pos += (b->out[pos + 16] & VB_F_START) ? VB_ENTRY_START_LEN : VB_ENTRY_LEN;
    }
    return 0;
}

static void
entry_write(struct e2e_viber_msg_builder *b, const struct vb_state *st, const uint8_t udid[16],
            const uint8_t wrap_key[32], const uint8_t mac_key[32])
{
    struct e2e_writer w;
    e2e_hmac_sha256_ctx mac;
    uint8_t *entry = b->out + b->len;
    e2e_writer_init(&w, entry, b->cap - b->len);
    e2e_write_bytes(&w, udid, 16);
    e2e_write_u8(&w, st->pending_start ? VB_F_START : 0);
    if (st->pending_start) {
        e2e_write_bytes(&w, st->base_id, 32);
        e2e_write_u32_be(&w, st->prekey_id);
        e2e_write_bytes(&w, st->base_hs, 32);
    }
    e2e_write_bytes(&w, st->own_pub, 32);
    e2e_write_u32_be(&w, st->prev_send_n);
    e2e_write_u32_be(&w, st->send_n);
    uint8_t *wrapped = e2e_write_reserve(&w, 16);
    e2e__vb_salsa_once(wrapped, b->msg_key, 16, wrap_key, 32);
    e2e_hmac_sha256_init(&mac, mac_key, 32);
    e2e_hmac_sha256_update(&mac, b->body_hash, 32);
    e2e_hmac_sha256_update(&mac, entry, w.len);
    e2e_hmac_sha256_final(&mac, e2e_write_reserve(&w, 32));
    b->len += w.len;
}

int
e2e_viber_msg_add(struct e2e_viber_msg_builder *b, const e2e_ctx *ctx, e2e_viber_session *s)
{
    struct vb_state st;
    uint8_t mk[32], next[32], wrap_key[32], mac_key[32];
    if (!b || !s)
        return E2E_ERR_INVALID;
    if (b->err)
        return E2E_ERR_STATE;
    if (!s->st[0].used)
        return E2E_ERR_NO_SESSION;
    if (b->entries == E2E_VIBER_MAX_DEVICES || s->st[0].send_n == UINT32_MAX)
        return E2E_ERR_LIMIT;
    if (has_entry(b, s->peer_udid))
        return E2E_ERR_PROTOCOL;
    size_t need = s->st[0].pending_start ? VB_ENTRY_START_LEN : VB_ENTRY_LEN;
    if (b->cap - b->len < need)
        return E2E_ERR_BUFFER;
    st = s->st[0];
    int rc = st.need_ratchet ? e2e__vb_state_send_ratchet(&st, ctx) : E2E_OK;
    if (rc == E2E_OK) {
        e2e_viber_chain_step(mk, next, st.send_ck);
        e2e_viber_wrap_keys(wrap_key, mac_key, mk);
        E2E_TRACE(ctx, "viber: wrap for one device, chain position %u", st.send_n);
        e2e_trace_hex(ctx, "viber: MsgKey = HMAC(CK, \"viber msgkey\")", mk, 32);
        e2e_trace_hex(ctx, "viber: WrapKey", wrap_key, 32);
        e2e_trace_hex(ctx, "viber: MacKey", mac_key, 32);
        entry_write(b, &st, s->peer_udid, wrap_key, mac_key);
        memcpy(st.send_ck, next, 32);
        st.send_n++;
        s->st[0] = st;
        b->entries++;
        e2e_store16_be(b->out + b->count_pos, (uint16_t)b->entries);
    }
    e2e_wipe(&st, sizeof st);
    e2e_wipe(mk, sizeof mk);
    e2e_wipe(next, sizeof next);
    e2e_wipe(wrap_key, sizeof wrap_key);
    e2e_wipe(mac_key, sizeof mac_key);
    return rc;
}

int
e2e_viber_msg_finish(struct e2e_viber_msg_builder *b, size_t *len)
{
    if (!b || !len)
        return E2E_ERR_INVALID;
    int rc = b->err ? b->err : (b->entries ? E2E_OK : E2E_ERR_NO_SESSION);
    *len = rc == E2E_OK ? b->len : 0;
    if (rc != E2E_OK && b->out)
        e2e_wipe(b->out, b->len);
    e2e_viber_msg_abort(b);
    return rc;
}

void
e2e_viber_msg_abort(struct e2e_viber_msg_builder *b)
{
    if (!b)
        return;
    e2e_wipe(b->msg_key, sizeof b->msg_key);
    e2e_wipe(b->body_hash, sizeof b->body_hash);
    b->err = E2E_ERR_STATE;
}

int
e2e_viber_encrypt(const e2e_ctx *ctx, const e2e_viber_device *me,
                  e2e_viber_session *const *sessions, size_t n, int *result, size_t *covered,
                  const uint8_t *pt, size_t pt_len, uint8_t *out, size_t cap, size_t *len)
{
    struct e2e_viber_msg_builder b;
    if (!covered || !len || (!sessions && n))
        return E2E_ERR_INVALID;
    *covered = 0;
    *len = 0;
    E2E_TRY(e2e_viber_msg_begin(&b, ctx, me, pt, pt_len, out, cap));
    for (size_t i = 0; i < n; i++) {
        int rc = sessions[i] ? e2e_viber_msg_add(&b, ctx, sessions[i]) : E2E_ERR_NO_SESSION;
        if (result)
            result[i] = rc;
        *covered += rc == E2E_OK;
    }
    return e2e_viber_msg_finish(&b, len);
}
