#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for tools/vm/*.sh: where kernels live and how to name them.
# Sourced, never run.

L4VS_CACHE=${L4VS_CACHE:-/var/cache/l4vs}
vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # for the scripts that source this
checkout=$(cd "$vm_dir/../.." && pwd)

# Kernels fetched by fetch-kernel.sh are extracted to $L4VS_CACHE/kernels/<rel>/
# as a root tree (boot/, lib/modules/ or usr/lib/modules/, usr/src/).
cached_root() {
	echo "$L4VS_CACHE/kernels/$1"
}

# The kernel image of a release under a root tree ("" for the host's own):
# /boot/vmlinuz-<rel> up to 6.x; Debian's split 7.x packages put it in the
# modules directory (linux-binary-<rel>: /usr/lib/modules/<rel>/vmlinuz).
kernel_image() {
	local root=$1 rel=$2 f

	for f in "$root/boot/vmlinuz-$rel" "$root/usr/lib/modules/$rel/vmlinuz" \
		 "$root/lib/modules/$rel/vmlinuz"; do
		if [ -e "$f" ]; then
			echo "$f"
			return 0
		fi
	done
	return 1
}

# The release the distribution's linux-image-amd64 metapackage points at;
# fall back to the newest /boot/vmlinuz-* that has modules installed.
host_default_release() {
	local dep rel

	dep=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null)
	rel=$(sed -n 's/.*linux-image-\([^ ,]*-amd64\).*/\1/p' <<<"$dep")
	rel=${rel%-unsigned}
	if [ -n "$rel" ] && [ -e "/boot/vmlinuz-$rel" ]; then
		echo "$rel"
		return 0
	fi
	for v in $(ls -v /boot/vmlinuz-* 2>/dev/null | tac); do
		rel=${v#/boot/vmlinuz-}
		if [ -d "/lib/modules/$rel/kernel" ]; then
			echo "$rel"
			return 0
		fi
	done
	return 1
}

# The release recorded by the last successful fetch-kernel.sh.
cached_default_release() {
	[ -s "$L4VS_CACHE/kernels/current" ] && cat "$L4VS_CACHE/kernels/current"
}

# Print "<vmlinuz> <modules-dir> <modlower>" for a release; modlower is the
# directory holding <rel>/ that the guest stacks under /lib/modules, empty when
# the host's own /lib/modules already has it.
kernel_paths() {
	local rel=$1 root image

	if image=$(kernel_image "" "$rel") && [ -d "/lib/modules/$rel/kernel" ]; then
		echo "$image /lib/modules/$rel -"
		return 0
	fi
	root=$(cached_root "$rel")
	image=$(kernel_image "$root" "$rel") || return 1
	for m in "$root/lib/modules" "$root/usr/lib/modules"; do
		if [ -d "$m/$rel/kernel" ]; then
			echo "$image $m/$rel $m"
			return 0
		fi
	done
	return 1
}

# Headers to build external modules against: the host's build link, or the
# tree fetch-kernel.sh prepared in the cache.
kernel_kdir() {
	local rel=$1 root

	if [ -e "/lib/modules/$rel/build/Makefile" ]; then
		readlink -f "/lib/modules/$rel/build"
		return 0
	fi
	root=$(cached_root "$rel")
	if [ -e "$root/usr/src/linux-headers-$rel/Makefile" ]; then
		echo "$root/usr/src/linux-headers-$rel"
		return 0
	fi
	return 1
}

# Whether building for the headers in $1 needs buildroot.sh's trixie root:
# when the kernel was built with a newer gcc than the host's (Debian's 7.x:
# gcc-14, whose options gcc-12 rejects; its kbuild helpers also want a newer
# glibc).  L4VS_BUILDROOT=1 or 0 forces the answer.
kernel_needs_buildroot() {
	local kdir=$1 kgcc hgcc

	case ${L4VS_BUILDROOT:-} in
	1)	return 0 ;;
	0)	return 1 ;;
	esac
	kgcc=$(sed -n 's/^#define CONFIG_GCC_VERSION \([0-9]*\)$/\1/p' \
		"$kdir/include/generated/autoconf.h" 2>/dev/null)
	[ -n "$kgcc" ] || return 1
	hgcc=$(gcc -dumpversion 2>/dev/null) || return 0
	[ $((kgcc / 10000)) -gt "${hgcc%%.*}" ]
}
