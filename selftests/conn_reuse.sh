#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  NAT:  client ns ---- director ns, VIP 10.0.1.100:80 -s rr -m ---- rs1, rs2
#  DR:   client, director (-g), rs1, rs2 on one LAN (lib_lan.sh)
#  one python3 helper in the client ns makes every connection from a chosen
#  source port and times its connect() (vs_probe.probe_from_port())
#
# Port reuse (net.ipv4.vs.conn_reuse_mode, expire_nodest_conn).  A client
# connects from port P and is served by rsX; rsX is drained (weight 0);
# the client connects again from the same port P.  The real servers close
# first (vs_server answers and closes), so the client keeps no TIME_WAIT of
# its own and may reuse P at once.
#   NAT, conn_reuse_mode=1: the old entry is in TIME_WAIT, the new
#     connection goes to the other server; with conntrack=1 too (the
#     conntrack entry also in TIME_WAIT: conntrack starts a new one itself).
#   NAT, conn_reuse_mode=0, expire_nodest_conn=0: the old behaviour, the new
#     connection goes back to the drained rsX.
#   NAT, conntrack=1 with "ct state invalid drop", expire_nodest_conn=1: the
#     client lost its first connection without a word (its reset dropped
#     on its own way out), so conntrack still holds that connection open and
#     lets the new SYN pass on the old, confirmed entry: l4vs must replace
#     that entry (net/nfct.c, l4vs_nfct_reuse()), or the new server's SYN-ACK
#     is conntrack INVALID and dropped, again and again.
#   DR, conn_reuse_mode=1 + expire_nodest_conn=1, and conn_reuse_mode=2
#     with conntrack=1, INVALID not dropped (the director saw only the
#     client's FIN: FIN_WAIT):
#     the other server.  DR, conn_reuse_mode=1 alone: rsX (FIN_WAIT is
#     replaced by bit 1 only, as IPVS).
# Every rescheduled connect() must take well under a second: IPVS drops the
# first SYN when conntrack is on and the client waits for its
# retransmission (1 s); l4vs must not.  Then, where the kernel has ip_vs,
# the same scenarios run through it: the server each reuse lands on must be
# the same (its connect times are only shown).
#
# Fails if: reuse_reschedules() in net/core.c says no (the reused port goes
# back to the drained server), if it ignores conn_reuse_mode=0 or bit 1, or
# if l4vs_nfct_reuse() leaves the old conntrack entry on the packet (the
# NAT conntrack case never connects within the bound).

. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is needed for the client helper"
command -v nft >/dev/null || skip "nft (nftables) is not installed"
require_tools

STALL_MS=800		# a SYN retransmission would take 1000 ms at least

make_tmpdir
# "SPORT [lose]" -> "NAME CONNECT_MS" (NAME "-" on failure).  "lose":
# after the answer, close with a reset (SO_LINGER 0); the test drops that
# reset in the client namespace, so nobody hears of the close.
cat >"$TMPD/reuse.py" <<-'EOF'
	import socket, struct, sys
	from vs_probe import probe_from_port
	def finish(s, lose):
	    if lose:
	        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
	                     struct.pack("ii", 1, 0))
	    else:
	        while s.recv(256):
	            pass
	dst, port = sys.argv[1], int(sys.argv[2])
	for line in sys.stdin:
	    words = line.split()
	    s, name, ms = probe_from_port(dst, port, int(words[0]))
	    try:
	        if name != "-":
	            finish(s, len(words) > 1)
	    except OSError as e:
	        name = "-"
	        print("error: %s" % e, file=sys.stderr)
	    s.close()
	    print(name, ms, flush=True)
EOF

py_start() {
	coproc PYC {
		ip netns exec "$NS_CLI" env PYTHONPATH="$SELFTESTS_DIR/tools" \
			PYTHONDONTWRITEBYTECODE=1 "$PY" -u "$TMPD/reuse.py" "$VIP" 80
	}
	# shellcheck disable=SC2153 # set by coproc
	PY_PID=$PYC_PID
	defer "kill $PY_PID"
}

py_stop() {
	local fd=${PYC[1]}

	# unset already if it died
	[ -n "$fd" ] && exec {fd}>&-
	wait "$PY_PID" 2>/dev/null
}

# conn SPORT [lose]: one connection through the helper; sets NAME and MS.
conn() {
	echo "$*" >&"${PYC[1]}"
	read -r NAME MS <&"${PYC[0]}" || { NAME=-; MS=-1; }
}

# knobs K=V...: net.ipv4.vs sysctls in the director namespace
knobs() {
	local kv args=()

	for kv; do
		args+=("net.ipv4.vs.$kv")
	done
	dir_exec sysctl -qw "${args[@]}" || fail "cannot set ${args[*]}"
}

