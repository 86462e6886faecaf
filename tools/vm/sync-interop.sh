#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sync-interop.sh [--kernel REL] [--port PORT] [--timeout SECS]
#
# Connection synchronisation between l4vs and the kernel's IPVS.  The two
# cannot share a kernel (both register the "IPVS" genetlink family), so
# this boots two guests joined by a qemu socket link over the host's
# loopback (run.sh --net-listen / --net-connect): guest "ipvs" loads ip_vs,
# guest "l4vs" loads l4vs (from $L4VS_MODULES_DIR).  Each guest is a
# director with a client and a real server in namespaces, the same NAT
# services (one persistent), and runs a master AND a backup daemon on the
# link (syncid 9).  Each holds a long-lived TCP connection from its own
# client address and checks that its backup learned the peer's connection
# (ESTABLISHED, same real server) and persistence template: that is
# ipvs -> l4vs in one guest and l4vs -> ipvs in the other.  Also over IPv6
# through a persistent firewall-mark service (mark 7, set by nftables): the
# template learned from the peer must have the same key (virtual address
# column) as the director's own template, which is what lets a connection
# find it after a takeover.  The guests also print "ipvsadm -L --daemon",
# which must read the same on both.
#
# Each guest's results arrive over its serial console, which can lose the
# end of a run (a guest killed at its timeout, a panic): each guest must
# report GUEST_CHECKS results, numbered 1 to GUEST_CHECKS, and its closing
# line; any missing one is a failure.
#
# Prints TAP lines and "N passed, N failed"; exit 0 only if all passed.
#   L4VS_MODULES_DIR=build/6.1.0-56-amd64 tools/vm/sync-interop.sh --kernel 6.1.0-56-amd64
# sync-interop.sh --report DIR reads the results of an earlier run again.
set -u

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
checkout=${vm_dir%/tools/vm}

SYNCID=9
# the tap calls on guest()'s way to finish(): keep in step with guest()
GUEST_CHECKS=11
VIP=10.0.1.100
RS=10.0.11.2

# ---- in a guest --------------------------------------------------------------

