#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns                     director ns                      real servers
#  10.0.1.2 (eth0)               cli0 10.0.1.1                    rs1 10.0.11.2:80
#  10.2.0.1-64/32  ------------  VIP 10.0.1.100:<one port per     rs2 10.0.12.2:80
#  (sh: one key per address)         scenario>, NAT (-m)   ------ rs3 10.0.13.2:80
#  one python3 helper holds      10.3.0.1-40/32 on lo, nft mark   rs4 10.0.14.2:80
#  every connection open         -> fwmark service (dh, lblcv,    (vs_server -k -p)
#                                lblcrv; a mark per scenario)
#
# Scheduler differential test: the same scripted sequence (servers added,
# reweighted with thresholds, deleted; TCP connections opened one after the
# other and held, or closed) runs through the kernel's ip_vs, then, after
# unloading it, through l4vs, both driven by the stock ipvsadm.
#
#   rr, wrr, lc, wlc, sed, nq, fo, ovf, and wlc with thresholds ("thr":
#     -x/-y at add time; "thredit": the upper threshold raised by -e while
#     the server is overloaded, with -y above its held connections so that
#     kernels with and without IPVS's fix to re-evaluate overload on edit
#     agree): the server picked for every connection must be the same, in
#     order.
#   wrr 5:3:1 over 90 connections must also be exactly 50/30/10.
#   sh (64 client addresses, 3 connections each) and dh (40 VIPs of a
#     fwmark service, 3 connections each): in both implementations every key
#     always lands on one server; and for every server, the number of keys it
#     owns under l4vs is within KEY_TOL of that under ip_vs; and the two
#     key->server maps are identical, key for key.
#   lblc, lblcr: deterministic, so the same pick for every connection, on
#     one VIP (one cache entry; held connections overload its server, which
#     moves the entry, or for lblcr grows its set) and on the 40 VIPs of the
#     fwmark service (40 entries; a server deleted midway must be replaced
#     in every entry that held it).
#   twos (random): only where ip_vs has it (Linux 6.2+; skipped on 6.1 with
#     that reason).  Connections are held, so the load comparison dominates:
#     each implementation's count per server is within TWOS_TOL of the
#     weight's share, and the two counts within TWOS_TOL of each other.  A
#     twos that kept the busier draw, or ignored the weights, fails it.
#
# One python3 process (started once, fed through a FIFO) makes all the
# connections: no fork per connection, and ipvsadm runs once per batch of
# rules (-R).

. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is needed for the client helper"
[ -x "$IPVSADM" ] || skip "$IPVSADM not installed"
modinfo ip_vs >/dev/null 2>&1 || skip "the kernel has no ip_vs module to compare with"

N_SRC=64		# client addresses for sh
N_VIPS=40		# destination addresses for dh
KEY_TOL=8		# sh/dh: allowed difference in keys per server (of 64 or 40)
TWOS_TOL=6		# twos: per server, of 60 held connections at 3:2:1

# name | scheduler and service flags | steps.  Steps, separated by ';':
#   a I W [OPTS]   add real server I with weight W (OPTS: -x N -y N)
#   e I W [OPTS]   edit it;   d I   delete it
#   c N [SRC]      open N connections one after the other and hold them;
#                  SRC "all": cycle over the N_SRC client addresses;
#                  "vips": cycle over the N_VIPS destination addresses
#   k              close every held connection and wait until the director
#                  shows no active connection (they stay as inactive ones)
# Rules between two "c"/"k" steps go to one ipvsadm -R.
SCENARIOS=(
	"rr     | -s rr  | a 1 1; a 2 1; a 3 1; c 7; a 4 1; c 6; d 2; c 7"
	"wrr531 | -s wrr | a 1 5; a 2 3; a 3 1; c 90"
	"wrrchg | -s wrr | a 1 5; a 2 3; a 3 1; c 7; e 2 4; c 9; d 1; c 8; a 4 2; c 10"
	"wrrdi  | -s wrr | a 1 6; a 2 4; c 3; a 3 2; c 12; e 3 8; c 11"
	"lc     | -s lc  | a 1 1; a 2 1; a 3 1; c 7; k; c 8; a 4 1; c 5"
	"wlc    | -s wlc | a 1 3; a 2 2; a 3 1; c 12; k; e 3 4; c 10"
	"sed    | -s sed | a 1 3; a 2 2; a 3 1; c 18"
	"nq     | -s nq  | a 1 3; a 2 2; a 3 1; c 4; k; c 14"
	"fo     | -s fo  | a 1 1; a 2 3; a 3 2; c 4; e 2 0; c 4; d 3; c 3"
	"ovf    | -s ovf | a 1 3; a 2 2; a 3 1; c 10"
	"thr    | -s wlc | a 1 3 -x 4 -y 2; a 2 2 -x 3; a 3 1; c 10; k; a 4 1 -x 2; c 6"
	"thredit| -s wlc | a 1 3 -x 4 -y 2; a 2 2 -x 3; a 3 1; c 10; e 1 3 -x 8 -y 5; c 6"
	"sh     | -s sh  | a 1 1; a 2 2; a 3 1; c $((3 * N_SRC)) all"
	"dh     | -s dh  | a 1 1; a 2 1; a 3 1; a 4 1; c $((3 * N_VIPS)) vips"
	"lblc   | -s lblc | a 1 3; a 2 2; a 3 1; c 12; k; e 3 4; c 10"
	"lblcv  | -s lblc | a 1 2; a 2 1; a 3 1; a 4 1; c $N_VIPS vips; d 2; c $((2 * N_VIPS)) vips"
	"lblcr  | -s lblcr | a 1 3; a 2 2; a 3 1; c 12; k; e 3 4; c 10"
	"lblcrv | -s lblcr | a 1 2; a 2 1; a 3 1; a 4 1; c $N_VIPS vips; d 2; c $((2 * N_VIPS)) vips"
	"twos   | -s twos | a 1 3; a 2 2; a 3 1; c 60"
)

