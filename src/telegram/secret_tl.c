/*
 * The secret-chat TL schema (tdlib td/generate/scheme/secret_api.tl, layers 46..144;
 * reference/telegram.md 4.2). Parsing is total: every constructor of the DecryptedMessage,
 * DecryptedMessageMedia, DocumentAttribute, MessageEntity, PhotoSize, FileLocation,
 * InputStickerSet, SendMessageAction and DecryptedMessageAction types a layer-46+ peer may send
 * is read field by field with every length bounded; an unknown constructor fails the parse
 * (TL has no length prefix to skip by). Writing emits decryptedMessage (layer 73+) and
 * decryptedMessageService with the media form the layer asks for.
 */
#include <string.h>

#include <e2ekit/telegram.h>

#include "codec/tl.h"
#include "core/log.h"
#include "core/util.h"
#include "telegram/internal.h"

/* Where decoded fields go. Pointers may be to scratch structs when only checking. */
struct dec {
    struct e2e_reader *r;
    struct e2e_tg_message *m;
    struct e2e_tg_action *a;
    int64_t *ids;
    size_t cap_ids;
};

static void
fail(struct e2e_reader *r)
{
    e2e_reader_fail(r, E2E_ERR_MALFORMED);
}

static const char *
read_str(struct e2e_reader *r, size_t *n)
{
    return (const char *)e2e__tl_read_bytes(r, n, E2E_TG_MAX_TL);
}

static void
skip_str(struct e2e_reader *r)
{
    size_t n;
    (void)e2e__tl_read_bytes(r, &n, E2E_TG_MAX_TL);
}

/* key:bytes or iv:bytes of a file: exactly 32 bytes. */
static void
read_32(struct e2e_reader *r, uint8_t out[32])
{
    size_t n;
    const uint8_t *p = e2e__tl_read_bytes(r, &n, 32);
    if (p && n == 32)
        memcpy(out, p, 32);
    else
        fail(r);
}

/* ---- small types --------------------------------------------------------------------------- */

static void
read_file_location(struct e2e_reader *r)
{
    uint32_t id = e2e__tl_read_id(r);
    if (id == 0x53d69076u) /* fileLocation dc_id volume_id local_id secret */
        (void)e2e__tl_read_int(r);
    else if (id != 0x7c596b46u) /* fileLocationUnavailable volume_id local_id secret */
        fail(r);
    e2e_read_skip(r, 8 + 4 + 8);
}

static void
read_photo_size(struct e2e_reader *r)
{
    uint32_t id = e2e__tl_read_id(r);
    skip_str(r);           /* type */
    if (id == 0x0e17e23cu) /* photoSizeEmpty */
        return;
    if (id != 0x77bfb61bu && id != 0xe9a734fau) {
        fail(r);
        return;
    }
    read_file_location(r);
    e2e_read_skip(r, 8); /* w h */
    if (id == 0x77bfb61bu)
        e2e_read_skip(r, 4); /* size */
    else
        skip_str(r); /* photoCachedSize bytes */
}

static void
read_sticker_set(struct e2e_reader *r)
{
    uint32_t id = e2e__tl_read_id(r);
    if (id == 0x861cc8a0u) /* inputStickerSetShortName */
        skip_str(r);
    else if (id != 0xffb62b95u) /* inputStickerSetEmpty */
        fail(r);
}

static void
read_audio_attribute(struct e2e_reader *r)
{
    uint32_t flags = e2e_read_u32_le(r);
    e2e_read_skip(r, 4); /* duration */
    if (flags & 1)
        skip_str(r); /* title */
    if (flags & 2)
        skip_str(r); /* performer */
    if (flags & 4)
        skip_str(r); /* waveform */
}

