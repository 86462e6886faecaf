#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection synchronisation: a master and a backup director on one LAN.
#
#                    one bridge (lan ns), 10.0.1.0/24
#   ---+---------------+----------------+---------------+-------------
#      |               |                |               |
#   client          master            backup          rs1 .11, rs2 .12
#   10.0.1.2 (DR)   10.0.1.1          10.0.1.3        VIP on lo (DR),
#   10.0.1.5 (NAT)  VIP .100, GW .254 (takes both     10.0.1.5 via GW
#                   sync master       over) sync backup
#
# Services, the same on both directors:
#   VIP:80  -g (direct routing), rr
#   VIP:81  -m (NAT), rr, persistent (-p 600): a template per client
#
# A long-lived TCP connection through each service (vs_client -l), then:
# the backup's table shows the same ESTABLISHED entries, with the same real
# servers, and the persistence template; the master dies (link down), the
# backup takes the VIP and the NAT gateway address, and both connections
# carry on: no failed exchange, no reconnect, same server, data both ways.
# Also: the daemon commands as ipvsadm shows them, EEXIST/ESRCH, and
# backup_only.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_lan.sh"

BAK_IP=10.0.1.3
GW_IP=10.0.1.254
CLI_NAT_IP=10.0.1.5
SYNCID=5

require_tools
load_impl
setup_lan_topology 2
NS_BAK=bak-$NS_SUFFIX

bak_exec() {
	ip netns exec "$NS_BAK" "$@"
}

lan_add_host "$NS_BAK" pb "$BAK_IP"
ip -n "$NS_DIR" addr add "$GW_IP/24" dev "$LAN_DEV" || fail "gateway address"
ip -n "$NS_CLI" addr add "$CLI_NAT_IP/24" dev eth0 || fail "client NAT address"
for ns in "$NS_DIR" "$NS_BAK"; do
	# NAT replies come in and go out on the same link: no redirects
	in_ns "$ns" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.$LAN_DEV.send_redirects=0 \
		net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.$LAN_DEV.rp_filter=0 || fail "sysctls in $ns"
done
for ((i = 1; i <= NUM_RS; i++)); do
	rs_exec "$i" sysctl -qw net.ipv4.conf.all.accept_redirects=0 \
		net.ipv4.conf.eth0.accept_redirects=0 || fail "rs$i sysctls"
	rs_exec "$i" ip route add "$CLI_NAT_IP/32" via "$GW_IP" dev eth0 ||
		fail "rs$i route to the NAT client"
done

start_servers -k -t 80 -t 81

rules="-A -t $VIP:80 -s rr
-A -t $VIP:81 -s rr -p 600"
for ((i = 1; i <= NUM_RS; i++)); do
	rules+="
-a -t $VIP:80 -r ${RS_IP[i]}:80 -g -w 1
-a -t $VIP:81 -r ${RS_IP[i]}:81 -m -w 1"
done
ipvsadm_d -R <<<"$rules" || fail "cannot configure the master"
bak_exec "$IPVSADM" -R <<<"$rules" || fail "cannot configure the backup"

# ---- the daemon commands ---------------------------------------------------

ipvsadm_d --start-daemon master --mcast-interface "$LAN_DEV" --syncid $SYNCID
log_test $? "ipvsadm --start-daemon master"
bak_exec "$IPVSADM" --start-daemon backup --mcast-interface "$LAN_DEV" --syncid $SYNCID
log_test $? "ipvsadm --start-daemon backup (other director)"

out=$(ipvsadm_d -L --daemon)
want="master sync daemon (mcast=$LAN_DEV, syncid=$SYNCID, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)"
[ "$out" = "$want" ]
log_test $? "ipvsadm -L --daemon on the master (got: $out)"
out=$(bak_exec "$IPVSADM" -L --daemon)
want="backup sync daemon (mcast=$LAN_DEV, syncid=$SYNCID, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)"
[ "$out" = "$want" ]
log_test $? "ipvsadm -L --daemon on the backup (got: $out)"

! ipvsadm_d --start-daemon master --mcast-interface "$LAN_DEV" 2>/dev/null
log_test $? "a second master daemon is refused"
! bak_exec "$IPVSADM" --stop-daemon master 2>/dev/null
log_test $? "stopping a master that does not run is refused"
! ipvsadm_d --start-daemon backup --mcast-interface nosuchdev 2>/dev/null
log_test $? "a daemon on a missing interface is refused"
# both roles at once, then back to master only
ipvsadm_d --start-daemon backup --mcast-interface "$LAN_DEV" --syncid 99 &&
	[ "$(ipvsadm_d -L --daemon | wc -l)" = 2 ] &&
	ipvsadm_d --stop-daemon backup &&
	[ "$(ipvsadm_d -L --daemon | wc -l)" = 1 ]
