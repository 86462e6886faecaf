#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   client 10.0.1.2 ---- bridge ---- director lan0, VIP 10.0.1.100:81 tcp -i
#   (python: 256 KiB up,    |        --tun-type ipip | gue | gue --tun-remcsum
#    sha256 back)           |        | gre --tun-csum; [fd00:1::100]:81 ipip6,
#                           |        gue and gue --tun-remcsum over IPv6
#                           +------- rs1 10.0.1.11, VIP on lo; decapsulates,
#                                    python sink on :81 answers the sha256
#
# Tunnelling segmentation offload packets.  The client's veth hands TCP
# segments of up to 64 KiB to the bridge and the director receives them
# whole (GSO): l4vs encapsulates such a packet once and marks it for the
# tunnel's segmentation.  Each flavour carries 256 KiB twice:
#   - "passthrough": the director's lan0 keeps its tunnel offloads, the
#     real server receives the big packet and its stack takes it apart;
#   - "software": with ethtool the director's lan0 loses the tunnel
#     segmentation features, so the director's own stack cuts the packet
#     into MTU-sized outer packets from l4vs's GSO marking, as for a NIC
#     without tunnel TSO.
# Each transfer must arrive intact (the sink's sha256 equals the client's)
# and the service must have counted packets bigger than the MTU (GSO did
# happen).  Segmentation must not fail: the director's lan0 drops nothing
# on transmit (GUE marked without SKB_GSO_IPXIP4 was dropped there, every
# GSO packet of the stream, which TCP then resent segment by segment), and
# the real server counts no checksum error (segments of a packet marked
# for remote checksum offload arrive with bad inner checksums: l4vs sends
# GSO packets without the option).  256 KiB is dozens of GSO packets: one
# is enough for either failure, and without GSO no packet exceeds the MTU.
# One python process on the client makes every transfer (a fork under TCG
# costs more than a transfer).
# Mutation that fails it: gso_type() in net/tunnel.c without the IP-in-IP
# type for GUE (the GUE flavours' GSO packets drop on the director's lan0
# in "software").

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

GUE_PORT=6080
PORT=81
PYTHON=${PYTHON:-/usr/bin/python3}
SIZE=$((256 << 10))

require_tools
require_l4vsadm
[ -x "$PYTHON" ] || skip "$PYTHON is needed for the bulk transfers"
command -v ethtool >/dev/null || skip "ethtool is needed to turn tunnel offloads off"
load_impl
require_modules ipip ip6_tunnel fou ip_gre
setup_lan_topology 1

ip -n "${NS_RS[1]}" -batch - <<-EOF || fail "tunnel devices on rs1"
	link set tunl0 up
	link set ip6tnl0 up
	fou add port $GUE_PORT gue
	fou add port $GUE_PORT gue -6
	link add gue1 type ipip local ${RS_IP[1]} remote any encap gue encap-sport auto encap-dport $GUE_PORT encap-csum encap-remcsum
	link set gue1 up
	link add gre1 type gre local ${RS_IP[1]} remote any icsum
	link set gre1 up
EOF
rs_no_rp_filter 1 tunl0 gue1 gre1 || fail "rp_filter on rs1"

# the sink: reads a connection to its end, answers "BYTES SHA256"
SINK='
import hashlib, socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", int(__import__("sys").argv[1])))
s.listen(8)
open(__import__("sys").argv[2], "w").close()
while True:
    c, _ = s.accept()
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.sendall(("%d %s\n" % (n, h.hexdigest())).encode())
    c.close()
