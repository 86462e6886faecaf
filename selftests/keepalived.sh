#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns            director ns                          real servers
#  10.0.1.2  --------   keepalived -C (checker only),        --- rs1 10.0.11.2
#                       Documentation/examples/keepalived.conf --- rs2 10.0.12.2
#                       + one virtual server per scheduler   --- rs3 10.0.13.2
#                         (NAT, DR, TUN in turn, no checks)      vs_server tcp 80 81 82,
#                       nft: VIP tcp 84 -> mark 1                httpd 8081 (/health)
#                       manual service VIP:99 (not keepalived's) rs4 10.0.14.2: sorry server
#
# Debian's stock keepalived drives l4vs through the IPVS netlink API.  The
# test runs the operator example as it is (addresses substituted from
# lib.sh, which are the same) and asserts, each time on `l4vsadm -Sn`:
#   - after start: exactly the configured table, the manual service kept;
#   - a real server killed: removed (weight 0 where inhibit_on_failure)
#     within a bounded time, requests go on succeeding on the others, a
#     persistent client of the dead server moves on;
#   - restarted: re-added;
#   - all down: the sorry server serves;
#   - SIGHUP with a changed configuration: the new table;
#   - SIGTERM: keepalived removes its virtual servers, nothing else.

. "$(dirname "$0")/lib.sh"

KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
EXAMPLE=$REPO_DIR/Documentation/examples/keepalived.conf
BUSYBOX=$(command -v busybox)
# bound on noticing a failure or a recovery (checks run every second; TCG
# and the 2 cores of a shared host make keepalived itself slow)
CHECK_BOUND=30
START_BOUND=120
SCHEDS=(rr wrr lc wlc sed nq sh dh mh fo ovf)
SORRY=4

[ -x "$KEEPALIVED" ] || skip "keepalived is not installed ($KEEPALIVED)"
[ -n "$BUSYBOX" ] || skip "busybox (httpd for HTTP_GET) is not installed"
command -v nft >/dev/null || skip "nft (nftables) is not installed"
[ -r "$EXAMPLE" ] || fail "$EXAMPLE is missing"
require_tools
require_l4vsadm
load_impl
setup_nat_topology 4

# Persistent clients of a server with weight 0 move on (see the example).
dir_exec sysctl -qw net.ipv4.vs.expire_quiescent_template=1 ||
	fail "cannot set net.ipv4.vs.expire_quiescent_template"

dir_exec nft -f - <<-EOF || fail "cannot load the nftables marking rule"
	table ip l4vs_ka {
		chain pre {
			type filter hook prerouting priority -150;
			ip daddr $VIP tcp dport 84 meta mark set 1
		}
	}
EOF

# ---- real servers ---------------------------------------------------------

mkdir -p "$TMPD/www" && echo ok >"$TMPD/www/health" || fail "web root"
SRV_PID=()
WEB_PID=()

port_open() {
	in_ns "$1" bash -c "exec 3<>/dev/tcp/127.0.0.1/$2" 2>/dev/null
}

# start_rs I: vs_server (tcp 80 81 82) and, except on the sorry server, the
# health page on 8081.
start_rs() {
	local i=$1 ns=${NS_RS[$1]}

	rm -f "$TMPD/ready.$i"
	bg ip netns exec "$ns" "$VS_SERVER" -n "rs$i" -p -r "$TMPD/ready.$i" -t 80 -t 81 -t 82
	SRV_PID[i]=$BG_PID
	wait_until 10 test -e "$TMPD/ready.$i" || fail "rs$i did not start"
	[ "$i" = "$SORRY" ] && return 0
	bg ip netns exec "$ns" "$BUSYBOX" httpd -f -p 8081 -h "$TMPD/www"
	WEB_PID[i]=$BG_PID
	wait_until 10 port_open "$ns" 8081 || fail "httpd on rs$i did not start"
}

# stop_rs I: the server dies: nothing listens any more.
stop_rs() {
	local i=$1

	kill "${SRV_PID[i]}" "${WEB_PID[i]}" 2>/dev/null
	wait "${SRV_PID[i]}" "${WEB_PID[i]}" 2>/dev/null
	! port_open "${NS_RS[i]}" 80 && ! port_open "${NS_RS[i]}" 8081
}

for ((i = 1; i <= NUM_RS; i++)); do
	start_rs "$i"
done

# ---- configuration ----------------------------------------------------------

