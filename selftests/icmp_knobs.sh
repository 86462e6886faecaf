#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns                director ns                     real server
#  10.0.1.2, fd00:1::2  ---  VIP 10.0.1.100, fd00:1::100  --- rs1 10.0.11.2
#  nft: counts and drops    udp 53, tcp 80, -m (NAT)          fd00:11::2
#  what reaches ports       icmp_ratelimit 0                  vs_server -u 53
#  40000-41999                                                python3 raw sockets
#
# net.ipv4.vs.nat_icmp_send and schedule_icmp, each at 0 and 1, IPv4 and
# IPv6, through l4vs and then (where the kernel has it) through ip_vs, both
# configured by ipvsadm.  Each outcome is asserted against the table below
# for l4vs, and the outcomes of ip_vs must be the same, case for case.
#
# nat_icmp_send: the real server sends, from its service port, to client
# ports no entry knows (python3 raw sockets in rs1):
#   udp    a UDP datagram from :53            1: ICMP port unreachable from
#   ack    a TCP ACK from :80                    the director, client gets
#                                                nothing; 0: client gets it
#   rst    a TCP RST from :80                 never an ICMP, client gets it
#   other  a UDP datagram from :5353 (no      never an ICMP, client gets it
#          service's port)
# A last datagram to a port the client does not drop brings the client's
# own port unreachable back: once it is there, every error the director
# sent for the packets before it has arrived too (one path, in order).
# schedule_icmp: the client sends ICMP errors to the VIP about flows
# VIP -> client that have no entry (python3 raw sockets in the client):
#   du     v4 port unreachable quoting UDP VIP:53   1: reaches rs1 (its
#   te     v4 time exceeded quoting TCP VIP:80         counters of that
#   du6    v6 port unreachable quoting UDP :53         type move); 0: does
#   te6    v6 time exceeded quoting TCP :80            not
#   pp     v4 parameter problem quoting UDP :53   never (IPVS schedules
#                                                 only the three v4 types)
# then one UDP request to each VIP:53, answered by rs1 along the same path.
#
# Fails if: nat_orphan() in net/core.c is not called or ignores the knob
# (no ICMP with 1, or one with 0), sends one for a reset or for a port that
# is no NAT server's; if schedule_error()/schedule_error6() in net/icmp.c,
# net/icmp6.c do not schedule (nothing reaches rs1 with 1), ignore the knob
# or schedule a v4 parameter problem; or if ip_vs and l4vs differ anywhere.

. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is needed for raw packets"
command -v nft >/dev/null || skip "nft (nftables) is not installed"
[ -x "$IPVSADM" ] || skip "$IPVSADM not installed"
require_tools

