/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels l4vs builds against (6.1 and 6.12) live
 * here and only here; the .c files never test LINUX_VERSION_CODE.
 */
#ifndef _L4VS_COMPAT_H
#define _L4VS_COMPAT_H

#include <linux/version.h>

#endif /* _L4VS_COMPAT_H */
