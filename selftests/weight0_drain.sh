#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#  client ns                    director ns                 real servers
#  long-lived TCP conn ====\    VIP 10.0.1.100:80           --- rs1
#  (a line every 100 ms)    >== -s rr -m                    --- rs2
#  new connections ------- /    rsX: -e ... -w 0            --- rs3
#
# Draining: once the server holding a long-lived TCP connection gets weight
# 0, that connection keeps working (same server, no reset, no reconnect)
# while every new connection goes to the other servers.

. "$(dirname "$0")/lib.sh"

require_tools
load_impl
setup_nat_topology 3
start_servers -k -t 80
add_nat_service -t "$VIP:80" || fail "cannot add the service"

long=$TMPD/long
bg ip netns exec "$NS_CLI" "$VS_CLIENT" -l -i 100 -d 120 -w 2000 "$VIP" 80 >"$long"
long_pid=$BG_PID

wait_until 10 long_connected "$long" || fail "the long-lived connection did not come up: $(cat "$long")"
read -r _ held _ <"$long"
i=${held#rs}
log_info "long-lived connection is served by $held"

ipvsadm_d -e -t "$VIP:80" -r "${RS_IP[i]}:80" -m -w 0
log_test $? "set the weight of $held to 0"

w=$(ipvsadm_d -Ln -t "$VIP:80" | awk -v d="${RS_IP[i]}:80" '$2 == d { print $4 " " $5 }')
[ "$w" = "0 1" ]
log_test $? "$held listed with weight 0 and 1 active connection (got: $w)"

client -n 12 -w 2000 "$VIP" 80 >"$TMPD/new"
got=$(tally "$TMPD/new")
case $i in
1) want="rs2=6 rs3=6" ;;
2) want="rs1=6 rs3=6" ;;
3) want="rs1=6 rs2=6" ;;
esac
[ "$got" = "$want" ]
log_test $? "new connections avoid $held: $want (got: $got)"

# Let the held connection exchange a few more lines after the change.
before=$(grep -c . "$long")
nap 1
kill -TERM "$long_pid"
wait "$long_pid"
summary=$(grep '^ok=' "$long")
log_info "long-lived connection: $summary"
[[ $summary =~ fail=0\ reconnects=0\ changes=0\ first=$held\  ]]
log_test $? "long-lived connection kept working on $held, no failure or reconnect"
ok=${summary#ok=}
ok=${ok%% *}
[ "$ok" -ge 10 ] && [ "$before" -ge 1 ]
log_test $? "long-lived connection exchanged data throughout ($ok answers)"

exit $RET