# The example uses lib.sh's addresses already; substitute anyway, so the
# two cannot drift apart silently.
CONF=$TMPD/keepalived.conf
sed -e "s/\b10\.0\.1\.100\b/$VIP/g" \
    -e "s/\b10\.0\.11\.2\b/${RS_IP[1]}/g" -e "s/\b10\.0\.12\.2\b/${RS_IP[2]}/g" \
    -e "s/\b10\.0\.13\.2\b/${RS_IP[3]}/g" -e "s/\b10\.0\.14\.2\b/${RS_IP[SORRY]}/g" \
    "$EXAMPLE" >"$CONF.base" || fail "cannot copy $EXAMPLE"

# One more virtual server per scheduler, forwarding by NAT, DR and TUN in
# turn, real servers without a checker (always up for keepalived).
sched_kind() {
	case $(($1 % 3)) in
	0) echo NAT ;;
	1) echo DR ;;
	2) echo TUN ;;
	esac
}

sweep_conf() {
	local i s port

	for ((i = 0; i < ${#SCHEDS[@]}; i++)); do
		s=${SCHEDS[i]}
		port=$((9000 + i))
		echo "virtual_server $VIP $port {"
		echo "	lb_algo $s"
		echo "	lb_kind $(sched_kind "$i")"
		echo "	protocol TCP"
		case $s in
		mh) echo "	mh-port" ;;
		sh) echo "	sh-fallback" ;;
		esac
		echo "	real_server ${RS_IP[1]} $port {"
		echo "		weight 1"
		echo "	}"
		echo "	real_server ${RS_IP[2]} $port {"
		echo "		weight 2"
		echo "	}"
		echo "}"
	done
}

{ cat "$CONF.base"; sweep_conf; } >"$CONF" || fail "cannot write $CONF"
cp "$CONF" "$TMPD/keepalived.conf.start"

# ---- expected tables ----------------------------------------------------------

# UP[i]: is real server i healthy (as keepalived should see it)?
UP=(- 1 1 1)
# RELOADED: the configuration after the SIGHUP step is in force
RELOADED=

rs_line() {
	echo "-a $1 -r $2 $3 -w $4"
}

# expected: the whole table `l4vsadm -Sn` must show, in its own order
# (services and their real servers sorted).
expected() {
	local i any=0 w s port sw v

	# not keepalived's: must survive start, reload and stop
	echo "-A -t $VIP:99 -s rr"
	rs_line "-t $VIP:99" "${RS_IP[1]}:99" -m 1
	[ "$1" = stopped ] && return

	v="-t $VIP:80"
	if [ -z "$RELOADED" ]; then
		echo "-A $v -s rr"
		for ((i = 1; i <= 3; i++)); do
			[ "${UP[i]}" = 1 ] || continue
			rs_line "$v" "${RS_IP[i]}:80" -m 1
			any=1
		done
		[ $any = 1 ] || rs_line "$v" "${RS_IP[SORRY]}:80" -m 1
	else
		# reload: wrr, rs2's weight 5, rs3 gone
		echo "-A $v -s wrr"
		rs_line "$v" "${RS_IP[1]}:80" -m 1
		rs_line "$v" "${RS_IP[2]}:80" -m 5
	fi

	v="-t $VIP:81"
	echo "-A $v -s wlc -p 30"
	for ((i = 1; i <= 3; i++)); do
		w=0
		[ "${UP[i]}" = 1 ] && w=$i
		rs_line "$v" "${RS_IP[i]}:81" -m "$w"
	done

	for port in 82 83; do
		v="-t $VIP:$port"
		echo "-A $v -s lc"
		for ((i = 1; i <= 2; i++)); do
			[ "${UP[i]}" = 1 ] && rs_line "$v" "${RS_IP[i]}:82" -m 1
		done
	done

	if [ -z "$RELOADED" ]; then
		echo "-A -f 1 -s sh"
		for ((i = 1; i <= 2; i++)); do
			[ "${UP[i]}" = 1 ] && rs_line "-f 1" "${RS_IP[i]}:80" -m 1
		done
	else
		# reload: the fwmark service is gone, a new one on port 85
		echo "-A -t $VIP:85 -s rr"
		rs_line "-t $VIP:85" "${RS_IP[3]}:80" -m 1
	fi

	for ((i = 0; i < ${#SCHEDS[@]}; i++)); do
		s=${SCHEDS[i]}
		port=$((9000 + i))
		v="-t $VIP:$port"
		case $s in
		mh) echo "-A $v -s $s -b mh-port" ;;
		sh) echo "-A $v -s $s -b sh-fallback" ;;
		*) echo "-A $v -s $s" ;;
		esac
		case $(sched_kind "$i") in
		NAT) sw=-m ;;
		DR) sw=-g ;;
		TUN) sw="-i" ;;
		esac
		for w in 1 2; do
			if [ "$sw" = -i ]; then
				echo "$(rs_line "$v" "${RS_IP[w]}:$port" -i $w) --tun-type ipip"
			else
				rs_line "$v" "${RS_IP[w]}:$port" $sw $w
			fi
		done
	done
}

