#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#                    one bridge (lan ns), 10.0.1.0/24
#   ---+---------------------------+------------------------+---------
#      |                           |                        |
#   client 10.0.1.2             director 10.0.1.1        rs1 10.0.1.11
#   python raw socket:          VIP 10.0.1.100           VIP on lo,
#   SYN + blind ACK from        -t VIP:80 -s rr -g (DR)  TCP echo on 80,
#   spoofed 10.128.0.0/10;      --sctp-service VIP:80    SCTP echo on 80
#   INIT + COOKIE ECHO + DATA   -g, conn_max=500
#
# conn_max's early drop under a forged flood.  A director doing direct
# routing sees only the client's half of a connection: a spoofed SYN and a
# blind ACK take an entry to ESTABLISHED without any real client.  Such
# entries must stay evictable and age fast (at most 60 s, not the 900 s of
# a real connection) until the client shows more, so that after 3,000
# spoofed SYN+ACK pairs against conn_max=500 the table is still within the
# limit AND a legitimate client still connects, every time.
#
# The same for SCTP: an INIT, a COOKIE ECHO with a made-up cookie and one
# DATA chunk, all from a spoofed source that never sees an answer, take a
# DR entry to ESTABLISHED (proto_sctp.c); only a fourth packet after that
# confirms it (sctp_confirms()).  After 1,500 such triples the table is
# within conn_max, forged SCTP entries expire within 60 s, and legitimate
# SCTP associations all get through.  Mutation that fails it:
# sctp_confirms() trusting the DATA that establishes the association
# (return dir == L4VS_DIR_INPUT for DR/TUN): the forged entries become
# unevictable and live 900 s, and conn_max drops the legitimate INITs.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

LIMIT=500
PAIRS=3000
TRIPLES=1500
N=10

require_tools
modprobe sctp 2>/dev/null
[ -d /proc/sys/net/sctp ] || skip "no SCTP support in this kernel (modprobe sctp failed)"
load_impl l4vs
setup_lan_topology 1
start_servers -k -t 80 -s 80
ipvsadm_d -R <<-EOF || fail "cannot add the DR services"
	-A -t $VIP:80 -s rr
	-a -t $VIP:80 -r ${RS_IP[1]}:80 -g
	-A --sctp-service $VIP:80 -s rr
	-a --sctp-service $VIP:80 -r ${RS_IP[1]}:80 -g
EOF
wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"
dir_exec sysctl -qw net.ipv4.vs.conn_max=$LIMIT || fail "cannot set conn_max"

# forged PROTO STATE: entries of the director of that protocol in that
# state, forged ones only (client addresses 10.128.0.0/10: 0A8..0ABF in
# /proc's hexadecimal).
forged() {
	dir_exec awk -v p="$1" -v s="$2" '$1 == p && $8 == s && $2 ~ /^0A[89AB]/ { n++ }
		END { print n + 0 }' /proc/net/ip_vs_conn
}

# states: "PROTO STATE COUNT" for every pair in the table, forged or not
states() {
	dir_exec awk 'NR > 1 { n[$1 " " $8]++ } END { for (k in n) printf "%s %d, ", k, n[k] }' \
		/proc/net/ip_vs_conn
}

entries() {
	dir_exec awk 'NR > 1 { n++ } END { print n + 0 }' /proc/net/ip_vs_conn
}

# forged_expiry PROTO: longest expiry (seconds) of its forged ESTABLISHED
# entries
forged_expiry() {
	dir_exec awk -v p="$1" '$1 == p && $8 == "ESTABLISHED" && $2 ~ /^0A[89AB]/ &&
		$9 > m { m = $9 } END { print m + 0 }' /proc/net/ip_vs_conn
}

