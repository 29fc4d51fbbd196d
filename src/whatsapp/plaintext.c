/*
 * The pairwise plaintext handed to the Signal session: a Message protobuf with WhatsApp's
 * public field numbers (wm proto/waE2E/WAWebProtobufsE2E.proto), device-consistency
 * information in messageContextInfo, an optional DeviceSentMessage wrapper for the sender's
 * own devices, then padding (reference §3, §4).
 */
#include <string.h>

#include <e2ekit/whatsapp.h>

#include "core/bytes.h"
#include "core/log.h"
#include "core/util.h"
#include "codec/pb.h"

/* Message field numbers (wm WAWebProtobufsE2E.proto). */
enum {
    MSG_CONVERSATION = 1,
    MSG_SKDM = 2,
    MSG_DOCUMENT = 7,
    MSG_AUDIO = 8,
    MSG_CALL = 10,
    MSG_DEVICE_SENT = 31,
    MSG_CONTEXT_INFO = 35,
};
/* Call.callKey = 1 (wm); 1001.. are e2ekit's additions, documented in whatsapp.md. */
enum { CALL_KEY = 1, CALL_ID = 1001, CALL_PROFILE = 1002, CALL_EPOCH = 1003 };
/* DeviceListMetadata (wm; Cobalt DeviceListMetadata.java). */
enum { DLM_SENDER_TS = 2, DLM_SENDER_IDX = 3, DLM_RECIPIENT_TS = 9, DLM_RECIPIENT_IDX = 10 };
#define DLM_VERSION 2 /* MessageContextInfo.deviceListMetadataVersion, as wm sends */

/* Field numbers of the two media messages we carry: {mimetype, fileSHA256, fileLength,
 * mediaKey, fileEncSHA256, directPath}. */
struct media_fields {
    uint32_t mimetype, sha, length, key, enc_sha, path;
};
static const struct media_fields document_fields = {2, 4, 5, 7, 9, 10};
static const struct media_fields audio_fields = {2, 3, 4, 7, 8, 9};

/* ---- device-consistency information ------------------------------------------------------- */

static void
copy_indexes(uint32_t *dst, size_t *n, const struct e2e_wa_devlist *l)
{
    *n = l->n_valid > E2E_WA_MAX_INDEXES ? E2E_WA_MAX_INDEXES : l->n_valid;
    memcpy(dst, l->valid, *n * sizeof dst[0]);
}

void
e2e_wa_dci_from_lists(struct e2e_wa_dci *dci, const struct e2e_wa_devlist *sender,
                      const struct e2e_wa_devlist *recipient)
{
    memset(dci, 0, sizeof *dci);
    dci->sender_timestamp = sender->timestamp;
    copy_indexes(dci->sender_indexes, &dci->n_sender, sender);
    if (recipient) {
        dci->recipient_timestamp = recipient->timestamp;
        copy_indexes(dci->recipient_indexes, &dci->n_recipient, recipient);
    }
}

static int
any_companion(const uint32_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (idx[i] != 0)
            return 1;
    return 0;
}

int
e2e_wa_dci_sender_has_companions(const struct e2e_wa_dci *dci)
{
    return any_companion(dci->sender_indexes, dci->n_sender);
}

int
e2e_wa_dci_recipient_has_companions(const struct e2e_wa_dci *dci)
{
    return any_companion(dci->recipient_indexes, dci->n_recipient);
}

static void
write_dci(struct e2e_writer *w, const struct e2e_wa_dci *dci)
{
    size_t ctx_mark = e2e__pb_begin(w, MSG_CONTEXT_INFO);
    size_t dlm = e2e__pb_begin(w, 1);
    e2e__pb_uint(w, DLM_SENDER_TS, dci->sender_timestamp);
    e2e__pb_packed(w, DLM_SENDER_IDX, dci->sender_indexes, dci->n_sender);
    if (dci->recipient_timestamp)
        e2e__pb_uint(w, DLM_RECIPIENT_TS, dci->recipient_timestamp);
    e2e__pb_packed(w, DLM_RECIPIENT_IDX, dci->recipient_indexes, dci->n_recipient);
    e2e__pb_end(w, dlm);
    e2e__pb_uint(w, 2, DLM_VERSION);
    e2e__pb_end(w, ctx_mark);
}

