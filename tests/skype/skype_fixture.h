/* Shared by the skype tests: an authority, its public keys, and enrolled users. */
#ifndef E2E_TEST_SKYPE_FIXTURE_H
#define E2E_TEST_SKYPE_FIXTURE_H

#include <stdlib.h>

#include <e2ekit/skype.h>

/* A new authority and the CA keys clients load from it; aborts on failure (test set-up). */
static inline void
skype_fixture_authority(e2e_ctx *ctx, e2e_skype_authority **au, e2e_skype_ca **ca)
{
    uint8_t blob[4096];
    size_t n = 0;
    if (e2e_skype_authority_new(au, ctx) ||
        e2e_skype_authority_export_ca(*au, blob, sizeof blob, &n) ||
        e2e_skype_ca_parse(ca, blob, n, NULL))
        abort();
}

/* A user with a `bits` RSA key, registered (hardened request) and holding its certificate. */
static inline void
skype_fixture_enrol(e2e_ctx *ctx, e2e_skype_authority *au, const e2e_skype_ca *ca,
                    e2e_skype_identity **id, const char *name, unsigned bits)
{
    uint8_t req[4096], resp[4096];
    size_t rn = 0, sn = 0;
    if (e2e_skype_identity_new(id, ctx, name, "pw", bits) != E2E_OK ||
        e2e_skype_register_request(*id, ca, ctx, E2E_SKYPE_HARDENED, 0, req, sizeof req, &rn) ||
        e2e_skype_authority_handle(au, ctx, req, rn, resp, sizeof resp, &sn, NULL) ||
        e2e_skype_identity_accept(*id, ca, ctx, resp, sn, NULL))
        abort();
}

#endif
