#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage 2 of the test guest: PID 1 after switch_root into the host's root.
# Installs freshly built modules, runs the command written by run.sh and
# leaves the verdict in the out share: exit status in "status", kernel log in
# "dmesg.txt".  The host never parses the console for the result.
#
# usage (from tools/vm/init only): guest-init.sh <out-dir>

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
umask 022

out=$1

poweroff_guest() {
	sync
	/bin/busybox poweroff -f 2>/dev/null
	echo o >/proc/sysrq-trigger
	sleep 10
	exit 1		# PID 1 exiting panics; panic=-1 with -no-reboot stops qemu
}

finish() {
	dmesg >"$out/dmesg.txt" 2>&1
	# rename so the host never sees a half-written status
	echo "$1" >"$out/status.tmp" && mv "$out/status.tmp" "$out/status"
	poweroff_guest
}

say() {
	echo "l4vs-guest: $*" >&2
}

# shellcheck source=/dev/null
. "$out/guest.env" || { say "cannot read $out/guest.env"; finish 125; }

# plain \n on the serial line keeps the host's copy of the output diffable
stty -onlcr </dev/console 2>/dev/null
hostname l4vs-guest 2>/dev/null
ip link set lo up
# devtmpfs lacks these links; bash's <(...) needs /dev/fd
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin

rel=$(uname -r)
if [ ! -d "/lib/modules/$rel/kernel" ]; then
	say "no modules for $rel under /lib/modules"
	finish 125
fi

if [ -n "$L4VS_MODULES_DIR" ]; then
	mods=("$L4VS_MODULES_DIR"/*.ko)
	if [ ! -e "${mods[0]}" ]; then
		say "L4VS_MODULES_DIR=$L4VS_MODULES_DIR holds no .ko files"
		finish 125
	fi
	mkdir -p "/lib/modules/$rel/updates"
	cp "${mods[@]}" "/lib/modules/$rel/updates/" || finish 125
	# run.sh ran depmod on the host; a full depmod here takes minutes
	if [ -s "$L4VS_MODULES_DIR/depmod/modules.dep" ]; then
		cp "$L4VS_MODULES_DIR"/depmod/modules.* "/lib/modules/$rel/" || finish 125
	else
		depmod -a "$rel" || { say "depmod failed"; finish 125; }
	fi
fi

# The guest-side limit is a little shorter than run.sh's, so a hung command
# still leaves dmesg (and any hung-task report) behind.
status=0
if [ "${L4VS_GUEST_TIMEOUT:-0}" -gt 0 ]; then
	setsid -w timeout -k 5 "$L4VS_GUEST_TIMEOUT" bash "$out/guest-cmd.sh" \
		</dev/null || status=$?
else
	setsid -w bash "$out/guest-cmd.sh" </dev/null || status=$?
fi
finish "$status"
