#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns                        director ns                         real servers
#  10.0.1.2  UDP flood of new  ===  VIP:53 udp rr  -m                ---  rs1..rs3 (fixed)
#            flows (vs_client)      + 20 servers added and deleted   ---  rs4: 10.0.14.2-21
#                                     in a loop (health checker)           answer on every one
#  10.0.2.2-201  persistent UDP ==  VIP:54 udp rr -p 1 -m            ---  rs1..rs3, weights
#            clients (python)         templates expiring every second       flapping 0/1
#
# Lifetime races under churn, the windows issue 11 names:
#  1. a packet chooses a real server under RCU while the control plane
#     deletes it; the new connection must not take a reference on a server
#     whose last reference is gone (refcount_t "addition on 0" on the old
#     code);
#  2. a packet finds a persistence template while the collector reaps it;
#     the connection must not attach to a template that is being freed
#     (the l4vs_conn slab is poisoned in the guest, so a write to a freed
#     template shows up as "Poison overwritten").
# Then (3) the director namespace is deleted in the middle of all that, and
# finally every l4vs module unloads (a leaked connection or reference keeps
# the slab busy and the kernel says so).
#
# A debug build (make CONFIG_L4VS_DEBUG=y, what make check runs on its first
# kernel) has a race_delay_us parameter that holds each new flow between the
# choice and the reference for that long, so the windows are hit every few
# packets instead of once in a blue moon; without it the test still churns,
# and says so.

. "$(dirname "$0")/lib.sh"

DURATION=${L4VS_STRESS_SECS:-15}
NPERSIST=200		# persistent client addresses
DELAY_PARAM=/sys/module/l4vs/parameters/race_delay_us

[ "$L4VS_IMPL" = l4vs ] || skip "l4vs only (race_delay_us, /proc/net/l4vs_drops)"
require_tools
require_l4vsadm
command -v python3 >/dev/null || skip "python3 not installed"
load_impl
dmesg_mark "stress_churn-$$"

drops() {	# drops REASON: the netns's counter of packets dropped for REASON
	local name n

	while read -r name n; do
		[ "$name" = "$1" ] && { echo "$n"; return; }
	done < <(dir_exec cat /proc/net/l4vs_drops)
	echo 0
}

build() {
	new_names
	setup_nat_topology 4
	# rs4 answers on 20 addresses: each one a real server of its own
	batch=
	for ((k = 3; k <= 22; k++)); do
		batch+="addr add 10.0.14.$k/24 dev eth0"$'\n'
	done
	ip -n "${NS_RS[4]}" -batch - <<<"$batch" || fail "rs4 addresses"
	batch=
	for ((k = 1; k <= NPERSIST; k++)); do
		batch+="addr add 10.0.2.$((k + 1))/24 dev eth0"$'\n'
	done
	ip -n "$NS_CLI" -batch - <<<"$batch" || fail "client addresses"
	ip -n "$NS_DIR" addr add 10.0.2.1/24 dev cli0 || fail "director address"
	start_servers -u 53 -u 54

	# short timeouts: connections and templates come and go all the time
	ipvsadm_d --set 2 2 1 || fail "cannot set the timeouts"
	rules="-A -u $VIP:53 -s rr"$'\n'
	rules+="-A -u $VIP:54 -s rr -p 1"$'\n'
	for ((i = 1; i <= 3; i++)); do
		rules+="-a -u $VIP:53 -r ${RS_IP[i]}:53 -m -w 1"$'\n'
		rules+="-a -u $VIP:54 -r ${RS_IP[i]}:54 -m -w 1"$'\n'
	done
	ipvsadm_d -R <<<"$rules" || fail "cannot configure the services"
	dir_exec sysctl -qw net.ipv4.vs.expire_quiescent_template=1 ||
		fail "expire_quiescent_template"
}

# One round of the health checker: each of 20 extra servers added and at
# once deleted again (a flow that chose it in between is the race), and the
# fixed servers' weights flapped (quiesced templates are replaced).
churn_rules() {
	local k out=

	out+="-e -u $VIP:54 -r ${RS_IP[1]}:54 -m -w 0"$'\n'
	for ((k = 3; k <= 22; k++)); do
		out+="-a -u $VIP:53 -r 10.0.14.$k:53 -m -w 1"$'\n'
		out+="-d -u $VIP:53 -r 10.0.14.$k:53"$'\n'
	done
	out+="-e -u $VIP:54 -r ${RS_IP[1]}:54 -m -w 1"$'\n'
	echo -n "$out"
}

# churn SECS: rounds of churn_rules for SECS seconds; the number of rounds
# that failed goes to $TMPD/churn.err, the number run to $TMPD/churn.rounds.
churn() {
	local end=$(($(now_ms) + $1 * 1000)) rounds=0 bad=0 i file=$TMPD/rounds

	: >"$file"
	for ((i = 0; i < 10; i++)); do
		churn_rules >>"$file"
	done
	while [ "$(now_ms)" -lt "$end" ]; do
		ipvsadm_d -R <"$file" || bad=$((bad + 1))
		rounds=$((rounds + 10))
	done
	echo "$bad" >"$TMPD/churn.err"
	echo "$rounds" >"$TMPD/churn.rounds"
}