guest() {
	local impl=$1 me peer n=0 i out

	if [ "$impl" = ipvs ]; then
		me=2 peer=3
	else
		me=3 peer=2
	fi
	tap() {
		local rc=$1

		shift
		n=$((n + 1))
		if [ "$rc" -eq 0 ]; then
			echo "ok $n - $impl: $*"
		else
			echo "not ok $n - $impl: $*"
		fi
	}
	wait_for() {
		local secs=$1 end

		shift
		end=$((SECONDS + secs))
		until "$@"; do
			[ $SECONDS -lt $end ] || return 1
			sleep 0.5
		done
	}
	finish() {
		touch "$L4VS_INTEROP_DIR/done.$impl"
		# keep the connection (and its syncs) up until the peer is done
		wait_for 240 test -e "$L4VS_INTEROP_DIR/done.$([ "$impl" = ipvs ] && echo l4vs || echo ipvs)"
		# shellcheck disable=SC2046 # one pid a word
		kill $(jobs -p) 2>/dev/null
		wait 2>/dev/null
		ip netns del cli 2>/dev/null
		ip netns del rs 2>/dev/null
		echo "# $impl: $n checks done"
	}

	modprobe virtio_net 2>/dev/null
	wait_for 10 test -e /sys/class/net/eth0 || { tap 1 "no eth0 (virtio NIC)"; finish; return; }
	ip link set lo up
	ip link set eth0 up
	ip addr add 192.168.77.$me/24 dev eth0

	if [ "$impl" = ipvs ]; then
		modprobe -r l4vs 2>/dev/null
		modprobe ip_vs
	else
		modprobe l4vs
	fi
	tap $? "module loaded"

	# client ns (10.0.1.ME) -- director (cli0 10.0.1.1, VIP) -- rs ns
	ip netns add cli
	ip netns add rs
	ip link add cli0 type veth peer name eth0 netns cli
	ip link add rs0 type veth peer name eth0 netns rs
	ip addr add 10.0.1.1/24 dev cli0
	ip addr add $VIP/24 dev cli0
	ip addr add 10.0.11.1/24 dev rs0
	ip link set cli0 up
	ip link set rs0 up
	sysctl -qw net.ipv4.ip_forward=1
	ip -n cli link set lo up
	ip -n cli link set eth0 up
	ip -n cli addr add 10.0.1.$me/24 dev eth0
	ip -n rs link set lo up
	ip -n rs link set eth0 up
	ip -n rs addr add $RS/24 dev eth0
	ip -n rs route add default via 10.0.11.1
	# IPv6: fd00:1::ME client, fd00:1::100 VIP, fd00:11::2 real server
	sysctl -qw net.ipv6.conf.all.forwarding=1
	ip addr add fd00:1::1/64 dev cli0 nodad
	ip addr add fd00:1::100/64 dev cli0 nodad
	ip addr add fd00:11::1/64 dev rs0 nodad
	ip -n cli addr add fd00:1::$me/64 dev eth0 nodad
	ip -n rs addr add fd00:11::2/64 dev eth0 nodad
	ip -n rs -6 route add default via fd00:11::1
	nft -f - <<-EOF
		table ip6 interop {
			chain pre {
				type filter hook prerouting priority -150;
				ip6 daddr fd00:1::100 tcp dport 82 meta mark set 7
			}
		}
	EOF
	tap $? "nftables marks IPv6 TCP to [fd00:1::100]:82"

	ipvsadm -R <<-EOF
		-A -t $VIP:80 -s rr
		-a -t $VIP:80 -r $RS:80 -m -w 1
		-A -t $VIP:81 -s rr -p 300
		-a -t $VIP:81 -r $RS:81 -m -w 1
		-A -f 7 -6 -s rr -p 300
		-a -f 7 -6 -r [fd00:11::2]:82 -m -w 1
	EOF
	tap $? "services configured"
	ipvsadm --start-daemon master --mcast-interface eth0 --syncid $SYNCID
	tap $? "master daemon started"
	ipvsadm --start-daemon backup --mcast-interface eth0 --syncid $SYNCID
	tap $? "backup daemon started"
	ipvsadm -L --daemon | sed "s/^/# daemon $impl: /"

	ip netns exec rs "$checkout/selftests/tools/vs_server" -n rs -k -t 80 -t 81 -t 82 &
	sleep 1
	ip netns exec cli "$checkout/selftests/tools/vs_client" -l -i 200 -d 400 -w 3000 $VIP 80 \
		>/tmp/long80 &
	ip netns exec cli "$checkout/selftests/tools/vs_client" -l -i 200 -d 400 -w 3000 $VIP 81 \
		>/tmp/long81 &
	ip netns exec cli "$checkout/selftests/tools/vs_client" -l -i 200 -d 400 -w 3000 fd00:1::100 82 \
		>/tmp/long82 &
	wait_for 30 grep -q '^connected' /tmp/long80
	tap $? "own long-lived connection through the director"
	wait_for 30 grep -q '^connected' /tmp/long82
	tap $? "own long-lived IPv6 connection through the fwmark service"

	# the peer's entries, as this director's backup learned them
	peer_conn() {
		ipvsadm -Lnc | awk -v c="10.0.1.$peer" -v v="$VIP:$1" -v d="$RS:$1" '
			$3 == "ESTABLISHED" && index($4, c ":") == 1 && $5 == v && $6 == d { f = 1 }
			END { exit !f }'
	}
	peer_tmpl() {
		ipvsadm -Lnc | awk -v c="10.0.1.$peer:0" -v v="$VIP:81" -v d="$RS:81" '
			$3 == "NONE" && $4 == c && $5 == v && $6 == d { f = 1 }
			END { exit !f }'
	}
	wait_for 200 peer_conn 80
	tap $? "backup learned the peer's connection to :80 (ESTABLISHED, same real server)"
	wait_for 30 peer_conn 81
	tap $? "backup learned the peer's connection to the persistent :81"
	wait_for 30 peer_tmpl
	tap $? "backup learned the peer's persistence template"
	# IPv6 fwmark templates (IPVS: state ASSURED, server port 0; l4vs:
	# NONE, the server's port): the virtual column, own and the peer's
	tmpl6() {
		ipvsadm -Lnc | awk -v c="[fd00:1::$1]:0" -v d="[fd00:11::2]:" '
			($3 == "NONE" || $3 == "ASSURED") && $4 == c && index($6, d) == 1 {
				print $5; exit }'
	}
	same_tmpl6() {
		local own theirs

		own=$(tmpl6 "$me")
		theirs=$(tmpl6 "$peer")
		[ -n "$own" ] && [ "$own" = "$theirs" ]
	}
	wait_for 60 same_tmpl6
	tap $? "backup learned the peer's IPv6 fwmark template, keyed as its own (own $(tmpl6 $me), peer's $(tmpl6 $peer))"
	ipvsadm -Lnc | sed "s/^/# $impl: /"
	[ "$impl" = l4vs ] && sed "s/^/# l4vs_sync: /" /proc/net/l4vs_sync
	finish
}

if [ "${1:-}" = --guest ]; then
	guest "$2"
	exit 0
fi

# ---- on the host ---------------------------------------------------------------

