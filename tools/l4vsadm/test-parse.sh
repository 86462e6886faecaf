#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-parse.sh: check l4vsadm's command-line parsing without a kernel.
# With L4VSADM_DRY_RUN set the tool prints each request instead of sending
# it; every case below gives arguments and either the exact request line or
# the exit code (2: usage error, which must also be one line on stderr).

set -u
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
L4VSADM=${L4VSADM:-$dir/l4vsadm}
export L4VSADM_DRY_RUN=1
n=0
failed=0

# IPVS_CMD_* numbers, to keep the expectations readable
NEW_SVC=1 SET_SVC=2 DEL_SVC=3 NEW_DEST=5 SET_DEST=6 DEL_DEST=7
SET_CONFIG=12 NEW_DAEMON=9 DEL_DAEMON=10 ZERO=16 FLUSH=17

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

nok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	printf '#   %s\n' "$@"
}

# expect 'ARGS' 'REQUEST LINE'
expect() {
	local out rc

	# shellcheck disable=SC2086
	out=$("$L4VSADM" $1 2>&1)
	rc=$?
	if [ $rc = 0 ] && [ "$out" = "$2" ]; then
		ok "$1"
	else
		nok "$1" "exit $rc" "got:  $out" "want: $2"
	fi
}

# usage 'ARGS': exit 2, one line on stderr, nothing on stdout
usage() {
	local out rc

	# shellcheck disable=SC2086
	out=$("$L4VSADM" $1 2>"$tmp" </dev/null)
	rc=$?
	if [ $rc = 2 ] && [ -z "$out" ] && [ "$(wc -l <"$tmp")" = 1 ]; then
		ok "usage error: $1"
	else
		nok "usage error: $1" "exit $rc" "stdout: $out" "stderr: $(cat "$tmp")"
	fi
}

