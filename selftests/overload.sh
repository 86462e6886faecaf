#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns            director ns                   real server ns
#  10.0.1.2  ---------  VIP 10.0.1.100:80 -m -s rr --  rs1 10.0.11.2 (TCP echo)
#                       one server, -x (u_threshold)
#
# Overload thresholds (-x, -y): a server with u_threshold connections is
# overloaded and no longer scheduled; without -y it is usable again below
# 3/4 of -x.  That comparison must not wrap in 32 bits: with -x 1431655766
# (0x55555556), "-x * 3" is 2 modulo 2^32, and a server overloaded under a
# lower threshold stayed overloaded for good after the threshold was raised.

. "$(dirname "$0")/lib.sh"

BIG=1431655766

require_tools
load_impl l4vs
setup_nat_topology 1
start_servers -k -t 80
ipvsadm_d -A -t "$VIP:80" -s rr &&
	ipvsadm_d -a -t "$VIP:80" -r "${RS_IP[1]}:80" -m -x 1 ||
	fail "cannot add the service"

# one connection that stays open: the server is at -x 1
long_start "$TMPD/long" -i 100 "$VIP" 80
wait_until 10 long_connected "$TMPD/long" || fail "the long connection did not start"

out=$(client -n 1 -w 1000 "$VIP" 80)
[ "${out%% *}" = ERROR ]
log_test $? "at -x 1 with one connection the server is overloaded (new one: ${out:-nothing})"

ipvsadm_d -e -t "$VIP:80" -r "${RS_IP[1]}:80" -m -x $BIG || fail "cannot raise -x"
out=$(client -n 1 -w 2000 "$VIP" 80)
[ "${out%% *}" = rs1 ]
log_test $? "after -x $BIG (x * 3 wraps in 32 bits) it takes connections again (${out:-nothing})"

long_stop "$LONG_PID" "$TMPD/long"
exit $RET
