// SPDX-License-Identifier: MIT
/* lib/facet/time.c — the host's time scale and deadlines that follow it. */
#include <stdbool.h>
#include "facet/time.h"
#include "facet/thread.h"

unsigned fc_time_scale_milli = 1000;

bool fc_time_scale_parse(const char *v)
{
    uint64_t whole = 0, frac = 0, unit = 1000;
    bool digits = false;
    for (; *v >= '0' && *v <= '9'; v++, digits = true)
        if ((whole = whole * 10 + (uint64_t)(*v - '0')) > 1000000)
            return false;
    if (*v == '.')
        for (v++; *v >= '0' && *v <= '9'; v++, digits = true)
            if (unit > 1)
                frac += (uint64_t)(*v - '0') * (unit /= 10);
    if (!digits || *v)
        return false;
    fc_time_scale_milli = (unsigned)(whole * 1000 + frac);
    return true;
}

uint64_t fc_deadline_ms(uint64_t ms)
{
    if (!fc_time_scale_milli)
        return 0;
    return fc_rdtsc() + (uint64_t)fc_hip->tsc_khz * ms * fc_time_scale_milli / 1000;
}
