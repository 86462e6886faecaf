#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   initial user namespace                 a user namespace of its own
#  +--------------------------+          +------------------------------+
#  | netns dir-<suffix>       |          | unshare --user --map-root-user|
#  | (ip netns add: owned by  |          |         --net                 |
#  |  the initial user ns)    |          | root there, nobody outside    |
#  | writes to net.ipv4.vs.*  |          | writes to net.ipv4.vs.*      |
#  +--------------------------+          +------------------------------+
#
# Sysctls that size kernel memory must not be raised from a network
# namespace owned by an unprivileged user namespace (a container's root):
# sync_sock_size, sync_qlen_max and sync_ports are read-only there, and
# conn_max may only be lowered (1 up to its default; 0, "no limit", is
# refused).  The same writes work in a namespace of the initial user
# namespace.  conn_max's default follows the memory size: one entry per
# 4 KiB of RAM (MemTotal / 4 KiB), clamped to 1024 .. 2^24.

. "$(dirname "$0")/lib.sh"

load_impl l4vs
command -v unshare >/dev/null || skip "unshare not installed"
unshare --user --map-root-user --net true 2>/dev/null ||
	skip "cannot create a user namespace here"
setup_director_only

mem_kb=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)
want=$((mem_kb / 4))
[ $want -lt 1024 ] && want=1024
[ $want -gt $((1 << 24)) ] && want=$((1 << 24))
def=$(dir_exec cat /proc/sys/net/ipv4/vs/conn_max)
[ "$def" = "$want" ]
log_test $? "conn_max defaults to MemTotal / 4 KiB = $want (got: $def)"

# userns_write KNOB VALUE: write VALUE in a fresh user + network namespace
# and read it back; prints "ok VALUE" or "refused".
userns_write() {
	unshare --user --map-root-user --net sh -c \
		'{ echo "$2" >/proc/sys/net/ipv4/vs/$1; } 2>/dev/null && echo "ok $(cat /proc/sys/net/ipv4/vs/$1)" || echo refused' \
		sh "$1" "$2"
}

# init_write KNOB VALUE: the same in the director namespace (initial user ns).
init_write() {
	dir_exec sh -c \
		'{ echo "$2" >/proc/sys/net/ipv4/vs/$1; } 2>/dev/null && echo "ok $(cat /proc/sys/net/ipv4/vs/$1)" || echo refused' \
		sh "$1" "$2"
}

for knob in sync_sock_size sync_qlen_max sync_ports; do
	case $knob in
	sync_sock_size) v=4194304 ;;
	sync_qlen_max) v=1000000 ;;
	sync_ports) v=64 ;;
	esac
	got=$(userns_write "$knob" "$v")
	[ "$got" = refused ]
	log_test $? "user namespace: $knob=$v refused (got: $got)"
	got=$(init_write "$knob" "$v")
	[ "$got" = "ok $v" ]
	log_test $? "initial user namespace: $knob=$v written (got: $got)"
done

for v in $((def + 1)) 0; do
	got=$(userns_write conn_max $v)
	[ "$got" = refused ]
	log_test $? "user namespace: conn_max=$v (above the default) refused (got: $got)"
	got=$(init_write conn_max $v)
	[ "$got" = "ok $v" ]
	log_test $? "initial user namespace: conn_max=$v written (got: $got)"
done

v=$((def / 2))
got=$(userns_write conn_max $v)
[ "$got" = "ok $v" ]
log_test $? "user namespace: conn_max lowered to $v (got: $got)"

exit $RET