make_tmpdir
cat >"$TMPD/probe.py" <<-'EOF'
	import select, socket, struct, sys, time

	def csum(b):
	    if len(b) % 2:
	        b += b"\0"
	    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	    while s >> 16:
	        s = (s & 0xffff) + (s >> 16)
	    return ~s & 0xffff

	def pseudo(af, src, dst, proto, length):
	    a, b = socket.inet_pton(af, src), socket.inet_pton(af, dst)
	    if af == socket.AF_INET:
	        return a + b + struct.pack("!BBH", 0, proto, length)
	    return a + b + struct.pack("!IxxxB", length, proto)

	def udp(af, src, dst, sport, dport, data=b"l4vs?"):
	    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
	    c = csum(pseudo(af, src, dst, 17, len(h)) + h) or 0xffff
	    return h[:6] + struct.pack("!H", c) + h[8:]

	def tcp(af, src, dst, sport, dport, flags):
	    h = struct.pack("!HHIIBBHHH", sport, dport, 1000, 2000, 5 << 4,
	                    flags, 1000, 0, 0)
	    c = csum(pseudo(af, src, dst, 6, len(h)) + h)
	    return h[:16] + struct.pack("!H", c) + h[18:]

	def ip4(src, dst, proto, payload):
	    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0,
	                    64, proto, 0, socket.inet_aton(src),
	                    socket.inet_aton(dst))
	    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload

	def ip6(src, dst, nh, payload):
	    return (struct.pack("!IHBB", 6 << 28, len(payload), nh, 64) +
	            socket.inet_pton(socket.AF_INET6, src) +
	            socket.inet_pton(socket.AF_INET6, dst) + payload)

	def send_raw(af, proto, src, dst, payload):
	    s = socket.socket(af, socket.SOCK_RAW, proto)
	    s.bind((src, 0))
	    s.sendto(payload, (dst, 0))
	    s.close()

	# rs RS4 RS6 CLI4 CLI6 BASE: nat_icmp_send's packets, then who answered
	def rs(rs4, rs6, cli4, cli6, base):
	    ic4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
	    ic6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
	                        socket.IPPROTO_ICMPV6)
	    cases = {}
	    port = base
	    for af, src, dst, fam in ((socket.AF_INET, rs4, cli4, ""),
	                              (socket.AF_INET6, rs6, cli6, "6")):
	        for name, proto, sport, make in (
	                ("udp", 17, 53, lambda a, s, d, sp, dp: udp(a, s, d, sp, dp)),
	                ("ack", 6, 80, lambda a, s, d, sp, dp: tcp(a, s, d, sp, dp, 0x10)),
	                ("rst", 6, 80, lambda a, s, d, sp, dp: tcp(a, s, d, sp, dp, 0x04)),
	                ("other", 17, 5353, lambda a, s, d, sp, dp: udp(a, s, d, sp, dp))):
	            port += 1
	            cases[(fam, port)] = name + fam
	            send_raw(af, proto, src, dst, make(af, src, dst, sport, port))
	    marker = base + 99	# not dropped: the client answers it
	    for af, src, dst, fam in ((socket.AF_INET, rs4, cli4, ""),
	                              (socket.AF_INET6, rs6, cli6, "6")):
	        send_raw(af, 17, src, dst, udp(af, src, dst, 5353, marker))
	    got = {}
	    seen = set()
	    deadline = time.monotonic() + 10
	    while len(seen) < 2 and time.monotonic() < deadline:
	        r, _, _ = select.select([ic4, ic6], [], [], 0.2)
	        for s in r:
	            buf, addr = s.recvfrom(2048)
	            try:	# anything else (neighbour discovery) is skipped
	                if s is ic4:
	                    off = (buf[0] & 15) * 4
	                    typ, code = buf[off], buf[off + 1]
	                    q = off + 8 + (buf[off + 8] & 15) * 4
	                    fam, want, cli = "", (3, 3), cli4
	                else:
	                    typ, code = buf[0], buf[1]
	                    q = 8 + 40
	                    fam, want, cli = "6", (1, 4), cli6
	                if (typ, code) != want:
	                    continue
	                dport = struct.unpack("!H", buf[q + 2:q + 4])[0]
	            except (IndexError, struct.error):
	                continue
	            if dport == marker:
	                seen.add(fam)
	                continue
	            who = "client" if addr[0] == cli else "director"
	            if (fam, dport) in cases:
	                got[cases[(fam, dport)]] = "icmp-from-" + who
	    print("markers=" + ("ok" if len(seen) == 2 else "missing"))
	    for (fam, port), name in sorted(cases.items(), key=lambda kv: kv[1]):
	        print("%s %d %s" % (name, port, got.get(name, "none")))

	# errors VIP4 VIP6 CLI4 CLI6 BASE: schedule_icmp's errors, then requests
	def errors(vip4, vip6, cli4, cli6, base):
	    for typ, code, proto, vport, port in ((3, 3, 17, 53, base + 1),
	                                           (11, 0, 6, 80, base + 2),
	                                           (12, 0, 17, 53, base + 3)):
	        if proto == 17:
	            l4 = udp(socket.AF_INET, vip4, cli4, vport, port)
	        else:
	            l4 = tcp(socket.AF_INET, vip4, cli4, vport, port, 0x12)
	        body = ip4(vip4, cli4, proto, l4)[:28]
	        msg = struct.pack("!BBHI", typ, code, 0, 0) + body
	        msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
	        send_raw(socket.AF_INET, socket.IPPROTO_ICMP, cli4, vip4, msg)
	    for typ, code, proto, vport, port in ((1, 4, 17, 53, base + 4),
	                                           (3, 0, 6, 80, base + 5)):
	        if proto == 17:
	            l4 = udp(socket.AF_INET6, vip6, cli6, vport, port)
	        else:
	            l4 = tcp(socket.AF_INET6, vip6, cli6, vport, port, 0x12)
	        body = ip6(vip6, cli6, proto, l4)[:48]
	        msg = struct.pack("!BBHI", typ, code, 0, 0) + body
	        c = csum(pseudo(socket.AF_INET6, cli6, vip6, 58, len(msg)) + msg)
	        msg = msg[:2] + struct.pack("!H", c) + msg[4:]
	        send_raw(socket.AF_INET6, socket.IPPROTO_ICMPV6, cli6, vip6, msg)
	    for af, vip in ((socket.AF_INET, vip4), (socket.AF_INET6, vip6)):
	        s = socket.socket(af, socket.SOCK_DGRAM)
	        s.settimeout(5)
	        answer = "-"
	        for _ in range(3):
	            try:
	                s.sendto(b"?\n", (vip, 53))
	                answer = s.recv(256).split()[0].decode()
	                break
	            except OSError:
	                pass
	        print("request %s %s" % (vip, answer))

	if sys.argv[1] == "rs":
	    rs(*sys.argv[2:6], int(sys.argv[6]))
	else:
	    errors(*sys.argv[2:6], int(sys.argv[6]))
