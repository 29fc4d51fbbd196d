/* Internal to src/crypto: libsodium initialisation (once per process, thread-safe). */
#ifndef E2E_CRYPTO_SODIUM_H
#define E2E_CRYPTO_SODIUM_H

/* sodium_init() picks the fastest implementations for this CPU; call before using libsodium.
 * After the first call this is one atomic load. */
void e2e__sodium_ready(void);

#endif
