#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  director ns only (no traffic):
#
#   ipvsadm -Sn --> ipvsadm -C; ipvsadm -R --> ipvsadm -Sn   (identical)
#   l4vsadm -Sn --> l4vsadm -C; l4vsadm -R --> l4vsadm -Sn   (identical)
#   ipvsadm -Sn --> l4vsadm -R  and  l4vsadm -Sn --> ipvsadm -R (identical)
#
# Save/restore round trips are byte-identical in every direction between
# ipvsadm and l4vsadm, and both tools save the same text.

. "$(dirname "$0")/lib.sh"

if [ -z "$L4VS_INNER" ]; then
	require_l4vsadm
	load_impl
	setup_director_only
	run_inside_director
fi
make_tmpdir

repr_config | ipvsadm_d -R 2>"$TMPD/err" && [ ! -s "$TMPD/err" ] ||
	fail "cannot apply the configuration: $(cat "$TMPD/err")"
ipvsadm_d --set 600 90 200 || fail "cannot set timeouts"
ipvsadm_d -Sn >"$TMPD/orig"
[ -s "$TMPD/orig" ]
log_test $? "ipvsadm -Sn saves $(wc -l <"$TMPD/orig") lines"

l4vsadm_d -Sn >"$TMPD/l4"
same "l4vsadm -Sn equals ipvsadm -Sn" "$TMPD/orig" "$TMPD/l4"

# round_trip SAVER RESTORER: save with one tool, clear, restore with the other,
# then both tools must save the original text again.
round_trip() {
	local saver=$1 restorer=$2

	"${saver}_d" -Sn >"$TMPD/saved"
	"${restorer}_d" -C || { log_test 1 "$restorer -C"; return; }
	ipvsadm_d -Sn >"$TMPD/empty"
	[ ! -s "$TMPD/empty" ]
	log_test $? "$restorer -C leaves nothing to save"
	"${restorer}_d" -R <"$TMPD/saved"
	log_test $? "$restorer -R accepts what $saver -Sn saved"
	ipvsadm_d -Sn >"$TMPD/again"
	same "$saver -Sn | $restorer -R: ipvsadm -Sn identical" "$TMPD/orig" "$TMPD/again"
	l4vsadm_d -Sn >"$TMPD/again"
	same "$saver -Sn | $restorer -R: l4vsadm -Sn identical" "$TMPD/orig" "$TMPD/again"
}

round_trip ipvsadm ipvsadm
round_trip l4vsadm l4vsadm
round_trip ipvsadm l4vsadm
round_trip l4vsadm ipvsadm

# -C does not touch the timeouts, so they must still be what was set.
got=$(ipvsadm_d -L --timeout)
[ "$got" = "Timeout (tcp tcpfin udp): 600 90 200" ]
log_test $? "timeouts survive (got: $got)"

exit $RET
