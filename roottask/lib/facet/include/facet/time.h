/* SPDX-License-Identifier: MIT */
/* facet/time.h — waits for things that should happen soon, scaled to the host's speed. */
#pragma once

#include <stdint.h>
#include <stdbool.h>

/*
 * The host's slowness in thousandths: 1000 = as fast as the kit expects,
 * 3000 = three times slower (FACET_TIME_SCALE=3 on the host, passed as
 * time_scale=3 on the roottask's command line), 0 = never give up waiting.
 */
extern unsigned fc_time_scale_milli;

/* Parse a time_scale value ("3", "1.5", ".5", "0"); false (scale unchanged) if it is no number. */
bool fc_time_scale_parse(const char *value);

/*
 * A deadline for fc_sm_down when something should happen within ms on a
 * host of the expected speed: now + ms x the scale, or 0 (no deadline) at
 * scale 0. Not for sleeps or measured intervals: those are guest time.
 */
uint64_t fc_deadline_ms(uint64_t ms);
