/* The versioned-blob header every skype state object starts with. */
#include "core/log.h"
#include "skype/skype_internal.h"

void
e2e__skype_write_header(struct e2e_writer *w, uint32_t magic, uint16_t version)
{
    e2e_write_u32_be(w, magic);
    e2e_write_u16_be(w, version);
}

int
e2e__skype_read_header(struct e2e_reader *r, uint32_t magic, uint16_t version, const char *what,
                       struct e2e_report *why)
{
    uint32_t m = e2e_read_u32_be(r);
    uint16_t v = e2e_read_u16_be(r);
    if (r->err || m != magic)
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "magic", "not a skype %s blob", what);
    if (v != version)
        return e2e_report_fail(why, E2E_ERR_UNSUPPORTED, "version",
                               "skype %s blob version %u (this build reads %u)", what, v, version);
    return E2E_OK;
}

int
e2e__skype_blob_begin(struct e2e_reader *r, int args_ok, const uint8_t *p, size_t n, uint32_t magic,
                      uint16_t version, const char *what, struct e2e_report *why)
{
    e2e_report_clear(why);
    e2e_reader_init(r, NULL, 0);
    if (!args_ok || (!p && n))
        return e2e_report_fail(why, E2E_ERR_INVALID, "args", "missing argument");
    e2e_reader_init(r, p, n);
    return e2e__skype_read_header(r, magic, version, what, why);
}
