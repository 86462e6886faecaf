// SPDX-License-Identifier: GPL-2.0
/*
 * l4vs: connection synchronisation between directors (placeholder: the
 * daemons are not implemented yet).
 */
#include "l4vs.h"

void l4vs_sync_net_exit(struct l4vs_net *ln)
{
}
