#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh [suite]: make the newest kernel of a Debian suite (default
# bookworm-backports: 6.12 today; trixie-backports: 7.x; sid) available under
# $L4VS_CACHE/kernels/<release>/ for run.sh and module builds, without
# touching the system's apt sources: apt runs with a private configuration
# whose sources, lists and archives all live in $L4VS_CACHE/apt-<suite>.
#
# Prints the release on stdout; records it in $L4VS_CACHE/kernels/current-<suite>
# (and, for the default suite, in .../current).  Idempotent; quick once the
# cache holds the packages.
set -euo pipefail

# shellcheck source=tools/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

default_suite=bookworm-backports
suite=${1:-${L4VS_KERNEL_SUITE:-$default_suite}}
mirror=${L4VS_MIRROR:-http://deb.debian.org/debian}
apt_dir=$L4VS_CACHE/apt-$suite

log() {
	echo "fetch-kernel: $*" >&2
}

die() {
	log "$*"
	exit 1
}

mkdir -p "$apt_dir"/{lists/partial,archives/partial,etc,state} "$L4VS_CACHE/kernels"
echo "deb $mirror $suite main" >"$apt_dir/etc/sources.list"
: >"$apt_dir/etc/status"
cat >"$apt_dir/etc/apt.conf" <<EOF
Dir::Etc::SourceList "$apt_dir/etc/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::State "$apt_dir/state";
Dir::State::Lists "$apt_dir/lists";
Dir::State::status "$apt_dir/etc/status";
Dir::Cache "$apt_dir/cache";
Dir::Cache::Archives "$apt_dir/archives";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages "none";
APT::Sandbox::User "root";
EOF
export APT_CONFIG=$apt_dir/etc/apt.conf

exec 9>"$L4VS_CACHE/kernels/.lock"
flock 9

# Refresh the index at most daily: a fresh clone in CI pays it once, a
# developer's repeated `make check` does not.
stamp=$apt_dir/lists/.updated
if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
	log "updating the $suite index in $apt_dir"
	apt-get -qq update >&2 || die "apt-get update for $suite failed"
	touch "$stamp"
fi

# The metapackage names the current ABI, e.g. linux-image-6.12.57+deb12-amd64.
dep=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: //p' |
      grep -E '^linux-image-[0-9]' | head -n 1) || true
[ -n "$dep" ] || die "cannot resolve linux-image-amd64 in $suite"
rel=${dep#linux-image-}
rel=${rel%-unsigned}
# From 7.x on, linux-image-<rel> is itself a metapackage: the kernel is in
# linux-binary-<rel> (/usr/lib/modules/<rel>/vmlinuz), the modules in
# linux-modules-<rel>, System.map, config and modules.builtin in
# linux-base-<rel>.  Older kernels are the one package.
ideps=$(apt-cache depends "linux-image-$rel" 2>/dev/null | sed -n 's/^ *Depends: //p')
image=()
for p in "linux-binary-$rel" "linux-modules-$rel" "linux-base-$rel"; do
	grep -qFx "$p" <<<"$ideps" && image+=("$p")
done
[ ${#image[@]} -gt 0 ] || image=("$dep")
# The headers package names its -common half and the kbuild tools it needs.
hdeps=$(apt-cache depends "linux-headers-$rel" 2>/dev/null | sed -n 's/^ *Depends: //p')
common=$(grep -E '^linux-headers-.*-common$' <<<"$hdeps" | head -n 1) || true
kbuild=$(grep -E '^linux-kbuild-' <<<"$hdeps" | head -n 1) || true
[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve the headers of $rel in $suite"

pkgs=("${image[@]}" "linux-headers-$rel" "$common" "$kbuild")
root=$(cached_root "$rel")
done_stamp=$root/.complete
record() {
	echo "$rel" >"$L4VS_CACHE/kernels/current-$suite"
	[ "$suite" != "$default_suite" ] || echo "$rel" >"$L4VS_CACHE/kernels/current"
	echo "$rel"
}
if [ -e "$done_stamp" ]; then
	record
	exit 0
fi

log "downloading ${pkgs[*]}"
(cd "$apt_dir/archives" && apt-get -qq download "${pkgs[@]}" >&2) ||
	die "apt-get download failed"

rm -rf "$root"
mkdir -p "$root"
for p in "${pkgs[@]}"; do
	deb=$(ls -t "$apt_dir/archives/${p}_"*.deb | head -n 1)
	log "extracting ${deb##*/}"
	dpkg -x "$deb" "$root"
done

# The headers package points at its common half and at kbuild through
# absolute /usr/... links; re-point them into the cache so the tree works
# where it was extracted.
hdr=$root/usr/src/linux-headers-$rel
[ -d "$hdr" ] || die "no $hdr after extraction"
dirs=()
for d in "$hdr" "$root"/usr/lib/linux-kbuild-* "$root"/lib/modules/* "$root"/usr/lib/modules/*; do
	[ -d "$d" ] && dirs+=("$d")
done
find "${dirs[@]}" -maxdepth 1 -type l |
while read -r link; do
	target=$(readlink "$link")
	case $target in
	/usr/*)	ln -sfn "$root$target" "$link" ;;
	esac
done
# ... and its Makefile includes the common Makefile by absolute path (7.x's
# also sets KBUILD_OUTPUT to its own absolute path).
sed -i -e "s|^include /usr/src/|include $root/usr/src/|" \
	-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$root/usr/src/|" "$hdr/Makefile"
! grep -E '^(include|KBUILD_OUTPUT) *=? */usr/' "$hdr/Makefile" >/dev/null ||
	die "unexpected absolute path left in $hdr/Makefile"
grep -q "^include $root/" "$hdr/Makefile" || die "unexpected $hdr/Makefile"

for m in "$root/lib/modules/$rel" "$root/usr/lib/modules/$rel"; do
	if [ -d "$m" ]; then
		ln -sfn "$hdr" "$m/build"
		modules=$m
	fi
done
[ -n "${modules:-}" ] || die "no modules for $rel after extraction"
# /boot/vmlinuz-<rel> up to 6.x, <modules>/vmlinuz from 7.x on
vmlinuz=$(kernel_image "$root" "$rel") || die "no vmlinuz for $rel after extraction"
sysmap=$root/boot/System.map-$rel
[ -e "$sysmap" ] || sysmap=$modules/System.map
[ -e "$sysmap" ] || die "no System.map for $rel after extraction"
# the package's postinst would have run depmod; nobody installs it here
depmod -b "${modules%/lib/modules/"$rel"}" -F "$sysmap" "$rel" ||
	die "depmod for $rel failed"

touch "$done_stamp"
log "kernel $rel: $vmlinuz, headers $hdr, modules $modules"
record
