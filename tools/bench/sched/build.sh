#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build.sh OUT: build schedbench natively from net/sched/NAME.c and
# include/l4vs/ as they are, against the shim headers here.  A kernel header
# that the scheduler API starts to include and the shim does not know yet gets an
# empty stand-in (it includes kshim.h), so a new include alone does not
# break the build; a new kernel API still needs a line in kshim.h.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=${here%/tools/bench/sched}
out=${1:-$here/schedbench}
stub=$(mktemp -d)
trap 'rm -rf "$stub"' EXIT

while read -r h; do
	[ "$h" = linux/ip_vs.h ] && continue	# the real uapi header
	[ -e "$here/shim/$h" ] && continue
	mkdir -p "$stub/$(dirname "$h")"
	echo "#include \"$here/shim/kshim.h\"" >"$stub/$h"
done < <(sed -n 's/^#include <\(\(linux\|net\)\/[a-z0-9_/]*\.h\)>.*/\1/p' \
		"$repo/include/l4vs/"*.h "$repo/net/sched/"*.c | sort -u)

objs=()
for s in rr wrr lc wlc sed nq sh dh mh fo ovf; do
	gcc -O2 -g -Wall -Wno-unused-function -I "$here/shim" -I "$stub" -I "$repo/include" \
		-c "$repo/net/sched/$s.c" -o "$stub/$s.o"
	objs+=("$stub/$s.o")
done
gcc -O2 -g -Wall -Wextra -Wno-unused-parameter -I "$here/shim" -I "$stub" -I "$repo/include" \
	-o "$out" "$here/schedbench.c" "$here/siphash.c" "${objs[@]}"
