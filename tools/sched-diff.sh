#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sched-diff.sh [SCENARIO...]: differential test of the schedulers, run
# inside a test guest as root:
#
#   L4VS_MODULES_DIR=<dir with the .ko> tools/vm/run.sh -- tools/sched-diff.sh
#
# The test itself is now the selftest selftests/sched_diff.sh (also run by
# "make check"): the same scripted connection sequences go through the
# kernel's ip_vs and then through l4vs, and the servers picked are compared.
# This wrapper keeps the old entry point: SCENARIO names (rr, wrr531, wrrchg,
# wrrdi, lc, wlc, sed, nq, fo, ovf, thr, thredit, sh, dh, lblc, lblcv, lblcr,
# lblcrv, twos) restrict the run
# to those; SCHED_DIFF_TRACE=1 prints per-step timing and drop counters.
#
# Exit: 0 all scenarios agree, 1 some differ or fail, 4 skipped.

here=${BASH_SOURCE[0]%/*}
[ "$here" = "${BASH_SOURCE[0]}" ] && here=.
if [ $# -gt 0 ]; then
	SCHED_DIFF_ONLY="$*"
	export SCHED_DIFF_ONLY
fi
exec bash "$here/../selftests/sched_diff.sh"