# longest_forged PROTO: the three forged entries of PROTO that expire last,
# whole /proc lines (for a failure's message)
longest_forged() {
	dir_exec awk -v p="$1" '$1 == p && $2 ~ /^0A[89AB]/' /proc/net/ip_vs_conn |
		sort -k9,9n | tail -n 3 | tr '\n' ';'
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

log_info "entries by protocol and state: $(states)"
n=$(entries)
est=$(forged TCP ESTABLISHED)
[ "$n" -le $LIMIT ] && [ "$est" -ge $((LIMIT / 2)) ]
log_test $? "the table holds $n entries (<= $LIMIT), $est of them forged ESTABLISHED"

exp=$(forged_expiry TCP)
[ "$exp" -gt 0 ] && [ "$exp" -le 60 ]
rc=$?
log_test $rc "forged ESTABLISHED entries expire within 60 s (longest: ${exp} s)"
[ $rc -eq 0 ] || log_info "longest-lived forged TCP entries: $(longest_forged TCP)"

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

out=$(client -s -n 1 -w 7000 "$VIP" 80)
[ "${out%% *}" = rs1 ]
log_test $? "an SCTP client associates before the SCTP flood (${out:-no answer})"

# INIT, COOKIE ECHO (a cookie the server never issued) and one DATA chunk
# per forged association, from a random address of 10.128.0.0/10 and port
# each time; every packet with a correct CRC32c, which the director checks.
cli_exec python3 - "$VIP" 80 "$TRIPLES" <<-'EOF'
	import random, socket, struct, sys
	vip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	rng = random.Random(13)
	dst = socket.inet_aton(vip)
	s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)

	table = []
	for i in range(256):
	    c = i
	    for _ in range(8):
	        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
	    table.append(c)

	def crc32c(b):
	    c = 0xffffffff
	    for x in b:
	        c = table[(c ^ x) & 0xff] ^ (c >> 8)
	    return c ^ 0xffffffff

	def pkt(src, sport, vtag, chunk):
	    sctp = struct.pack("!HHII", sport, port, vtag, 0) + chunk
	    sctp = sctp[:8] + struct.pack("<I", crc32c(sctp)) + sctp[12:]
	    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(sctp), rng.getrandbits(16),
	                     0, 64, 132, 0, src, dst)
	    return ip + sctp

	for _ in range(n):
	    src = struct.pack("!I", (10 << 24) | (128 << 16) | rng.getrandbits(22))
	    sport = rng.randint(1024, 65535)
	    itag, tag, tsn = rng.getrandbits(32) | 1, rng.getrandbits(32) | 1, rng.getrandbits(32)
	    # INIT: initiate tag, a_rwnd, streams out and in, initial TSN
	    init = struct.pack("!BBHIIHHI", 1, 0, 20, itag, 65536, 10, 10, tsn)
	    cookie = struct.pack("!BBH", 10, 0, 4 + 16) + rng.getrandbits(128).to_bytes(16, "big")
	    # DATA, unfragmented (B and E): TSN, stream, sequence, PPID, payload
	    data = struct.pack("!BBHIHHI", 0, 3, 16 + 4, tsn, 0, 0, 0) + b"ping"
	    s.sendto(pkt(src, sport, 0, init), (vip, 0))
	    s.sendto(pkt(src, sport, tag, cookie), (vip, 0))
	    s.sendto(pkt(src, sport, tag, data), (vip, 0))
EOF
log_test $? "sent $TRIPLES spoofed SCTP INIT + COOKIE ECHO + DATA triples"

log_info "entries by protocol and state: $(states)"
n=$(entries)
est=$(forged SCTP ESTABLISHED)
[ "$n" -le $LIMIT ] && [ "$est" -ge $((LIMIT / 2)) ]
log_test $? "SCTP: the table holds $n entries (<= $LIMIT), $est of them forged SCTP ESTABLISHED"

exp=$(forged_expiry SCTP)
[ "$exp" -gt 0 ] && [ "$exp" -le 60 ]
rc=$?
log_test $rc "forged SCTP ESTABLISHED entries expire within 60 s (longest: ${exp} s)"
[ $rc -eq 0 ] || log_info "longest-lived forged SCTP entries: $(longest_forged SCTP)"

# SCTP retransmits a lost INIT after 3 s (rto_initial): within 7 s an INIT
# that conn_max dropped still shows as a failure, a slow host does not
client -s -n $N -w 7000 "$VIP" 80 >"$TMPD/legit_sctp"
got=$(tally "$TMPD/legit_sctp")
[ "$got" = "rs1=$N" ]
log_test $? "$N legitimate SCTP associations after the SCTP flood: $got"
log_info "conn_limit drops: $(dir_exec awk '$1 == "conn_limit" { print $2 }' /proc/net/l4vs_drops)"

n=$(entries)
[ "$n" -le $LIMIT ]
log_test $? "the table stays within conn_max after the SCTP flood ($n entries)"

exit $RET
