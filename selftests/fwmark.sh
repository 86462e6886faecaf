#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns              director ns                          real servers
#  10.0.1.2   ---------   nft prerouting: ip daddr VIP         --- rs1 10.0.11.2
#                           tcp dport {80,443} mark set 1      --- rs2 10.0.12.2
#                         l4vs: -f 1 -s rr, -m, port 0         --- rs3 10.0.13.2
#                         (VIP 10.0.1.100, port 8080 unmarked)   (tcp 80, 443)
#
# Firewall-mark service: nftables marks TCP to VIP:80 and VIP:443 with mark
# 1 and one -f 1 service balances both ports together.  One round robin
# runs across both ports (the 443 requests continue where the 80 ones
# stopped), the real server keeps the port the client asked for, the
# service counts every connection, and unmarked VIP:8080 is not balanced.

. "$(dirname "$0")/lib.sh"

require_tools
command -v nft >/dev/null || skip "nft (nftables) is not installed"
load_impl
setup_nat_topology 3
start_servers -k -t 80 -t 443 -t 8080

dir_exec nft -f - <<-EOF || fail "cannot load the nftables marking rule"
	table ip l4vs_fwm {
		chain pre {
			type filter hook prerouting priority -150;
			ip daddr $VIP tcp dport { 80, 443 } meta mark set 1
		}
	}
EOF

rules="-A -f 1 -s rr"$'\n'
for ((i = 1; i <= NUM_RS; i++)); do
	rules+="-a -f 1 -r ${RS_IP[i]} -m -w 1"$'\n'
done
ipvsadm_d -R <<<"$rules" || fail "cannot add the fwmark service"

out=$TMPD/out
# 4 requests to port 80 then 2 to 443.  One scheduler for both ports runs
# one cycle of 3 through all 6: s1 s2 s3 s1 | s2 s3.  Per-port scheduling
# would restart the cycle for 443 (s1 s2), or not balance 443 at all.
client -n 4 -w 2000 "$VIP" 80 >"$out.80"
client -n 2 -w 2000 "$VIP" 443 >"$out.443"
seq=()
while read -r name _; do
	seq+=("$name")
done <"$out.80"
while read -r name _; do
	seq+=("$name")
done <"$out.443"
got80=$(tally "$out.80")
[[ $got80 =~ ^rs[1-3]=[12]\ rs[1-3]=[12]\ rs[1-3]=[12]$ ]]
log_test $? "port 80 through mark 1: 4 requests over all 3 servers (got: $got80)"
[ "${#seq[@]}" = 6 ] && [[ ${seq[0]} =~ ^rs[1-3]$ ]] &&
	[ "${seq[0]}" != "${seq[1]}" ] && [ "${seq[1]}" != "${seq[2]}" ] &&
	[ "${seq[0]}" != "${seq[2]}" ] && [ "${seq[3]}" = "${seq[0]}" ] &&
	[ "${seq[4]}" = "${seq[1]}" ] && [ "${seq[5]}" = "${seq[2]}" ]
log_test $? "port 443 continues the same round robin (sequence: ${seq[*]})"
got=$(peers "$out.443")
[ "$got" = "$CLI_IP" ]
log_test $? "backends see the client address (got: $got)"

# keep two connections open, one per port, and look at the table
bg client -l -d 8 -i 200 -w 2000 "$VIP" 80 >"$TMPD/long80"
bg client -l -d 8 -i 200 -w 2000 "$VIP" 443 >"$TMPD/long443"
listed() {
	local conns

	conns=$(ipvsadm_d -Lnc) || return 1
	grep -qE "^TCP .* ESTABLISHED +$CLI_IP:[0-9]+ +$VIP:80 +10\.0\.1[1-3]\.2:80 *\$" <<<"$conns" &&
		grep -qE "^TCP .* ESTABLISHED +$CLI_IP:[0-9]+ +$VIP:443 +10\.0\.1[1-3]\.2:443 *\$" <<<"$conns"
}
wait_until 10 listed
rc=$?
[ $rc -ne 0 ] && ipvsadm_d -Lnc
log_test $rc "-Lnc: the real server keeps the asked port (80 -> :80, 443 -> :443)"

conns=$(ipvsadm_d -Ln --stats | awk '$1 == "FWM" && $2 == "1" { print $3 }')
[ "$conns" = "8" ]
log_test $? "FWM 1 service counted 8 connections (got: ${conns:-none})"

# unmarked port: no service, the director itself refuses
client -n 1 -w 2000 "$VIP" 8080 >"$out.8080"
got=$(tally "$out.8080")
[ "$got" = "ERROR=1" ] && grep -q "Connection refused" "$out.8080"
log_test $? "unmarked VIP:8080 is not balanced (got: $(cat "$out.8080"))"

exit $RET
