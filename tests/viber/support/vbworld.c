/* The simulated Viber world of the tests (see vbworld.h). */
#include "vbworld.h"

#include <stdlib.h>
#include <string.h>

#include <e2ekit/crypto.h>

void
vbw_init(struct vbw *w, uint64_t seed)
{
    memset(w, 0, sizeof *w);
    w->ctx = test_ctx_new(&w->t, seed);
}

void
vbw_free(struct vbw *w)
{
    for (int i = 0; i < w->ndev; i++) {
        for (int j = 0; j < w->ndev; j++)
            e2e_viber_session_free(w->sess[i][j]);
        e2e_viber_device_free(w->dev[i].d);
        e2e_viber_prekey_pool_free(w->dev[i].pool);
    }
    test_ctx_free(&w->t);
    memset(w, 0, sizeof *w);
}

void
vbw_udid(uint8_t udid[16], const char *name)
{
    uint8_t h[32];
    e2e_sha256(h, name, strlen(name));
    memcpy(udid, h, 16);
}

static int
stock(struct vbw *w, int i, unsigned prekeys)
{
    size_t len;
    uint8_t *up = malloc(e2e_viber_prekey_upload_size(prekeys));
    int rc = up ? E2E_OK : E2E_ERR_NOMEM;
    if (rc == E2E_OK)
        rc = e2e_viber_device_prekeys_generate(w->dev[i].d, w->ctx, prekeys, up,
                                               e2e_viber_prekey_upload_size(prekeys), &len);
    if (rc == E2E_OK)
        rc = e2e_viber_prekey_pool_add(w->dev[i].pool, up, len, NULL);
    free(up);
    return rc;
}

static int
new_slot(struct vbw *w, const char *name)
{
    if (w->ndev == VBW_MAX_DEV)
        return -1;
    int i = w->ndev++;
    snprintf(w->dev[i].name, sizeof w->dev[i].name, "%s", name);
    return i;
}

int
vbw_primary(struct vbw *w, const char *name, unsigned prekeys)
{
    uint8_t udid[16];
    int i = new_slot(w, name);
    if (i < 0)
        return -1;
    vbw_udid(udid, name);
    w->dev[i].primary = i;
    if (e2e_viber_device_new_primary(&w->dev[i].d, w->ctx, udid) != E2E_OK ||
        e2e_viber_prekey_pool_new(&w->dev[i].pool, udid) != E2E_OK ||
        (prekeys && stock(w, i, prekeys) != E2E_OK))
        return -1;
    return i;
}

int
vbw_secondary(struct vbw *w, const char *name, int primary, unsigned prekeys)
{
    uint8_t udid[16], qr[E2E_VIBER_QR_LEN], msg[E2E_VIBER_LINK_MSG_LEN], to[16], id[32];
    struct e2e_viber_link link;
    int i = new_slot(w, name);
    if (i < 0)
        return -1;
    vbw_udid(udid, name);
    w->dev[i].primary = primary;
    vbw_id(w, primary, id);
    if (e2e_viber_device_new_secondary(&w->dev[i].d, udid) != E2E_OK ||
        e2e_viber_prekey_pool_new(&w->dev[i].pool, udid) != E2E_OK ||
        e2e_viber_link_start(&link, w->ctx, w->dev[i].d, qr) != E2E_OK ||
        e2e_viber_link_transfer(msg, to, w->ctx, w->dev[primary].d, qr, sizeof qr, NULL) !=
            E2E_OK ||
        e2e_viber_link_finish(&link, w->ctx, w->dev[i].d, id, msg, sizeof msg, NULL) != E2E_OK ||
        (prekeys && stock(w, i, prekeys) != E2E_OK))
        return -1;
    return i;
}

void
vbw_id(const struct vbw *w, int i, uint8_t id[32])
{
    if (e2e_viber_device_identity(w->dev[i].d, id) != E2E_OK)
        memset(id, 0, 32);
}

e2e_viber_session *
vbw_sess(struct vbw *w, int i, int j)
{
    if (!w->sess[i][j] &&
        e2e_viber_session_new(&w->sess[i][j], e2e_viber_device_udid(w->dev[j].d)) != E2E_OK)
        return NULL;
    return w->sess[i][j];
}

int
vbw_connect(struct vbw *w, int i, int j)
{
    struct e2e_viber_prekey pk;
    uint8_t id[32];
    int rc = e2e_viber_prekey_pool_take(w->dev[j].pool, &pk);
    if (rc != E2E_OK)
        return rc;
    vbw_id(w, j, id);
    e2e_viber_session *s = vbw_sess(w, i, j);
    return s ? e2e_viber_session_initiate(s, w->ctx, w->dev[i].d, id, &pk, NULL) : E2E_ERR_NOMEM;
}

void
vbw_connect_all(struct vbw *w, const int *devs, size_t n)
{
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++)
            if (a != b && !e2e_viber_session_ready(vbw_sess(w, devs[a], devs[b])) &&
                !e2e_viber_session_ready(vbw_sess(w, devs[b], devs[a])))
                CHECK_OK(vbw_connect(w, devs[a], devs[b]));
}

int
vbw_send(struct vbw *w, int i, const int *to, size_t n, const uint8_t *pt, size_t len, uint8_t *out,
         size_t cap, size_t *out_len, size_t *covered)
{
    e2e_viber_session *s[VBW_MAX_DEV];
    for (size_t k = 0; k < n; k++)
        s[k] = w->sess[i][to[k]];
    return e2e_viber_encrypt(w->ctx, w->dev[i].d, s, n, NULL, covered, pt, len, out, cap, out_len);
}

int
vbw_recv(struct vbw *w, int j, int i, const uint8_t *msg, size_t len, uint8_t *pt, size_t cap,
         size_t *pt_len, struct e2e_report *why)
{
    size_t n;
    uint8_t *one = malloc(len);
    uint8_t id[32];
    int rc = one ? E2E_OK : E2E_ERR_NOMEM;
    if (rc == E2E_OK)
        rc = e2e_viber_msg_split(one, len, &n, msg, len, e2e_viber_device_udid(w->dev[j].d), why);
    vbw_id(w, i, id);
    if (rc == E2E_OK)
        rc = e2e_viber_decrypt(vbw_sess(w, j, i), w->ctx, w->dev[j].d, id, one, n, pt, cap, pt_len,
                               why);
    free(one);
    return rc;
}

uint8_t *
vbw_blob(struct vbw *w, int i, int j, size_t *len)
{
    e2e_viber_session *s = vbw_sess(w, i, j);
    if (e2e_viber_session_serialize(s, NULL, 0, len) != E2E_ERR_BUFFER)
        return NULL;
    uint8_t *p = malloc(*len);
    if (p && e2e_viber_session_serialize(s, p, *len, len) != E2E_OK) {
        free(p);
        return NULL;
    }
    return p;
}

uint8_t *
vbw_device_blob(struct vbw *w, int i, size_t *len)
{
    if (e2e_viber_device_serialize(w->dev[i].d, NULL, 0, len) != E2E_ERR_BUFFER)
        return NULL;
    uint8_t *p = malloc(*len);
    if (p && e2e_viber_device_serialize(w->dev[i].d, p, *len, len) != E2E_OK) {
        free(p);
        return NULL;
    }
    return p;
}
