// SPDX-License-Identifier: MIT
/* lib/facet/status.c — names of hypercall status codes for messages. */
#include "facet/hypercall.h"

const char *fc_status_name(unsigned status)
{
    static const char *const names[] = {
#define FC_STATUS_NAME(value, name, meaning) [value] = #name,
        FACET_STATUS(FC_STATUS_NAME)
#undef FC_STATUS_NAME
    };
    return status < sizeof names / sizeof names[0] && names[status] ? names[status] : "?";
}
