/* SPDX-License-Identifier: MIT */
/* uapi/hip.h — the Hypervisor Information Page, as the roottask reads it. */
#pragma once

#include <stdint.h>

#define HIP_SIGNATURE    0x54454346u    /* "FCET" */
#define HIP_VERSION      1
#define HIP_MAX_CPUS     64
#define HIP_MAX_MEM      48
#define HIP_MAX_MODS     8
#define HIP_CMDLINE_LEN  120

/* Memory map entry types: the firmware's (1..5) and the kernel's (negative). */
#define HIP_MEM_AVAILABLE   1
#define HIP_MEM_RESERVED    2
#define HIP_MEM_ACPI        3
#define HIP_MEM_NVS         4
#define HIP_MEM_BAD         5
#define HIP_MEM_KERNEL     (-1)   /* kernel image and its boot-time data */
#define HIP_MEM_MODULE     (-2)   /* a boot module */
#define HIP_MEM_ROOT       (-3)   /* the roottask's memory, mapped at ROOT_MEM_WINDOW + addr */

/* Feature bits (features). */
#define HIP_FEAT_VMX          (1u << 0)
#define HIP_FEAT_EPT          (1u << 1)
#define HIP_FEAT_SVM          (1u << 2)
#define HIP_FEAT_NPT          (1u << 3)
#define HIP_FEAT_TSC_DEADLINE (1u << 4)
#define HIP_FEAT_INVARIANT_TSC (1u << 5)
#define HIP_FEAT_X2APIC       (1u << 6)

struct hip_mem {            /* 24 bytes */
    uint64_t addr;          /*  0 */
    uint64_t size;          /*  8 */
    int32_t  type;          /* 16: HIP_MEM_* */
    uint32_t reserved;      /* 20 */
};

struct hip_module {         /* 136 bytes */
    uint64_t addr;          /*   0: physical */
    uint64_t size;          /*   8 */
    char     cmdline[HIP_CMDLINE_LEN]; /* 16: NUL-terminated, cut to fit */
};

struct hip_cpu {            /* 4 bytes */
    uint8_t  apic_id;
    uint8_t  online;        /* 1 once the CPU reported in */
    uint8_t  reserved[2];
};

struct hip {
    uint32_t signature;     /*  0: HIP_SIGNATURE */
    uint16_t version;       /*  4: HIP_VERSION */
    uint16_t length;        /*  6: bytes covered by the checksum */
    uint16_t checksum;      /*  8: 16-bit words over length sum to 0 */
    uint16_t num_cpus;      /* 10: CPUs online */
    uint16_t num_mem;       /* 12 */
    uint16_t num_mods;      /* 14 */
    uint32_t features;      /* 16: HIP_FEAT_* */
    uint32_t tsc_khz;       /* 20: TSC frequency */
    uint32_t lapic_khz;     /* 24: LAPIC timer input frequency */
    uint32_t sel_max;       /* 28: object-space size */
    uint64_t mem_total;     /* 32: bytes of available RAM */
    uint64_t frames_free;   /* 40: free 4 KiB frames when the roottask starts */
    struct hip_cpu    cpu[HIP_MAX_CPUS];   /* 48 */
    struct hip_mem    mem[HIP_MAX_MEM];    /* 304 */
    struct hip_module mod[HIP_MAX_MODS];   /* 1456 */
};

_Static_assert(sizeof(struct hip_mem) == 24, "hip_mem layout");
_Static_assert(sizeof(struct hip_module) == 136, "hip_module layout");
_Static_assert(__builtin_offsetof(struct hip, cpu) == 48, "hip layout");
_Static_assert(__builtin_offsetof(struct hip, mem) == 304, "hip layout");
_Static_assert(__builtin_offsetof(struct hip, mod) == 1456, "hip layout");
_Static_assert(sizeof(struct hip) <= 4096, "the HIP is one page");
