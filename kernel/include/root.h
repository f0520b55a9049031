/* SPDX-License-Identifier: MIT */
/* root.h — building the roottask from the first boot module. */
#pragma once

#include "multiboot.h"
#include "uapi/hip.h"

/* Returns NULL on success, or a message saying why the roottask cannot start. */
const char *root_create(const struct boot_info *bi, struct hip *hip);
