// SPDX-License-Identifier: MIT
/* lib/facet/status.c — names of hypercall status codes for messages. */
#include "facet/hypercall.h"

const char *fc_status_name(unsigned status)
{
    static const char *const names[] = {
        "SUCCESS", "TIMEOUT", "ABORT", "BAD_HYP", "BAD_CAP", "BAD_PAR", "BAD_FTR", "BAD_CPU", "BAD_DEV", "OOM" };
    return status < sizeof names / sizeof names[0] ? names[status] : "?";
}
