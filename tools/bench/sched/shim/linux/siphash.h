/* SPDX-License-Identifier: GPL-2.0 */
/* benchmark shim: see ../kshim.h */
#include "../kshim.h"