# report DIR: the TAP lines of both guests' logs in DIR (and their exit
# status, DIR/<guest>.rc), every missing result counted as a failure;
# "N passed, N failed"; status 0 only if all passed.
report() {
	local out=$1 g line num rc missing pass=0 failed=0 d_ipvs d_l4vs
	local -A seen

	echo "TAP version 13"
	for g in ipvs l4vs; do
		seen=()
		grep -E '^# (daemon|ipvs|l4vs)' "$out/$g.log"
		while read -r line; do
			echo "$line"
			num=${line#not }
			num=${num#ok }
			num=${num%% *}
			seen[$num]=1
			case $line in
			ok*)	pass=$((pass + 1)) ;;
			*)	failed=$((failed + 1)) ;;
			esac
		done < <(grep -E '^(not )?ok [0-9]+ - ' "$out/$g.log")
		missing=
		for ((num = 1; num <= GUEST_CHECKS; num++)); do
			[ -n "${seen[$num]:-}" ] || missing+=" $num"
		done
		if [ -n "$missing" ] || [ ${#seen[@]} -ne $GUEST_CHECKS ]; then
			echo "not ok - guest $g: ${#seen[@]} results arrived, $GUEST_CHECKS expected (missing:${missing:- none})"
			failed=$((failed + 1))
		elif ! grep -q "^# $g: $GUEST_CHECKS checks done" "$out/$g.log"; then
			echo "not ok - guest $g: no closing line '# $g: $GUEST_CHECKS checks done'"
			failed=$((failed + 1))
		else
			echo "ok - guest $g: all $GUEST_CHECKS results arrived"
			pass=$((pass + 1))
		fi
		rc=$(cat "$out/$g.rc" 2>/dev/null) || rc=unknown
		if [ "$rc" = 0 ]; then
			echo "ok - guest $g exited cleanly"
			pass=$((pass + 1))
		else
			echo "not ok - guest $g exit $rc (see $out/$g.log)"
			failed=$((failed + 1))
		fi
	done
	d_ipvs=$(sed -n 's/^# daemon ipvs: //p' "$out/ipvs.log")
	d_l4vs=$(sed -n 's/^# daemon l4vs: //p' "$out/l4vs.log")
	if [ -n "$d_ipvs" ] && [ "$d_ipvs" = "$d_l4vs" ]; then
		echo "ok - ipvsadm -L --daemon reads the same on ip_vs and l4vs"
		pass=$((pass + 1))
	else
		echo "not ok - ipvsadm -L --daemon differs: ip_vs '$d_ipvs', l4vs '$d_l4vs'"
		failed=$((failed + 1))
	fi
	echo "$pass passed, $failed failed"
	[ "$failed" -eq 0 ]
}

if [ "${1:-}" = --report ]; then
	report "$2"
	exit
fi

rel=
port=$((20000 + RANDOM % 20000))
timeout_s=600
while [ $# -gt 0 ]; do
	case $1 in
	--kernel)	rel=$2; shift 2 ;;
	--port)		port=$2; shift 2 ;;
	--timeout)	timeout_s=$2; shift 2 ;;
	*)		sed -n '4p' "$0" | sed 's/^# /usage: /' >&2; exit 2 ;;
	esac
done
[ -n "${L4VS_MODULES_DIR:-}" ] || { echo "sync-interop.sh: set L4VS_MODULES_DIR to the l4vs build" >&2; exit 2; }
kargs=()
[ -n "$rel" ] && kargs=(--kernel "$rel")
# no_timer_check: on a loaded host, TCG can fail the kernel's IO-APIC timer
# test ("IO-APIC + timer doesn't work!") and panic at boot

out=$checkout/results/sync-interop-${rel:-default}-$$
export L4VS_INTEROP_DIR=$out/shared
mkdir -p "$L4VS_INTEROP_DIR"

"$vm_dir/run.sh" "${kargs[@]}" --timeout "$timeout_s" --append no_timer_check --out "$out/ipvs" \
	--net-listen "$port" -- "tools/vm/sync-interop.sh --guest ipvs" >"$out/ipvs.log" 2>&1 &
pid_ipvs=$!
# the connecting qemu needs the listening one up
for ((i = 0; i < 100; i++)); do
	ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break
	sleep 0.2
done
"$vm_dir/run.sh" "${kargs[@]}" --timeout "$timeout_s" --append no_timer_check --out "$out/l4vs" \
	--net-connect "$port" -- "tools/vm/sync-interop.sh --guest l4vs" >"$out/l4vs.log" 2>&1 &
pid_l4vs=$!
wait $pid_ipvs
echo $? >"$out/ipvs.rc"
wait $pid_l4vs
echo $? >"$out/l4vs.rc"
report "$out"
