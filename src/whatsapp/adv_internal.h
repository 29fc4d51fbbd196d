/* Internal: ADV (WAAdv.proto) encodings shared by linking and device lists. */
#ifndef E2E_WHATSAPP_ADV_INTERNAL_H
#define E2E_WHATSAPP_ADV_INTERNAL_H

#include <e2ekit/whatsapp.h>

/* Largest `details` blob accepted inside an ADV container (ours are under 64 bytes; a list
 * with E2E_WA_MAX_INDEXES indexes is under 360). */
#define ADV_DETAILS_MAX 400

/* Signature prefixes (reference §2). */
#define ADV_PREFIX_ACCOUNT 0x00
#define ADV_PREFIX_DEVICE  0x01
#define ADV_PREFIX_LIST    0x02
#define ADV_PREFIX_HOSTED  0x05

/* ADVSignedDeviceIdentity as views into the parsed bytes (absent fields: NULL, 0). */
struct adv_signed_identity {
    const uint8_t *details, *account_key, *account_sig, *device_sig;
    size_t details_len, account_key_len, account_sig_len, device_sig_len;
};
int e2e__adv_signed_identity_parse(struct adv_signed_identity *s, const uint8_t *p, size_t n);

/* XEdDSA over 06 <prefix> || a || b || c (b, c may be NULL). */
int e2e__adv_sign(uint8_t sig[64], const e2e_ctx *ctx, const struct e2e_wa_identity *id,
                  uint8_t prefix, const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                  const uint8_t *c, size_t cn);
int e2e__adv_verify(const uint8_t pub[32], const uint8_t sig[64], uint8_t prefix, const uint8_t *a,
                    size_t an, const uint8_t *b, size_t bn, const uint8_t *c, size_t cn);

#endif
