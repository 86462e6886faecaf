#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh [--list-modules]
#
# Build, once, the l4vs debug kernel: Debian's linux-source-6.1 configured
# from Debian's own 6.1 configuration, reduced by `make localmodconfig` to the
# modules in tools/vm/debug-kernel.modules, with the debugging options in
# tools/vm/debug-kernel.config (KASAN, KFENCE, kmemleak, lockdep, debug
# objects, ...).  The result is installed like a fetched kernel, as a root
# tree under $L4VS_CACHE/kernels/<release>/ (boot/vmlinuz-<release>,
# lib/modules/<release>/, usr/src/linux-headers-<release> -> the build tree),
# so run.sh --kernel <release> and `make build-<release>` work unchanged.
#
# Prints the release on stdout.  Everything else goes to stderr; the build's
# own output to $L4VS_CACHE/debug-kernel/build-<key>/build.log.  The build is
# keyed by the source package, the option list and the module list: a second
# run with the same three prints the release at once; an interrupted build
# resumes where make stopped.  The compiler runs under nice -n 19.
#
# Environment: L4VS_DEBUG_JOBS (make -j, default: number of CPUs),
# L4VS_DEBUG_REFRESH=1 (download the newest linux-source-6.1 even if one is
# cached), L4VS_DEBUG_BASE_CONFIG (a 6.1 config to start from instead of
# /boot/config-6.1.*-amd64).
#
# --list-modules prints, from the host's Debian 6.1 module tree, the names a
# new debug-kernel.modules would hold (for review; it changes nothing).
set -euo pipefail

# shellcheck source=tools/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dk=$L4VS_CACHE/debug-kernel
opts_file=$vm_dir/debug-kernel.config
mods_file=$vm_dir/debug-kernel.modules
jobs=${L4VS_DEBUG_JOBS:-$(nproc)}

log() {
	echo "debug-kernel: $*" >&2
}

die() {
	log "$*"
	exit 1
}

# the module directories the guests draw from; see debug-kernel.modules
list_modules() {
	local base=$1

	(
		cd "$base/kernel" &&
		{
			find net/netfilter net/ipv4 net/ipv6 net/bridge net/sched \
				net/sctp net/9p fs/9p fs/overlayfs fs/netfs fs/fscache \
				drivers/virtio net/8021q net/core net/packet net/llc \
				net/802 -name '*.ko*' 2>/dev/null
			find drivers/net/{dummy,veth,tun,virtio_net,net_failover,macvlan,ifb,vrf,geneve}.ko* \
				drivers/net/vxlan drivers/net/ipvlan drivers/net/bonding \
				drivers/char/hw_random/virtio-rng.ko* drivers/block/virtio_blk.ko* \
				arch/x86/crypto/crc32c-intel.ko* arch/x86/crypto/crc32-pclmul.ko* \
				crypto/crc32c_generic.ko* lib/libcrc32c.ko* lib/ts_*.ko* \
				lib/crc16.ko* -name '*.ko*' 2>/dev/null
		} | sed 's|.*/||; s/\.ko.*//; s/-/_/g' | grep -Ev '^(selftests|drop_monitor)$' | sort -u
	)
}

