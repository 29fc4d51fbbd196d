/*
 * Skype names and password hashes (Berson 2.1; Silver Needle and Vanilla Skype for the MD5
 * construction): the client keeps H(P), the authority keeps H(H(P)).
 */
#include <e2ekit/skype.h>

#include "core/log.h"

const char *
e2e_skype_mode_name(int mode)
{
    if (mode == E2E_SKYPE_FAITHFUL)
        return "faithful";
    if (mode == E2E_SKYPE_HARDENED)
        return "hardened";
    return "?";
}

static int
name_char_ok(char c, size_t pos)
{
    if (c >= 'a' && c <= 'z')
        return 1;
    if (pos == 0)
        return 0;
    return (c >= '0' && c <= '9') || c == '.' || c == ',' || c == '-' || c == '_';
}

int
e2e_skype_name_check(const char *name, size_t len)
{
    if (!name || len < E2E_SKYPE_NAME_MIN || len > E2E_SKYPE_NAME_MAX)
        return E2E_ERR_INVALID;
    for (size_t i = 0; i < len; i++)
        if (!name_char_ok(name[i], i))
            return E2E_ERR_INVALID;
    return E2E_OK;
}

void
e2e_skype_password_hash(uint8_t hp[16], const char *name, size_t name_len, const char *password,
                        size_t password_len)
{
    static const char skyper[] = "\nskyper\n";
    e2e_md5_ctx c;
    e2e_md5_init(&c);
    e2e_md5_update(&c, name, name_len);
    e2e_md5_update(&c, skyper, sizeof skyper - 1);
    e2e_md5_update(&c, password, password_len);
    e2e_md5_final(&c, hp); /* wipes c */
}

void
e2e_skype_password_hash2(uint8_t hhp[16], const uint8_t hp[16])
{
    e2e_md5(hhp, hp, 16);
}