static void
read_attribute(struct e2e_reader *r, struct e2e_tg_document *d)
{
    switch (e2e__tl_read_id(r)) {
    case 0x15590068u: /* documentAttributeFilename */
        d->file_name = read_str(r, &d->file_name_len);
        break;
    case 0x6c37c15cu: /* documentAttributeImageSize w h */
        d->w = e2e__tl_read_int(r);
        d->h = e2e__tl_read_int(r);
        break;
    case 0x11b58939u: /* documentAttributeAnimated */
    case 0xfb0a5727u: /* documentAttributeSticker23 */
        break;
    case 0x5910cccbu: /* documentAttributeVideo (old) duration w h */
        e2e_read_skip(r, 12);
        break;
    case 0x0ef02ce6u: /* documentAttributeVideo66 flags duration w h */
        e2e_read_skip(r, 16);
        break;
    case 0x051448e5u: /* documentAttributeAudio23 duration */
        e2e_read_skip(r, 4);
        break;
    case 0xded218e0u: /* documentAttributeAudio45 duration title performer */
        e2e_read_skip(r, 4);
        skip_str(r);
        skip_str(r);
        break;
    case 0x9852f9c6u: /* documentAttributeAudio */
        read_audio_attribute(r);
        break;
    case 0x3a556302u: /* documentAttributeSticker alt stickerset */
        skip_str(r);
        read_sticker_set(r);
        break;
    default:
        fail(r);
    }
}

static void
read_attributes(struct e2e_reader *r, struct e2e_tg_document *d)
{
    size_t n = e2e__tl_read_vector(r, 4, E2E_TG_MAX_TL);
    for (size_t i = 0; i < n && !r->err; i++)
        read_attribute(r, d);
}

static int
entity_extra(uint32_t id)
{
    switch (id) {
    case 0xbb92ba95u:
    case 0xfa04579du:
    case 0x6f635b0du:
    case 0x6cef8ac7u:
    case 0x6ed02538u:
    case 0x64e475c2u:
    case 0xbd610bc9u:
    case 0x826f8b60u:
    case 0x28a20571u:
    case 0x9b69e34bu:
    case 0x4c4e743fu:
    case 0x761e6af4u:
    case 0x9c4e7e8bu:
    case 0xbf0693d4u:
    case 0x020df5d0u:
    case 0x32ca960fu:
        return 0;     /* offset length */
    case 0x73924be0u: /* pre: language */
    case 0x76a6d327u: /* textUrl: url */
        return 's';
    case 0x352dca58u: /* mentionName: user_id */
        return 'i';
    case 0xc8cf05f8u: /* customEmoji: document_id */
        return 'l';
    default:
        return -1;
    }
}

static size_t
read_entities(struct e2e_reader *r)
{
    size_t n = e2e__tl_read_vector(r, 12, E2E_TG_MAX_TL);
    for (size_t i = 0; i < n && !r->err; i++) {
        int extra = entity_extra(e2e__tl_read_id(r));
        e2e_read_skip(r, 8); /* offset length */
        if (extra == 's')
            skip_str(r);
        else if (extra == 'i')
            e2e_read_skip(r, 4);
        else if (extra == 'l')
            e2e_read_skip(r, 8);
        else if (extra < 0)
            fail(r);
    }
    return n;
}

/* ---- media --------------------------------------------------------------------------------- */

static void
read_thumb(struct e2e_reader *r, struct e2e_tg_document *d)
{
    d->thumb = e2e__tl_read_bytes(r, &d->thumb_len, E2E_TG_MAX_TL);
    d->thumb_w = e2e__tl_read_int(r);
    d->thumb_h = e2e__tl_read_int(r);
}

static void
read_document(struct e2e_reader *r, struct e2e_tg_document *d, int big)
{
    read_thumb(r, d);
    d->mime_type = read_str(r, &d->mime_type_len);
    d->size = big ? e2e__tl_read_long(r) : e2e__tl_read_int(r);
    read_32(r, d->file.key);
    read_32(r, d->file.iv);
    read_attributes(r, d);
    d->caption = read_str(r, &d->caption_len);
}

static void
read_photo(struct e2e_reader *r, struct e2e_tg_document *d)
{
    read_thumb(r, d);
    d->w = e2e__tl_read_int(r);
    d->h = e2e__tl_read_int(r);
    d->size = e2e__tl_read_int(r);
    read_32(r, d->file.key);
    read_32(r, d->file.iv);
    d->caption = read_str(r, &d->caption_len);
}

