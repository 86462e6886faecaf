#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# buildroot.sh [--prepare] [command [args...]]
#
# Run a module build in a minimal Debian trixie root, for kernels the host
# cannot build for: Debian's 7.x kernels are built with gcc-14 (their headers
# pass it options gcc-12 rejects, e.g. -fmin-function-alignment=16) and their
# kbuild helpers (fixdep, modpost, objtool) are linked against glibc 2.38,
# while Debian 12 has gcc-12 and glibc 2.36.
#
# The root is made once with debootstrap (--variant=minbase plus gcc-14,
# make, libc6-dev and what linux-kbuild needs at run time) and cached at
# $L4VS_CACHE/buildroot-trixie; the .debs it was made from stay in
# $L4VS_CACHE/debootstrap-trixie, so a root deleted or gone stale is made
# again without downloading them (only the index).  The host's apt sources
# are never used or touched: debootstrap fetches from the mirror itself, and
# the kernel headers are the ones fetch-kernel.sh extracted under
# $L4VS_CACHE/kernels.
#
# For each command a private mount namespace gets the checkout and
# $L4VS_CACHE/kernels bind-mounted at their own paths inside the root (so
# the same absolute paths work on both sides) and /proc; they are unmounted
# when the command ends, and vanish with the namespace even if it is killed.
# The command runs in the current directory, which must be inside the
# checkout, with the caller's environment (MAKEFLAGS carries W=1 and the
# like) and the root's PATH.
#
# --prepare makes the root and exits.  Environment: L4VS_BUILDROOT_SUITE
# (default trixie), L4VS_MIRROR.
set -euo pipefail

# shellcheck source=tools/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

suite=${L4VS_BUILDROOT_SUITE:-trixie}
mirror=${L4VS_MIRROR:-http://deb.debian.org/debian}
root=$L4VS_CACHE/buildroot-$suite
debs=$L4VS_CACHE/debootstrap-$suite
# gcc-14 and make build the module; pahole, libelf, libssl and zlib are what
# linux-kbuild-7.x's binaries depend on; dpkg is asked for the architecture
# by the headers' .kernelvariables (minbase has it).
include=gcc-14,make,libc6-dev,pahole,libelf1t64,libssl3t64,zlib1g

log() {
	echo "buildroot: $*" >&2
}

die() {
	log "$*"
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts)"

prepare() {
	local start tmp

	[ -e "$root/.complete" ] && return 0
	command -v debootstrap >/dev/null ||
		die "debootstrap not found (apt-get install debootstrap, or run tools/vm/deps.sh)"
	start=$(date +%s)
	log "making a minimal $suite root in $root (once; a few minutes)"
	tmp=$root.tmp
	rm -rf "$tmp"
	mkdir -p "$debs"
	nice -n 10 debootstrap --variant=minbase --include="$include" \
		--cache-dir="$debs" "$suite" "$tmp" "$mirror" >&2 ||
		die "debootstrap $suite failed (log: $tmp/debootstrap/debootstrap.log)"
	# nothing in it runs daemons or reads docs
	rm -rf "$tmp"/usr/share/{doc,man,info,locale} "$tmp"/var/cache/apt/archives/*.deb
	"$tmp/usr/bin/x86_64-linux-gnu-gcc-14" --version >/dev/null 2>&1 ||
		chroot "$tmp" x86_64-linux-gnu-gcc-14 --version >/dev/null ||
		die "no gcc-14 in the new root"
	rm -rf "$root"
	mv "$tmp" "$root"
	touch "$root/.complete"
	log "root ready in $(($(date +%s) - start)) s, $(du -sm "$root" | cut -f1) MB" \
	    "(+ $(du -sm "$debs" | cut -f1) MB of cached .debs)"
}

if [ "${1:-}" = --prepare ]; then
	exec 9>"$L4VS_CACHE/.buildroot-$suite.lock"
	flock 9
	prepare
	exit 0
fi
[ $# -gt 0 ] || die "usage: $0 [--prepare] [command [args...]]"

case $PWD/ in
"$checkout"/*) ;;
*)	die "run from inside the checkout ($checkout), not $PWD" ;;
esac

mkdir -p "$L4VS_CACHE"
exec 9>"$L4VS_CACHE/.buildroot-$suite.lock"
# Made under the exclusive lock; builds share it (each has its own
# namespace, and the mount points are made before the lock is downgraded).
flock 9
prepare
mkdir -p "$root$checkout" "$root$L4VS_CACHE/kernels" "$root/proc"
flock -s 9

# shellcheck disable=SC2016 # expanded by the inner shell
exec unshare --mount --propagation private -- /bin/bash -c '
	set -e
	root=$1 checkout=$2 kernels=$3
	shift 3
	mount --bind "$checkout" "$root$checkout"
	mount --bind -o ro "$kernels" "$root$kernels"
	mount -t proc proc "$root/proc"
	rc=0
	chroot "$root" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$PWD" "$@" || rc=$?
	umount "$root/proc" "$root$kernels" "$root$checkout"
	exit $rc
' buildroot "$root" "$checkout" "$L4VS_CACHE/kernels" "$@"
