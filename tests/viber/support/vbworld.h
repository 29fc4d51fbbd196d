/*
 * A simulated Viber world for the tests: accounts with a primary and secondary devices (linked
 * by the real QR registration), the relay's PreKey stock per device, and one session object per
 * ordered pair of devices. Everything runs under a seeded context, so runs are reproducible.
 */
#ifndef E2E_VBWORLD_H
#define E2E_VBWORLD_H

#include <e2ekit/viber.h>

#include "test.h"

#define VBW_MAX_DEV 12

struct vbw_dev {
    char name[24];
    int primary; /* index of the account's primary device (itself for a primary) */
    e2e_viber_device *d;
    e2e_viber_prekey_pool *pool; /* the relay's stock of this device's public PreKeys */
};

struct vbw {
    struct test_ctx t;
    e2e_ctx *ctx;
    int ndev;
    struct vbw_dev dev[VBW_MAX_DEV];
    e2e_viber_session *sess[VBW_MAX_DEV][VBW_MAX_DEV]; /* [i][j]: on device i, with device j */
};

void vbw_init(struct vbw *w, uint64_t seed);
void vbw_free(struct vbw *w);
/* A UDID derived from a name. */
void vbw_udid(uint8_t udid[16], const char *name);
/* A new account's primary device, with `prekeys` PreKeys stocked at the relay. */
int vbw_primary(struct vbw *w, const char *name, unsigned prekeys);
/* A secondary device of the account of device `primary`, registered by QR. */
int vbw_secondary(struct vbw *w, const char *name, int primary, unsigned prekeys);
/* Device i's account ID key. */
void vbw_id(const struct vbw *w, int i, uint8_t id[32]);
/* The session object on device i for peer j (created empty on first use). */
e2e_viber_session *vbw_sess(struct vbw *w, int i, int j);
/* Device i sets up a session with device j from a PreKey the relay hands out. */
int vbw_connect(struct vbw *w, int i, int j);
/* Every device of accounts a and b (given by any of their devices) with every other one. */
void vbw_connect_all(struct vbw *w, const int *devs, size_t n);
/* Device i sends pt to the devices in to[] (sessions as they are); out holds the message. */
int vbw_send(struct vbw *w, int i, const int *to, size_t n, const uint8_t *pt, size_t len,
             uint8_t *out, size_t cap, size_t *out_len, size_t *covered);
/* Device j receives (after the relay's split) a message from device i. */
int vbw_recv(struct vbw *w, int j, int i, const uint8_t *msg, size_t len, uint8_t *pt, size_t cap,
             size_t *pt_len, struct e2e_report *why);
/* Serialized session [i][j] into a malloc'ed buffer (for before/after comparisons). */
uint8_t *vbw_blob(struct vbw *w, int i, int j, size_t *len);
/* Serialized device i. */
uint8_t *vbw_device_blob(struct vbw *w, int i, size_t *len);

#endif
