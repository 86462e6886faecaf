/* SPDX-License-Identifier: GPL-2.0 */
/* benchmark shim: the uapi types, then kshim.h adds u8..u64 and the rest */
#ifndef _BENCH_LINUX_TYPES_H
#define _BENCH_LINUX_TYPES_H
#include_next <linux/types.h>
#include "../kshim.h"
#endif