/* ---- content ------------------------------------------------------------------------------ */

static void
write_media(struct e2e_writer *w, const struct e2e_wa_media_ref *m)
{
    const struct media_fields *f = m->type == E2E_WA_MEDIA_AUDIO ? &audio_fields : &document_fields;
    size_t mark = e2e__pb_begin(w, m->type == E2E_WA_MEDIA_AUDIO ? MSG_AUDIO : MSG_DOCUMENT);
    /* fields in number order for each of the two layouts */
    if (m->mimetype)
        e2e__pb_bytes(w, f->mimetype, m->mimetype, m->mimetype_len);
    e2e__pb_bytes(w, f->sha, m->file_sha256, 32);
    e2e__pb_uint(w, f->length, m->file_length);
    e2e__pb_bytes(w, f->key, m->media_key, 32);
    e2e__pb_bytes(w, f->enc_sha, m->file_enc_sha256, 32);
    if (m->direct_path)
        e2e__pb_bytes(w, f->path, m->direct_path, m->direct_path_len);
    e2e__pb_end(w, mark);
}

static int
write_content(struct e2e_writer *w, const struct e2e_wa_content *c)
{
    size_t mark;
    switch (c->kind) {
    case E2E_WA_CONTENT_TEXT:
        e2e__pb_bytes(w, MSG_CONVERSATION, c->text, c->text_len);
        return E2E_OK;
    case E2E_WA_CONTENT_SKDM:
        mark = e2e__pb_begin(w, MSG_SKDM);
        e2e__pb_bytes(w, 1, c->group_id, c->group_id_len);
        e2e__pb_bytes(w, 2, c->skdm, c->skdm_len);
        e2e__pb_end(w, mark);
        return E2E_OK;
    case E2E_WA_CONTENT_MEDIA:
        if (c->media.type != E2E_WA_MEDIA_DOCUMENT && c->media.type != E2E_WA_MEDIA_AUDIO)
            return E2E_ERR_UNSUPPORTED;
        write_media(w, &c->media);
        return E2E_OK;
    case E2E_WA_CONTENT_CALL:
        if (!e2e_srtp_profile_name((int)c->call.profile))
            return E2E_ERR_INVALID;
        mark = e2e__pb_begin(w, MSG_CALL);
        e2e__pb_bytes(w, CALL_KEY, c->call.master_secret, 32);
        e2e__pb_bytes(w, CALL_ID, c->call.call_id, 16);
        e2e__pb_uint(w, CALL_PROFILE, c->call.profile);
        e2e__pb_uint(w, CALL_EPOCH, c->call.epoch);
        e2e__pb_end(w, mark);
        return E2E_OK;
    default:
        return E2E_ERR_INVALID;
    }
}

static int
write_message(struct e2e_writer *w, const struct e2e_wa_content *c, const struct e2e_wa_dci *dci,
              const char *sent_to)
{
    if (sent_to) {
        size_t dsm = e2e__pb_begin(w, MSG_DEVICE_SENT);
        e2e__pb_bytes(w, 1, sent_to, strlen(sent_to));
        size_t inner = e2e__pb_begin(w, 2);
        E2E_TRY(write_content(w, c));
        e2e__pb_end(w, inner);
        e2e__pb_end(w, dsm);
    } else {
        E2E_TRY(write_content(w, c));
    }
    if (dci)
        write_dci(w, dci);
    return w->err;
}