# The helper: reads commands from argv[1], answers each with one line on
# argv[2].  "open N SRCS DSTS PORT": N connections, the i-th from SRCS[i % n]
# ("-": the default address) to DSTS[i % n]:PORT, each sends one line and
# reads the server's name; answers the names ("-" for a failure).
# "close": closes all.  Connections are held until then.
HELPER='
import sys, time
from vs_probe import probe
trace = len(sys.argv) > 3 and sys.argv[3] != ""
cmd = open(sys.argv[1], "r")
res = open(sys.argv[2], "w")
held = []
while True:
    line = cmd.readline()
    if not line:
        break
    w = line.split()
    if not w:
        continue
    if w[0] == "open":
        n, port = int(w[1]), int(w[4])
        srcs, dsts = w[2].split(","), w[3].split(",")
        picks = []
        slow = []
        for i in range(n):
            t0 = time.monotonic()
            s, name = probe(dsts[i % len(dsts)], port,
                            srcs[i % len(srcs)] if srcs[0] != "-" else None,
                            timeout=10)
            held.append(s)
            picks.append(name)
            ms = int((time.monotonic() - t0) * 1000)
            if ms > 200:
                slow.append("%d:%dms" % (i, ms))
        if trace:
            print("TRACE slow connections: " + " ".join(slow), file=sys.stderr, flush=True)
        res.write(" ".join(picks) + "\n")
    elif w[0] == "close":
        for s in held:
            s.close()
        held = []
        res.write("closed\n")
    res.flush()
'

require_tools
setup_nat_topology 4
start_servers -k -t 80

SRC_LIST=
batch=
for ((i = 1; i <= N_SRC; i++)); do
	batch+="addr add 10.2.0.$i/32 dev eth0"$'\n'
	SRC_LIST+="${SRC_LIST:+,}10.2.0.$i"
done
ip -n "$NS_CLI" -batch - <<<"$batch" || fail "client addresses"
VIP_LIST=
batch="route add 10.2.0.0/16 via $CLI_IP"$'\n'
for ((i = 1; i <= N_VIPS; i++)); do
	batch+="addr add 10.3.0.$i/32 dev lo"$'\n'
	VIP_LIST+="${VIP_LIST:+,}10.3.0.$i"
done
ip -n "$NS_DIR" -batch - <<<"$batch" || fail "director addresses"
dir_exec nft -f - <<-EOF || skip "nft cannot mark packets for the dh fwmark service"
	table ip schedmark {
		chain pre {
			type filter hook prerouting priority mangle;
			ip daddr 10.3.0.0/24 meta mark set 7
		}
	}
EOF

mkfifo "$TMPD/cmd" "$TMPD/res" || fail "mkfifo"
exec {CMD_FD}<>"$TMPD/cmd" {RES_FD}<>"$TMPD/res"
bg ip netns exec "$NS_CLI" env PYTHONPATH="$SELFTESTS_DIR/tools" \
	PYTHONDONTWRITEBYTECODE=1 "$PY" -c "$HELPER" "$TMPD/cmd" "$TMPD/res" "${SCHED_DIFF_TRACE:-}"
HELPER_PID=$BG_PID