log_test $? "master and backup together on one director, then stop one"

# ---- traffic through the master ---------------------------------------------

wait_until 10 lan_neigh_ready || fail "LAN addresses do not resolve"
for ((i = 1; i <= NUM_RS; i++)); do
	dir_exec ping -q -c 1 -W 2 "${RS_IP[i]}" >/dev/null
	bak_exec ping -q -c 1 -W 2 "${RS_IP[i]}" >/dev/null
done

# "ip netns exec" execs the client: BG_PID is the client's own pid
bg ip netns exec "$NS_CLI" "$VS_CLIENT" -l -v -i 200 -d 900 -w 60000 "$VIP" 80 >"$TMPD/dr"
PID_DR=$BG_PID
bg ip netns exec "$NS_CLI" "$VS_CLIENT" -l -v -b "$CLI_NAT_IP" -i 200 -d 900 -w 60000 \
	"$VIP" 81 >"$TMPD/nat"
PID_NAT=$BG_PID
connected() {
	grep -q '^connected ' "$TMPD/dr" && grep -q '^connected ' "$TMPD/nat"
}
wait_until 15 connected || fail "the long-lived connections did not come up"

# entries STATE NS: "proto source virtual destination" lines in that state
entries() {
	in_ns "$2" "$IPVSADM" -Lnc | awk -v st="$1" '$3 == st { print $1, $4, $5, $6 }' | sort
}
synced() {
	local m b

	m=$(entries "$1" "$NS_DIR")
	b=$(entries "$1" "$NS_BAK")
	[ -n "$m" ] && [ "$m" = "$b" ]
}
wait_until 30 synced ESTABLISHED
log_test $? "backup shows the master's ESTABLISHED entries, same real servers"
log_info "master:"$'\n'"$(ipvsadm_d -Lnc)"
log_info "backup:"$'\n'"$(bak_exec "$IPVSADM" -Lnc)"
[ "$(entries ESTABLISHED "$NS_BAK" | wc -l)" = 2 ]
log_test $? "two synced connections (DR and NAT) on the backup"
wait_until 30 synced NONE
log_test $? "the persistence template is synced"
tmpl=$(entries NONE "$NS_BAK")
[[ $tmpl == "TCP $CLI_NAT_IP:0 $VIP:81 "* ]]
log_test $? "template: client $CLI_NAT_IP, port 0, the NAT service (got: $tmpl)"
exp=$(bak_exec "$IPVSADM" -Lnc | awk '$3 == "ESTABLISHED" { print $2; exit }')
[[ $exp =~ ^1[45]:[0-9][0-9]$ ]]
log_test $? "synced entry expires with the ESTABLISHED timeout (got: $exp)"
if [ "$IMPL" = l4vs ]; then
	c=$(bak_exec awk '$1 == "rx_created" { print $2 }' /proc/net/l4vs_sync)
	[ "${c:-0}" -ge 3 ]
	log_test $? "backup counted the entries it created (rx_created ${c:-none})"
fi

# ---- takeover ----------------------------------------------------------------

dr_at=$(grep -c '^rs' "$TMPD/dr")
nat_at=$(grep -c '^rs' "$TMPD/nat")
# The client may see a few seconds without answers (TCP retransmits, and
# forks are slow under TCG): its exchanges wait up to 60 s (-w), so only a
# reset or a lost connection counts as a failure.  NAT is the slow one: a
# reply the real server sent into the outage comes again only when its
# backed-off retransmission timer fires (DR replies bypass the directors).
ip -n "$NS_DIR" link set "$LAN_DEV" down || fail "cannot stop the master"
ip -n "$NS_BAK" -batch - <<-EOF || fail "backup cannot take the addresses"
	addr add $VIP/24 dev $LAN_DEV
	addr add $GW_IP/24 dev $LAN_DEV
EOF
# what keepalived's gratuitous ARP would do
ip -n "$NS_CLI" neigh flush dev eth0
for ((i = 1; i <= NUM_RS; i++)); do
	ip -n "${NS_RS[i]}" neigh flush dev eth0