int
e2e_wa_plaintext_build_n(uint8_t *out, size_t cap, size_t *len,
                         const struct e2e_wa_content *content, const struct e2e_wa_dci *dci,
                         const char *sent_to, unsigned pad)
{
    struct e2e_writer w;
    if (pad < 1 || pad > 15 ||
        (dci && (dci->n_sender > E2E_WA_MAX_INDEXES || dci->n_recipient > E2E_WA_MAX_INDEXES)))
        return E2E_ERR_INVALID;
    e2e_writer_init(&w, out, cap);
    int rc = write_message(&w, content, dci, sent_to);
    if (rc == E2E_OK)
        rc = e2e_wa_pad_n(out, cap, len, out, w.len, pad);
    if (rc != E2E_OK && cap)
        e2e_wipe(out, cap); /* may hold a partial call key */
    return rc;
}

int
e2e_wa_plaintext_build(uint8_t *out, size_t cap, size_t *len, const e2e_ctx *ctx,
                       const struct e2e_wa_content *content, const struct e2e_wa_dci *dci,
                       const char *sent_to)
{
    uint8_t r;
    E2E_TRY(e2e_random(ctx, &r, 1));
    unsigned pad = r & 0x0f;
    int rc = e2e_wa_plaintext_build_n(out, cap, len, content, dci, sent_to, pad ? pad : 15);
    if (rc == E2E_OK)
        E2E_TRACE(ctx, "whatsapp: pairwise plaintext of %zu bytes (padding %u)", *len,
                  pad ? pad : 15);
    return rc;
}

/* ---- parsing ------------------------------------------------------------------------------ */

static int
fixed_bytes(const struct e2e__pb_field *f, uint8_t *out, size_t n)
{
    if (f->wt != E2E__PB_LEN || f->n != n)
        return E2E_ERR_MALFORMED;
    memcpy(out, f->p, n);
    return E2E_OK;
}

static int
view(const struct e2e__pb_field *f, const char **p, size_t *n)
{
    if (f->wt != E2E__PB_LEN)
        return E2E_ERR_MALFORMED;
    *p = (const char *)f->p;
    *n = f->n;
    return E2E_OK;
}

static int
parse_media(struct e2e_wa_media_ref *m, const struct e2e__pb_field *outer, int type)
{
    const struct media_fields *mf = type == E2E_WA_MEDIA_AUDIO ? &audio_fields : &document_fields;
    struct e2e_reader r;
    struct e2e__pb_field f;
    int rc, bad = 0;
    unsigned seen = 0;
    memset(m, 0, sizeof *m);
    m->type = type;
    e2e_reader_init(&r, outer->p, outer->n);
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        if (f.num == mf->mimetype)
            bad |= view(&f, &m->mimetype, &m->mimetype_len);
        else if (f.num == mf->sha)
            bad |= fixed_bytes(&f, m->file_sha256, 32), seen |= 1;
        else if (f.num == mf->length)
            bad |= f.wt != E2E__PB_VARINT, m->file_length = f.v;
        else if (f.num == mf->key)
            bad |= fixed_bytes(&f, m->media_key, 32), seen |= 2;
        else if (f.num == mf->enc_sha)
            bad |= fixed_bytes(&f, m->file_enc_sha256, 32), seen |= 4;
        else if (f.num == mf->path)
            bad |= view(&f, &m->direct_path, &m->direct_path_len);
    }
    return rc < 0 || bad || seen != 7 ? E2E_ERR_MALFORMED : E2E_OK;
}

static int
parse_call(struct e2e_wa_call_offer *c, const struct e2e__pb_field *outer)
{
    struct e2e_reader r;
    struct e2e__pb_field f;
    int rc, bad = 0;
    unsigned seen = 0;
    memset(c, 0, sizeof *c);
    e2e_reader_init(&r, outer->p, outer->n);
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        if (f.num == CALL_KEY)
            bad |= fixed_bytes(&f, c->master_secret, 32), seen |= 1;
        else if (f.num == CALL_ID)
            bad |= fixed_bytes(&f, c->call_id, 16), seen |= 2;
        else if (f.num == CALL_PROFILE)
            bad |= f.wt != E2E__PB_VARINT || f.v > 255, c->profile = (uint32_t)f.v, seen |= 4;
        else if (f.num == CALL_EPOCH)
            bad |= f.wt != E2E__PB_VARINT || f.v > UINT32_MAX, c->epoch = (uint32_t)f.v;
    }
    if (rc < 0 || bad || seen != 7) {
        e2e_wipe(c, sizeof *c);
        return E2E_ERR_MALFORMED;
    }
    return e2e_srtp_profile_name((int)c->profile) ? E2E_OK : E2E_ERR_UNSUPPORTED;
}

