#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns              director ns                          real servers
#  10.0.1.2   ---------   VIP 10.0.1.100:80 --sctp-service     --- rs1 10.0.11.2
#  (SCTP one-to-one       -s rr, -m (NAT), weight 1            --- rs2 10.0.12.2
#   sockets)                                                   --- rs3 10.0.13.2
#                                                                (sctp 80)
#
# SCTP over NAT: 6 associations, each a new one, spread 2/2/2 and every
# backend sees the client address; a long-lived association is listed in
# -Lnc as SCTP in state ESTABLISHED and keeps its server; the service
# counts every association.

. "$(dirname "$0")/lib.sh"

N=6

require_tools
modprobe sctp 2>/dev/null
[ -d /proc/sys/net/sctp ] || skip "no SCTP support in this kernel (modprobe sctp failed)"
load_impl
setup_nat_topology 3
start_servers -k -s 80

ipvsadm_d -R <<-EOF || fail "cannot add the SCTP service"
	-A --sctp-service $VIP:80 -s rr
	-a --sctp-service $VIP:80 -r ${RS_IP[1]}:80 -m -w 1
	-a --sctp-service $VIP:80 -r ${RS_IP[2]}:80 -m -w 1
	-a --sctp-service $VIP:80 -r ${RS_IP[3]}:80 -m -w 1
EOF

# SCTP's first retransmission of an INIT comes after 3 s (rto_initial): a
# timeout under that fails a request for one lost packet on a loaded host
client -s -n $N -w 7000 "$VIP" 80 >"$TMPD/out"
got=$(tally "$TMPD/out")
[ "$got" = "rs1=2 rs2=2 rs3=2" ]
log_test $? "SCTP: $N associations spread rs1=2 rs2=2 rs3=2 (got: $got)"
got=$(peers "$TMPD/out")
[ "$got" = "$CLI_IP" ]
log_test $? "SCTP: backends see the client address $CLI_IP (got: $got)"

long_start "$TMPD/long" -s -i 200 -w 7000 "$VIP" 80
long_pid=$LONG_PID
established() {
	ipvsadm_d -Lnc | grep -qE "^SCTP +[0-9:]+ +ESTABLISHED +$CLI_IP:[0-9]+ +$VIP:80 +10\.0\.1[1-3]\.2:80 *\$"
}
wait_until 10 established
rc=$?
[ $rc -ne 0 ] && ipvsadm_d -Lnc
log_test $rc "-Lnc lists the association as SCTP ESTABLISHED"

long_stop "$long_pid" "$TMPD/long"
summary=$(tail -n 1 "$TMPD/long")
[[ $summary =~ fail=0\ reconnects=0\ changes=0 ]] && [[ $summary =~ ok=[1-9] ]]
log_test $? "long association: every exchange answered by one server ($summary)"

conns=$(ipvsadm_d -Ln --stats | awk '$1 == "SCTP" { print $3 }')
[ "$conns" = "$((N + 1))" ]
log_test $? "SCTP service counted $((N + 1)) associations (got: ${conns:-none})"

exit $RET