'
# the sender: a line "ADDR PORT BYTES" per transfer in; BYTES of a fixed
# pattern go up, then its own "BYTES SHA256" and the sink's answer (or the
# error) come out on one line
SEND='
import hashlib, socket, sys
for line in sys.stdin:
    addr, port, size = line.split()
    data = hashlib.sha256(b"l4vs").digest() * (int(size) // 32)
    got = b""
    try:
        s = socket.create_connection((addr, int(port)), timeout=30)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        while not got.endswith(b"\n"):
            b = s.recv(256)
            if not b:
                break
            got += b
        s.close()
    except OSError as e:
        got = b"error: %s" % str(e).encode()
    print(len(data), hashlib.sha256(data).hexdigest(),
          got.decode().strip() or "none", flush=True)
'
# directly, not through rs_exec: the pid must be python's, to kill it on exit
bg ip netns exec "${NS_RS[1]}" "$PYTHON" -c "$SINK" "$PORT" "$TMPD/sink.ready"
sink_up() {
	[ -e "$TMPD/sink.ready" ]
}
wait_until 30 sink_up || fail "the sink on rs1 did not start"
wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"
# the sender ends at EOF on its input: when this script exits at the latest
coproc SENDER { cli_exec "$PYTHON" -u -c "$SEND"; }

# in_stats: "PKTS BYTES" the service $SVC received, exact
in_stats() {
	ipvsadm_d -Ln --stats --exact -t "$SVC" |
		awk '$1 == "TCP" { print $4, $6 }'
}

# rs1_errors: "RX CSUM": receive errors over rs1's tunnel devices and the
# checksum errors its TCP and UDP have counted, from one process (forks are
# dear under TCG); a device missing counts as an error
rs1_errors() {
	local dev files=()

	for dev in tunl0 ip6tnl0 gue1 gre1; do
		files+=("/sys/class/net/$dev/statistics/rx_errors")
	done
	rs_exec 1 awk -v devs=${#files[@]} 'FILENAME != "/proc/net/snmp" { rx += $1; seen++; next }
		$1 == "Tcp:" || $1 == "Udp:" {
			if (!($1 in col)) {
				for (i = 2; i <= NF; i++)
					if ($i == "InCsumErrors")
						col[$1] = i
				next
			}
			csum += $(col[$1])
		}
		END { print rx + (seen != devs), csum + 0 }' "${files[@]}" /proc/net/snmp 2>/dev/null
}

# snmp NS PROTO FIELD: a counter of /proc/net/snmp in namespace NS
snmp() {
	in_ns "$1" awk -v p="$2:" -v f="$3" '$1 == p {
		if (!col) { for (i = 2; i <= NF; i++) if ($i == f) col = i; next }
		print $col }' /proc/net/snmp
}

tx_dropped() {
	dir_exec cat "/sys/class/net/$LAN_DEV/statistics/tx_dropped"
}

# gso_seen: the service counted packets bigger than the MTU (polled: the
# kernel's IPVS sums its counters late)
gso_seen() {
	read -r pkts bytes <<<"$(in_stats)"
	[ "${pkts:-0}" -gt 0 ] && [ $((${bytes:-0} / pkts)) -gt 1500 ]
}

# transfer NAME MODE VIP REAL-SERVER TUNNEL-OPTIONS...
transfer() {
	local name=$1 mode=$2 vip=$3 rs=$4 got pkts bytes errs csum0 retrans0 csum retrans
	local txd0 txd SVC

	shift 4
	SVC=$vip:$PORT
	[[ $vip == *:* ]] && SVC="[$vip]:$PORT" && rs="[$rs]"
	txd0=$(tx_dropped)
	read -r _ csum0 <<<"$(rs1_errors)"
	retrans0=$(snmp "$NS_CLI" Tcp RetransSegs)
	ipvsadm_d -C
	l4vsadm_d -A -t "$SVC" -s rr &&
		l4vsadm_d -a -t "$SVC" -r "$rs:$PORT" -i -w 1 "$@" ||
		fail "$name: cannot add the service"
	echo "$vip $PORT $SIZE" >&"${SENDER[1]}"
	read -r -t 120 got <&"${SENDER[0]}" || got="no answer from the sender"
	read -r errs csum <<<"$(rs1_errors)"
	csum=$((csum - csum0))
	txd=$(($(tx_dropped) - txd0))
	retrans=$(($(snmp "$NS_CLI" Tcp RetransSegs) - retrans0))
	log_info "$name $mode: the client retransmitted $retrans segments"
	[[ $got =~ ^$SIZE\ ([0-9a-f]{64})\ $SIZE\ ([0-9a-f]{64})$ ]] &&
		[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
	log_test $? "$name $mode: $((SIZE >> 10)) KiB arrive intact (${got:0:80})"
	wait_until 5 gso_seen
	log_test $? "$name $mode: the director tunnelled packets over the MTU ($bytes bytes in $pkts packets)"
	[ "$txd" = 0 ]
	log_test $? "$name $mode: segmentation dropped nothing on the director's $LAN_DEV (tx_dropped: $txd)"
	[ "$errs" = 0 ]
	log_test $? "$name $mode: no receive error on rs1's tunnel devices (got: $errs)"
	[ "$csum" = 0 ]
	log_test $? "$name $mode: no checksum error on rs1 (TCP + UDP InCsumErrors: $csum)"
}

flavours() {
	local mode=$1

	transfer ipip "$mode" "$VIP" "${RS_IP[1]}"
	transfer ipip6 "$mode" "$VIP6" "${RS_IP6[1]}"
	transfer gue "$mode" "$VIP" "${RS_IP[1]}" --tun-type gue --tun-port "$GUE_PORT"
	transfer gue6 "$mode" "$VIP6" "${RS_IP6[1]}" --tun-type gue --tun-port "$GUE_PORT"
	transfer gue6-remcsum "$mode" "$VIP6" "${RS_IP6[1]}" \
		--tun-type gue --tun-port "$GUE_PORT" --tun-remcsum
	transfer gue-remcsum "$mode" "$VIP" "${RS_IP[1]}" \
		--tun-type gue --tun-port "$GUE_PORT" --tun-remcsum
	transfer gre-csum "$mode" "$VIP" "${RS_IP[1]}" --tun-type gre --tun-csum
}

flavours passthrough
dir_exec ethtool -K "$LAN_DEV" tx-udp_tnl-segmentation off tx-udp_tnl-csum-segmentation off \
	tx-gre-segmentation off tx-gre-csum-segmentation off tx-ipxip4-segmentation off \
	tx-ipxip6-segmentation off \
	>/dev/null 2>&1 || fail "ethtool -K $LAN_DEV: cannot turn the tunnel offloads off"
flavours software

exit $RET