static int
parse_skdm(struct e2e_wa_content *c, const struct e2e__pb_field *outer)
{
    struct e2e_reader r;
    struct e2e__pb_field f;
    int rc, bad = 0;
    e2e_reader_init(&r, outer->p, outer->n);
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        if (f.num == 1)
            bad |= view(&f, &c->group_id, &c->group_id_len);
        else if (f.num == 2)
            bad |= view(&f, (const char **)&c->skdm, &c->skdm_len);
    }
    return rc < 0 || bad || !c->skdm ? E2E_ERR_MALFORMED : E2E_OK;
}

static int
parse_dci(struct e2e_wa_dci *d, const struct e2e__pb_field *ctxinfo, int *has)
{
    struct e2e_reader r, r2;
    struct e2e__pb_field f, g;
    int rc, rc2, bad = 0;
    e2e_reader_init(&r, ctxinfo->p, ctxinfo->n);
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        if (f.num != 1)
            continue;
        if (f.wt != E2E__PB_LEN)
            return E2E_ERR_MALFORMED;
        memset(d, 0, sizeof *d);
        *has = 1;
        e2e_reader_init(&r2, f.p, f.n);
        while ((rc2 = e2e__pb_next(&r2, &g)) == 1) {
            if (g.num == DLM_SENDER_TS)
                bad |= g.wt != E2E__PB_VARINT, d->sender_timestamp = g.v;
            else if (g.num == DLM_RECIPIENT_TS)
                bad |= g.wt != E2E__PB_VARINT, d->recipient_timestamp = g.v;
            else if (g.num == DLM_SENDER_IDX)
                bad |= e2e__pb_packed_u32(&g, d->sender_indexes, E2E_WA_MAX_INDEXES,
                                          &d->n_sender) != 0;
            else if (g.num == DLM_RECIPIENT_IDX)
                bad |= e2e__pb_packed_u32(&g, d->recipient_indexes, E2E_WA_MAX_INDEXES,
                                          &d->n_recipient) != 0;
        }
        if (rc2 < 0 || bad)
            return E2E_ERR_MALFORMED;
    }
    return rc < 0 ? E2E_ERR_MALFORMED : E2E_OK;
}

struct msg_fields {
    struct e2e__pb_field content[5]; /* conversation, skdm, document, audio, call */
    unsigned nkinds;
    int kind_index;
    struct e2e__pb_field dsm, ctxinfo;
    int has_dsm, has_ctx;
};

static int
scan_message(struct msg_fields *m, const uint8_t *p, size_t n)
{
    static const uint32_t kinds[5] = {MSG_CONVERSATION, MSG_SKDM, MSG_DOCUMENT, MSG_AUDIO,
                                      MSG_CALL};
    struct e2e_reader r;
    struct e2e__pb_field f;
    int rc;
    memset(m, 0, sizeof *m);
    m->kind_index = -1;
    e2e_reader_init(&r, p, n);
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        if (f.wt != E2E__PB_LEN)
            continue; /* every field we read here is length-delimited */
        for (int k = 0; k < 5; k++) {
            if (f.num != kinds[k])
                continue;
            if (m->kind_index != k)
                m->nkinds++;
            m->kind_index = k;
            m->content[k] = f;
        }
        if (f.num == MSG_DEVICE_SENT)
            m->dsm = f, m->has_dsm = 1;
        if (f.num == MSG_CONTEXT_INFO)
            m->ctxinfo = f, m->has_ctx = 1;
    }
    return rc < 0 ? E2E_ERR_MALFORMED : E2E_OK;
}

