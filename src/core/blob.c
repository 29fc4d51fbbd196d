/* Versioned blob heads (see blob.h). */
#include "core/blob.h"

#include "core/log.h"

void
e2e__blob_head_write(struct e2e_writer *w, uint32_t magic, uint16_t version)
{
    e2e_write_u32_be(w, magic);
    e2e_write_u16_be(w, version);
}

int
e2e__blob_head_read(struct e2e_reader *r, uint32_t magic, uint16_t version, const char *what,
                    struct e2e_report *why)
{
    uint32_t m = e2e_read_u32_be(r);
    uint16_t v = e2e_read_u16_be(r);
    if (r->err || m != magic) {
        e2e_reader_fail(r, E2E_ERR_MALFORMED);
        return e2e_report_fail(why, E2E_ERR_MALFORMED, "magic", "not a %s blob", what);
    }
    if (v != version) {
        e2e_reader_fail(r, E2E_ERR_UNSUPPORTED);
        return e2e_report_fail(why, E2E_ERR_UNSUPPORTED, "version",
                               "%s blob format %u (this build reads %u)", what, v, version);
    }
    return E2E_OK;
}
