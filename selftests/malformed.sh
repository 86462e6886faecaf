#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns                director ns                        real servers
#  10.0.1.2 --------------  VIP 10.0.1.100:80 tcp+udp          --- rs1 10.0.11.2
#  pktgen_bad (raw IPv4)    -s rr, -m (NAT)                    --- rs2 10.0.12.2
#  vs_client                /proc/net/l4vs_drops                   (tcp/udp 80, log)
#
# Malformed packets at the VIP: truncated TCP and UDP headers, TCP data
# offsets below 5 or beyond the packet, and a UDP length larger than the
# packet are dropped and counted as "malformed"; a SYN and a UDP datagram
# with wrong checksums are counted as "bad_checksum"; none of them reaches
# a real server or creates a connection entry.  Lone IP fragments and an
# unknown protocol are ignored without harm, while a datagram split in two
# valid fragments is reassembled and balanced.  Afterwards the kernel log
# is clean and normal traffic still works.

. "$(dirname "$0")/lib.sh"

PKTGEN=$SELFTESTS_DIR/tools/pktgen_bad
COUNT=5

require_tools "$PKTGEN"
load_impl
setup_nat_topology 2
: >"$TMPD/log"
start_servers -l "$TMPD/log" -k -t 80 -u 80
add_nat_service -t "$VIP:80" || fail "cannot add the TCP service"
add_nat_service -u "$VIP:80" || fail "cannot add the UDP service"

tag=malformed-$NS_SUFFIX
dmesg_mark "$tag"

# read_drops: DROPS[reason] from the director's /proc/net/l4vs_drops
declare -A DROPS
read_drops() {
	local k v

	DROPS=()
	while read -r k v; do
		DROPS[$k]=$v
	done <<<"$(dir_exec cat /proc/net/l4vs_drops)"
	[ -n "${DROPS[malformed]}" ] && [ -n "${DROPS[bad_checksum]}" ]
}

# the path works before anything odd is sent
client -n 2 -w 2000 "$VIP" 80 >"$TMPD/pre"
[ "$(tally "$TMPD/pre")" = "rs1=1 rs2=1" ] || fail "NAT does not work to begin with: $(tally "$TMPD/pre")"
: >"$TMPD/log"

# send KIND COUNTER EXPECTED_DELTA: COUNT packets of KIND, check COUNTER
# moved by exactly that much (and no other counter moved).  Source ports
# from 61000, above the ephemeral range (32768-60999): a vs_client
# connection of the test's own may not take one of them, and its entry
# would look like one a bad packet created.
sport=61000
read_drops || fail "no malformed/bad_checksum counters in /proc/net/l4vs_drops"
send() {
	local kind=$1 counter=$2 want=$3 other before before_other after

	other=malformed
	[ "$counter" = malformed ] && other=bad_checksum
	before=${DROPS[$counter]}
	before_other=${DROPS[$other]}
	cli_exec "$PKTGEN" -c "$COUNT" -p "$sport" "$CLI_IP" "$VIP" 80 "$kind" ||
		fail "pktgen_bad $kind could not send"
	sport=$((sport + 100))
	# nothing to wait for when nothing should count: give them time to
	# arrive (and be miscounted) anyway
	[ "$want" = 0 ] && nap 0.3
	wait_until 3 _delta_is "$counter" "$before" "$want"
	after=${DROPS[$counter]}
	[ $((after - before)) -eq "$want" ] && [ "${DROPS[$other]}" = "$before_other" ]
	log_test $? "$kind x$COUNT: $counter +$want (got: $before -> $after, $other $before_other -> ${DROPS[$other]})"
}
_delta_is() {
	read_drops && [ $((DROPS[$1] - $2)) -ge "$3" ]
}

send tcp-short      malformed    "$COUNT"
send tcp-doff-small malformed    "$COUNT"
send tcp-doff-big   malformed    "$COUNT"
send udp-short      malformed    "$COUNT"
send udp-badlen     malformed    "$COUNT"
send tcp-badsum     bad_checksum "$COUNT"
send udp-badsum     bad_checksum "$COUNT"
send frag-first     malformed    0
send frag-last      malformed    0
send proto          malformed    0

conns=$(ipvsadm_d -Lnc)
! grep -qE "$CLI_IP:6[1-2][0-9]{3} " <<<"$conns"
rc=$?
[ $rc -ne 0 ] && echo "$conns"
log_test $rc "no connection entry from any bad packet"
[ -s "$TMPD/log" ]
log_test $((!$?)) "no bad packet reached a real server ($(wc -l <"$TMPD/log") arrivals)"
[ -s "$TMPD/log" ] && cat "$TMPD/log"

# a well-formed datagram in two fragments is reassembled and balanced
: >"$TMPD/log"
cli_exec "$PKTGEN" -c 1 -p 62500 "$CLI_IP" "$VIP" 80 frag-pair || fail "frag-pair"
wait_until 5 grep -qE "^rs[12] $CLI_IP 62500\$" "$TMPD/log"
log_test $? "a UDP datagram in 2 fragments reaches a real server whole"

client -n 4 -w 2000 "$VIP" 80 >"$TMPD/post"
got=$(tally "$TMPD/post")
[ "$got" = "rs1=2 rs2=2" ]
log_test $? "TCP still balanced afterwards rs1=2 rs2=2 (got: $got)"
client -u -n 4 -w 2000 "$VIP" 80 >"$TMPD/postu"
got=$(tally "$TMPD/postu")
[ "$got" = "rs1=2 rs2=2" ]
log_test $? "UDP still balanced afterwards rs1=2 rs2=2 (got: $got)"

check_dmesg "$tag"
log_test $? "kernel log clean"

exit $RET
