/* Built against the installed e2ekit.pc by tests/install/check-install.sh. */
#include <stdio.h>
#include <string.h>

#include <e2ekit/e2ekit.h>

int
main(void)
{
    uint8_t d[32], okm[42];
    char hex[65];
    e2e_sha256(d, "abc", 3);
    if (e2e_hex_encode(hex, sizeof hex, d, 32) != E2E_OK ||
        strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") != 0) {
        fprintf(stderr, "consumer: sha256 gave %s\n", hex);
        return 1;
    }
    uint8_t ikm[22];
    memset(ikm, 0x0b, sizeof ikm);
    if (e2e_hkdf_sha256(okm, sizeof okm, NULL, 0, ikm, sizeof ikm, NULL, 0) != E2E_OK)
        return 1;
    e2e_ctx *ctx = NULL;
    if (e2e_ctx_new(&ctx, NULL) != E2E_OK)
        return 1;
    e2e_ctx_free(ctx);
    printf("consumer: e2ekit %s works (%s)\n", E2E_VERSION_STRING, e2e_strerror(E2E_ERR_AUTH));
    return 0;
}