# Persistent clients: each address sends a datagram from a fresh port every
# 0.8-2.5 s, so its template is found now busy, now expired, now being
# reaped.  Prints "ok=N fail=N".
persist_clients() {
	ip netns exec "$NS_CLI" python3 - "$VIP" 54 "$1" "$NPERSIST" <<-'EOF'
		import random, select, socket, sys, time
		vip, port, secs, n = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
		rnd = random.Random(11)
		addrs = ["10.0.2.%d" % (k + 1) for k in range(1, n + 1)]
		due = {a: time.monotonic() + rnd.uniform(0, 2.5) for a in addrs}
		pending = {}
		ok = fail = 0
		end = time.monotonic() + secs
		while time.monotonic() < end or pending:
		    now = time.monotonic()
		    if now < end:
		        for a in addrs:
		            if due[a] <= now:
		                due[a] = now + rnd.uniform(0.8, 2.5)
		                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		                try:
		                    s.bind((a, 0))
		                    s.setblocking(False)
		                    s.sendto(b"x\n", (vip, port))
		                except OSError:    # the link went with the director
		                    fail += 1
		                    s.close()
		                    continue
		                pending[s] = now + 1.0
		    r, _, _ = select.select(list(pending), [], [], 0.02)
		    for s in r:
		        try:
		            s.recv(100)
		            ok += 1
		        except OSError:
		            fail += 1
		        del pending[s]
		        s.close()
		    for s, t in list(pending.items()):
		        if t < time.monotonic():
		            fail += 1
		            del pending[s]
		            s.close()
		print("ok=%d fail=%d" % (ok, fail))
	EOF
}

# The flow flood: two clients opening UDP flows as fast as they can.
start_flood() {
	FLOOD_PIDS=()
	bg ip netns exec "$NS_CLI" "$VS_CLIENT" -u -n 1000000 -w 300 "$VIP" 53 >"$TMPD/flood1"
	FLOOD_PIDS+=("$BG_PID")
	bg ip netns exec "$NS_CLI" "$VS_CLIENT" -u -n 1000000 -w 300 "$VIP" 53 >"$TMPD/flood2"
	FLOOD_PIDS+=("$BG_PID")
}

stop_flood() {
	kill "${FLOOD_PIDS[@]}" 2>/dev/null
	wait "${FLOOD_PIDS[@]}" 2>/dev/null
}

# count_answers FILE...: answers from any real server in vs_client output
count_answers() {
	cat "$@" 2>/dev/null | grep -c '^rs'
}

# ---- 1 and 2: churn under a flood of new flows and persistent clients ------

build
delay=0
if [ -w "$DELAY_PARAM" ]; then
	delay=5000
	echo "$delay" >"$DELAY_PARAM" || fail "cannot set race_delay_us"
	defer "echo 0 >$DELAY_PARAM"
	log_info "debug build: every new flow waits ${delay} us between choice and reference"
else
	log_info "not a debug build: no race_delay_us, the windows are only as wide as the code"
fi
gone0=$(drops dest_gone)

start_flood
persist_clients "$DURATION" >"$TMPD/persist" &
ppid=$!
churn "$DURATION"
wait "$ppid"
stop_flood

rounds=$(<"$TMPD/churn.rounds")
bad=$(<"$TMPD/churn.err")
[ "$bad" = 0 ] && [ "$rounds" -gt 0 ]
log_test $? "health checker: $rounds rounds of 20 server add+delete pairs, 2 edits (failed batches: $bad)"
n=$(count_answers "$TMPD/flood1" "$TMPD/flood2")
[ "$n" -gt 0 ]
log_test $? "new flows answered during the churn (got: $n)"
read -r pres <"$TMPD/persist"
[[ $pres =~ ^ok=([0-9]+)\ fail=([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]
log_test $? "persistent clients answered during the churn (got: $pres)"
gone=$(($(drops dest_gone) - gone0))
if [ "$delay" -gt 0 ]; then
	# with the window held open, deletes land inside it: the new code
	# refuses those flows (counted) instead of referencing a dead server
	[ "$gone" -gt 0 ]
	log_test $? "flows whose server was deleted under them were refused (dest_gone: $gone)"
	echo 0 >"$DELAY_PARAM"
else
	log_info "flows refused because their server went: $gone"
fi

# after the storm: the services are whole and every request is answered
client -u -n 12 -w 2000 "$VIP" 53 >"$TMPD/after"
got=$(tally "$TMPD/after")
[ "$got" = "rs1=4 rs2=4 rs3=4" ]
rc=$?
log_test $rc "after the churn: 12 flows spread rs1=4 rs2=4 rs3=4 (got: $got)"
if [ $rc -ne 0 ]; then
	dir_exec "$L4VSADM" -Ln
	dir_exec cat /proc/net/l4vs_drops
	head -n 3 "$TMPD/after"
fi

# every connection and template expires: nothing keeps a reference
conn_count() {
	local n

	n=$(dir_exec "$L4VSADM" -Lnc | grep -c -E '^(UDP|TCP)')
	echo "$n"
}
table_empty() {
	[ "$(conn_count)" = 0 ]
}
wait_until 20 table_empty
log_test $? "every entry expired within 20 s (left: $(conn_count))"

# ---- 3: the namespace goes away in the middle of it ----------------------------

for ns in "${NS_LIST[@]}"; do
	ip netns del "$ns"
done
NS_LIST=()
build
[ "$delay" -gt 0 ] && echo "$delay" >"$DELAY_PARAM"
start_flood
persist_clients 6 >/dev/null &
ppid=$!
churn 3 &
cpid=$!
wait_until 10 eval '[ "$(count_answers "$TMPD/flood1")" -gt 0 ]'
ip netns del "$NS_DIR"
wait "$cpid" 2>/dev/null
wait "$ppid" 2>/dev/null
stop_bg
[ "$delay" -gt 0 ] && echo 0 >"$DELAY_PARAM"
log_test 0 "director namespace deleted under churn and traffic"

# the last reference on the modules is the namespace's: they unload now
unload_module l4vs
log_test $? "l4vs and its schedulers unload afterwards"

check_dmesg "stress_churn-$$"
log_test $? "no kernel splat"
exit $RET
