#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a sync backup believes, and from whom.
#
#   sender ns                         backup director ns
#   10.0.9.2 (the master)  --veth--  10.0.9.1, sync backup on eth0, syncid 0,
#   10.0.9.3 (an intruder)            --sync-peer 10.0.9.2; later also a
#   fd00:9::2                         master (MTU 9000 link)
#
# Services on the backup:
#   10.0.9.100:80   -g rr      rs 10.0.9.11:80, 10.0.9.12:80
#   10.0.9.100:443  -m -p 300  rs 10.0.9.11:443
#   fwmark 7 (IPv6) -g -p 300  rs [fd00:9::11]:80
#
# The sender multicasts hand-made version-1 messages (python) and checks:
# a record cannot make an entry outlive the backup's own timeout for its
# state (a template: the service's persistence timeout); with a master
# address configured, messages from another source are dropped and counted
# (bad_sender) and cannot move a live connection to another server; synced
# entries stop at conn_max (conn_limit counted); a record with a packet mark
# no fwmark service has (kube-proxy's 0x4000) falls back to the address
# service; an IPv6 firewall-mark template in IPVS's layout links its
# connection; /proc/net/ip_vs_conn_sync says SYNC; a master refuses
# sync_version=0 and takes its default maxlen from the interface MTU.

. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is needed to forge sync messages"

require_tools
load_impl
[ "$IMPL" = l4vs ] || skip "--sync-peer and the counters are l4vs's"

setup_sync_link 10.0.9.3/24

# ESTABLISHED lives 100 s here: a record asking for more gets 100 s
ipvsadm_d -R <<-EOF || fail "cannot add the services"
	--set 100 120 300
	-A -t 10.0.9.100:80 -s rr
	-a -t 10.0.9.100:80 -r 10.0.9.11:80 -g -w 1
	-a -t 10.0.9.100:80 -r 10.0.9.12:80 -g -w 1
	-A -t 10.0.9.100:443 -s rr -p 300
	-a -t 10.0.9.100:443 -r 10.0.9.11:443 -m -w 1
	-A -f 7 -6 -s rr -p 300
	-a -f 7 -6 -r [fd00:9::11]:80 -g -w 1
EOF

counter() {
	dir_exec awk -v k="$1" '$1 == k { print $2 }' /proc/net/l4vs_sync
}

wait_counter() {
	[ "$(counter "$1")" = "$2" ]
}

has_entry() {
	[ -n "$(entry "$1")" ]
}

# entry CPORT: the -Lnc line of the entry from that client port
entry() {
	ipvsadm_d -Lnc | awk -v p=":$1" 'index($4, p) == length($4) - length(p) + 1'
}