# want_table [stopped]: write the expected table, sorted (services and their
# real servers are compared as sets of lines, so only content matters).
want_table() {
	expected "$@" | sort >"$TMPD/table.want"
}

table_is_wanted() {
	l4vsadm_d -Sn 2>/dev/null | sort >"$TMPD/table.now"
	cmp -s "$TMPD/table.now" "$TMPD/table.want"
}

show_diff() {
	diff -u "$TMPD/table.want" "$TMPD/table.now" | head -n 40
	echo "---- keepalived log (last lines) ----"
	tail -n 40 "$KA_LOG"
}

# converge WHAT [stopped]: wait up to BOUND s (default CHECK_BOUND) for the
# table, log how long it took.
converge() {
	local what=$1 bound=${BOUND:-$CHECK_BOUND} t0 ms rc=0

	shift
	want_table "$@"
	t0=$(now_ms)
	wait_until "$bound" table_is_wanted || rc=1
	ms=$(($(now_ms) - t0))
	if [ $rc != 0 ]; then
		show_diff
		[ -d "${L4VS_OUTDIR:-}" ] && cp "$KA_LOG" "$L4VS_OUTDIR/keepalived.log"
	fi
	log_test $rc "$what (${ms} ms, bound ${bound}s)"
	return $rc
}

# requests PORT N EXPECT_REGEX: N new connections to VIP:PORT all answered,
# by servers matching EXPECT_REGEX (on the tally).
requests() {
	local port=$1 n=$2 re=$3 out=$TMPD/req.$1 got rc

	client -n "$n" -w 2000 "$VIP" "$port" >"$out"
	got=$(tally "$out")
	[[ $got =~ $re ]] && [[ $got != *ERROR* ]]
	rc=$?
	log_test $rc "$n requests to VIP:$port answered by $re (got: $got)"
	return $rc
}

# ---- start ---------------------------------------------------------------------

l4vsadm_d -A -t "$VIP:99" -s rr &&
	l4vsadm_d -a -t "$VIP:99" -r "${RS_IP[1]}:99" -m -w 1 ||
	fail "cannot add the manual service"

"$KEEPALIVED" -t"$TMPD/config-test.log" -f "$CONF" >/dev/null 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/    /' "$TMPD/config-test.log" | head -n 20
log_test $rc "keepalived -t accepts the configuration"

KA_LOG=$TMPD/keepalived.log
KA_PID=$TMPD/keepalived.pid
start_keepalived() {
	bg ip netns exec "$NS_DIR" "$KEEPALIVED" --dont-fork --check --log-console \
		--log-detail --no-syslog -f "$CONF" -p "$KA_PID" \
		-c "$TMPD/checkers.pid" -r "$TMPD/vrrp.pid" >>"$KA_LOG" 2>&1
	KA=$BG_PID
}

start_keepalived
# keepalived's start under TCG takes its time (tens of seconds)
BOUND=$START_BOUND converge "after start, l4vsadm -Sn shows the configured table" ||
	fail "keepalived did not set up the table"

requests 80 9 "^rs1=3 rs2=3 rs3=3$"
requests 84 4 "^rs[12]=[1-4]( rs[12]=[1-4])?$"
requests 82 4 "^rs1=2 rs2=2$"
requests 83 4 "^rs1=2 rs2=2$"

# A persistent client: find which server it sticks to, then kill that one.
client -n 3 -w 2000 "$VIP" 81 >"$TMPD/p81"
got=$(tally "$TMPD/p81")
[[ $got =~ ^rs([123])=3$ ]]
log_test $? "persistent service: 3 requests to VIP:81 stick to one server (got: $got)"
victim=${BASH_REMATCH[1]:-3}

