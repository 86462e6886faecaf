#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bad sync input at a backup daemon.
#
#   sender ns (10.0.9.2) --veth-- backup director ns (10.0.9.1, sync backup
#                                 on eth0, syncid 7, services below)
#
# The sender multicasts forged version-1 sync messages to 224.0.0.81:8848:
# short, lying about their size, their version, their sync id, their record
# count (both ways), with record sizes, address families, protocols, states,
# forwarding methods and options that make no sense, and for services and
# real servers that do not exist; then a few hundred random datagrams.  None
# may create an entry, each must be counted in /proc/net/l4vs_sync under the
# right reason, and the kernel must stay quiet.  A last, well-formed message
# must then create its entry (so the sender does reach the backup).

. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is needed to forge sync messages"

require_tools
load_impl
[ "$IMPL" = l4vs ] || skip "the counters are l4vs's (/proc/net/l4vs_sync)"

setup_sync_link

ipvsadm_d -R <<-EOF || fail "cannot add the services"
	-A -t 10.0.9.100:80 -s rr
	-a -t 10.0.9.100:80 -r 10.0.9.11:80 -g -w 1
	-A -t 10.0.9.100:443 -s rr -p 300
	-a -t 10.0.9.100:443 -r 10.0.9.11:443 -m -w 1
	-A -t [fd00:9::100]:80 -s rr
	-a -t [fd00:9::100]:80 -r [fd00:9::11]:80 -g -w 1
EOF
ipvsadm_d --start-daemon backup --mcast-interface eth0 --syncid 7 ||
	fail "cannot start the backup daemon"

counter() {
	dir_exec awk -v k="$1" '$1 == k { print $2 }' /proc/net/l4vs_sync
}

# forge MODE: send the forged messages (MODE bad, fuzz or good).
forge() {
	ip netns exec "$NS_SND" "$PY" - "$1" <<-'EOF'
	import os, random, socket, struct, sys, time

	GROUP = ("224.0.0.81", 8848)
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
	a = socket.inet_aton

	def rec(typ=0, proto=6, size=None, flags=0x3, state=1, cport=40000,
	    vport=80, dport=80, fwmark=0, timeout=900, caddr="10.0.9.2",
	    vaddr="10.0.9.100", daddr="10.0.9.11", opts=b"", ver=0):
	    body = struct.pack("!IHHHHII4s4s4s", flags, state, cport, vport,
	               dport, fwmark, timeout, a(caddr), a(vaddr),
	               a(daddr)) + opts
	    if size is None:
	        size = 4 + len(body)
	    r = struct.pack("!BBH", typ, proto, (ver << 12) | size) + body
	    return r + b"\0" * (-len(r) % 4)

	def msg(recs, nr=None, syncid=7, version=1, reserved=0, size=None):
	    body = b"".join(recs)
	    if nr is None:
	        nr = len(recs)
	    if size is None:
	        size = 8 + len(body)
	    return struct.pack("!BBHBbH", reserved, syncid, size, nr, version,
	               0) + body

	def send(b):
	    s.sendto(b, GROUP)
	    time.sleep(0.02)

	mode = sys.argv[1]
	if mode == "bad":
	    good = rec()
	    send(b"\0\x07\0")			# bad_length: short
	    send(msg([good], size=200))		# bad_length: size field
	    send(msg([good], reserved=1, version=0))	# bad_version: v0
	    send(msg([good], version=2))		# bad_version
	    send(msg([good], syncid=8))		# bad_syncid
	    send(msg([good], nr=3))			# bad_count: too few
	    send(msg([good, rec(cport=40001)], nr=1))	# bad_count: too many
	    send(msg([good, good[:20]], nr=2))	# bad_count: last cut
	    send(msg([rec(size=20)]))		# bad_record: too short
	    send(msg([rec(size=400)]))		# bad_record: overruns
	    send(msg([rec(ver=1)]))			# bad_record: version
	    send(msg([rec(typ=1)]))			# bad_record: v6 type, v4 size
	    send(msg([rec(opts=b"\x01\x30" + b"\0" * 6)]))	# bad_record: option overruns
	    send(msg([rec(typ=2)]))			# bad_af
	    send(msg([rec(proto=99)]))		# bad_protocol
	    send(msg([rec(state=42)]))		# bad_state
	    send(msg([rec(flags=0x1000, state=3)]))	# bad_state: template with state
	    send(msg([rec(flags=0x4)]))		# bad_flags: bypass
	    send(msg([rec(flags=0x2003)]))		# bad_flags: one-packet
	    send(msg([rec(opts=b"\x03\x03sip")]))	# bad_option: persistence engine
	    send(msg([rec(vport=9999)]))		# no_service
	    send(msg([rec(vaddr="10.0.9.200")]))	# no_service
	    send(msg([rec(flags=0x1003, state=0, cport=0)]))	# no_service: template, not persistent
	    send(msg([rec(daddr="10.0.9.12")]))	# no_dest
	    send(msg([rec(dport=81)]))		# no_dest
	elif mode == "fuzz":
	    rnd = random.Random(4242)
	    good = rec()
	    for i in range(300):
	        if i % 2:
	            b = bytes(rnd.getrandbits(8) for _ in range(rnd.randrange(0, 300)))
	        else:
	            # a valid header over a mangled record
	            r = bytearray(good)
	            for _ in range(rnd.randrange(1, 6)):
	                r[rnd.randrange(len(r))] = rnd.getrandbits(8)
	            # keep the tuple unknown to the services: vport 7
	            r[12:14] = b"\0\x07"
	            b = msg([bytes(r)])
	        s.sendto(b, GROUP)
	        if i % 50 == 0:
	            time.sleep(0.05)
	elif mode == "good6":
	    # one IPv6 record to the IPv6 group, link-local scope on eth0
	    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
	    idx = socket.if_nametoindex("eth0")
	    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, idx)
	    a6 = lambda x: socket.inet_pton(socket.AF_INET6, x)
	    body = struct.pack("!IHHHHII16s16s16s", 0x3, 1, 40006, 80, 80, 0, 900,
	                       a6("fd00:9::2"), a6("fd00:9::100"), a6("fd00:9::11"))
	    r = struct.pack("!BBH", 1, 6, 4 + len(body)) + body
	    s6.sendto(msg([r]), ("ff02::8:81", 8848, 0, idx))
	else:
	    send(msg([rec(cport=40002, state=1)]))
	EOF
}

