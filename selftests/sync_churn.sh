#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A sync backup applying a stream of records while its configuration churns.
#
#   sender ns (10.0.9.2)  --veth--  backup director ns (10.0.9.1)
#   python: messages of 40        sync backup on eth0; a loop adds and
#   records as fast as it can     deletes real servers and a whole
#                                 persistent service meanwhile
#
# Services on the backup (timeouts 3 s, persistence 1 s):
#   10.0.9.100:80   -g rr       rs 10.0.9.11, .12 fixed; .13-.20 come and go
#   10.0.9.100:443  -m rr -p 1  deleted and added again, with its servers
#   fwmark 7 (IPv6) -g rr -p 1  rs [fd00:9::11]:80
#
# The records name all those servers (present or not), ESTABLISHED, closing
# and template entries, a few hundred client ports (so entries are updated,
# and rebound to another server when the stream says so), and short
# timeouts, so that entries and templates are created, linked, retired and
# reaped all the time while their servers and services go away under them
# (issue 11, stress (c)).  Then: every record is accounted for in
# /proc/net/l4vs_sync, the configuration is whole, every entry expires, the
# namespace is deleted in the middle of the stream, the modules unload, and
# the kernel said nothing.

. "$(dirname "$0")/lib.sh"

DURATION=${L4VS_STRESS_SECS:-15}

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is needed to send sync messages"
[ "$L4VS_IMPL" = l4vs ] || skip "l4vs only (/proc/net/l4vs_sync)"
require_tools
load_impl
make_tmpdir
dmesg_mark "sync_churn-$$"

build() {
	new_names
	setup_sync_link
	ipvsadm_d -R <<-EOF || fail "cannot add the services"
		--set 3 3 3
		-A -t 10.0.9.100:80 -s rr
		-a -t 10.0.9.100:80 -r 10.0.9.11:80 -g -w 1
		-a -t 10.0.9.100:80 -r 10.0.9.12:80 -g -w 1
		-A -t 10.0.9.100:443 -s rr -p 1
		-a -t 10.0.9.100:443 -r 10.0.9.11:443 -m -w 1
		-A -f 7 -6 -s rr -p 1
		-a -f 7 -6 -r [fd00:9::11]:80 -g -w 1
	EOF
	l4vsadm_d --start-daemon backup --mcast-interface eth0 --syncid 3 \
		--sync-peer 10.0.9.2 || fail "cannot start the backup daemon"
}

# One round of churn: servers of :80 in and out, :443 away and back.
churn_rules() {
	local k out=

	for ((k = 13; k <= 20; k++)); do
		out+="-a -t 10.0.9.100:80 -r 10.0.9.$k:80 -g -w 1"$'\n'
	done
	out+="-D -t 10.0.9.100:443"$'\n'
	for ((k = 13; k <= 20; k++)); do
		out+="-d -t 10.0.9.100:80 -r 10.0.9.$k:80"$'\n'
	done
	out+="-A -t 10.0.9.100:443 -s rr -p 1"$'\n'
	for ((k = 11; k <= 14; k++)); do
		out+="-a -t 10.0.9.100:443 -r 10.0.9.$k:443 -m -w 1"$'\n'
	done
	out+="-e -t 10.0.9.100:80 -r 10.0.9.12:80 -g -w 0"$'\n'
	out+="-e -t 10.0.9.100:80 -r 10.0.9.12:80 -g -w 1"$'\n'
	echo -n "$out"
}

# churn SECS: rounds for that long; failed batches to $TMPD/churn.err
churn() {
	local end=$(($(now_ms) + $1 * 1000)) rounds=0 bad=0 i file=$TMPD/rounds

	: >"$file"
	for ((i = 0; i < 5; i++)); do
		churn_rules >>"$file"
	done
	while [ "$(now_ms)" -lt "$end" ]; do
		ipvsadm_d -R <"$file" || bad=$((bad + 1))
		rounds=$((rounds + 5))
	done
	echo "$bad" >"$TMPD/churn.err"
	echo "$rounds" >"$TMPD/churn.rounds"
}

