/*
 * Internal to the demo's whatsapp chapter: demo_whatsapp.c plays the WhatsApp layer and the
 * chapter's order, demo_whatsapp_signal.c the Signal sessions under it (identities, prekeys,
 * X3DH, the double ratchet, sender keys, safety numbers). Both share one world.
 */
#ifndef E2EKIT_DEMO_WHATSAPP_H
#define E2EKIT_DEMO_WHATSAPP_H

#include <e2ekit/signal.h>
#include <e2ekit/whatsapp.h>

#include "demo.h"

enum { WA_ALICE_PHONE, WA_ALICE_LAPTOP, WA_BOB_PHONE, WA_BOB_TABLET, WA_NDEV };
enum { WA_ALICE, WA_BOB, WA_NACC };

/* Room for one pairwise plaintext or Signal message of this chapter. */
#define WA_CAP 2048

/* One device. The Signal identity key pair is also the key that signs its ADV statements. */
struct wa_device {
    const char *name; /* its mailbox on the server */
    int account;
    uint32_t device_id;
    struct e2e_signal_identity id;
    struct e2e_wa_identity adv; /* the same key pair, in the WhatsApp layer's struct */
    e2e_signal_prekeys *prekeys;
    struct e2e_signal_sig_cache sig_cache;
};

struct wa_account {
    const char *name, *jid, *number; /* number: the stable id in the safety number */
    int phone, companion;            /* device indexes */
    struct e2e_wa_devlist list;      /* the latest list the primary signed */
    uint8_t signed_list[E2E_WA_ADV_MAX];
    size_t signed_list_len;
    uint8_t companion_identity[E2E_WA_ADV_MAX]; /* the companion's ADVSignedDeviceIdentity */
    size_t companion_identity_len;
};

struct wa_world {
    struct demo *d;
    struct demo_server *srv;
    struct wa_device dev[WA_NDEV];
    struct wa_account acc[WA_NACC];
    e2e_signal_session *s[WA_NDEV][WA_NDEV]; /* [i][j]: on device i, with device j */
    uint8_t trusted[WA_NDEV][WA_NDEV][32];   /* [i][j]: j's identity key as i recorded it */
    int has_trusted[WA_NDEV][WA_NDEV];
    e2e_signal_group *sk[WA_NDEV][WA_NDEV]; /* [i][j]: on device i, device j's sender key */
    unsigned sessions_started;
    int pkmsg_shown;       /* the first PreKeySignalMessage's header has been shown */
    int companion_checked; /* the refused swapped key has been shown */
};

/* What a device read from one message. Views in `pt` point into `buf`; wipe after use. */
struct wa_rx {
    int from;
    int type; /* E2E_SIGNAL_MSG_* */
    uint8_t buf[WA_CAP];
    size_t len;
    struct e2e_wa_plaintext pt;
    struct e2e_report why;
};

/* demo_whatsapp_signal.c */
int demo_wa_world_init(struct wa_world *w, struct demo *d);
void demo_wa_world_free(struct wa_world *w);
int demo_wa_identities(struct wa_world *w);
int demo_wa_upload_prekeys(struct wa_world *w);
/* One content from device `from` to device `to`: the pairwise plaintext (device-consistency
 * info, padding), a session if there is none (X3DH from a bundle the server hands out, after
 * the companion checks), Signal encrypt, the server. */
int demo_wa_send_content(struct wa_world *w, int from, int to, const struct e2e_wa_content *c);
/* The same content to every device of account `peer` and to the sender's other devices
 * (those copies wrapped in DeviceSentMessage), with device-consistency info and padding. */
int demo_wa_fan_out(struct wa_world *w, int from, int peer, const struct e2e_wa_content *c,
                    int narrate);
/* Takes the oldest message for device `at` and decrypts and parses it. */
int demo_wa_receive(struct wa_world *w, int at, struct wa_rx *rx);
int demo_wa_conversation(struct wa_world *w);
int demo_wa_group(struct wa_world *w);
int demo_wa_safety_numbers(struct wa_world *w);

/* demo_whatsapp.c: the initiator's checks before a session with a companion (reference 2.1).
 * `bundle_identity` is the identity key of the bundle the server handed out. */
int demo_wa_check_companion(struct wa_world *w, int at, int companion,
                            const uint8_t bundle_identity[32]);

#endif