# The rest is one block, parsed before any of it runs: editing this file
# during a build (over an hour) cannot derail it.
{
if [ "${1:-}" = --list-modules ]; then
	rel=$(ls -d /lib/modules/6.1.*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$rel" ] || die "no Debian 6.1 module tree under /lib/modules"
	list_modules "$rel"
	exit 0
fi
[ $# -eq 0 ] || die "usage: $0 [--list-modules]"

[ -f "$opts_file" ] || die "$opts_file missing"
[ -f "$mods_file" ] || die "$mods_file missing"

mkdir -p "$dk/deb"
exec 9>"$dk/.lock"
flock 9

# ---- 1. the source package (apt-get download: no apt sources are touched)
deb=$(ls "$dk"/deb/linux-source-6.1_*_all.deb 2>/dev/null | sort -V | tail -n 1) || true
if [ -z "$deb" ] || [ "${L4VS_DEBUG_REFRESH:-0}" = 1 ]; then
	log "downloading linux-source-6.1 into $dk/deb"
	if ! (cd "$dk/deb" && apt-get -q download linux-source-6.1 >&2); then
		log "apt-get download failed; updating the package lists once"
		apt-get -qq update >&2 || die "apt-get update failed"
		(cd "$dk/deb" && apt-get -q download linux-source-6.1 >&2) ||
			die "cannot download linux-source-6.1"
	fi
	deb=$(ls "$dk"/deb/linux-source-6.1_*_all.deb | sort -V | tail -n 1)
fi

# The kbuild tools the build needs; Debian names them build-essential-ish.
need=()
for t in gcc:gcc make:make bc:bc bison:bison flex:flex perl:perl \
	 xz:xz-utils pahole:dwarves openssl:openssl; do
	command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
for h in /usr/include/openssl/ssl.h:libssl-dev /usr/include/libelf.h:libelf-dev; do
	[ -e "${h%%:*}" ] || need+=("${h#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -qq install -y "${need[@]}" >&2 ||
		{ apt-get -qq update >&2 &&
		  DEBIAN_FRONTEND=noninteractive apt-get -qq install -y "${need[@]}" >&2; } ||
		die "cannot install ${need[*]}"
fi

# ---- 2. where this configuration is built
key=$( { basename "$deb"; grep -Ev '^(#|$)' "$opts_file"; grep -Ev '^(#|$)' "$mods_file"; } |
	sha256sum | cut -c1-12)
work=$dk/build-$key
src=$work/linux-source-6.1
blog=$work/build.log

# Done before?  The installed tree records its key.
if [ -s "$work/release" ]; then
	rel=$(cat "$work/release")
	root=$(cached_root "$rel")
	if [ -e "$root/.complete" ] && [ "$(cat "$root/.key" 2>/dev/null)" = "$key" ]; then
		echo "$rel"
		exit 0
	fi
fi

mkdir -p "$work"
if [ ! -e "$src/.unpacked" ]; then
	log "unpacking $(basename "$deb") into $work"
	rm -rf "$work/pkg" "$src"
	dpkg -x "$deb" "$work/pkg"
	tarball=$(ls "$work"/pkg/usr/src/linux-source-6.1.tar.* | head -n 1)
	tar -C "$work" -xaf "$tarball"
	rm -rf "$work/pkg"
	touch "$src/.unpacked"
fi

# ---- 3. the configuration
if [ ! -e "$src/.l4vs-configured" ]; then
	base=${L4VS_DEBUG_BASE_CONFIG:-}
	if [ -z "$base" ]; then
		base=$(ls /boot/config-6.1.*-amd64 2>/dev/null | sort -V | tail -n 1) || true
	fi
	if [ -z "$base" ]; then
		# no Debian 6.1 kernel installed: Debian's configs ship as a package
		log "no /boot/config-6.1.*; downloading linux-config-6.1"
		(cd "$dk/deb" && apt-get -q download linux-config-6.1 >&2) ||
			die "cannot download linux-config-6.1"
		cdeb=$(ls "$dk"/deb/linux-config-6.1_*.deb | sort -V | tail -n 1)
		rm -rf "$work/cfg"
		dpkg -x "$cdeb" "$work/cfg"
		xz -dc "$work"/cfg/usr/src/linux-config-6.1/config.amd64_none_amd64.xz \
			>"$work/base.config"
		base=$work/base.config
	fi
	log "configuring from $base"
	cp "$base" "$src/.config"
	# localmodconfig reads "lsmod" output: a header line, then a name first
	{
		echo "Module Size Used by"
		grep -Ev '^(#|$)' "$mods_file" | while read -r m; do
			echo "$m 0 0"
			[ "${m//_/-}" = "$m" ] || echo "${m//_/-} 0 0"
		done
	} >"$work/lsmod"
	make -C "$src" -s olddefconfig >&2
	# new questions take their defaults (yes dies of SIGPIPE at the end)
	{ yes '' || :; } | make -C "$src" -s LSMOD="$work/lsmod" localmodconfig >"$work/localmodconfig.log" 2>&1 ||
		die "localmodconfig failed; see $work/localmodconfig.log"
	args=()
	while read -r line; do
		line=${line%%#*}
		[ -n "${line// /}" ] || continue
		# shellcheck disable=SC2206 # option lines are plain words
		words=($line)
		# --set-str NAME "" (an empty string) is spelled as two quotes
		[ "${words[2]:-}" = '""' ] && words[2]=
		args+=("${words[@]:0:2}")
		[ ${#words[@]} -lt 3 ] || args+=("${words[2]}")
	done <"$opts_file"
	"$src/scripts/config" --file "$src/.config" "${args[@]}"
	make -C "$src" -s olddefconfig >&2
	# every option asked for must have survived olddefconfig's dependencies
	bad=0
	while read -r op name val _; do
		case $op in
		--enable)	want="CONFIG_$name=y" ;;
		--disable)	want="# CONFIG_$name is not set" ;;
		--set-val)	want="CONFIG_$name=$val" ;;
		*)		continue ;;
		esac
		if ! grep -qxF "$want" "$src/.config"; then
			# a disabled option may also be gone altogether
			if [ "$op" = --disable ] && ! grep -q "^CONFIG_$name=" "$src/.config"; then
				continue
			fi
			log "option not applied: $op $name $val (have: $(grep -E "(CONFIG_$name=| CONFIG_$name )" "$src/.config" || echo nothing))"
			bad=1
		fi
	done < <(grep -Ev '^(#|$)' "$opts_file")
	[ "$bad" -eq 0 ] || die "the configuration lacks options it must have (see above)"
	touch "$src/.l4vs-configured"
fi

# ---- 4. the build: niced, since it shares the machine with test guests
log "building with -j$jobs under nice -n 19 (log: $blog)"
start=$(date +%s)
if ! nice -n 19 make -C "$src" -j"$jobs" bzImage modules >>"$blog" 2>&1; then
	tail -n 30 "$blog" >&2
	die "kernel build failed; see $blog"
fi
log "built in $(($(date +%s) - start)) s"
# known only once the build wrote it (LOCALVERSION comes from auto.conf)
rel=$(cat "$src/include/config/kernel.release")
[[ $rel == *-l4vs-debug ]] || die "unexpected release '$rel'"
echo "$rel" >"$work/release"

# ---- 5. install as a root tree next to the fetched kernels
root=$(cached_root "$rel")
stage=$root.new
rm -rf "$stage"
mkdir -p "$stage/boot" "$stage/usr/src"
nice -n 19 make -C "$src" -s INSTALL_MOD_PATH="$stage" INSTALL_MOD_STRIP=1 \
	modules_install >>"$blog" 2>&1 || die "modules_install failed; see $blog"
cp "$src/arch/x86/boot/bzImage" "$stage/boot/vmlinuz-$rel"
cp "$src/.config" "$stage/boot/config-$rel"
cp "$src/System.map" "$stage/boot/System.map-$rel"
# the build tree doubles as the headers for out-of-tree modules
ln -sfn "$src" "$stage/usr/src/linux-headers-$rel"
ln -sfn "$src" "$stage/lib/modules/$rel/build"
echo "$key" >"$stage/.key"
rm -rf "$root"
mv "$stage" "$root"
touch "$root/.complete"
log "installed in $root"
echo "$rel"
exit 0
}