# ---- a real server fails ---------------------------------------------------------

log_info "killing rs$victim (vs_server and httpd)"
# requests running through the failure: the dead server may refuse some
# until keepalived has noticed, the others must answer
client -n 40 -w 1000 "$VIP" 80 >"$TMPD/during" &
load=$!
stop_rs "$victim"
log_test $? "rs$victim is down"
UP[victim]=0
converge "rs$victim removed (weight 0 for inhibit_on_failure)"
wait $load
got=$(tally "$TMPD/during")
log_info "requests during the failure: $got"
# the survivors take their share before keepalived notices, and every
# request after: at least half of the 40
n=$(awk -v v="rs$victim" '$1 ~ /^rs[123]$/ && $1 != v { n++ } END { print n + 0 }' \
	"$TMPD/during")
[ "$n" -ge 20 ]
log_test $? "requests kept being answered by the other servers while rs$victim failed ($n of 40)"

alive=()
for ((i = 1; i <= 3; i++)); do
	[ "${UP[i]}" = 1 ] && alive+=("rs$i=3")
done
requests 80 6 "^${alive[0]} ${alive[1]}$"
requests 81 3 "^rs[123]=3$"
[[ $(tally "$TMPD/req.81") != *"rs$victim="* ]]
log_test $? "the persistent client moved off the dead rs$victim"

# ---- it comes back ----------------------------------------------------------------

start_rs "$victim"
UP[victim]=1
converge "rs$victim re-added after restart"
requests 80 9 "^rs1=3 rs2=3 rs3=3$"

# ---- everything fails: the sorry server -------------------------------------------

for ((i = 1; i <= 3; i++)); do
	stop_rs "$i"
	UP[i]=0
done
converge "all real servers down: VIP:80 has the sorry server only"
requests 80 4 "^rs$SORRY=4$"

for ((i = 1; i <= 3; i++)); do
	start_rs "$i"
	UP[i]=1
done
converge "all back: the sorry server is gone"
requests 80 9 "^rs1=3 rs2=3 rs3=3$"

# ---- reload with a changed configuration --------------------------------------------

# VIP:80 becomes wrr, rs2 weight 5, rs3 removed; the fwmark service goes,
# a new service on port 85 comes.
awk -v rs2="${RS_IP[2]}" -v rs3="${RS_IP[3]}" '
	function braces(l) { return gsub(/\{/, "{", l) - gsub(/\}/, "}", l) }
	skip { d += braces($0); if (d <= 0) skip = 0; next }
	/^virtual_server / { vs = $0; rs = "" }
	/^virtual_server fwmark 1 / { skip = 1; d = braces($0); next }
	vs ~ / 80 \{$/ {
		if ($0 ~ /lb_algo rr/)
			sub(/rr/, "wrr")
		if ($1 == "real_server" && $2 == rs3) {
			skip = 1
			d = braces($0)
			next
		}
		if ($1 == "real_server")
			rs = $2
		if (rs == rs2 && $1 == "weight")
			sub(/1/, "5")
	}
	{ print }
' "$TMPD/keepalived.conf.start" >"$CONF.new" || fail "cannot edit the configuration"
cat >>"$CONF.new" <<-EOF
	virtual_server $VIP 85 {
		delay_loop 1
		lb_algo rr
		lb_kind NAT
		protocol TCP
		real_server ${RS_IP[3]} 80 {
			weight 1
			TCP_CHECK {
				connect_timeout 1
			}
		}
	}
EOF
mv "$CONF.new" "$CONF"
"$KEEPALIVED" -t"$TMPD/config-test.log" -f "$CONF" >/dev/null 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/    /' "$TMPD/config-test.log" | head -n 20
log_test $rc "keepalived -t accepts the changed configuration"

RELOADED=1
kill -HUP "$KA"
converge "SIGHUP: the table follows the changed configuration"
requests 80 6 "^rs1=1 rs2=5$"
requests 85 2 "^rs3=2$"

# ---- stop ---------------------------------------------------------------------------------

kill -TERM "$KA"
t0=$(now_ms)
wait_until "$CHECK_BOUND" eval '! kill -0 "$KA" 2>/dev/null'
log_test $? "keepalived exits on SIGTERM ($(($(now_ms) - t0)) ms)"
wait "$KA" 2>/dev/null
converge "after stop only the manual service is left" stopped

exit $RET