wait_counter() {
	local k=$1 want=$2

	[ "$(counter "$k")" = "$want" ]
}

dmesg_mark sync_bad
forge bad || fail "cannot send the forged messages"
declare -A expect=(
	[bad_length]=2 [bad_version]=2 [bad_syncid]=1 [bad_count]=3
	[bad_record]=5 [bad_af]=1 [bad_protocol]=1 [bad_state]=2 [bad_flags]=2
	[bad_option]=1 [no_service]=3 [no_dest]=2 [rx_created]=0
)
wait_until 10 wait_counter no_dest 2
for k in bad_length bad_version bad_syncid bad_count bad_record bad_af \
	 bad_protocol bad_state bad_flags bad_option no_service no_dest rx_created; do
	got=$(counter "$k")
	[ "$got" = "${expect[$k]}" ]
	log_test $? "$k counted ${expect[$k]} (got ${got:-none})"
done
n=$(ipvsadm_d -Lnc | tail -n +3 | wc -l)
[ "$n" = 0 ]
log_test $? "no entry created by bad messages (got $n)"

forge fuzz || fail "cannot send the random messages"
nap 2
n=$(ipvsadm_d -Lnc | tail -n +3 | wc -l)
[ "$n" = 0 ]
log_test $? "no entry created by 300 random datagrams (got $n)"
log_info "counters after the fuzz: $(dir_exec cat /proc/net/l4vs_sync | tr -s " \n" " =")"

forge good || fail "cannot send the good message"
wait_until 10 wait_counter rx_created 1
log_test $? "a well-formed message creates its entry"
line=$(ipvsadm_d -Lnc | awk '$4 == "10.0.9.2:40002"')
[[ $line == "TCP "*" ESTABLISHED 10.0.9.2:40002 "*" 10.0.9.100:80 "*" 10.0.9.11:80" ]]
log_test $? "it is ESTABLISHED to the named real server (got: $line)"

check_dmesg sync_bad
log_test $? "no kernel warning"

ipvsadm_d --stop-daemon backup
log_test $? "the backup daemon stops"

# IPv6: a backup on the IPv6 group takes an IPv6 record
ipvsadm_d --start-daemon backup --mcast-interface eth0 --syncid 7 --mcast-group ff02::8:81
log_test $? "a backup daemon on the IPv6 group ff02::8:81 starts"
out=$(ipvsadm_d -L --daemon)
[[ $out == *"group=ff02::8:81, port=8848"* ]]
log_test $? "ipvsadm -L --daemon shows the IPv6 group (got: $out)"
forge good6 || fail "cannot send the IPv6 message"
wait_until 10 wait_counter rx_created 1
log_test $? "an IPv6 record creates its entry"
line=$(ipvsadm_d -Lnc | awk '$3 == "ESTABLISHED" && $6 == "[fd00:9::11]:80"')
[ -n "$line" ]
log_test $? "it is ESTABLISHED to [fd00:9::11]:80 (got: $line)"
ipvsadm_d --stop-daemon backup
log_test $? "the IPv6 backup daemon stops"

exit $RET