[ -x "$L4VSADM" ] || { echo "# SKIP: $L4VSADM not built"; exit 4; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

V4=" af=2 proto=6 vip=10.0.0.1:80"
D0=" sched= flags=0x0 timeout=0 netmask=0xffffffff"

expect "-A -t 10.0.0.1:80" "cmd=$NEW_SVC$V4 sched=wlc flags=0x0 timeout=0 netmask=0xffffffff"
expect "-A -t 10.0.0.1:http -s rr -p" \
	"cmd=$NEW_SVC$V4 sched=rr flags=0x1 timeout=360 netmask=0xffffffff"
expect "--add-service --tcp-service=10.0.0.1:80 --scheduler=wrr --persistent=30 --netmask 255.255.0.0" \
	"cmd=$NEW_SVC$V4 sched=wrr flags=0x1 timeout=30 netmask=0xffff0000"
expect "-A -t 10.0.0.1:80 -p 300 -M 255.255.255.0" \
	"cmd=$NEW_SVC$V4 sched=wlc flags=0x1 timeout=300 netmask=0xffffff00"
expect "-A -u 10.0.0.1:53 -s sh -b sh-port,sh-fallback -o" \
	"cmd=$NEW_SVC af=2 proto=17 vip=10.0.0.1:53 sched=sh flags=0x1c timeout=0 netmask=0xffffffff"
expect "-A -t 10.0.0.1:0 -p" \
	"cmd=$NEW_SVC af=2 proto=6 vip=10.0.0.1:0 sched=wlc flags=0x1 timeout=360 netmask=0xffffffff"
expect "-E -t [2001:db8::1]:443 -s mh -b mh-port,flag-3 -p 100 -M 64" \
	"cmd=$SET_SVC af=10 proto=6 vip=[2001:db8::1]:443 sched=mh flags=0x31 timeout=100 netmask=0x00000040"
expect "-E -t 10.0.0.1:80" "cmd=$SET_SVC$V4 sched=wlc flags=0x0 timeout=0 netmask=0xffffffff"
expect "-A -f 12 -6 -s rr" "cmd=$NEW_SVC af=10 fwmark=12 sched=rr flags=0x0 timeout=0 netmask=0x00000080"
expect "-D -t 10.0.0.1:80" "cmd=$DEL_SVC$V4$D0"
expect "-a -t 10.0.0.1:80 -r 192.168.1.2:8080 -m -w 3 -x 100 -y 10" \
	"cmd=$NEW_DEST$V4$D0 rip=192.168.1.2:8080 fwd=0 weight=3 x=100 y=10 tun=0/0/0"
expect "-a -t 10.0.0.1:80 -r 192.168.1.2:8080" \
	"cmd=$NEW_DEST$V4$D0 rip=192.168.1.2:80 fwd=3 weight=1 x=0 y=0 tun=0/0/0"
expect "-a -t 10.0.0.1:80 -r 192.168.1.2 -m" \
	"cmd=$NEW_DEST$V4$D0 rip=192.168.1.2:80 fwd=0 weight=1 x=0 y=0 tun=0/0/0"
expect "-e -t 10.0.0.1:80 -r 192.168.1.2 -i --tun-type gue --tun-port 6080 --tun-csum -w 0" \
	"cmd=$SET_DEST$V4$D0 rip=192.168.1.2:80 fwd=2 weight=0 x=0 y=0 tun=1/6080/1"
expect "-a -t 10.0.0.1:80 -r 2001:db8::5 -i" \
	"cmd=$NEW_DEST$V4$D0 rip=[2001:db8::5]:80 fwd=2 weight=1 x=0 y=0 tun=0/0/0"
expect "-a -f 7 -r 10.0.0.9:81 -m" \
	"cmd=$NEW_DEST af=2 fwmark=7$D0 rip=10.0.0.9:81 fwd=0 weight=1 x=0 y=0 tun=0/0/0"
expect "-d -t 10.0.0.1:80 -r 192.168.1.2" \
	"cmd=$DEL_DEST$V4$D0 rip=192.168.1.2:80 fwd=3 weight=1 x=0 y=0 tun=0/0/0"
expect "-Z" "cmd=$ZERO"
expect "-Z -t 10.0.0.1:80" "cmd=$ZERO$V4$D0"
expect "-C" "cmd=$FLUSH"
expect "--clear" "cmd=$FLUSH"
expect "--set 900 120 300" "cmd=$SET_CONFIG tcp=900 tcpfin=120 udp=300"

# sync daemons: state 1 master, 2 backup; the interface defaults to eth0,
# the rest is left to the kernel unless given
expect "--start-daemon master" "cmd=$NEW_DAEMON state=1 ifn=eth0 syncid=0"
expect "--start-daemon backup --mcast-interface l0 --syncid 5" \
	"cmd=$NEW_DAEMON state=2 ifn=l0 syncid=5"
expect "--start-daemon=master --mcast-interface=veth1 --syncid=255 --sync-maxlen=65507 --mcast-group=224.1.2.3 --mcast-port=65535 --mcast-ttl=255" \
	"cmd=$NEW_DAEMON state=1 ifn=veth1 syncid=255 maxlen=65507 group=224.1.2.3 port=65535 ttl=255"
expect "--start-daemon backup --mcast-group ff02::81 --mcast-port 1 --mcast-ttl 1 --sync-maxlen 1 --syncid 0" \
	"cmd=$NEW_DAEMON state=2 ifn=eth0 syncid=0 maxlen=1 group=ff02::81 port=1 ttl=1"
expect "--start-daemon master --mcast-interface abcdefghijklmnopq" \
	"cmd=$NEW_DAEMON state=1 ifn=abcdefghijklmno syncid=0"
expect "--start-daemon backup --sync-peer 10.0.1.1 --sync-peer 10.0.1.2,10.0.1.3" \
	"cmd=$NEW_DAEMON state=2 ifn=eth0 syncid=0 peers=10.0.1.1,10.0.1.2,10.0.1.3"
expect "--start-daemon backup --mcast-group ff02::8:81 --sync-peer fe80::1" \
	"cmd=$NEW_DAEMON state=2 ifn=eth0 syncid=0 group=ff02::8:81 peers=fe80::1"
expect "--stop-daemon master" "cmd=$DEL_DAEMON state=1 ifn= syncid=0"
expect "--stop-daemon backup --syncid 4" "cmd=$DEL_DAEMON state=2 ifn= syncid=4"

usage "-A -t 10.0.0.1:0"
usage "-A -t 10.0.0.1"
usage "-A -t 80"
usage "-A -t 10.0.0.1:80 -s"
usage "-A -t 10.0.0.1:80 -w 3"
usage "-A -t 10.0.0.1:80 -A"
usage "-A -t 10.0.0.1:80 -t 10.0.0.2:80"
usage "-A -t 10.0.0.1:nosuchport"
usage "-A -t 10.0.0.1:80 -p 0"
usage "-A -t 10.0.0.1:80 -p 2678401"
usage "-A -t 10.0.0.1:80 -p -5"
usage "-A -t 10.0.0.1:80 -M 300.0.0.0"
usage "-A -t [2001:db8::1]:80 -M 129"
usage "-A -t 10.0.0.1:80 -s rr -b sh-port"
usage "-A -t 10.0.0.1:80 -b bogus"
usage "-A -t 10.0.0.1:80 -o"
usage "-A -t [2001:db8::1:80"
usage "-A -f 0"
usage "-A -t 10.0.0.1:80 -6"
usage "-a -t 10.0.0.1:80 -r 1.2.3.4 -w 70000"
usage "-a -t 10.0.0.1:80 -r 1.2.3.4 -w -1"
usage "-a -t 10.0.0.1:80 -r 1.2.3.4 -x 2147483648"
usage "-a -t 10.0.0.1:80"
usage "-a -t 10.0.0.1:80 -r 1.2.3.4 -m --tun-type gue"
usage "-a -t 10.0.0.1:80 -r 1.2.3.4 -i --tun-type gue"
usage "-a -t 10.0.0.1:80 -r 1.2.3.4 -i --tun-type vxlan"
usage "-a -t 10.0.0.1:80 -r 2001:db8::5 -m"
usage "-a -t 10.0.0.1:80 -r 1.2.3.4 -s rr"
usage "-d -t 10.0.0.1:80 -r 1.2.3.4 -w 2"
usage "-L -c --stats"
usage "-L -c -t 10.0.0.1:80"
usage "-L --timeout -c"
usage "-S -c"
usage "-C -t 10.0.0.1:80"
usage "--set 900 120"
usage "--set 900 120 x"
usage "-Ln extra"
usage "-Q"
usage "--bogus"
usage "-t 10.0.0.1:80"
usage "--start-daemon"
usage "--start-daemon Master"
usage "--start-daemon bogus"
usage "--stop-daemon bogus"
usage "--stop-daemon"
usage "--start-daemon master --start-daemon backup"
usage "--start-daemon master --stop-daemon master"
usage "--start-daemon master --mcast-interface"
usage "--start-daemon master --syncid 256"
usage "--start-daemon master --syncid -1"
usage "--start-daemon master --syncid 0x10"
usage "--start-daemon master --syncid 1 --syncid 2"
usage "--start-daemon master --sync-maxlen 0"
usage "--start-daemon master --sync-maxlen 65508"
usage "--start-daemon master --mcast-group 10.0.0.1"
usage "--start-daemon master --mcast-group 2001:db8::1"
usage "--start-daemon master --mcast-group [ff02::81]"
usage "--start-daemon master --mcast-group bogus"
usage "--start-daemon master --sync-peer 10.0.1.1"
usage "--start-daemon backup --sync-peer 224.0.0.81"
usage "--start-daemon backup --sync-peer 0.0.0.0"
usage "--start-daemon backup --sync-peer bogus"
usage "--start-daemon backup --sync-peer 10.0.1.1,"
usage "--start-daemon backup --sync-peer fe80::1"
usage "--start-daemon backup --sync-peer 10.0.1.1 --sync-peer fe80::1"
usage "--start-daemon backup --sync-peer 1.1.1.1,1.1.1.2,1.1.1.3,1.1.1.4,1.1.1.5,1.1.1.6,1.1.1.7,1.1.1.8,1.1.1.9"
usage "--stop-daemon backup --sync-peer 10.0.1.1"
usage "--start-daemon master --mcast-port 0"
usage "--start-daemon master --mcast-port 65536"
usage "--start-daemon master --mcast-port http"
usage "--start-daemon master --mcast-ttl 0"
usage "--start-daemon master --mcast-ttl 256"
usage "--start-daemon master -n"
usage "--start-daemon master --daemon"
usage "--start-daemon master -t 10.0.0.1:80"
usage "--stop-daemon master --mcast-interface l0"
usage "--stop-daemon master --mcast-group 224.1.1.1"
usage "--stop-daemon master --sync-maxlen 100"
usage "--daemon"
usage "-L --daemon --daemon"
usage "-L --daemon --stats"
usage "-L --daemon -c"
usage "-L --daemon --timeout"
usage "-L --daemon -t 10.0.0.1:80"
usage "-L --daemon --mcast-interface l0"
usage "-A -t 10.0.0.1:80 --syncid 3"
usage "-S --daemon"
usage "-C --daemon"

# the messages of ipvsadm 1.31 for what only the daemon options check
# message 'ARGS' 'TEXT': exit 2, stderr is "l4vsadm: TEXT"
message() {
	local rc

	# shellcheck disable=SC2086
	"$L4VSADM" $1 >/dev/null 2>"$tmp" </dev/null
	rc=$?
	if [ $rc = 2 ] && [ "$(cat "$tmp")" = "l4vsadm: $2" ]; then
		ok "message: $1"
	else
		nok "message: $1" "exit $rc" "got:  $(cat "$tmp")" "want: l4vsadm: $2"
	fi
}
message "--start-daemon bogus" "illegal start-daemon parameter specified"
message "--stop-daemon bogus" "illegal start_daemon specified"
message "--start-daemon master --syncid x" "illegal syncid specified"
message "--start-daemon master --sync-maxlen 65508" "illegal sync-maxlen specified"
message "--start-daemon master --mcast-port 65536" "illegal mcast-port specified"
message "--start-daemon master --mcast-ttl 0" "illegal mcast-ttl specified"
message "--start-daemon master --mcast-group 10.0.0.1" "invalid IPv4 mcast-group \`10.0.0.1'"
message "--start-daemon master --mcast-group 224.1.2.3:80" "invalid IPv6 mcast-group \`224.1.2.3:80'"
message "--start-daemon master --syncid 1 --syncid 2" "multiple 'syncid' options specified"
message "--stop-daemon master --mcast-interface l0" \
	"Illegal 'mcast-interface' option with the 'stop-daemon' command"
message "-L --daemon --stats" "options conflicts in the list command"
message "-L --daemon -c" \
	"The option 'daemon' conflicts with the 'connection' option in the 'list' command"

# restore: whole file checked first
out=$(printf -- '-A -t 10.0.0.1:80 -s rr\n\n# comment\n-a -t 10.0.0.1:80 -r 10.0.0.2 -m -w 2\n' |
      "$L4VSADM" -R 2>&1)
want="cmd=$NEW_SVC$V4 sched=rr flags=0x0 timeout=0 netmask=0xffffffff
cmd=$NEW_DEST$V4$D0 rip=10.0.0.2:80 fwd=0 weight=2 x=0 y=0 tun=0/0/0"
[ "$out" = "$want" ] && ok "restore applies every line" ||
	nok "restore applies every line" "got: $out"
out=$(printf -- '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.0.0.2 -w x\n' |
      "$L4VSADM" -R 2>"$tmp")
rc=$?
[ $rc = 2 ] && [ -z "$out" ] && grep -q 'line 2' "$tmp" &&
	ok "bad restore line: nothing applied" ||
	nok "bad restore line: nothing applied" "exit $rc" "stdout: $out"
printf -- '-R\n' | "$L4VSADM" -R >/dev/null 2>&1
[ $? = 2 ] && ok "-R inside a restore file is refused" ||
	nok "-R inside a restore file is refused"

"$L4VSADM" -h | grep -q -- '--add-service, -A' && ok "help lists commands" ||
	nok "help lists commands"
"$L4VSADM" -h | grep -q -- '--start-daemon ' && ok "help lists --start-daemon" ||
	nok "help lists --start-daemon"

# a restore file may start and stop daemons, as with ipvsadm -R
out=$(printf -- '--start-daemon master --syncid 3\n--stop-daemon backup\n' |
      "$L4VSADM" -R 2>&1)
want="cmd=$NEW_DAEMON state=1 ifn=eth0 syncid=3
cmd=$DEL_DAEMON state=2 ifn= syncid=0"
[ "$out" = "$want" ] && ok "restore starts and stops daemons" ||
	nok "restore starts and stops daemons" "got: $out"

# every option at least once, in its long form where the cases above use
# the short one
expect "-A --sctp-service 10.0.0.1:80" \
	"cmd=$NEW_SVC af=2 proto=132 vip=10.0.0.1:80 sched=wlc flags=0x0 timeout=0 netmask=0xffffffff"
expect "-A --fwmark-service 3 --ipv6" \
	"cmd=$NEW_SVC af=10 fwmark=3 sched=wlc flags=0x0 timeout=0 netmask=0x00000080"
expect "-A -u 10.0.0.1:53 --ops --sched-flags flag-2 --scheduler rr" \
	"cmd=$NEW_SVC af=2 proto=17 vip=10.0.0.1:53 sched=rr flags=0x14 timeout=0 netmask=0xffffffff"
expect "-A -t 10.0.0.1:80 --sort" "cmd=$NEW_SVC$V4 sched=wlc flags=0x0 timeout=0 netmask=0xffffffff"
expect "-a -t 10.0.0.1:80 -r 192.168.1.2:8080 -g" \
	"cmd=$NEW_DEST$V4$D0 rip=192.168.1.2:80 fwd=3 weight=1 x=0 y=0 tun=0/0/0"
expect "--add-server -t 10.0.0.1:80 --real-server 192.168.1.2 --masquerading --weight 2 --u-threshold 5 --l-threshold 1" \
	"cmd=$NEW_DEST$V4$D0 rip=192.168.1.2:80 fwd=0 weight=2 x=5 y=1 tun=0/0/0"
expect "--edit-server --udp-service 10.0.0.1:53 --real-server 192.168.1.2:5353 --gatewaying" \
	"cmd=$SET_DEST af=2 proto=17 vip=10.0.0.1:53$D0 rip=192.168.1.2:53 fwd=3 weight=1 x=0 y=0 tun=0/0/0"
expect "-a -t 10.0.0.1:80 -r 192.168.1.2 --ipip --tun-type gre --tun-remcsum" \
	"cmd=$NEW_DEST$V4$D0 rip=192.168.1.2:80 fwd=2 weight=1 x=0 y=0 tun=2/0/2"
expect "-a -t 10.0.0.1:80 -r 192.168.1.2 -i --tun-type gue --tun-port 6080 --tun-nocsum" \
	"cmd=$NEW_DEST$V4$D0 rip=192.168.1.2:80 fwd=2 weight=1 x=0 y=0 tun=1/6080/0"
expect "--delete-service --fwmark-service 3 -6" \
	"cmd=$DEL_SVC af=10 fwmark=3 sched= flags=0x0 timeout=0 netmask=0x00000080"
expect "--delete-server -t 10.0.0.1:80 -r 192.168.1.2" \
	"cmd=$DEL_DEST$V4$D0 rip=192.168.1.2:80 fwd=3 weight=1 x=0 y=0 tun=0/0/0"
expect "--zero --tcp-service 10.0.0.1:80" "cmd=$ZERO$V4$D0"
expect "--version" "$("$L4VSADM" -v)"

# listing options: parsed and accepted, so the dry run gets as far as the
# kernel it does not have (exit 1, not the usage error's 2)
listed() {
	local rc

	# shellcheck disable=SC2086
	"$L4VSADM" $1 >/dev/null 2>"$tmp" </dev/null
	rc=$?
	if [ $rc != 2 ]; then
		ok "accepted: $1"
	else
		nok "accepted: $1" "exit $rc" "stderr: $(cat "$tmp")"
	fi
}
listed "-l -n --stats --exact --nosort"
listed "-L --rate --thresholds --persistent-conn --tun-info"
listed "-L --timeout -j"
listed "-L --daemon --json --syncid 1"
listed "-L -c -n"
listed "--list --numeric -X --sort -t 10.0.0.1:80"
listed "--save -n"
listed "-L --tun-i"

# the messages the option table's names and getopt's refusals make
message "--pe sip" "option 'sip' is not supported"
message "--pe=sip" "option '--pe=sip' is not supported"
message "-A -t 10.0.0.1:80 -s rr -s wrr" "multiple 'scheduler' options specified"
message "-A -t 10.0.0.1:80 -u 10.0.0.1:80" "multiple 'service-address' options specified"
message "-a -t 10.0.0.1:80 -r 1.2.3.4 -m -g" "multiple 'forwarding-method' options specified"
message "-a -t 10.0.0.1:80 -r 1.2.3.4 -i --tun-type gre --tun-csum --tun-nocsum" \
	"multiple 'tun-csum' options specified"
message "-A" "the 'add-service' command needs the 'service-address' option"
message "-D -t 10.0.0.1:80 -s rr" "Illegal 'scheduler' option with the 'delete-service' command"
message "-L -c -t 10.0.0.1:80" \
	"The option 'service-address' conflicts with the 'connection' option in the 'list' command"
message "-Q" "invalid option '-Q'"
message "--bogus" "invalid option '--bogus'"
message "--tun" "invalid option '--tun'"
message "--clear=1" "invalid option '-C'"
message "-L --tun-info=x" "invalid option '--tun-info=x'"
message "-A -t" "option '-t' requires an argument"
message "--start-daemon master --syncid" "option '--syncid' requires an argument"
message "-ln -L" "multiple commands specified"
message "-h extra" "unexpected argument 'extra'"

# help: every command and every option the tool takes is in it
# found NAME: ok when the loop before it left nothing in $missing
found() {
	if [ -z "$missing" ]; then
		ok "$1"
	else
		nok "$1" "missing:$missing"
	fi
	missing=
}
help=$("$L4VSADM" -h)
rc=$?
if [ $rc = 0 ] && [ "$help" = "$("$L4VSADM" --help)" ]; then
	ok "-h and --help: exit 0, same text"
else
	nok "-h and --help: exit 0, same text" "exit $rc"
fi
missing=
for o in add-service edit-service delete-service clear restore save \
	add-server edit-server delete-server list zero set start-daemon \
	stop-daemon help version tcp-service udp-service sctp-service \
	fwmark-service ipv6 scheduler persistent netmask sched-flags ops \
	real-server gatewaying ipip masquerading weight u-threshold \
	l-threshold tun-type tun-port tun-nocsum tun-csum tun-remcsum numeric \
	connection timeout daemon stats rate exact thresholds persistent-conn \
	tun-info nosort json mcast-interface syncid sync-maxlen mcast-group \
	mcast-port mcast-ttl sync-peer; do
	grep -qE -e "--$o([ ,]|$)" <<<"$help" || missing+=" --$o"
done
found "help names every option"
for l in A E D C R S a e d L Z h v; do
	grep -qF -- ", -$l " <<<"$help" || missing+=" -$l"
done
for l in t u f 6 s p M b o r g i m w x y n c X j; do
	grep -qF -- "-$l|--" <<<"$help" || missing+=" -$l"
done
found "help names every short option"
for t in "(default wlc)" "(default 360 s)" "0..65535 (default 1)" "(default eth0)" \
	"rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh|twos" "ports by number or name" \
	"sh-fallback,sh-port (sh)" "mh-fallback,mh-port (mh)" "1..65507" "0..255"; do
	grep -qF -- "$t" <<<"$help" || missing+=" '$t'"
done
found "help gives the defaults and ranges"

echo "1..$n"
echo "# $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
