#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#                    one bridge (lan ns), 10.0.1.0/24
#   ---+---------------------------+------------------------+---------
#      |                           |                        |
#   client 10.0.1.2             director 10.0.1.1        rs1 10.0.1.11
#   python raw socket:          VIP 10.0.1.100           VIP on lo,
#   SYN + blind ACK from        -t VIP:80 -s rr -g (DR)  TCP echo on 80
#   spoofed 10.128.0.0/10       conn_max=500
#
# conn_max's early drop under a forged flood.  A director doing direct
# routing sees only the client's half of a connection: a spoofed SYN and a
# blind ACK take an entry to ESTABLISHED without any real client.  Such
# entries must stay evictable and age fast (at most 60 s, not the 900 s of
# a real connection) until the client shows more, so that after 3,000
# spoofed SYN+ACK pairs against conn_max=500 the table is still within the
# limit AND a legitimate client still connects, every time.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

LIMIT=500
PAIRS=3000
N=10

require_tools
load_impl l4vs
setup_lan_topology 1
start_servers -k -t 80
ipvsadm_d -A -t "$VIP:80" -s rr && ipvsadm_d -a -t "$VIP:80" -r "${RS_IP[1]}:80" -g ||
	fail "cannot add the DR service"
wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"
dir_exec sysctl -qw net.ipv4.vs.conn_max=$LIMIT || fail "cannot set conn_max"

# entries STATE: entries of the director in that state, forged ones only
# (client addresses 10.128.0.0/10: 0A8..0ABF in /proc's hexadecimal).
forged() {
	dir_exec awk -v s="$1" '$8 == s && $2 ~ /^0A[89AB]/ { n++ } END { print n + 0 }' \
		/proc/net/ip_vs_conn
}

entries() {
	dir_exec awk 'NR > 1 { n++ } END { print n + 0 }' /proc/net/ip_vs_conn
}

# longest expiry (seconds) of the forged ESTABLISHED entries
forged_expiry() {
	dir_exec awk '$8 == "ESTABLISHED" && $2 ~ /^0A[89AB]/ && $9 > m { m = $9 } END { print m + 0 }' \
		/proc/net/ip_vs_conn
}

out=$(client -n 1 -w 2000 "$VIP" 80)
[ "${out%% *}" = rs1 ]
log_test $? "a client connects before the flood (${out:-no answer})"

# SYN then an ACK that acknowledges nothing the sender ever saw, from a
# random address of 10.128.0.0/10 and port each time.
cli_exec python3 - "$VIP" 80 "$PAIRS" <<-'EOF'
	import random, socket, struct, sys
	vip, port, pairs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	rng = random.Random(11)
	dst = socket.inet_aton(vip)
	s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)

	def csum(b):
	    if len(b) % 2:
	        b += b"\0"
	    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	    while t >> 16:
	        t = (t & 0xffff) + (t >> 16)
	    return ~t & 0xffff

	def pkt(src, sport, seq, ack, flags):
	    tcp = struct.pack("!HHIIBBHHH", sport, port, seq, ack, 5 << 4, flags, 64240, 0, 0)
	    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
	    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
	    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), rng.getrandbits(16),
	                     0, 64, 6, 0, src, dst)
	    return ip + tcp

	for _ in range(pairs):
	    src = struct.pack("!I", (10 << 24) | (128 << 16) | rng.getrandbits(22))
	    sport = rng.randint(1024, 65535)
	    seq = rng.getrandbits(32)
	    s.sendto(pkt(src, sport, seq, 0, 0x02), (vip, 0))
	    s.sendto(pkt(src, sport, (seq + 1) & 0xffffffff, rng.getrandbits(32), 0x10), (vip, 0))
EOF
log_test $? "sent $PAIRS spoofed SYN + blind ACK pairs"

n=$(entries)
est=$(forged ESTABLISHED)
[ "$n" -le $LIMIT ] && [ "$est" -ge $((LIMIT / 2)) ]
log_test $? "the table holds $n entries (<= $LIMIT), $est of them forged ESTABLISHED"

exp=$(forged_expiry)
[ "$exp" -gt 0 ] && [ "$exp" -le 60 ]
log_test $? "forged ESTABLISHED entries expire within 60 s (longest: ${exp} s)"

# Every one of N new connections must get through the full table: each SYN
# takes the place of a forged entry.
client -n $N -w 2000 "$VIP" 80 >"$TMPD/legit"
got=$(tally "$TMPD/legit")
[ "$got" = "rs1=$N" ]
log_test $? "$N legitimate connections during the flood's aftermath: $got"
log_info "conn_limit drops: $(dir_exec awk '$1 == "conn_limit" { print $2 }' /proc/net/l4vs_drops)"

n=$(entries)
[ "$n" -le $LIMIT ]
log_test $? "the table stays within conn_max ($n entries)"

exit $RET