EOF

# "ICMP errors of each type rs1 received": v4 unreachable, time exceeded,
# parameter problem, v6 unreachable, time exceeded
rs_icmp_in() {
	in_ns "${NS_RS[1]}" awk '
		$1 == "Icmp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == "Icmp:" { du = $c["InDestUnreachs"]; te = $c["InTimeExcds"]; pp = $c["InParmProbs"] }
		$1 == "Icmp6InDestUnreachs" { du6 = $2 }
		$1 == "Icmp6InTimeExcds" { te6 = $2 }
		END { print du, te, pp, du6, te6 }' /proc/net/snmp /proc/net/snmp6
}

# what reached each dropped client port: "PORT PACKETS" lines
client_counts() {
	cli_exec nft list chain inet l4vst in |
		awk '/dport/ { for (i = 1; i < NF; i++) { if ($i == "dport") p = $(i + 1); if ($i == "packets") print p, $(i + 1) } }'
}

# the expected outcome of every case, by knob value
declare -A WANT_NAT WANT_SCHED
for k in 0 1; do
	for f in "" 6; do
		if [ $k = 1 ]; then
			WANT_NAT[$k,udp$f]="icmp-from-director reached=0"
			WANT_NAT[$k,ack$f]="icmp-from-director reached=0"
		else
			WANT_NAT[$k,udp$f]="none reached=1"
			WANT_NAT[$k,ack$f]="none reached=1"
		fi
		WANT_NAT[$k,rst$f]="none reached=1"
		WANT_NAT[$k,other$f]="none reached=1"
	done
	WANT_SCHED[$k]="$k $k 0 $k $k"
done

declare -A OUT		# OUT[impl,case]: what happened