static int
parse_content(struct e2e_wa_content *c, const struct msg_fields *m, struct e2e_report *why)
{
    memset(c, 0, sizeof *c);
    if (m->nkinds == 0)
        return e2e_report_fail(why, E2E_ERR_UNSUPPORTED, "content",
                               "the message carries no content this library knows");
    if (m->nkinds > 1)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "content",
                               "the message carries more than one kind of content");
    const struct e2e__pb_field *f = &m->content[m->kind_index];
    int rc = E2E_OK;
    switch (m->kind_index) {
    case 0:
        c->kind = E2E_WA_CONTENT_TEXT;
        c->text = f->p;
        c->text_len = f->n;
        break;
    case 1:
        c->kind = E2E_WA_CONTENT_SKDM;
        rc = parse_skdm(c, f);
        break;
    case 2:
    case 3:
        c->kind = E2E_WA_CONTENT_MEDIA;
        rc = parse_media(&c->media, f,
                         m->kind_index == 3 ? E2E_WA_MEDIA_AUDIO : E2E_WA_MEDIA_DOCUMENT);
        break;
    default:
        c->kind = E2E_WA_CONTENT_CALL;
        rc = parse_call(&c->call, f);
        break;
    }
    if (rc != E2E_OK)
        return e2e_report_fail(why, rc, m->kind_index == 4 ? "call" : "content",
                               "the %s content does not parse",
                               m->kind_index == 4 ? "call" : "message");
    return E2E_OK;
}

/* DeviceSentMessage{destinationJID = 1, message = 2}: the inner message becomes m. */
static int
unwrap_device_sent(struct e2e_wa_plaintext *pt, struct msg_fields *m, struct e2e_report *why)
{
    struct e2e_reader r;
    struct e2e__pb_field f, inner = {0};
    int rc, has_inner = 0;
    e2e_reader_init(&r, m->dsm.p, m->dsm.n);
    while ((rc = e2e__pb_next(&r, &f)) == 1) {
        if (f.num == 1 && f.wt == E2E__PB_LEN)
            pt->sent_to = (const char *)f.p, pt->sent_to_len = f.n;
        else if (f.num == 2 && f.wt == E2E__PB_LEN)
            inner = f, has_inner = 1;
    }
    struct msg_fields im;
    if (rc < 0 || !has_inner || !pt->sent_to || m->nkinds ||
        scan_message(&im, inner.p, inner.n) != E2E_OK || im.has_dsm)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "device-sent",
                               "DeviceSentMessage does not parse");
    if (!m->has_ctx && im.has_ctx)
        m->ctxinfo = im.ctxinfo, m->has_ctx = 1;
    memcpy(m->content, im.content, sizeof m->content);
    m->nkinds = im.nkinds;
    m->kind_index = im.kind_index;
    return E2E_OK;
}

int
e2e_wa_plaintext_parse(struct e2e_wa_plaintext *pt, const uint8_t *p, size_t n,
                       struct e2e_report *why)
{
    struct e2e_wa_plaintext t;
    struct msg_fields m;
    size_t len;
    memset(&t, 0, sizeof t);
    E2E_TRY(e2e_wa_unpad(&len, p, n, why));
    if (scan_message(&m, p, len) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "protobuf",
                               "the plaintext is not a Message protobuf");
    if (m.has_dsm)
        E2E_TRY(unwrap_device_sent(&t, &m, why));
    E2E_TRY(parse_content(&t.content, &m, why));
    if (m.has_ctx && parse_dci(&t.dci, &m.ctxinfo, &t.has_dci) != E2E_OK) {
        e2e_wipe(&t, sizeof t);
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "device-consistency",
                               "DeviceListMetadata does not parse");
    }
    *pt = t;
    e2e_wipe(&t, sizeof t);
    return E2E_OK;
}
