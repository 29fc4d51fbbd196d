/* The start of every skype _parse: arguments, reader, versioned-blob head (core/blob.h). */
#include "core/log.h"
#include "skype/skype_internal.h"

int
e2e__skype_blob_begin(struct e2e_reader *r, int args_ok, const uint8_t *p, size_t n, uint32_t magic,
                      uint16_t version, const char *what, struct e2e_report *why)
{
    e2e_report_clear(why);
    e2e_reader_init(r, NULL, 0);
    if (!args_ok || (!p && n))
        return e2e_report_fail(why, E2E_ERR_INVALID, "args", "missing argument");
    e2e_reader_init(r, p, n);
    return e2e__blob_head_read(r, magic, version, what, why);
}
