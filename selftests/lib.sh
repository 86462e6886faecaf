#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared vocabulary of the l4vs selftests.  Sourced, never run.
#
# Every test builds its own randomly named namespaces, so tests never see each
# other's state and a leftover from a crashed run cannot collide.  The
# director namespace is where the virtual services live; nothing is
# configured in the initial namespace except the modules.
#
# Forks are the expensive thing under TCG (tens of ms each over 9p), so the
# helpers batch ip(8) commands and use bash builtins where they can.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

# Paths without a fork: no dirname, no pwd.
SELFTESTS_DIR=${BASH_SOURCE[0]%/*}
[ "$SELFTESTS_DIR" = "${BASH_SOURCE[0]}" ] && SELFTESTS_DIR=.
[ "${SELFTESTS_DIR:0:1}" = / ] || SELFTESTS_DIR=$PWD/$SELFTESTS_DIR
SELFTESTS_DIR=${SELFTESTS_DIR%/.}
REPO_DIR=${SELFTESTS_DIR%/*}
VS_SERVER=$SELFTESTS_DIR/tools/vs_server
VS_CLIENT=$SELFTESTS_DIR/tools/vs_client
# shellcheck disable=SC2034 # for the tests that source this
IPVS_NL=$SELFTESTS_DIR/tools/ipvs_nl
IPVSADM=${IPVSADM:-/usr/sbin/ipvsadm}
L4VSADM=${L4VSADM:-$REPO_DIR/tools/l4vsadm/l4vsadm}
# Which implementation the generic tests drive: l4vs (default) or ipvs.
L4VS_IMPL=${L4VS_IMPL:-l4vs}

RET=$KSFT_PASS

# new_names: a fresh random suffix for the namespaces set up next.
new_names() {
	printf -v NS_SUFFIX '%04x%04x' $RANDOM $RANDOM
	NS_CLI=cli-$NS_SUFFIX
	NS_DIR=dir-$NS_SUFFIX
	NS_RS=()	# NS_RS[i], i = 1..N, after setup_nat_topology N
	NUM_RS=0
}
new_names
NS_LIST=()		# every namespace to delete on exit
BG_PIDS=()		# background processes to kill on exit
DEFERRED=()		# extra cleanup commands, run last-in first-out
TMPD=

# Addressing: the client and the VIP share one subnet with the director; each
# real server sits on a /24 (/64) of its own, default route via the director.
CLI_IP=10.0.1.2
DIR_IP=10.0.1.1
VIP=10.0.1.100
CLI_IP6=fd00:1::2
DIR_IP6=fd00:1::1
VIP6=fd00:1::100

# RS_IP[i], RS_IP6[i]: real server i's addresses (rs_ip/rs_ip6 print them).
RS_IP=()
RS_IP6=()
for ((_i = 1; _i <= 16; _i++)); do
	RS_IP[_i]=10.0.$((10 + _i)).2
	RS_IP6[_i]=fd00:$((10 + _i))::2
done
rs_ip()  { echo "${RS_IP[$1]}"; }
rs_ip6() { echo "${RS_IP6[$1]}"; }

# ---- logging and verdicts ----------------------------------------------------

# log_test RC DESCRIPTION: one line per check; a non-zero RC fails the test.
log_test() {
	local rc=$1

	shift
	if [ "$rc" -eq 0 ]; then
		printf 'TEST: %-64s [ OK ]\n' "$*"
	else
		printf 'TEST: %-64s [FAIL]\n' "$*"
		RET=$KSFT_FAIL
	fi
}

log_info() {
	echo "INFO: $*"
}

# skip REASON: end the test as skipped; the runner shows REASON.  A test
# whose checks already failed fails: a skip must not hide them.
skip() {
	if [ "$RET" -ne "$KSFT_PASS" ]; then
		echo "FAIL: checks failed before the skip ($*)"
		exit $KSFT_FAIL
	fi
	echo "SKIP: $*"
	exit $KSFT_SKIP
}

fail() {
	echo "FAIL: $*"
	exit $KSFT_FAIL
}

# ---- time --------------------------------------------------------------------

# A sleep without a fork: read, with a timeout, from a FIFO that nobody
# ever writes to (held open read-write, so it never reports end of file).
# A subshell whose parent never napped opens the FIFO itself (another
# subshell may have made it already); without one, sleep(1) does.
_sleep_fd=
nap() {
	if [ -z "$_sleep_fd" ]; then
		make_tmpdir
		[ -p "$TMPD/.nap" ] || mkfifo "$TMPD/.nap" 2>/dev/null
		exec {_sleep_fd}<>"$TMPD/.nap" || _sleep_fd=
	fi
	if [ -n "$_sleep_fd" ]; then
		read -r -t "$1" -u "$_sleep_fd" || :
	else
		sleep "$1"
	fi
}

# now_ms: milliseconds since the epoch, from bash itself.
now_ms() {
	local t=${EPOCHREALTIME/./}

	echo $((t / 1000))
}

# wait_until TIMEOUT_SECS CMD...: poll CMD until it succeeds; 1 on timeout.
wait_until() {
	local timeout=$1 deadline

	shift
	deadline=$(($(now_ms) + timeout * 1000))
	while ! "$@"; do
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		nap 0.1
	done
	return 0
}

# ---- kernel log --------------------------------------------------------------

# Patterns that mean the kernel is unhappy: tools/vm/splat-patterns is the
# one list, shared with the VM harness.  Without it nothing could fail, so
# its absence is itself a match-everything pattern.
SPLAT_PATTERNS_FILE=$REPO_DIR/tools/vm/splat-patterns

splat_regex() {
	local line re=

	if [ ! -r "$SPLAT_PATTERNS_FILE" ]; then
		echo "splat patterns missing: $SPLAT_PATTERNS_FILE" >&2
		echo '.'
		return
	fi
	while IFS= read -r line; do
		case $line in ''|'#'*) continue ;; esac
		re=${re:+$re|}$line
	done <"$SPLAT_PATTERNS_FILE"
	echo "${re:-.}"
}

# dmesg_mark TAG: write a marker line that check_dmesg can start from.
dmesg_mark() {
	echo "l4vs-selftest: mark $1" >/dev/kmsg 2>/dev/null || :
}

# check_dmesg [TAG]: fail (and print the lines) if the kernel log since the
# marker TAG (or since boot) shows a splat.
check_dmesg() {
	local tag=$1 log hits

	log=$(dmesg 2>/dev/null) || return 0
	if [ -n "$tag" ]; then
		log=$(awk -v m="l4vs-selftest: mark $tag\$" \
			'$0 ~ m { buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", buf }' \
			<<<"$log")
	fi
	hits=$(grep -E -- "$(splat_regex)" <<<"$log")
	[ -z "$hits" ] && return 0
	echo "kernel log shows a splat:"
	echo "$hits" | head -n 40
	return 1
}

# ---- modules -----------------------------------------------------------------

module_loaded() {
	[ -d "/sys/module/$1" ]
}

# Remove a module and everything that holds it (schedulers first).
_unload_once() {
	local m=$1 h

	module_loaded "$m" || return 0
	for h in /sys/module/"$m"/holders/*; do
		[ -e "$h" ] && { _unload_once "${h##*/}" || return 1; }
	done
	modprobe -r "$m" 2>/dev/null
}