run_impl() {
	local impl=$1 k line name port res n base d i
	local -a b a
	local -A reached

	load_impl "$impl"
	new_names
	setup_nat_topology 1
	start_servers -u 53
	ipvsadm_d -R <<-EOF || fail "$impl: cannot add the services"
		-A -u $VIP:53 -s rr
		-a -u $VIP:53 -r ${RS_IP[1]}:53 -m -w 1
		-A -t $VIP:80 -s rr
		-a -t $VIP:80 -r ${RS_IP[1]}:80 -m -w 1
		-A -u [$VIP6]:53 -s rr
		-a -u [$VIP6]:53 -r [${RS_IP6[1]}]:53 -m -w 1
		-A -t [$VIP6]:80 -s rr
		-a -t [$VIP6]:80 -r [${RS_IP6[1]}]:80 -m -w 1
	EOF
	# every error counts here: none may be lost to rate limiting
	dir_exec sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 ||
		fail "director icmp sysctls"
	cli_exec sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 ||
		fail "client icmp sysctls"
	cli_exec nft -f - <<-EOF || fail "client nft"
		table inet l4vst {
			chain in {
				type filter hook input priority 0;
				$(for ((p = 40001; p <= 40008; p++)); do
					echo "udp dport $p counter drop"
					echo "tcp dport $p counter drop"
					echo "udp dport $((p + 100)) counter drop"
					echo "tcp dport $((p + 100)) counter drop"
				done)
			}
		}
	EOF

	for k in 0 1; do
		base=$((40000 + 100 * k))
		dir_exec sysctl -qw net.ipv4.vs.nat_icmp_send=$k ||
			fail "$impl: cannot set nat_icmp_send=$k"
		in_ns "${NS_RS[1]}" "$PY" "$TMPD/probe.py" rs "${RS_IP[1]}" \
			"${RS_IP6[1]}" "$CLI_IP" "$CLI_IP6" $base >"$TMPD/rs.$impl.$k" ||
			fail "$impl: the real server's probe failed"
		reached=()
		while read -r port n; do
			reached[$port]=$((${reached[$port]:-0} + n))
		done < <(client_counts)
		read -r line <"$TMPD/rs.$impl.$k"
		[ "$line" = markers=ok ]
		log_test $? "$impl nat_icmp_send=$k: the client's own answers came back ($line)"
		while read -r name port res; do
			[ "$name" = "${name#markers}" ] || continue
			OUT[$impl,nat$k,$name]="$res reached=${reached[$port]:-0}"
		done <"$TMPD/rs.$impl.$k"
	done
	dir_exec sysctl -qw net.ipv4.vs.nat_icmp_send=0 || fail "nat_icmp_send=0"
	if [ "$impl" = l4vs ]; then
		n=$(dir_exec awk '$1 == "nat_no_entry" { print $2 }' /proc/net/l4vs_drops)
		[ "$n" = 4 ]
		log_test $? "l4vs: the 4 packets answered with an ICMP counted as nat_no_entry drops (got: ${n:-no line})"
	fi

	for k in 0 1; do
		base=$((41000 + 100 * k))
		dir_exec sysctl -qw net.ipv4.vs.schedule_icmp=$k ||
			fail "$impl: cannot set schedule_icmp=$k"
		read -ra b < <(rs_icmp_in)
		cli_exec "$PY" "$TMPD/probe.py" errors "$VIP" "$VIP6" "$CLI_IP" \
			"$CLI_IP6" $base >"$TMPD/err.$impl.$k" ||
			fail "$impl: the client's probe failed"
		read -ra a < <(rs_icmp_in)
		[ "$(grep -c ' rs1$' "$TMPD/err.$impl.$k")" = 2 ]
		log_test $? "$impl schedule_icmp=$k: both requests after the errors answered ($(tr '\n' ' ' <"$TMPD/err.$impl.$k"))"
		d=
		for i in 0 1 2 3 4; do
			d+="${d:+ }$((a[i] - b[i]))"
		done
		OUT[$impl,sched$k]=$d
	done
	dir_exec sysctl -qw net.ipv4.vs.schedule_icmp=0 || fail "schedule_icmp=0"
	log_info "$impl entries: $(ipvsadm_d -Lnc | awk 'NR > 2 { printf "%s %s %s; ", $1, $4, $6 }')"

	ipvsadm_d -C
	drop_namespaces
}

diff_impls
for impl in "${IMPLS[@]}"; do
	run_impl "$impl"
done
[ "${IMPLS[-1]}" = ipvs ] && load_impl l4vs

for k in 0 1; do
	for c in udp ack rst other udp6 ack6 rst6 other6; do
		got=${OUT[l4vs,nat$k,$c]}
		[ "$got" = "${WANT_NAT[$k,$c]}" ]
		log_test $? "l4vs nat_icmp_send=$k $c: ${WANT_NAT[$k,$c]} (got: ${got:-nothing})"
		[ "${IMPLS[-1]}" = ipvs ] || continue
		[ "${OUT[ipvs,nat$k,$c]}" = "$got" ]
		log_test $? "ip_vs nat_icmp_send=$k $c: the same (got: ${OUT[ipvs,nat$k,$c]:-nothing})"
	done
	got=${OUT[l4vs,sched$k]}
	[ "$got" = "${WANT_SCHED[$k]}" ]
	log_test $? "l4vs schedule_icmp=$k: rs1 got du/te/pp/du6/te6 = ${WANT_SCHED[$k]} (got: ${got:-nothing})"
	[ "${IMPLS[-1]}" = ipvs ] || continue
	[ "${OUT[ipvs,sched$k]}" = "$got" ]
	log_test $? "ip_vs schedule_icmp=$k: the same (got: ${OUT[ipvs,sched$k]:-nothing})"
done

exit $RET
