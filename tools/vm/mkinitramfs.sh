#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh <kernel-release> <modules-dir> <out>
#
# Build a tiny busybox initramfs for the test guest.  It carries only the
# modules needed to reach the host's root filesystem over virtio-9p (plus
# overlayfs for a writable /lib/modules and virtio_net for multi-guest tests);
# everything else is loaded from the host tree after /init has chrooted there.
#
# <modules-dir> is the kernel's /lib/modules/<release> directory (the host's,
# or the one extracted into the fetch-kernel.sh cache).
set -euo pipefail

die() { echo "mkinitramfs: $*" >&2; exit 1; }

[ $# -eq 3 ] || die "usage: $0 <kernel-release> <modules-dir> <out>"
rel=$1
moddir=$2
out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

[ -f "$moddir/modules.dep" ] || die "$moddir/modules.dep not found"
busybox=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
# A dynamically linked busybox would need its libraries copied in as well.
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked; install busybox-static"
fi

# Wanted modules, in the order /init must load them.  Optional ones may be
# missing or built in; a missing mandatory one means no root filesystem.
mandatory=(virtio_pci 9pnet_virtio 9p overlay)
optional=(virtio_net)

declare -A dep_of=() path_of=() builtin=() seen=()
while IFS= read -r line; do
	path=${line%%:*}
	base=${path##*/}
	name=${base%%.ko*}
	name=${name//-/_}
	path_of[$name]=$path
	dep_of[$name]=${line#*:}
done <"$moddir/modules.dep"

if [ -f "$moddir/modules.builtin" ]; then
	while IFS= read -r path; do
		base=${path##*/}
		name=${base%.ko}
		builtin[${name//-/_}]=1
	done <"$moddir/modules.builtin"
fi

order=()
# Depth-first: every module's dependencies are queued before the module.
add_module() {
	local name=$1 dep dname

	[ -n "${seen[$name]:-}" ] && return 0
	seen[$name]=1
	for dep in ${dep_of[$name]}; do
		dname=${dep##*/}
		dname=${dname%%.ko*}
		add_module "${dname//-/_}"
	done
	order+=("$name")
}

for m in "${mandatory[@]}" "${optional[@]}"; do
	if [ -n "${builtin[$m]:-}" ]; then
		continue
	fi
	if [ -z "${path_of[$m]:-}" ]; then
		for o in "${optional[@]}"; do
			[ "$o" = "$m" ] && continue 2
		done
		die "module $m is neither built in nor in $moddir/modules.dep"
	fi
	add_module "$m"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,ovl,modules,out,etc}
cp "$busybox" "$tmp/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$tmp/bin/$applet"
done
cp "$here/init" "$tmp/init"
chmod 755 "$tmp/init"

: >"$tmp/modules/load-order"
for name in "${order[@]}"; do
	src=$moddir/${path_of[$name]}
	dst=$tmp/modules/$name.ko
	case $src in
	*.ko.xz)	xz -dc "$src" >"$dst" ;;
	*.ko.zst)	zstd -qdc "$src" >"$dst" ;;
	*.ko.gz)	gzip -dc "$src" >"$dst" ;;
	*.ko)		cp "$src" "$dst" ;;
	*)		die "unknown module format: $src" ;;
	esac
	echo "$name" >>"$tmp/modules/load-order"
done
echo "$rel" >"$tmp/etc/kernel-release"

mkdir -p "$(dirname "$out")"
(cd "$tmp" && find . -print0 | cpio --quiet -o -0 -H newc -R 0:0) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out (${#order[@]} modules: ${order[*]})"