# secs LINE: the entry's expiry (mm:ss) in seconds
secs() {
	local t

	t=$(awk '{ print $2 }' <<<"$1")
	[[ $t =~ ^([0-9]+):([0-9][0-9])$ ]] || { echo -1; return; }
	echo $((10#${BASH_REMATCH[1]} * 60 + 10#${BASH_REMATCH[2]}))
}

# forge FROM CASE: send one message of that case with source address FROM.
forge() {
	ip netns exec "$NS_SND" "$PY" - "$@" <<-'EOF'
	import socket, struct, sys

	src, case = sys.argv[1], sys.argv[2]
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
	s.bind((src, 0))
	a = socket.inet_aton
	a6 = lambda x: socket.inet_pton(socket.AF_INET6, x)

	def rec(proto=6, flags=0x3, state=1, cport=40000, vport=80, dport=80,
	        fwmark=0, timeout=900, caddr="10.0.9.2", vaddr="10.0.9.100",
	        daddr="10.0.9.11"):
	    body = struct.pack("!IHHHHII4s4s4s", flags, state, cport, vport,
	                       dport, fwmark, timeout, a(caddr), a(vaddr),
	                       a(daddr))
	    return struct.pack("!BBH", 0, proto, 4 + len(body)) + body

	def rec6(proto=6, flags=0x3, state=1, cport=40000, vport=80, dport=80,
	         fwmark=0, timeout=900, caddr="fd00:9::2",
	         vaddr="fd00:9::100", daddr="fd00:9::11"):
	    body = struct.pack("!IHHHHII16s16s16s", flags, state, cport, vport,
	                       dport, fwmark, timeout, a6(caddr), a6(vaddr),
	                       a6(daddr))
	    return struct.pack("!BBH", 1, proto, 4 + len(body)) + body

	def msg(recs):
	    body = b"".join(recs)
	    return struct.pack("!BBHBbH", 0, 0, 8 + len(body), len(recs), 1,
	                       0) + body

	recs = []
	if case == "long":
	    # asks for ten years for a connection and for a template
	    recs = [rec(cport=41000, timeout=315360000),
	            rec(flags=0x1000, state=0, cport=0, vport=443, dport=443,
	                timeout=315360000)]
	elif case.startswith("conn:"):
	    # conn:CPORT:DADDR ESTABLISHED to that real server
	    _, cport, daddr = case.split(":")
	    recs = [rec(cport=int(cport), daddr=daddr)]
	elif case.startswith("flood:"):
	    # flood:BASE: 50 distinct ESTABLISHED connections
	    base = int(case.split(":")[1])
	    recs = [rec(cport=base + i) for i in range(50)]
	elif case == "mark":
	    # kube-proxy marks its traffic 0x4000; no fwmark service has it
	    recs = [rec(cport=43000, fwmark=0x4000)]
	elif case == "tmpl6":
	    # IPVS's IPv6 fwmark template: ASSURED, the mark in the address's
	    # first word, the server's port 0; it lives 1 s unless a
	    # connection holds it
	    recs = [rec6(proto=0, flags=0x1003, state=1, cport=0, vport=0,
	                 dport=0, fwmark=7, timeout=1, vaddr="0:7::"),
	            rec6(cport=44000, fwmark=7)]
	s.sendto(msg(recs), ("224.0.0.81", 8848))
	EOF
}

dmesg_mark sync_trust

# ---- the master address filter ------------------------------------------------

l4vsadm_d --start-daemon backup --mcast-interface eth0 --syncid 0 --sync-peer 10.0.9.2
log_test $? "l4vsadm --start-daemon backup --sync-peer 10.0.9.2"
# without the filter the rest still has something to test
[ -n "$(ipvsadm_d -L --daemon)" ] ||
	ipvsadm_d --start-daemon backup --mcast-interface eth0 --syncid 0 ||
	fail "cannot start the backup daemon"
out=$(l4vsadm_d -L --daemon)
[[ $out == "backup sync daemon (mcast=eth0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1, peers=10.0.9.2)" ]]
log_test $? "l4vsadm -L --daemon shows the peer (got: $out)"
out=$(ipvsadm_d -L --daemon)
[[ $out == "backup sync daemon (mcast=eth0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)" ]]
log_test $? "stock ipvsadm -L --daemon still reads it (got: $out)"
dir_exec grep -q "^backup .* peers 10.0.9.2$" /proc/net/l4vs_sync
log_test $? "/proc/net/l4vs_sync shows the peer"

forge 10.0.9.3 conn:42000:10.0.9.11 || fail "cannot send"
wait_until 5 wait_counter bad_sender 1
log_test $? "a message from 10.0.9.3 is dropped and counted (bad_sender $(counter bad_sender))"
[ -z "$(entry 42000)" ]
log_test $? "it created nothing"

forge 10.0.9.2 conn:42001:10.0.9.11 || fail "cannot send"
wait_until 10 has_entry 42001
log_test $? "a message from the master 10.0.9.2 creates its entry"
# the intruder tries to move that connection to the other server
forge 10.0.9.3 conn:42001:10.0.9.12 || fail "cannot send"
wait_until 5 wait_counter bad_sender 2
line=$(entry 42001)
[[ $line == *" 10.0.9.11:80" ]] && [ "$(counter rx_updated)" = 0 ]
log_test $? "the intruder cannot rebind it to 10.0.9.12 (got: $line)"

# ---- lifetimes ------------------------------------------------------------------

forge 10.0.9.2 long || fail "cannot send"
wait_until 10 has_entry 41000
line=$(entry 41000)
t=$(secs "$line")
[ "$t" -ge 0 ] && [ "$t" -le 100 ]
log_test $? "a record asking for 10 years lives the local ESTABLISHED 100 s (got $t s: $line)"
line=$(ipvsadm_d -Lnc | awk '$3 == "NONE" && $4 == "10.0.9.2:0"')
t=$(secs "$line")
[ "$t" -ge 0 ] && [ "$t" -le 300 ]
log_test $? "a template asking for 10 years lives the persistence 300 s (got $t s: $line)"

# ---- a packet mark with no fwmark service ------------------------------------------

forge 10.0.9.2 mark || fail "cannot send"
wait_until 5 has_entry 43000
line=$(entry 43000)
[[ $line == *ESTABLISHED*" 10.0.9.100:80 "*" 10.0.9.11:80" ]]
log_test $? "a record marked 0x4000 falls back to the address service (got: ${line:-nothing}, no_service $(counter no_service))"

# ---- IPv6 firewall-mark template, IPVS's key --------------------------------------

# the template asked for 1 s; held by its connection it outlives that
tmpl6() {
	ipvsadm_d -Lnc | awk '$3 == "NONE" && $4 == "[fd00:9::2]:0"'
}
forge 10.0.9.2 tmpl6 || fail "cannot send"
wait_until 10 has_entry 44000 && [ -n "$(tmpl6)" ]
log_test $? "an IPv6 fwmark template and its connection are created"
nap 4
line=$(tmpl6)
[ -n "$line" ]
log_test $? "the IPv6 template is held by its connection past its 1 s (got: ${line:-gone})"

# ---- /proc/net/ip_vs_conn_sync ---------------------------------------------------

n=$(dir_exec awk 'NR > 1 { n++ } END { print n + 0 }' /proc/net/ip_vs_conn_sync)
s=$(dir_exec awk 'NR > 1 && $9 == "SYNC" { n++ } END { print n + 0 }' /proc/net/ip_vs_conn_sync)
[ "$n" -gt 0 ] && [ "$s" = "$n" ]
log_test $? "/proc/net/ip_vs_conn_sync marks the $n synced entries SYNC (got $s)"

# ---- conn_max ----------------------------------------------------------------------

n=$(ipvsadm_d -Lnc | tail -n +3 | wc -l)
max=$((n + 30))
dir_exec sysctl -qw net.ipv4.vs.conn_max=$max || fail "cannot set conn_max"
created0=$(counter rx_created)
limit0=$(counter conn_limit)
forge 10.0.9.2 flood:50000 || fail "cannot send"
# each of the 50 is either created (the 20 beyond the limit in the place
# of an entry nothing confirmed, conn.c's eviction) or refused, counted
outcomes() {
	echo $(($(counter rx_created) - created0 + $(counter conn_limit) - limit0))
}
wait_until 10 eval '[ "$(outcomes)" -ge 50 ]'
log_test $? "50 records at 30 below conn_max: each created or counted conn_limit (got $(outcomes))"
n=$(ipvsadm_d -Lnc | tail -n +3 | wc -l)
[ "$n" = "$max" ]
log_test $? "the table stops at conn_max $max (got $n)"
dir_exec sysctl -qw net.ipv4.vs.conn_max=0

# ---- master: sync_version and maxlen -------------------------------------------------

ip -n "$NS_SND" link set eth0 mtu 9000 && ip -n "$NS_DIR" link set eth0 mtu 9000 ||
	fail "cannot set the MTU"
if dir_exec sysctl -qw net.ipv4.vs.sync_version=0 2>/dev/null; then
	out=$(l4vsadm_d --start-daemon master --mcast-interface eth0 2>&1)
	rc=$?
	[ $rc != 0 ] && [[ $out == *"sync_version 0 is not supported"* ]]
	log_test $? "with sync_version=0 a master does not start (got: $out)"
	[ $rc != 0 ] || ipvsadm_d --stop-daemon master
	dir_exec sysctl -qw net.ipv4.vs.sync_version=1
else
	log_test 0 "sync_version=0 is refused by the sysctl"
fi
ipvsadm_d --start-daemon master --mcast-interface eth0 || fail "cannot start the master"
out=$(ipvsadm_d -L --daemon | grep master)
[[ $out == *"maxlen=8972,"* ]]
log_test $? "on a 9000-byte MTU the master's maxlen is 8972 (got: $out)"
ipvsadm_d --stop-daemon master && ipvsadm_d --stop-daemon backup
log_test $? "the daemons stop"

# ---- bad peers -----------------------------------------------------------------------

! l4vsadm_d --start-daemon backup --mcast-interface eth0 --mcast-group ff02::8:81 \
	--sync-peer 10.0.9.2 2>/dev/null
log_test $? "an IPv4 peer for an IPv6 group is refused"
[ -z "$(ipvsadm_d -L --daemon)" ]
log_test $? "and nothing runs"

check_dmesg sync_trust
log_test $? "no kernel warning"

exit $RET