# unload_module NAME: retries for a while, because a namespace deleted just
# before (by this test or the previous one) is torn down asynchronously and
# keeps its services, and so its scheduler module, until then.
unload_module() {
	wait_until 30 _unload_once "$1" && return 0
	modprobe -r "$1"
	return 1
}

# load_impl [l4vs|ipvs] [MODULE PARAMS...]: make that implementation own the
# "IPVS" generic netlink family, unloading the other one first (both cannot
# register it).  Skips the test when the modules are not there.
load_impl() {
	local impl=${1:-$L4VS_IMPL}

	[ $# -gt 0 ] && shift
	[ -e /proc/modules ] || skip "kernel has no module support (run in the VM)"
	case $impl in
	l4vs)
		unload_module ip_vs || fail "cannot unload ip_vs"
		modinfo l4vs >/dev/null 2>&1 || skip "l4vs.ko is not installed"
		if ! module_loaded l4vs; then
			modprobe l4vs "$@" || fail "modprobe l4vs $* failed"
		fi
		;;
	ipvs)
		unload_module l4vs || fail "cannot unload l4vs"
		modinfo ip_vs >/dev/null 2>&1 || skip "ip_vs is not available"
		module_loaded ip_vs || modprobe ip_vs || fail "modprobe ip_vs failed"
		;;
	*)
		fail "unknown implementation '$impl' (l4vs or ipvs)"
		;;
	esac
	IMPL=$impl
}

