#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   sender ns (10.0.9.2,       veth   backup director ns (10.0.9.1, fd00:9::1)
#   fd00:9::2)              ---------  sync backup on eth0, syncid 7,
#   sync_fuzz -> 224.0.0.81:8848       then on ff02::8:81; conn_max 300;
#              ff02::8:81:8848         services below; /proc/net/l4vs_sync
#
# Seeded fuzzing of the sync backup's receive path: sync_fuzz sends random
# and mutated version 1 and version 0 messages (built from records of the
# backup's own services, then mangled field by field, byte by byte, cut
# short, or plain random bytes) to the IPv4 group, then to the IPv6 group.
# Every datagram that reached the daemon's socket must be accounted for in
# /proc/net/l4vs_sync (accepted as rx_msgs or rejected under a reason),
# except those the socket dropped for want of buffer (UDP RcvbufErrors);
# the reject counters move, well-formed records still create entries, the
# entry count stays within conn_max, and the daemon stops and the module
# unloads cleanly.  run.sh fails the test on any kernel splat.  Size:
# L4VS_FUZZ_SCALE=large or L4VS_FUZZ_ITERS=N; replay: L4VS_FUZZ_SEED=S.

. "$(dirname "$0")/lib.sh"

SYNC_FUZZ=$SELFTESTS_DIR/tools/sync_fuzz
LIMIT=300

require_tools "$SYNC_FUZZ"
load_impl
[ "$IMPL" = l4vs ] || skip "the counters are l4vs's (/proc/net/l4vs_sync)"
fuzz_setup 1500 50000

setup_sync_link

ipvsadm_d -R <<-EOF || fail "cannot add the services"
	-A -t 10.0.9.100:80 -s rr
	-a -t 10.0.9.100:80 -r 10.0.9.11:80 -g -w 1
	-A -t 10.0.9.100:443 -s rr -p 300
	-a -t 10.0.9.100:443 -r 10.0.9.11:443 -m -w 1
	-A -u 10.0.9.100:53 -s rr
	-a -u 10.0.9.100:53 -r 10.0.9.11:53 -m -w 1
	-A -f 5 -s rr -p 60
	-a -f 5 -r 10.0.9.11:0 -g -w 1
	-A -t [fd00:9::100]:80 -s rr
	-a -t [fd00:9::100]:80 -r [fd00:9::11]:80 -g -w 1
	-A -u [fd00:9::100]:53 -s rr -p 100
	-a -u [fd00:9::100]:53 -r [fd00:9::11]:53 -m -w 1
EOF
dir_exec sysctl -qw net.ipv4.vs.conn_max=$LIMIT || fail "cannot set conn_max"
# the services and real servers sync_fuzz builds its records from
SVCS=(
	-S tcp,10.0.9.100,80,10.0.9.11,80
	-S tcp,10.0.9.100,443,10.0.9.11,443
	-S udp,10.0.9.100,53,10.0.9.11,53
	-S tcp,10.0.9.100,0,10.0.9.11,0,5
	-S tcp,fd00:9::100,80,fd00:9::11,80
	-S udp,fd00:9::100,53,fd00:9::11,53
)