static void
read_video(struct e2e_reader *r, struct e2e_tg_document *d)
{
    read_thumb(r, d);
    d->duration = e2e__tl_read_int(r);
    d->mime_type = read_str(r, &d->mime_type_len);
    d->w = e2e__tl_read_int(r);
    d->h = e2e__tl_read_int(r);
    d->size = e2e__tl_read_int(r);
    read_32(r, d->file.key);
    read_32(r, d->file.iv);
    d->caption = read_str(r, &d->caption_len);
}

static void
read_external(struct e2e_reader *r, struct e2e_tg_document *d)
{
    e2e_read_skip(r, 8 + 8 + 4); /* id access_hash date */
    d->mime_type = read_str(r, &d->mime_type_len);
    d->size = e2e__tl_read_int(r);
    read_photo_size(r);
    e2e_read_skip(r, 4); /* dc_id */
    read_attributes(r, d);
}

static void
read_media(struct e2e_reader *r, struct e2e_tg_message *m)
{
    struct e2e_tg_document *d = &m->document;
    m->media = e2e__tl_read_id(r);
    switch (m->media) {
    case E2E_TG_MEDIA_EMPTY:
        break;
    case E2E_TG_MEDIA_DOCUMENT:
    case E2E_TG_MEDIA_DOCUMENT46:
        read_document(r, d, m->media == E2E_TG_MEDIA_DOCUMENT);
        break;
    case E2E_TG_MEDIA_PHOTO:
        read_photo(r, d);
        break;
    case E2E_TG_MEDIA_VIDEO:
        read_video(r, d);
        break;
    case E2E_TG_MEDIA_GEO:
        e2e_read_skip(r, 16);
        break;
    case E2E_TG_MEDIA_CONTACT:
        skip_str(r);
        skip_str(r);
        skip_str(r);
        e2e_read_skip(r, 4);
        break;
    case E2E_TG_MEDIA_VENUE:
        e2e_read_skip(r, 16);
        for (int i = 0; i < 4; i++)
            skip_str(r);
        break;
    case E2E_TG_MEDIA_WEBPAGE:
        skip_str(r);
        break;
    case E2E_TG_MEDIA_EXTERNAL:
        read_external(r, d);
        break;
    default:
        fail(r);
    }
}

/* ---- messages and actions ------------------------------------------------------------------ */

static void
read_message(struct dec *x, int with_grouped)
{
    struct e2e_reader *r = x->r;
    struct e2e_tg_message *m = x->m;
    uint32_t flags = e2e_read_u32_le(r);
    m->silent = with_grouped && (flags >> 5 & 1);
    m->random_id = e2e__tl_read_long(r);
    m->ttl = e2e__tl_read_int(r);
    m->text = read_str(r, &m->text_len);
    if (flags >> 9 & 1)
        read_media(r, m);
    if (flags >> 7 & 1)
        m->n_entities = read_entities(r);
    if (flags >> 11 & 1)
        m->via_bot_name = read_str(r, &m->via_bot_name_len);
    if (flags >> 3 & 1) {
        m->has_reply_to = 1;
        m->reply_to_random_id = e2e__tl_read_long(r);
    }
    if (with_grouped && (flags >> 17 & 1)) {
        m->has_grouped_id = 1;
        m->grouped_id = e2e__tl_read_long(r);
    }
}