# stream SECS [STOPFILE]: messages of 40 records for that long, or until
# STOPFILE exists; prints the count sent
stream() {
	ip netns exec "$NS_SND" "$PY" - "$1" "${2:-}" <<-'EOF'
	import os, random, socket, struct, sys, time

	secs = float(sys.argv[1])
	stop = sys.argv[2]
	rnd = random.Random(7)
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
	a = socket.inet_aton
	a6 = lambda x: socket.inet_pton(socket.AF_INET6, x)

	def rec4(flags, state, cport, vport, dport, timeout, daddr, proto=6):
	    body = struct.pack("!IHHHHII4s4s4s", flags, state, cport, vport,
	                       dport, 0, timeout, a("10.0.9.%d" % (50 + cport % 100)),
	                       a("10.0.9.100"), a(daddr))
	    return struct.pack("!BBH", 0, proto, 4 + len(body)) + body

	def rec6(flags, state, cport, vport, dport, timeout, proto=6, vaddr="fd00:9::100"):
	    body = struct.pack("!IHHHHII16s16s16s", flags, state, cport, vport,
	                       dport, 7, timeout, a6("fd00:9::%x" % (0x50 + cport % 16)),
	                       a6(vaddr), a6("fd00:9::11"))
	    return struct.pack("!BBH", 1, proto, 4 + len(body)) + body

	def one():
	    k = rnd.randrange(10)
	    cport = 20000 + rnd.randrange(400)
	    state = rnd.choice([1, 1, 1, 2, 5, 6, 7])	# ESTABLISHED, SYN_SENT.. closing
	    t = rnd.randrange(1, 4)
	    if k < 5:
	        return rec4(0x3, state, cport, 80, 80, t, "10.0.9.%d" % rnd.randrange(11, 21))
	    if k < 7:
	        return rec4(0x1000, 0, 0, 443, 443, 1, "10.0.9.%d" % rnd.randrange(11, 15))
	    if k < 9:
	        return rec4(0x0, state, cport, 443, 443, t, "10.0.9.%d" % rnd.randrange(11, 15))
	    if rnd.randrange(2):
	        return rec6(0x1003, 0, 0, 0, 80, 1, proto=0, vaddr="0:7::")
	    return rec6(0x3, state, cport, 80, 80, t)

	end = time.monotonic() + secs
	n = 0
	while time.monotonic() < end and not (stop and os.path.exists(stop)):
	    recs = [one() for _ in range(40)]
	    body = b"".join(recs)
	    m = struct.pack("!BBHBbH", 0, 3, 8 + len(body), len(recs), 1, 0) + body
	    try:
	        s.sendto(m, ("224.0.0.81", 8848))
	        n += 1
	    except OSError:
	        time.sleep(0.01)
	print(n)
	EOF
}

counter() {
	dir_exec awk -v k="$1" '$1 == k { print $2 }' /proc/net/l4vs_sync
}

# every record a backup took is created, updated, or dropped for a reason
accounted() {
	dir_exec awk '
		$1 == "rx_conns" { c = $2 }
		$1 == "rx_created" || $1 == "rx_updated" { ok += $2 }
		$1 ~ /^(bad_af|bad_protocol|bad_state|bad_flags|bad_option|no_service|no_dest|conn_limit|no_memory)$/ { bad += $2 }
		END { print c + 0, ok + bad }' /proc/net/l4vs_sync
}

# ---- churn under the stream ---------------------------------------------------------

build
stream "$DURATION" >"$TMPD/sent" &
spid=$!
churn "$DURATION"
wait "$spid"

rounds=$(<"$TMPD/churn.rounds")
bad=$(<"$TMPD/churn.err")
[ "$bad" = 0 ] && [ "$rounds" -gt 0 ]
log_test $? "configuration churn: $rounds rounds (failed batches: $bad)"
sent=$(<"$TMPD/sent")
settled() {
	local a b

	a=$(counter rx_msgs)
	nap 0.5
	b=$(counter rx_msgs)
	[ "$a" = "$b" ]
}
wait_until 20 settled
msgs=$(counter rx_msgs)
log_info "sent $sent messages of 40 records; the backup read $msgs: $(dir_exec cat /proc/net/l4vs_sync | tail -n +2 | awk '$2 != 0 { printf "%s=%s ", $1, $2 }')"
[ "${msgs:-0}" -gt 0 ] && [ "$(counter rx_created)" -gt 0 ] && [ "$(counter no_dest)" -gt 0 ]
log_test $? "records were applied, and some found their server gone (created $(counter rx_created), updated $(counter rx_updated), no_dest $(counter no_dest), no_service $(counter no_service))"
read -r conns sum < <(accounted)
[ "$conns" = "$sum" ]
log_test $? "every record is accounted for (rx_conns $conns, outcomes $sum)"

# the configuration is whole: the last round re-added what it deleted
cfg=$(ipvsadm_d -Ln | grep -c -- '->.*Route\|->.*Masq')
[ "$cfg" = 7 ]
log_test $? "services and servers as the last round left them (7 servers, got $cfg)"

table_empty() {
	[ "$(ipvsadm_d -Lnc | tail -n +3 | wc -l)" = 0 ]
}
wait_until 20 table_empty
log_test $? "every synced entry and template expired (left: $(ipvsadm_d -Lnc | tail -n +3 | wc -l))"

# ---- the namespace goes away in the middle of it -------------------------------------

for ns in "${NS_LIST[@]}"; do
	ip netns del "$ns"
done
NS_LIST=()
# Then once more, and the director namespace goes while its backup is
# applying the stream (before .pre_exit stopped the daemons, the backup's
# socket held loopback: "unregister_netdevice: waiting for lo" for ever).
build
# The stream outlasts the wait (it is stopped below): on the debug kernel
# the new daemon may take longer to listen than a short stream lasts
# (KASAN and lockdep), and a stream that ended first can never be applied.
stream 90 "$TMPD/stop" >/dev/null &
spid=$!
churn 3 &
cpid=$!
wait_until 60 eval '[ "$(counter rx_created)" -gt 0 ]'
log_test $? "the backup applies the stream again (read $(counter rx_msgs) messages, created $(counter rx_created))"
ip netns del "$NS_DIR"
touch "$TMPD/stop"
wait "$cpid" 2>/dev/null
wait "$spid" 2>/dev/null

unload_module l4vs
log_test $? "l4vs and its schedulers unload afterwards"

check_dmesg "sync_churn-$$"
log_test $? "no kernel splat"
exit $RET