# helper_do CMD...: one command to the helper; its answer in ANSWER.
helper_do() {
	ANSWER=
	kill -0 "$HELPER_PID" 2>/dev/null || return 1
	echo "$*" >&"$CMD_FD"
	read -r -t 120 -u "$RES_FD" ANSWER
}

# no_active SVC...: the service has no active connection left.
no_active() {
	ipvsadm_d -Ln "$@" | awk '$1 == "->" && $5 ~ /^[0-9]+$/ { a += $5 } END { exit a > 0 }'
}

# run_scenario IMPL INDEX: run SCENARIOS[INDEX] against the loaded
# implementation; the picks (server numbers, "-" for none) go to
# PICKS[IMPL.NAME].
declare -A PICKS=()
run_scenario() {
	local impl=$1 idx=$2 name opts steps svc step rules='' picks=''
	local -a list words

	IFS='|' read -r name opts steps <<<"${SCENARIOS[idx]}"
	name=${name// /}
	vport=$((impl_base + idx))
	# The 40 VIPs are marked for a fwmark service, a mark of its own per
	# scenario as the port is for the others: ip_vs takes a deleted
	# service's servers back from its trash, connection counters and all,
	# into a new service with the same mark (l4vs never does), which would
	# make one scenario's leftovers steer the next one's picks.
	if [[ $steps == *vips* ]]; then
		dir_exec nft "flush chain ip schedmark pre; add rule ip schedmark pre ip daddr 10.3.0.0/24 meta mark set $vport" ||
			{ echo "nft cannot set mark $vport"; return 1; }
		svc="-f $vport"
	else
		svc="-t $VIP:$vport"
	fi
	rules="-A $svc $opts"$'\n'
	IFS=';' read -r -a list <<<"$steps"
	for step in "${list[@]}"; do
		read -r -a words <<<"$step"
		[ -n "${SCHED_DIFF_TRACE:-}" ] && echo "TRACE $(now_ms) $name $step"
		case ${words[0]} in
		a | e)
			rules+="-${words[0]} $svc -r ${RS_IP[words[1]]}:80 -m -w ${words[2]} ${words[*]:3}"$'\n'
			;;
		d)
			rules+="-d $svc -r ${RS_IP[words[1]]}:80"$'\n'
			;;
		c | k)
			if [ -n "$rules" ]; then
				ipvsadm_d -R <<<"$rules" || { echo "ipvsadm -R failed on: $rules"; return 1; }
				rules=
			fi
			if [ "${words[0]}" = k ]; then
				helper_do close || return 1
				# shellcheck disable=SC2086
				wait_until 10 no_active $svc || { echo "connections still active"; return 1; }
				continue
			fi
			case ${words[2]:-} in
			all)	helper_do open "${words[1]}" "$SRC_LIST" "$VIP" "$vport" ;;
			vips)	helper_do open "${words[1]}" - "$VIP_LIST" 80 ;;
			*)	helper_do open "${words[1]}" - "$VIP" "$vport" ;;
			esac || { echo "client helper failed"; return 1; }
			picks+="${picks:+ }${ANSWER//rs/}"
			;;
		esac
	done
	[ -n "$rules" ] && { ipvsadm_d -R <<<"$rules" || return 1; }
	if [ -n "${SCHED_DIFF_TRACE:-}" ]; then
		# shellcheck disable=SC2086
		ipvsadm_d -Ln $svc | sed "s/^/TRACE $impl $name /"
		ipvsadm_d -Lnc | awk -v p=":$vport" -v n="$impl $name" 'index($0, p) { print "TRACE " n " " $0 }'
	fi
	helper_do close
	# shellcheck disable=SC2086
	ipvsadm_d -D $svc
	PICKS[$impl.$name]=$picks
}

# selected NAME: the scenario is to run (SCHED_DIFF_ONLY, when set, names
# the ones to run; tools/sched-diff.sh sets it).
selected() {
	[ -z "${SCHED_DIFF_ONLY:-}" ] || [[ " $SCHED_DIFF_ONLY " == *" $1 "* ]] || return 1
	[ -z "${UNAVAILABLE[$1]:-}" ]
}

# Schedulers ip_vs of this kernel lacks: nothing to compare with.
declare -A UNAVAILABLE=()
modinfo ip_vs_twos >/dev/null 2>&1 ||
	UNAVAILABLE[twos]="ip_vs has no twos before Linux 6.2 ($(uname -r))"