static int
known_typing(uint32_t id)
{
    static const uint32_t ids[] = {0x16bf744eu, 0xfd5ec8f5u, 0xa187d66fu, 0x92042ff7u,
                                   0xd52f73f7u, 0xe6ac8a6fu, 0x990a3c1au, 0x8faee98eu,
                                   0x176f8ba1u, 0x628cbc6fu, 0x88f27fbcu, 0xbb718624u};
    for (size_t i = 0; i < E2E_ARRAY_LEN(ids); i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

static void
read_random_ids(struct dec *x)
{
    struct e2e_reader *r = x->r;
    size_t n = e2e__tl_read_vector(r, 8, E2E_TG_MAX_TL / 8);
    for (size_t i = 0; i < n && !r->err; i++) {
        int64_t v = e2e__tl_read_long(r);
        if (i < x->cap_ids)
            x->ids[i] = v;
    }
    x->a->random_ids = x->cap_ids >= n ? x->ids : NULL;
    x->a->n_random_ids = n;
}

static void
read_key_action(struct e2e_reader *r, struct e2e_tg_action *a)
{
    a->exchange_id = e2e__tl_read_long(r);
    if (a->type == E2E_TG_ACTION_REQUEST_KEY || a->type == E2E_TG_ACTION_ACCEPT_KEY)
        a->g = e2e__tl_read_bytes(r, &a->g_len, E2E_TG_KEY_BYTES);
    if (a->type == E2E_TG_ACTION_ACCEPT_KEY || a->type == E2E_TG_ACTION_COMMIT_KEY)
        a->key_fingerprint = e2e__tl_read_long(r);
}

static void
read_action(struct dec *x)
{
    struct e2e_reader *r = x->r;
    struct e2e_tg_action *a = x->a;
    a->type = e2e__tl_read_id(r);
    switch (a->type) {
    case E2E_TG_ACTION_SET_TTL:
        a->ttl_seconds = e2e__tl_read_int(r);
        break;
    case E2E_TG_ACTION_READ:
    case E2E_TG_ACTION_DELETE:
    case E2E_TG_ACTION_SCREENSHOT:
        read_random_ids(x);
        break;
    case E2E_TG_ACTION_FLUSH:
    case E2E_TG_ACTION_NOOP:
        break;
    case E2E_TG_ACTION_RESEND:
        a->start_seq_no = e2e__tl_read_int(r);
        a->end_seq_no = e2e__tl_read_int(r);
        break;
    case E2E_TG_ACTION_NOTIFY_LAYER:
        a->layer = e2e__tl_read_int(r);
        break;
    case E2E_TG_ACTION_TYPING:
        a->typing = e2e__tl_read_id(r);
        if (!known_typing(a->typing))
            fail(r);
        break;
    case E2E_TG_ACTION_REQUEST_KEY:
    case E2E_TG_ACTION_ACCEPT_KEY:
    case E2E_TG_ACTION_ABORT_KEY:
    case E2E_TG_ACTION_COMMIT_KEY:
        read_key_action(r, a);
        break;
    default:
        fail(r);
    }
}

static void
read_inner(struct dec *x, uint32_t kind)
{
    switch (kind) {
    case E2E_TG_ID_MESSAGE:
    case E2E_TG_ID_MESSAGE46:
        read_message(x, kind == E2E_TG_ID_MESSAGE);
        break;
    case E2E_TG_ID_SERVICE8:
        x->a->random_id = e2e__tl_read_long(x->r);
        skip_str(x->r); /* random_bytes */
        read_action(x);
        break;
    case E2E_TG_ID_SERVICE:
        x->a->random_id = e2e__tl_read_long(x->r);
        read_action(x);
        break;
    default:
        fail(x->r);
    }
}

int
e2e__tg_parse_layer(struct e2e__tg_layer *l, const uint8_t *tl, size_t n, struct e2e_report *why)
{
    struct e2e_reader r;
    struct e2e_tg_message m;
    struct e2e_tg_action a;
    struct dec x = {&r, &m, &a, NULL, 0};
    memset(l, 0, sizeof *l);
    memset(&m, 0, sizeof m);
    memset(&a, 0, sizeof a);
    e2e_reader_init(&r, tl, n);
    uint32_t top = e2e__tl_read_id(&r);
    if (!r.err && top != E2E_TG_ID_MESSAGE_LAYER)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "tl",
                               "top-level constructor %08x is not decryptedMessageLayer", top);
    l->random_bytes = e2e__tl_read_bytes(&r, &l->random_len, E2E_TG_MAX_TL);
    l->layer = e2e__tl_read_int(&r);
    l->in_seq_no = e2e__tl_read_int(&r);
    l->out_seq_no = e2e__tl_read_int(&r);
    size_t start = r.pos;
    l->kind = e2e__tl_read_id(&r);
    read_inner(&x, l->kind);
    if (r.err || e2e_reader_done(&r) != E2E_OK)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "tl",
                               "decryptedMessageLayer does not parse to exactly its %zu bytes "
                               "(inner constructor %08x)",
                               n, l->kind);
    if (l->random_len < 15)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "tl",
                               "random_bytes has %zu bytes; the spec requires at least 15",
                               l->random_len);
    l->msg = tl + start;
    l->msg_len = n - start;
    return E2E_OK;
}