require_l4vsadm() {
	[ -x "$L4VSADM" ] || skip "l4vsadm not built ($L4VSADM)"
}

require_tools() {
	local t

	for t in "$VS_SERVER" "$VS_CLIENT" "$@"; do
		[ -x "$t" ] || skip "$t not built (make -C selftests)"
	done
}

# ---- namespaces and topology -------------------------------------------------

cleanup() {
	local i pid ns

	for ((i = ${#DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${DEFERRED[i]}" >/dev/null 2>&1
	done
	stop_bg
	for ns in "${NS_LIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "$TMPD" ] && rm -rf "$TMPD"
}

# stop_bg: end every background process started so far (bg) and forget them.
stop_bg() {
	local pid

	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	BG_PIDS=()
}

# drop_namespaces: stop the background jobs and delete the test's namespaces
# now, so that a differential test's second run (ip_vs after l4vs) starts
# from nothing.
drop_namespaces() {
	local ns

	stop_bg
	for ns in "${NS_LIST[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	NS_LIST=()
}

# diff_impls: IMPLS, what a differential test runs: l4vs, then the kernel's
# ip_vs when there is one and l4vs is the implementation under test.
diff_impls() {
	IMPLS=(l4vs)
	if [ "$L4VS_IMPL" = l4vs ] && modinfo ip_vs >/dev/null 2>&1; then
		IMPLS+=(ipvs)
	else
		log_info "no ip_vs to compare with"
	fi
}

# outcome_diff: the cases in which a differential test's ip_vs outcomes
# (OUT) differ from l4vs's (L4VS_OUT), " CASE(l4vs X, ip_vs Y)" each in case
# order; nothing when they agree.
outcome_diff() {
	local k out=

	for k in $(printf '%s\n' "${!L4VS_OUT[@]}" | sort); do
		[ "${OUT[$k]}" = "${L4VS_OUT[$k]}" ] ||
			out+=" $k(l4vs ${L4VS_OUT[$k]}, ip_vs ${OUT[$k]:-none})"
	done
	echo "$out"
}

# defer CMD...: run CMD on exit (before namespaces go away).
defer() {
	DEFERRED+=("$*")
}

# bg CMD...: run CMD in the background and kill it on exit; pid in BG_PID.
bg() {
	"$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

make_tmpdir() {
	[ -n "$TMPD" ] && return 0
	TMPD=$(mktemp -d /tmp/l4vs-selftest.XXXXXX) || fail "mktemp"
	trap cleanup EXIT
	# the runner's timeout sends TERM: clean up on that too
	trap 'exit $KSFT_FAIL' TERM INT
}

in_ns() {
	local ns=$1

	shift
	ip netns exec "$ns" "$@"
}

# A test that only talks to the director can run its body inside the
# director namespace (see run_inside_director); then no command needs
# "ip netns exec", which halves the processes started per command.
L4VS_INNER=${L4VS_INNER:-}

dir_exec() {
	if [ -n "$L4VS_INNER" ]; then
		"$@"
	else
		ip netns exec "$NS_DIR" "$@"
	fi
}

# run_inside_director: run this test script again inside the director
# namespace and exit with its status; the outer instance keeps the
# namespaces and cleans them up.  Returns (does nothing) in the inner one.
run_inside_director() {
	local rc

	[ -n "$L4VS_INNER" ] && return 0
	L4VS_INNER=1 IMPL=$IMPL ip netns exec "$NS_DIR" bash "$0"
	rc=$?
	exit $rc
}

cli_exec() {
	ip netns exec "$NS_CLI" "$@"
}

# The two control tools, run in the director namespace.
ipvsadm_d() {
	dir_exec "$IPVSADM" "$@"
}

l4vsadm_d() {
	dir_exec "$L4VSADM" "$@"
}

#
#   client ns                director ns                      real server i ns
#  +------------+  veth  +-----------------------+  veth  +----------------+
#  | eth0       |--------| cli0  10.0.1.1/24     |--------| eth0           |
#  | 10.0.1.2   |        |       VIP 10.0.1.100  |  rs<i> | 10.0.<10+i>.2  |
#  | fd00:1::2  |        |       fd00:1::1, ::100|        | fd00:<10+i>::2 |
#  +------------+        | ip_forward=1          |        | default via    |
#                        +-----------------------+        | the director   |
#                                                         +----------------+
#
# setup_nat_topology N: build the namespaces above with N real servers.
setup_nat_topology() {
	local n=$1 i ns batch=

	make_tmpdir
	trap cleanup EXIT
	NS_LIST+=("$NS_CLI" "$NS_DIR")
	batch+="netns add $NS_CLI"$'\n'"netns add $NS_DIR"$'\n'
	for ((i = 1; i <= n; i++)); do
		NS_RS[i]=rs$i-$NS_SUFFIX
		NS_LIST+=("${NS_RS[i]}")
		batch+="netns add ${NS_RS[i]}"$'\n'
	done
	ip -batch - <<<"$batch" || fail "cannot create namespaces"

	# Devices created from here on skip DAD: a tentative link-local address
	# holds IPv6 neighbour discovery back for a second or more.
	for ns in "$NS_CLI" "${NS_RS[@]:1:n}"; do
		in_ns "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 ||
			fail "sysctls in $ns"
	done
	dir_exec sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 || fail "director sysctls"

	batch="link add eth0 netns $NS_CLI type veth peer name cli0 netns $NS_DIR"$'\n'
	for ((i = 1; i <= n; i++)); do
		batch+="link add eth0 netns ${NS_RS[i]} type veth peer name rs$i netns $NS_DIR"$'\n'
	done
	ip -batch - <<<"$batch" || fail "cannot create links"

	ip -n "$NS_CLI" -batch - <<-EOF || fail "client setup"
		link set lo up
		link set eth0 up
		addr add $CLI_IP/24 dev eth0
		addr add $CLI_IP6/64 dev eth0 nodad
		route add default via $DIR_IP
		route add default via $DIR_IP6
	EOF

	batch="link set lo up"$'\n'"link set cli0 up"$'\n'
	batch+="addr add $DIR_IP/24 dev cli0"$'\n'"addr add $VIP/24 dev cli0"$'\n'
	batch+="addr add $DIR_IP6/64 dev cli0 nodad"$'\n'"addr add $VIP6/64 dev cli0 nodad"$'\n'
	for ((i = 1; i <= n; i++)); do
		batch+="link set rs$i up"$'\n'
		batch+="addr add 10.0.$((10 + i)).1/24 dev rs$i"$'\n'
		batch+="addr add fd00:$((10 + i))::1/64 dev rs$i nodad"$'\n'
	done
	ip -n "$NS_DIR" -batch - <<<"$batch" || fail "director setup"

	for ((i = 1; i <= n; i++)); do
		ip -n "${NS_RS[i]}" -batch - <<-EOF || fail "real server $i setup"
			link set lo up
			link set eth0 up
			addr add ${RS_IP[i]}/24 dev eth0
			addr add ${RS_IP6[i]}/64 dev eth0 nodad
			route add default via 10.0.$((10 + i)).1
			route add default via fd00:$((10 + i))::1
		EOF
	done
	NUM_RS=$n
}

# setup_director_only: just the director namespace, for control-plane tests.
setup_director_only() {
	make_tmpdir
	trap cleanup EXIT
	NS_LIST+=("$NS_DIR")
	ip netns add "$NS_DIR" || fail "cannot create namespace $NS_DIR"
	ip -n "$NS_DIR" link set lo up
}

# start_servers ARGS...: one vs_server per real server namespace, named rs<i>,
# reporting the peer address, with ARGS (ports: -t 80 -u 53 ...); returns
# once all of them listen.
start_servers() {
	local i

	for ((i = 1; i <= NUM_RS; i++)); do
		rm -f "$TMPD/ready.$i"
		bg ip netns exec "${NS_RS[i]}" "$VS_SERVER" -n "rs$i" -p -r "$TMPD/ready.$i" "$@"
	done
	wait_until 30 servers_ready || fail "real servers did not start"
}

servers_ready() {
	local i

	for ((i = 1; i <= NUM_RS; i++)); do
		[ -e "$TMPD/ready.$i" ] || return 1
	done
	return 0
}

# client ARGS...: vs_client in the client namespace.
client() {
	ip netns exec "$NS_CLI" "$VS_CLIENT" "$@"
}

# long_start FILE VS_CLIENT-ARGS...: a long-mode client (-l -v, an answer per
# line) in the client namespace writing FILE, running until long_stop; its
# pid in LONG_PID.  Stopping it after the checks instead of giving it a fixed
# duration keeps a test from waiting out the duration on a quiet host and
# from ending the connection too early on a loaded one.
long_start() {
	local file=$1

	shift
	# not through client(): the pid must be vs_client's, for SIGTERM
	bg ip netns exec "$NS_CLI" "$VS_CLIENT" -l -v -d 600 "$@" >"$file"
	# shellcheck disable=SC2034 # for the tests that source this
	LONG_PID=$BG_PID
}

# long_lines FILE: how many lines (answers, errors) the client has written.
long_lines() {
	local lines

	mapfile -t lines <"$1"
	echo "${#lines[@]}"
}

# long_connected FILE: the long client has had its first answer.
long_connected() {
	grep -q '^connected ' "$1"
}

# long_stop PID FILE [N]: let the client write N more lines (default 3, up to
# 30 s), stop it; its summary line ("ok=N fail=N ...") is then FILE's last.
long_stop() {
	local pid=$1 file=$2 want

	want=$(($(long_lines "$file") + ${3:-3}))
	wait_until 30 long_wrote "$file" "$want"
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

long_wrote() {
	[ "$(long_lines "$1")" -ge "$2" ]
}

# tally FILE: "rs1=N rs2=N ..." from vs_client output, by first word, sorted;
# failed requests count as ERROR.
tally() {
	local -A count=()
	local first rest out="" k

	while read -r first rest; do
		count[$first]=$((${count[$first]:-0} + 1))
	done <"$1"
	for k in $(printf '%s\n' "${!count[@]}" | sort); do
		out+="${out:+ }$k=${count[$k]}"
	done
	echo "$out"
}

# check_spread WHAT CLIENT_IP CLIENT-ARGS...: $N requests from the client
# namespace must spread exactly as $EXPECT ("rs1=N rs2=N ...") and every
# backend must see CLIENT_IP as the peer.  Returns the spread check's status.
check_spread() {
	local what=$1 client_ip=$2 out=$TMPD/$1 got rc

	shift 2
	client -n "$N" -w 2000 "$@" >"$out"
	got=$(tally "$out")
	[ "$got" = "$EXPECT" ]
	rc=$?
	log_test $rc "$what: $N requests spread $EXPECT (got: $got)"
	got=$(peers "$out")
	[ "$got" = "$client_ip" ]
	log_test $? "$what: backends see the client address $client_ip (got: ${got:-none})"
	return $rc
}

# peers FILE: the distinct peer addresses (second word) the servers saw.
peers() {
	local first peer
	local -A seen=()

	while read -r first peer; do
		[ "$first" = ERROR ] && continue
		seen[$peer]=1
	done <"$1"
	echo "${!seen[@]}"
}

# add_nat_service PROTO(-t|-u) VIP:PORT [SCHED]: a NAT service over every
# real server on the same port, weight 1, through ipvsadm.
# An IPv6 VIP ("[addr]:port") gets the real servers' IPv6 addresses.
add_nat_service() {
	local proto=$1 vs=$2 sched=${3:-rr} port i rules

	port=${vs##*:}
	rules="-A $proto $vs -s $sched"$'\n'
	for ((i = 1; i <= NUM_RS; i++)); do
		if [ "${vs:0:1}" = "[" ]; then
			rules+="-a $proto $vs -r [${RS_IP6[i]}]:$port -m -w 1"$'\n'
		else
			rules+="-a $proto $vs -r ${RS_IP[i]}:$port -m -w 1"$'\n'
		fi
	done
	ipvsadm_d -R <<<"$rules"
}

# add_nat_service_both_vips PROTO(-t|-u) PORT [SCHED]: add_nat_service on
# VIP:PORT and on [VIP6]:PORT, for the tests that check a path in both
# families (edemux, tstamp, ttl: UDP, one real server).
add_nat_service_both_vips() {
	add_nat_service "$1" "$VIP:$2" "${3:-rr}" &&
		add_nat_service "$1" "[$VIP6]:$2" "${3:-rr}"
}

# A configuration that exercises most of what a listing shows: TCP and UDP,
# IPv4 and IPv6, weights (including 0), thresholds, every forwarding
# method and sh's and mh's scheduler flags (-b).  It is ipvsadm -R input; the NAT entries point at the real servers
# of setup_nat_topology, so traffic to VIP:80 and VIP:53 works.
repr_config() {
	cat <<-EOF
		-A -t $VIP:80 -s rr
		-a -t $VIP:80 -r ${RS_IP[1]}:80 -m -w 1
		-a -t $VIP:80 -r ${RS_IP[2]}:8080 -m -w 5 -x 100 -y 10
		-a -t $VIP:80 -r ${RS_IP[3]}:80 -g -w 0
		-A -u $VIP:53 -s rr
		-a -u $VIP:53 -r ${RS_IP[1]}:53 -m -w 2
		-a -u $VIP:53 -r ${RS_IP[2]}:53 -m -w 3 -x 50
		-a -u $VIP:53 -r 10.0.99.9:53 -i -w 0
		-A -t [$VIP6]:443 -s rr
		-a -t [$VIP6]:443 -r [${RS_IP6[1]}]:443 -m -w 1
		-a -t [$VIP6]:443 -r [${RS_IP6[2]}]:8443 -m -w 7 -x 30 -y 3
		-A -u $VIP:5000 -s rr
		-A -t $VIP:8000 -s sh -b sh-fallback,sh-port
		-a -t $VIP:8000 -r ${RS_IP[1]}:80 -m -w 1
		-A -u [$VIP6]:53 -s mh -b mh-fallback,mh-port
	EOF
}

# same NAME FILE1 FILE2: log_test whether two outputs are byte-identical,
# showing the difference when they are not.
same() {
	local what=$1 rc=0

	if ! cmp -s "$2" "$3"; then
		diff -u "$2" "$3" | head -n 40
		rc=1
	fi
	log_test $rc "$what"
	return $rc
}

# ---- fuzzers -----------------------------------------------------------------

# fuzz_setup SMALL LARGE: FUZZ_SEED and FUZZ_ITERS for a seeded fuzzer.
# make check runs SMALL iterations; L4VS_FUZZ_SCALE=large (check-debug)
# runs LARGE; L4VS_FUZZ_ITERS=N runs N; L4VS_FUZZ_SEED=S replays seed S
# (default: a fresh one, printed, so a failure can be replayed).
fuzz_setup() {
	local small=$1 large=$2

	FUZZ_SEED=${L4VS_FUZZ_SEED:-$((RANDOM << 15 | RANDOM))}
	if [ "${L4VS_FUZZ_SCALE:-small}" = large ]; then
		FUZZ_ITERS=$large
	else
		FUZZ_ITERS=$small
	fi
	FUZZ_ITERS=${L4VS_FUZZ_ITERS:-$FUZZ_ITERS}
	log_info "fuzz seed $FUZZ_SEED, $FUZZ_ITERS iterations" \
		"(replay: L4VS_FUZZ_SEED=$FUZZ_SEED L4VS_FUZZ_ITERS=$FUZZ_ITERS)"
}

#  director ns  eth0 10.0.9.1/24, fd00:9::1/64 ---- eth0 10.0.9.2/24, fd00:9::2/64  sender ns
#
# setup_sync_link [ADDR/LEN...]: the two namespaces above on one veth link,
# the sender with a multicast route and any extra addresses given, for the
# tests that feed a backup sync daemon (sync_bad, sync_trust, sync_churn,
# fuzz_sync).  The sender's namespace is in NS_SND.
setup_sync_link() {
	local a extra=

	make_tmpdir
	NS_SND=snd-$NS_SUFFIX
	NS_LIST+=("$NS_DIR" "$NS_SND")
	ip netns add "$NS_DIR" && ip netns add "$NS_SND" || fail "cannot create namespaces"
	ip link add eth0 netns "$NS_DIR" type veth peer name eth0 netns "$NS_SND" ||
		fail "cannot create the link"
	ip -n "$NS_DIR" -batch - <<-EOF || fail "director setup"
		link set lo up
		link set eth0 up
		addr add 10.0.9.1/24 dev eth0
		addr add fd00:9::1/64 dev eth0 nodad
	EOF
	for a in "$@"; do
		extra+="addr add $a dev eth0"$'\n'
	done
	ip -n "$NS_SND" -batch - <<-EOF || fail "sender setup"
		link set lo up
		link set eth0 up
		addr add 10.0.9.2/24 dev eth0
		addr add fd00:9::2/64 dev eth0 nodad
		${extra}route add 224.0.0.0/4 dev eth0
	EOF
}