run_impl() {
	local impl=$1 idx start t0 times=

	load_impl "$impl"
	start=$(now_ms)
	for idx in "${!SCENARIOS[@]}"; do
		selected "${SCENARIOS[idx]%%[ |]*}" || continue
		t0=$(now_ms)
		run_scenario "$impl" "$idx" || log_info "$impl: scenario $idx did not complete"
		times+=" ${SCENARIOS[idx]%%[ |]*}:$((($(now_ms) - t0) / 100))"
	done
	if [ -n "${SCHED_DIFF_TRACE:-}" ]; then
		dir_exec cat /proc/net/l4vs_drops 2>/dev/null
		cli_exec nstat -az TcpRetransSegs TcpExtTCPTimeouts
	fi
	ipvsadm_d -C
	log_info "$impl: $(((($(now_ms) - start) + 500) / 1000)) s for ${#SCENARIOS[@]} scenarios (tenths of s:$times)"
}

# counts PICKS: "1:N 2:N ... -:N", by server.
counts() {
	local -A c=()
	local p out='' k

	for p in $1; do
		c[$p]=$((${c[$p]:-0} + 1))
	done
	for k in 1 2 3 4 -; do
		[ -n "${c[$k]:-}" ] && out+="${out:+ }$k:${c[$k]}"
	done
	echo "$out"
}

