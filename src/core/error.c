/* e2e_strerror / e2e_err_name from the one X-macro list in core.h. */
#include <e2ekit/core.h>

const char *
e2e_strerror(int err)
{
    switch (err) {
    case E2E_OK:
        return "success";
#define E2E_ERR_TEXT_(name, code, text)                                                            \
    case code:                                                                                     \
        return text;
        E2E_ERRNO_MAP(E2E_ERR_TEXT_)
#undef E2E_ERR_TEXT_
    default:
        return "unknown error";
    }
}

const char *
e2e_err_name(int err)
{
    switch (err) {
    case E2E_OK:
        return "OK";
#define E2E_ERR_NAME_(name, code, text)                                                            \
    case code:                                                                                     \
        return #name;
        E2E_ERRNO_MAP(E2E_ERR_NAME_)
#undef E2E_ERR_NAME_
    default:
        return "UNKNOWN";
    }
}
