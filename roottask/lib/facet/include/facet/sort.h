/* SPDX-License-Identifier: MIT */
/* facet/sort.h — sorting benchmark samples (Shell sort: no recursion, no allocation). */
#pragma once

#include <stdint.h>

static inline void fc_sort_u32(uint32_t *a, unsigned n)
{
    for (unsigned gap = n / 2; gap; gap = gap == 2 ? 1 : gap * 5 / 11)
        for (unsigned i = gap; i < n; i++) {
            uint32_t v = a[i];
            unsigned j = i;
            for (; j >= gap && a[j - gap] > v; j -= gap)
                a[j] = a[j - gap];
            a[j] = v;
        }
}