# keymap PICKS NKEYS: connection i belongs to key i % NKEYS; sets KEYMAP
# to the server of every key ("x" when a key saw two servers or a failure),
# and KEYS_PER_SERVER[server] to the number of sticky keys of each server.
declare -A KEYS_PER_SERVER
keymap() {
	local -a p key=()
	local nkeys=$2 i k out=

	read -r -a p <<<"$1"
	for ((i = 0; i < ${#p[@]}; i++)); do
		k=$((i % nkeys))
		if [ "${p[i]}" = - ]; then
			key[k]=x
		elif [ -z "${key[k]:-}" ]; then
			key[k]=${p[i]}
		elif [ "${key[k]}" != "${p[i]}" ]; then
			key[k]=x
		fi
	done
	KEYS_PER_SERVER=()
	for ((k = 0; k < nkeys; k++)); do
		out+="${key[k]:-x}"
		[ "${key[k]:-x}" = x ] && continue
		KEYS_PER_SERVER[${key[k]}]=$((${KEYS_PER_SERVER[${key[k]}]:-0} + 1))
	done
	KEYMAP=$out
}

# The helper answers once python is up (it starts slowly under TCG).
helper_do close && [ "$ANSWER" = closed ] || fail "the client helper does not start"

impl_base=1000
run_impl ipvs
impl_base=2000
run_impl l4vs

# first_diff A B: "at connection K: ip_vs X, l4vs Y" for the first pick that
# differs between the two pick lists (K counts from 1).
first_diff() {
	local -a pa pb
	local i n

	read -r -a pa <<<"$1"
	read -r -a pb <<<"$2"
	n=$((${#pa[@]} > ${#pb[@]} ? ${#pa[@]} : ${#pb[@]}))
	for ((i = 0; i < n; i++)); do
		[ "${pa[i]:-none}" = "${pb[i]:-none}" ] && continue
		echo "at connection $((i + 1)) of $n: ip_vs ${pa[i]:-none}, l4vs ${pb[i]:-none}"
		return
	done
}

# Scenarios compared pick for pick (all but sh, dh, twos) that differ are
# run once more on both implementations, on fresh services.  Under TCG one
# pick has been seen to differ three times (wrrchg, lc; twice with three
# guests sharing two cores, once in CI), and no rerun has differed; the
# cause is not found (traced runs under load agree).  A real difference
# in a scheduler differs again and fails the test; the first run's
# difference is printed either way.
declare -A FIRST_DIFF=()
DIFFERS=
rerun=
for entry in "${SCENARIOS[@]}"; do
	name=${entry%%|*}
	name=${name// /}
	case $name in sh | dh | twos) continue ;; esac
	selected "$name" || continue
	[ "${PICKS[ipvs.$name]:-}" = "${PICKS[l4vs.$name]:-}" ] && continue
	FIRST_DIFF[$name]=$(first_diff "${PICKS[ipvs.$name]:-}" "${PICKS[l4vs.$name]:-}")
	log_info "$name: the picks differ ${FIRST_DIFF[$name]}; running it again on both"
	rerun+="${rerun:+ }$name"
done
if [ -n "$rerun" ]; then
	saved_only=${SCHED_DIFF_ONLY:-}
	SCHED_DIFF_ONLY=$rerun
	impl_base=3000
	run_impl ipvs
	impl_base=4000
	run_impl l4vs
	SCHED_DIFF_ONLY=$saved_only
fi

for name in "${!UNAVAILABLE[@]}"; do
	[ -z "${SCHED_DIFF_ONLY:-}" ] || [[ " $SCHED_DIFF_ONLY " == *" $name "* ]] || continue
	echo "SKIP: $name: ${UNAVAILABLE[$name]}"
done

for entry in "${SCENARIOS[@]}"; do
	name=${entry%%|*}
	name=${name// /}
	selected "$name" || continue
	a=${PICKS[ipvs.$name]:-}
	b=${PICKS[l4vs.$name]:-}
	case $name in
	twos)
		# shares of 60 at 3:2:1
		rc=0
		desc=
		declare -A ca=() cb=()
		for p in $a; do ca[$p]=$((${ca[$p]:-0} + 1)); done
		for p in $b; do cb[$p]=$((${cb[$p]:-0} + 1)); done
		for sw in 1:30 2:20 3:10; do
			s=${sw%:*}
			want=${sw#*:}
			x=${ca[$s]:-0}
			y=${cb[$s]:-0}
			desc+=" rs$s $x/$y"
			for d in $((x - want)) $((y - want)) $((x - y)); do
				[ ${d#-} -le $TWOS_TOL ] || rc=1
			done
		done
		[ "$(wc -w <<<"$a")" = 60 ] && [ "$(wc -w <<<"$b")" = 60 ] || rc=1
		log_test $rc "twos: per server (ip_vs/l4vs) within $TWOS_TOL of 30/20/10 and of each other:$desc"
		if [ $rc -ne 0 ]; then
			log_info "ip_vs: $a"
			log_info "l4vs:  $b"
		fi
		unset ca cb
		;;
	sh | dh)
		[ "$name" = sh ] && nkeys=$N_SRC || nkeys=$N_VIPS
		keymap "$a" "$nkeys"
		ma=$KEYMAP
		declare -A ka=()
		for k in "${!KEYS_PER_SERVER[@]}"; do ka[$k]=${KEYS_PER_SERVER[$k]}; done
		keymap "$b" "$nkeys"
		mb=$KEYMAP
		rc=0
		xa=${ma//[^x]/}
		xb=${mb//[^x]/}
		[ -n "$a" ] && [ -n "$b" ] && [ -z "$xa" ] && [ -z "$xb" ] || rc=1
		log_test $rc "$name: each of $nkeys keys sticks to one server (non-sticky: ip_vs ${#xa}, l4vs ${#xb})"
		[ $rc -eq 0 ] || { log_info "ip_vs keys: $ma"; log_info "l4vs  keys: $mb"; }
		rc=0
		desc=
		for s in 1 2 3 4; do
			x=${ka[$s]:-0}
			y=${KEYS_PER_SERVER[$s]:-0}
			desc+=" rs$s $x/$y"
			d=$((x - y))
			[ ${d#-} -le $KEY_TOL ] || rc=1
		done
		[ $rc -eq 0 ] && [[ $mb != *x* ]] || rc=1
		log_test $rc "$name: keys per server (ip_vs/l4vs) within $KEY_TOL:$desc"
		# Documentation/schedulers.md promises IPVS's table, key and
		# probe order: the maps must be the same, key for key
		[ -n "$ma" ] && [ "$ma" = "$mb" ]
		rc=$?
		log_test $rc "$name: the key->server maps of ip_vs and l4vs are identical"
		[ $rc -eq 0 ] || log_info "$name: ip_vs $ma, l4vs $mb"
		unset ka
		;;
	*)
		rc=0
		[ -n "$a" ] && [ "$a" = "$b" ] && [[ $a =~ [0-9] ]] || rc=1
		again=
		[ -n "${FIRST_DIFF[$name]:-}" ] && again=", run twice: the first run differed ${FIRST_DIFF[$name]}"
		log_test $rc "$name: same pick for each of $(wc -w <<<"$a") connections ($(counts "$a")$again)"
		if [ $rc -ne 0 ]; then
			log_info "ip_vs: $a"
			log_info "l4vs:  $b"
			DIFFERS+=" $name ($(first_diff "$a" "$b"))"
		fi
		;;
	esac
done

for impl in ipvs l4vs; do
	selected wrr531 || break
	got=$(counts "${PICKS[$impl.wrr531]:-}")
	[ "$got" = "1:50 2:30 3:10" ]
	log_test $? "wrr 5:3:1 over 90 connections on $impl is 50/30/10 (got: $got)"
done

# last, where a truncated log still shows it
[ -z "${DIFFERS:-}" ] || log_info "picks differ:$DIFFERS"
exit $RET
