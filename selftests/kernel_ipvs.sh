#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  ns0 client 10.0.0.2 --- br0 --- ns1 director (VIP 207.175.44.110:8080)
#                            \         |
#                             ------- ns2 real server 172.16.0.2:8080
#  (the kernel's own topology: tools/testing/selftests/.../netfilter/ipvs.sh)
#
# The kernel's own IPVS selftest, run unchanged against l4vs: DR, NAT and
# IPIP tunnelling of a TCP stream with ipvsadm, as the kernel's developers
# check ip_vs.  The script is the one of the running kernel's series, taken
# at test time from Debian's linux-source package by
# tools/vm/fetch-kselftest.sh (make check runs it on the host); it is never
# part of this tree.  It must pass, not skip: l4vs provides everything it
# looks for (/proc/sys/net/ipv4/vs, the IPVS netlink family).
# L4VS_IMPL=ipvs runs it against the kernel's ip_vs, as a check of the test
# itself.

. "$(dirname "$0")/lib.sh"

series=$(uname -r | cut -d. -f1,2)
dir=${L4VS_CACHE:-/var/cache/l4vs}/kselftest/$series
script=$(find "$dir" -name ipvs.sh 2>/dev/null | head -n 1)
[ -n "$script" ] ||
	skip "no ipvs.sh for $series under $dir (tools/vm/fetch-kselftest.sh $(uname -r) fetches it)"
for tool in ipvsadm socat nc; do
	command -v "$tool" >/dev/null || skip "$tool not installed (tools/vm/deps.sh installs it)"
done
load_impl
make_tmpdir
trap cleanup EXIT

# Its listener gets "sleep 0.2" to start before the client connects (6.1's
# then waits for it for ever, 6.12's fails with "Connection refused"); a
# loaded guest under TCG can take a second or more to start nc or socat.
# The script stays as it is: a sleep earlier in its PATH makes any pause
# under a second two seconds.
mkdir -p "$TMPD/bin"
cat >"$TMPD/bin/sleep" <<-'EOF'
	#!/bin/sh
	case $1 in
	0.*) exec /bin/sleep 2 ;;
	*) exec /bin/sleep "$@" ;;
	esac
EOF
chmod +x "$TMPD/bin/sleep"

# a script killed by the timeout leaves its namespaces (and their services,
# which keep l4vs loaded) behind: whatever it added goes afterwards
netns_before=" $(ip netns list | awk '{ printf "%s ", $1 }')"
reap_netns() {
	local ns

	for ns in $(ip netns list | awk '{ print $1 }'); do
		[[ $netns_before == *" $ns "* ]] || ip netns del "$ns"
	done
}
defer reap_netns

# run it with the interpreter its first line names, from its own directory
# (6.6 on source lib.sh from there)
read -r shebang <"$script"
read -r -a interp <<<"${shebang#\#!}"
log_info "running $script with ${interp[*]}"
# bounded (6.12 and 7.x take minutes under TCG: their netns helpers poll):
# a connection that never arrives leaves its listener (and the
# script's wait for it) hanging
# (three times as long on the debug kernel: KASAN and lockdep under TCG)
IPVS_SH_LIMIT=480
[ "${L4VS_DEBUG_KERNEL:-}" = 1 ] && IPVS_SH_LIMIT=1440
run_ipvs_sh() {
	(cd "${script%/*}" && PATH=$TMPD/bin:$PATH \
		timeout -k 5 $IPVS_SH_LIMIT "${interp[@]}" "./${script##*/}") >"$TMPD/out" 2>&1
}
# Even with two seconds, a heavily loaded guest once had no listener when
# the client connected ("Connection refused"): a quick failure gets one more
# run, and both runs are shown.  A break in l4vs fails both; a timeout is
# not retried.
run_ipvs_sh
rc=$?
if [ $rc != 0 ] && [ $rc != 124 ] && grep -q "Connection refused" "$TMPD/out"; then
	log_info "ipvs.sh failed (exit $rc) on a refused connection; its output, then a second run:"
	sed 's/^/#   /' "$TMPD/out"
	reap_netns
	run_ipvs_sh
	rc=$?
fi
[ $rc = 124 ] && log_info "ipvs.sh did not finish within $IPVS_SH_LIMIT s"
sed 's/^/#   /' "$TMPD/out"
[ $rc = 0 ] && grep -q "ipvs.sh: .*PASS" "$TMPD/out"
log_test $? "the kernel's ipvs.sh passes against $IMPL (exit $rc)"
for mode in DR NAT Tunnel; do
	grep -q "Testing $mode mode" "$TMPD/out"
	log_test $? "it ran its $mode test"
done

exit "$RET"