# read_counters: C[name] from /proc/net/l4vs_sync, plus C[rcvbuf] (UDP and
# UDP6 receive buffer drops) from the director's SNMP counters.
declare -A C
read_counters() {
	local k v rest

	C=()
	while read -r k v rest; do
		C[$k]=$v
	done < <(dir_exec cat /proc/net/l4vs_sync)
	C[rcvbuf]=$(dir_exec awk '
		$1 == "Udp:" && !hdr { for (i = 2; i <= NF; i++) col[$i] = i; hdr = 1; next }
		$1 == "Udp:" && hdr { n += $col["RcvbufErrors"] }
		$1 == "Udp6RcvbufErrors" { n += $2 }
		END { print n + 0 }' /proc/net/snmp /proc/net/snmp6)
}

# delivered: datagrams the daemon took off its socket, each counted once:
# accepted (rx_msgs) or dropped whole.  bad_record counts both whole
# messages and single records (a connection without ports), so the record
# share is taken out: every record of an accepted message (rx_conns) ends
# under exactly one record outcome (conn_limit among them: a record that
# found the table full; the debug kernel's 50,000-datagram run had one
# and counted it as a lost datagram before this was listed).
delivered() {
	local rec_bad_record

	rec_bad_record=$((C[rx_conns] - C[rx_created] - C[rx_updated] - C[bad_af] -
		C[bad_protocol] - C[bad_state] - C[bad_flags] - C[bad_option] -
		C[no_service] - C[no_dest] - C[no_memory] - C[conn_limit]))
	echo $((C[rx_msgs] + C[bad_length] + C[bad_version] + C[bad_syncid] +
		C[bad_count] + C[bad_record] - rec_bad_record))
}

rejects() {
	local k n=0

	for k in bad_length bad_version bad_syncid bad_count bad_record bad_af \
		 bad_protocol bad_state bad_flags bad_option no_service no_dest conn_limit; do
		n=$((n + ${C[$k]:-0}))
	done
	echo $n
}

# all_accounted BEFORE_DELIVERED BEFORE_RCVBUF SENT
all_accounted() {
	read_counters
	[ $(($(delivered) - $1 + C[rcvbuf] - $2)) -ge "$3" ]
}

entries() {
	local lines

	mapfile -t lines < <(dir_exec cat /proc/net/ip_vs_conn)
	echo $((${#lines[@]} - 1))
}

# fuzz_round NAME SEED ITERS SYNC_FUZZ-ARGS...: one run and its checks
fuzz_round() {
	local name=$1 seed=$2 iters=$3 out=$TMPD/$1 d0 r0 rej0 sent got n

	shift 3
	read_counters
	d0=$(delivered)
	r0=${C[rcvbuf]}
	rej0=$(rejects)
	ip netns exec "$NS_SND" "$SYNC_FUZZ" -s "$seed" -n "$iters" -i 7 "${SVCS[@]}" "$@" >"$out"
	log_test $? "$name: sync_fuzz seed $seed sent $iters datagrams"
	cat "$out"
	sent=$(sed -n 's/^sync_fuzz: sent \([0-9]*\) .*/\1/p' "$out")
	wait_until 30 all_accounted "$d0" "$r0" "${sent:-0}"
	# give a miscount (one datagram counted twice) the time to show
	nap 0.5
	read_counters
	got=$(($(delivered) - d0))
	[ $((got + C[rcvbuf] - r0)) -eq "${sent:-0}" ]
	log_test $? "$name: every datagram counted: $got by the daemon + $((C[rcvbuf] - r0)) socket drops = ${sent:-?} sent"
	[ $(($(rejects) - rej0)) -gt 0 ]
	log_test $? "$name: rejects counted (+$(($(rejects) - rej0)))"
	n=$(entries)
	[ "$n" -le $LIMIT ]
	log_test $? "$name: entries stay within conn_max $LIMIT (got $n)"
}

dmesg_mark "fuzz_sync-$NS_SUFFIX"
ipvsadm_d --start-daemon backup --mcast-interface eth0 --syncid 7 ||
	fail "cannot start the backup daemon"
fuzz_round ipv4 "$FUZZ_SEED" "$FUZZ_ITERS"
read_counters
log_info "counters: $(for k in "${!C[@]}"; do printf '%s=%s ' "$k" "${C[$k]}"; done)"
[ "${C[bad_version]}" -gt 0 ] && [ "${C[bad_length]}" -gt 0 ] && [ "${C[bad_record]}" -gt 0 ]
log_test $? "v0, short and broken messages rejected as such (bad_version ${C[bad_version]}, bad_length ${C[bad_length]}, bad_record ${C[bad_record]})"
[ "${C[rx_created]}" -gt 0 ]
log_test $? "well-formed records among them still create entries (rx_created ${C[rx_created]})"
ipvsadm_d --stop-daemon backup
log_test $? "the backup daemon stops"

ipvsadm_d --start-daemon backup --mcast-interface eth0 --syncid 7 --mcast-group ff02::8:81 ||
	fail "cannot start the IPv6 backup daemon"
fuzz_round ipv6 "$((FUZZ_SEED + 1))" "$((FUZZ_ITERS / 5))" -g ff02::8:81 -I eth0 -c fd00:9::2
ipvsadm_d --stop-daemon backup
log_test $? "the IPv6 backup daemon stops"

# a last backup left running: the namespace's end must stop it
ipvsadm_d --start-daemon backup --mcast-interface eth0 --syncid 7 ||
	fail "cannot restart the backup daemon"
ip netns exec "$NS_SND" "$SYNC_FUZZ" -s "$((FUZZ_SEED + 2))" -n 100 -d 0 -i 7 "${SVCS[@]}" >/dev/null

check_dmesg "fuzz_sync-$NS_SUFFIX"
log_test $? "kernel log clean"

cleanup
NS_LIST=()
TMPD=
unload_module l4vs
log_test $? "the namespaces go and the module unloads with a backup daemon running"

exit $RET