# weight METHOD NAME W: set real server NAME (rs1, rs2) to weight W
weight() {
	local i=${2#rs}

	ipvsadm_d -e -t "$VIP:80" -r "${RS_IP[i]}:80" "$1" -w "$3"
}

# ct_on [drop]: conntrack rules in the director: conntrack runs, and with
# "drop" what it calls INVALID is dropped.  Not for DR: ip_vs leaves
# conntrack to call a DR client's second packet INVALID (it never sees the
# server's SYN-ACK; l4vs moves the entry on, net/nfct.c), so with the drop
# the differential would compare nothing.
ct_on() {
	local verdict=${1:+drop}

	dir_exec nft -f - <<-EOF || fail "cannot load the conntrack rules"
		table inet l4vs_reuse {
			chain c_in {
				type filter hook input priority 0;
				ct state invalid counter $verdict
			}
			chain c_fwd {
				type filter hook forward priority 0;
				ct state invalid counter $verdict
			}
		}
	EOF
}

# scenario TAG METHOD SPORT LOSE WANT KNOBS...: connect from SPORT, drain
# the server, connect again from SPORT; WANT is "other" or "same".  The
# outcome goes to OUT[TAG] as "other"/"same"/"failed" and the second
# connect's time to TIME[TAG].
declare -A OUT TIME
scenario() {
	local tag=$1 method=$2 sport=$3 lose=$4 want=$5 first got

	shift 5
	knobs "$@"
	conn "$sport" ${lose:+"$lose"}
	first=$NAME
	if [ "$first" = - ]; then
		OUT[$tag]=failed
		log_test 1 "$IMPL $tag: first connection from port $sport failed"
		return
	fi
	weight "$method" "$first" 0
	conn "$sport"
	weight "$method" "$first" 1
	case $NAME in
	-) got=failed ;;
	"$first") got=same ;;
	*) got=other ;;
	esac
	OUT[$tag]=$got
	TIME[$tag]=$MS
	[ "$IMPL" = l4vs ] || return 0
	[ "$got" = "$want" ]
	log_test $? "$tag: port $sport again after draining $first: $want server (got: $NAME, $got)"
	if [ "$want" = other ]; then
		[ "$MS" -ge 0 ] && [ "$MS" -lt "$STALL_MS" ]
		log_test $? "$tag: the reused port connects at once (${MS} ms < $STALL_MS ms)"
	fi
}

# ---- NAT -----------------------------------------------------------------------

nat_scenarios() {
	# the client's resets for "lose" never leave it
	ip netns exec "$NS_CLI" nft -f - <<-EOF || fail "cannot load the client's rules"
		table inet l4vs_lose {
			chain out {
				type filter hook output priority 0;
				tcp sport 40103 tcp flags rst drop
			}
		}
	EOF
	py_start
	scenario nat-mode1 -m 40101 "" other conn_reuse_mode=1 expire_nodest_conn=0
	scenario nat-mode0 -m 40102 "" same conn_reuse_mode=0 expire_nodest_conn=0
	ct_on drop
	knobs conntrack=1
	scenario nat-ct-lost -m 40103 lose other conn_reuse_mode=1 expire_nodest_conn=1
	scenario nat-ct-timewait -m 40104 "" other conn_reuse_mode=1 expire_nodest_conn=0
	py_stop
}

nat_run() {
	load_impl "$1"
	new_names
	setup_nat_topology 2
	start_servers -t 80
	add_nat_service -t "$VIP:80" || fail "cannot add the NAT service"
	[ "$IMPL" = l4vs ] && {
		v=$(dir_exec cat /proc/sys/net/ipv4/vs/conn_reuse_mode)
		[ "$v" = 1 ]
		log_test $? "conn_reuse_mode defaults to 1 (got: $v)"
	}
	nat_scenarios
	ipvsadm_d -C
	drop_namespaces
}

# ---- DR ------------------------------------------------------------------------

dr_scenarios() {
	py_start
	scenario dr-mode1-nodest -g 40201 "" other conn_reuse_mode=1 expire_nodest_conn=1
	scenario dr-mode1 -g 40202 "" same conn_reuse_mode=1 expire_nodest_conn=0
	ct_on
	knobs conntrack=1
	scenario dr-mode2-ct -g 40203 "" other conn_reuse_mode=2 expire_nodest_conn=0
	py_stop
}

dr_run() {
	load_impl "$1"
	new_names
	setup_lan_topology 2
	start_servers -t 80
	ipvsadm_d -R <<-EOF || fail "cannot add the DR service"
		-A -t $VIP:80 -s rr
		-a -t $VIP:80 -r ${RS_IP[1]}:80 -g -w 1
		-a -t $VIP:80 -r ${RS_IP[2]}:80 -g -w 1
	EOF
	wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"
	dr_scenarios
	ipvsadm_d -C
	drop_namespaces
}

diff_impls
declare -A L4VS_OUT
for impl in "${IMPLS[@]}"; do
	OUT=()
	TIME=()
	nat_run "$impl"
	# lib_lan.sh gives RS_IP the LAN addresses: sourced after the NAT run
	. "$(dirname "$0")/lib_lan.sh"
	dr_run "$impl"
	# back to the NAT addresses for the next implementation
	for ((i = 1; i <= 16; i++)); do
		RS_IP[i]=10.0.$((10 + i)).2
		RS_IP6[i]=fd00:$((10 + i))::2
	done
	if [ "$impl" = l4vs ]; then
		for k in "${!OUT[@]}"; do
			L4VS_OUT[$k]=${OUT[$k]}
		done
		continue
	fi
	for k in $(printf '%s\n' "${!L4VS_OUT[@]}" | sort); do
		log_info "ip_vs $k: ${OUT[$k]:-none}, second connect ${TIME[$k]:-?} ms"
	done
	diff=$(outcome_diff)
	[ -z "$diff" ]
	log_test $? "ip_vs sends every reused port where l4vs does (differ:${diff:- none})"
done
[ "${IMPLS[-1]}" = ipvs ] && load_impl l4vs

exit $RET