done

# the backup must now carry both connections: its counters move
carried() {
	local in80 in81 out81

	read -r in80 in81 out81 < <(bak_exec "$IPVSADM" -Ln --stats |
		awk '$2 == "'"$VIP:80"'" { a = $4 } $2 == "'"$VIP:81"'" { b = $4; c = $5 }
		     END { print a + 0, b + 0, c + 0 }')
	[ "$in80" -ge 10 ] && [ "$in81" -ge 10 ] && [ "$out81" -ge 10 ]
}
wait_until 40 carried
log_test $? "after the takeover the backup forwards both connections (NAT both ways)"
# -v: one line per exchange ("rsN client" or "ERROR why"); judge the lines
# written before the clients are stopped (SIGTERM may cut an exchange short)
more_answers() {
	[ "$(grep -c '^rs' "$TMPD/dr")" -ge $((dr_at + 10)) ] &&
		[ "$(grep -c '^rs' "$TMPD/nat")" -ge $((nat_at + 10)) ]
}
wait_until 120 more_answers
log_test $? "10 more answers on each connection after the takeover"
cp "$TMPD/dr" "$TMPD/dr.cut"
cp "$TMPD/nat" "$TMPD/nat.cut"
kill -TERM "$PID_DR" "$PID_NAT" 2>/dev/null
wait "$PID_DR" "$PID_NAT" 2>/dev/null
for f in dr nat; do
	errs=$(grep '^ERROR' "$TMPD/$f.cut" | sort | uniq -c | tr -s ' \n' ' ')
	servers=$(awk '$1 ~ /^rs/ { print $1 }' "$TMPD/$f.cut" | sort -u | tr '\n' ' ')
	n=$(grep -c '^rs' "$TMPD/$f.cut")
	[ -z "$errs" ] && [ "$(wc -w <<<"$servers")" = 1 ]
	log_test $? "$f: the same TCP connection carried on ($n answers from ${servers% }, errors: ${errs:-none})"
	[ -z "$errs" ] || log_info "$f: errors at answer $(grep -n '^ERROR' "$TMPD/$f.cut" | cut -d: -f1 | tr '\n' ' ')(takeover after answer $((${f}_at)))"
done
log_info "backup after the takeover:"$'\n'"$(bak_exec "$IPVSADM" -Ln --stats)"

# ---- backup_only ---------------------------------------------------------------

# With backup_only=1 and a backup daemon, a director does not balance: a new
# connection to the VIP reaches the director's own stack (nothing listens).
bak_exec sysctl -qw net.ipv4.vs.backup_only=1 2>/dev/null ||
	bak_exec sysctl -qw net.ipv4.vs.backup_only=1
log_info "backup_only"
timeout 10 ip netns exec "$NS_CLI" "$VS_CLIENT" -n 1 -w 1000 "$VIP" 80 >"$TMPD/bo" 2>&1
grep -q '^ERROR' "$TMPD/bo"
log_test $? "backup_only=1: a backup daemon's director does not balance"
bak_exec sysctl -qw net.ipv4.vs.backup_only=0 2>/dev/null ||
	bak_exec sysctl -qw net.ipv4.vs.backup_only=0
timeout 10 ip netns exec "$NS_CLI" "$VS_CLIENT" -n 1 -w 2000 "$VIP" 80 >"$TMPD/bo"
grep -q '^rs' "$TMPD/bo"
log_test $? "backup_only=0: it balances again"

# ---- stop ---------------------------------------------------------------------

bak_exec "$IPVSADM" --stop-daemon backup && [ -z "$(bak_exec "$IPVSADM" -L --daemon)" ]
log_test $? "ipvsadm --stop-daemon backup"
ipvsadm_d --stop-daemon master && [ -z "$(ipvsadm_d -L --daemon)" ]
log_test $? "ipvsadm --stop-daemon master"
if [ "$IMPL" = l4vs ]; then
	! bak_exec test -e /proc/net/l4vs_sync
	log_test $? "/proc/net/l4vs_sync goes with the last daemon"
fi

# netns deletion with a daemon running (and its traffic) must be clean
ipvsadm_d --start-daemon master --mcast-interface "$LAN_DEV" &&
	bak_exec "$IPVSADM" --start-daemon backup --mcast-interface "$LAN_DEV" &&
	ip netns del "$NS_BAK" && ip netns del "$NS_DIR"
log_test $? "namespaces with running daemons are deleted"

exit $RET