int
e2e__tg_decode_inner(uint32_t kind, const uint8_t *msg, size_t msg_len, struct e2e_tg_message *m,
                     struct e2e_tg_action *a, int64_t *random_id, int64_t *ids, size_t cap_ids)
{
    struct e2e_reader r;
    struct dec x = {&r, m, a, ids, cap_ids};
    memset(m, 0, sizeof *m);
    memset(a, 0, sizeof *a);
    e2e_reader_init(&r, msg, msg_len);
    if (e2e__tl_read_id(&r) != kind)
        return E2E_ERR_MALFORMED;
    read_inner(&x, kind);
    *random_id =
        kind == E2E_TG_ID_SERVICE || kind == E2E_TG_ID_SERVICE8 ? a->random_id : m->random_id;
    return e2e_reader_done(&r);
}

size_t
e2e__tg_inner_random_ids(uint32_t kind, const uint8_t *msg, size_t msg_len)
{
    struct e2e_tg_message m;
    struct e2e_tg_action a;
    int64_t rid;
    if (kind != E2E_TG_ID_SERVICE && kind != E2E_TG_ID_SERVICE8)
        return 0;
    if (e2e__tg_decode_inner(kind, msg, msg_len, &m, &a, &rid, NULL, 0) != E2E_OK)
        return 0;
    return a.n_random_ids;
}

/* ---- writing ------------------------------------------------------------------------------- */

static void
write_document(struct e2e_writer *w, const struct e2e_tg_document *d, int32_t layer)
{
    int big = layer >= E2E_TG_LAYER_BIG_FILES;
    e2e__tl_write_id(w, big ? E2E_TG_MEDIA_DOCUMENT : E2E_TG_MEDIA_DOCUMENT46);
    e2e__tl_write_bytes(w, d->thumb, d->thumb_len);
    e2e__tl_write_int(w, d->thumb_w);
    e2e__tl_write_int(w, d->thumb_h);
    e2e__tl_write_string(w, d->mime_type, d->mime_type_len);
    if (big)
        e2e__tl_write_long(w, d->size);
    else
        e2e__tl_write_int(w, (int32_t)d->size);
    e2e__tl_write_bytes(w, d->file.key, 32);
    e2e__tl_write_bytes(w, d->file.iv, 32);
    e2e__tl_write_id(w, E2E_TL_VECTOR);
    e2e__tl_write_int(w, d->file_name ? 1 : 0);
    if (d->file_name) {
        e2e__tl_write_id(w, 0x15590068u);
        e2e__tl_write_string(w, d->file_name, d->file_name_len);
    }
    e2e__tl_write_string(w, d->caption, d->caption_len);
}

static void
write_layer_head(struct e2e_writer *w, const uint8_t random_bytes[31], int32_t layer,
                 int32_t in_seq_no, int32_t out_seq_no)
{
    e2e__tl_write_id(w, E2E_TG_ID_MESSAGE_LAYER);
    e2e__tl_write_bytes(w, random_bytes, 31);
    e2e__tl_write_int(w, layer);
    e2e__tl_write_int(w, in_seq_no);
    e2e__tl_write_int(w, out_seq_no);
}

