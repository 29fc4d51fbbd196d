/*
 * The one-to-one message wire format (docs/protocols/viber.md, "Message"): one body, one entry
 * per device. Parsing, and what the relay needs: the recipient list and the per-device split.
 *
 *   01 01 || sender udid (16) || BE32 L || body (L) || BE16 N || N entries
 *   entry: udid (16) || flags (1) || [ID (32) || BE32 PreKey id || HS (32)] || ratchet (32) ||
 *          BE32 PN || BE32 n || wrapped key (16) || tag (32)
 */
#include "viber/viber_internal.h"

static int
entry_read(struct e2e_reader *r, struct vb_entry *e, struct e2e_report *why)
{
    e->p = e2e_read_view(r, 16);
    e->flags = e2e_read_u8(r);
    if (e->flags & ~VB_F_START)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "flags",
                               "message: unknown entry flags 0x%02x", e->flags);
    e->id = e->hs = NULL;
    e->prekey_id = 0;
    if (e->flags & VB_F_START) {
        e->id = e2e_read_view(r, 32);
        e->prekey_id = e2e_read_u32_be(r);
        e->hs = e2e_read_view(r, 32);
    }
    e->ratchet = e2e_read_view(r, 32);
    e->pn = e2e_read_u32_be(r);
    e->n = e2e_read_u32_be(r);
    e->wrapped = e2e_read_view(r, 16);
    e->tag = e2e_read_view(r, 32);
    if (r->err)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "message: truncated entry");
    e->len = (e->flags & VB_F_START) ? VB_ENTRY_START_LEN : VB_ENTRY_LEN;
    e->mac_len = e->len - 32;
    return E2E_OK;
}

static int
entries_check(const struct vb_msg *m, struct e2e_report *why)
{
    struct e2e_reader r;
    struct vb_entry e;
    const uint8_t *seen[E2E_VIBER_MAX_DEVICES];
    e2e_reader_init(&r, m->entries, m->entries_len);
    for (unsigned i = 0; i < m->nentries; i++) {
        E2E_TRY(entry_read(&r, &e, why));
        for (unsigned k = 0; k < i; k++)
            if (memcmp(seen[k], e.p, 16) == 0)
                return e2e_report_fail(why, E2E_ERR_MALFORMED, "entries",
                                       "message: two entries for one device");
        seen[i] = e.p;
    }
    if (e2e_reader_done(&r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "message: trailing bytes");
    return E2E_OK;
}

int
e2e__vb_msg_parse(struct vb_msg *m, const uint8_t *msg, size_t len, struct e2e_report *why)
{
    struct e2e_reader r;
    e2e_reader_init(&r, msg, len);
    E2E_TRY(e2e__vb_read_header(&r, VB_T_MSG, "message", why));
    m->sender = e2e_read_view(&r, 16);
    uint32_t body_len = e2e_read_u32_be(&r);
    if (!r.err && body_len > E2E_VIBER_MAX_BODY)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "message: body of %u bytes",
                               body_len);
    m->body_len = body_len;
    m->body = e2e_read_view(&r, m->body_len);
    m->common_len = r.pos;
    m->nentries = e2e_read_u16_be(&r);
    if (r.err)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "length", "message: truncated");
    if (m->nentries == 0 || m->nentries > E2E_VIBER_MAX_DEVICES)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "entries", "message: %u device entries",
                               m->nentries);
    m->entries = msg + r.pos;
    m->entries_len = e2e_reader_left(&r);
    return entries_check(m, why);
}

int
e2e__vb_msg_find(const struct vb_msg *m, const uint8_t udid[16], struct vb_entry *e)
{
    struct e2e_reader r;
    e2e_reader_init(&r, m->entries, m->entries_len);
    for (unsigned i = 0; i < m->nentries; i++) {
        if (entry_read(&r, e, NULL) != E2E_OK)
            return 0;
        if (memcmp(e->p, udid, 16) == 0)
            return 1;
    }
    return 0;
}

int
e2e_viber_msg_peek(struct e2e_viber_msg_info *info, const uint8_t *msg, size_t len,
                   const uint8_t udid[16], struct e2e_report *why)
{
    struct vb_msg m;
    struct vb_entry e;
    e2e_report_clear(why);
    if (!info || (!msg && len))
        return E2E_ERR_INVALID;
    memset(info, 0, sizeof *info);
    E2E_TRY(e2e__vb_msg_parse(&m, msg, len, why));
    memcpy(info->sender_udid, m.sender, 16);
    info->body_len = m.body_len;
    info->entries = m.nentries;
    if (udid && e2e__vb_msg_find(&m, udid, &e)) {
        info->has_entry = 1;
        info->session_start = (e.flags & VB_F_START) != 0;
        if (info->session_start) {
            info->prekey_id = e.prekey_id;
            memcpy(info->sender_id, e.id, 32);
        }
    }
    return E2E_OK;
}

int
e2e_viber_msg_split(uint8_t *out, size_t cap, size_t *len, const uint8_t *msg, size_t msg_len,
                    const uint8_t udid[16], struct e2e_report *why)
{
    struct vb_msg m;
    struct vb_entry e;
    struct e2e_writer w;
    e2e_report_clear(why);
    if (!len || !udid || (!msg && msg_len))
        return E2E_ERR_INVALID;
    E2E_TRY(e2e__vb_msg_parse(&m, msg, msg_len, why));
    if (!e2e__vb_msg_find(&m, udid, &e))
        return e2e_report_fail(why, E2E_ERR_NOT_FOUND, "entry",
                               "the message carries no key for this device");
    E2E_TRY(e2e__vb_serialize_begin(&w, out, cap, m.common_len + 2 + e.len, len));
    e2e_write_bytes(&w, msg, m.common_len);
    e2e_write_u16_be(&w, 1);
    e2e_write_bytes(&w, e.p, e.len);
    return E2E_OK;
}

int
e2e_viber_msg_recipients(uint8_t (*udids)[16], size_t max, size_t *n, const uint8_t *msg,
                         size_t len, struct e2e_report *why)
{
    struct vb_msg m;
    struct vb_entry e;
    struct e2e_reader r;
    e2e_report_clear(why);
    if (!n || (!udids && max) || (!msg && len))
        return E2E_ERR_INVALID;
    E2E_TRY(e2e__vb_msg_parse(&m, msg, len, why));
    *n = m.nentries;
    if (m.nentries > max)
        return E2E_ERR_BUFFER;
    e2e_reader_init(&r, m.entries, m.entries_len);
    for (unsigned i = 0; i < m.nentries; i++) {
        E2E_TRY(entry_read(&r, &e, why));
        memcpy(udids[i], e.p, 16);
    }
    return E2E_OK;
}