void
e2e__tg_write_layer_message(struct e2e_writer *w, const uint8_t random_bytes[31], int32_t layer,
                            int32_t in_seq_no, int32_t out_seq_no, const struct e2e_tg_message *m)
{
    uint32_t flags = (m->silent ? 1u << 5 : 0) | (m->media ? 1u << 9 : 0) |
                     (m->via_bot_name ? 1u << 11 : 0) | (m->has_reply_to ? 1u << 3 : 0) |
                     (m->has_grouped_id ? 1u << 17 : 0);
    write_layer_head(w, random_bytes, layer, in_seq_no, out_seq_no);
    e2e__tl_write_id(w, E2E_TG_ID_MESSAGE);
    e2e_write_u32_le(w, flags);
    e2e__tl_write_long(w, m->random_id);
    e2e__tl_write_int(w, m->ttl);
    e2e__tl_write_string(w, m->text, m->text_len);
    if (m->media)
        write_document(w, &m->document, layer);
    if (m->via_bot_name)
        e2e__tl_write_string(w, m->via_bot_name, m->via_bot_name_len);
    if (m->has_reply_to)
        e2e__tl_write_long(w, m->reply_to_random_id);
    if (m->has_grouped_id)
        e2e__tl_write_long(w, m->grouped_id);
}

static void
write_action(struct e2e_writer *w, const struct e2e_tg_action *a)
{
    e2e__tl_write_id(w, a->type);
    switch (a->type) {
    case E2E_TG_ACTION_SET_TTL:
        e2e__tl_write_int(w, a->ttl_seconds);
        break;
    case E2E_TG_ACTION_READ:
    case E2E_TG_ACTION_DELETE:
    case E2E_TG_ACTION_SCREENSHOT:
        e2e__tl_write_vector_long(w, a->random_ids, a->n_random_ids);
        break;
    case E2E_TG_ACTION_RESEND:
        e2e__tl_write_int(w, a->start_seq_no);
        e2e__tl_write_int(w, a->end_seq_no);
        break;
    case E2E_TG_ACTION_NOTIFY_LAYER:
        e2e__tl_write_int(w, a->layer);
        break;
    case E2E_TG_ACTION_TYPING:
        e2e__tl_write_id(w, a->typing);
        break;
    case E2E_TG_ACTION_REQUEST_KEY:
    case E2E_TG_ACTION_ACCEPT_KEY:
    case E2E_TG_ACTION_ABORT_KEY:
    case E2E_TG_ACTION_COMMIT_KEY:
        e2e__tl_write_long(w, a->exchange_id);
        if (a->type == E2E_TG_ACTION_REQUEST_KEY || a->type == E2E_TG_ACTION_ACCEPT_KEY)
            e2e__tl_write_bytes(w, a->g, a->g_len);
        if (a->type == E2E_TG_ACTION_ACCEPT_KEY || a->type == E2E_TG_ACTION_COMMIT_KEY)
            e2e__tl_write_long(w, a->key_fingerprint);
        break;
    default: /* FLUSH, NOOP: no fields */
        break;
    }
}

void
e2e__tg_write_layer_service(struct e2e_writer *w, const uint8_t random_bytes[31], int32_t layer,
                            int32_t in_seq_no, int32_t out_seq_no, int64_t random_id,
                            const struct e2e_tg_action *a)
{
    write_layer_head(w, random_bytes, layer, in_seq_no, out_seq_no);
    e2e__tl_write_id(w, E2E_TG_ID_SERVICE);
    e2e__tl_write_long(w, random_id);
    write_action(w, a);
}

#define LAYER_HEAD_BOUND (4 + 32 + 12)

size_t
e2e__tg_message_tl_bound(const struct e2e_tg_message *m)
{
    size_t n = LAYER_HEAD_BOUND + 4 + 4 + 8 + 4 + e2e__tl_bytes_size(m->text_len) + 16;
    if (m->via_bot_name)
        n += e2e__tl_bytes_size(m->via_bot_name_len);
    if (m->media) {
        const struct e2e_tg_document *d = &m->document;
        n += 4 + e2e__tl_bytes_size(d->thumb_len) + 8 + e2e__tl_bytes_size(d->mime_type_len) + 8 +
             2 * 36 + 8 + 4 + e2e__tl_bytes_size(d->file_name_len) +
             e2e__tl_bytes_size(d->caption_len);
    }
    return n;
}

size_t
e2e__tg_action_tl_bound(const struct e2e_tg_action *a)
{
    return LAYER_HEAD_BOUND + 4 + 8 + 4 + 8 + 8 * a->n_random_ids + 8 +
           e2e__tl_bytes_size(a->g_len) + 8;
}
