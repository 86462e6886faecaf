#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kselftest.sh RELEASE: the kernel's own IPVS selftest for RELEASE's
# series (6.1, 6.12, ...), taken unchanged from Debian's linux-source-<series>
# package, unpacked under $L4VS_CACHE/kselftest/<series>/ with the selftest
# library files it sources.  selftests/kernel_ipvs.sh runs it in the guest.
#
# The package comes from the host's own suite when it has it (6.1 on
# bookworm), else through fetch-kernel.sh's private apt configuration of
# the backports suite (never the system's sources).  Only the few files
# needed are kept (a few KiB); the 140 MB package is deleted once unpacked.
# Prints the directory; idempotent.
set -euo pipefail

# shellcheck source=tools/vm/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rel=${1:?usage: fetch-kselftest.sh RELEASE}
series=$(echo "$rel" | cut -d. -f1,2)
out=$L4VS_CACHE/kselftest/$series
pkg=linux-source-$series

log() {
	echo "fetch-kselftest: $*" >&2
}

# what the test sources, per layout (6.1: netfilter/; 6.6 on: net/netfilter/)
wanted=(
	'*/tools/testing/selftests/netfilter/ipvs.sh'
	'*/tools/testing/selftests/net/netfilter/ipvs.sh'
	'*/tools/testing/selftests/net/netfilter/lib.sh'
	'*/tools/testing/selftests/net/lib.sh'
	'*/tools/testing/selftests/kselftest/ktap_helpers.sh'
)

if [ -n "$(find "$out" -name ipvs.sh 2>/dev/null)" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$L4VS_CACHE/kselftest"
exec 9>"$L4VS_CACHE/kselftest/.lock"
flock 9

tmp=$(mktemp -d "$L4VS_CACHE/kselftest/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && apt-get -qq download "$pkg" >&2 2>/dev/null); then
	backports=$L4VS_CACHE/apt-bookworm-backports/etc/apt.conf
	[ -r "$backports" ] || "$vm_dir/fetch-kernel.sh" >/dev/null
	(cd "$tmp" && APT_CONFIG=$backports apt-get -qq download "$pkg" >&2) || {
		log "no $pkg in the host's suite or in bookworm-backports"
		exit 1
	}
fi
deb=$(echo "$tmp"/"$pkg"_*.deb)
log "unpacking ipvs.sh from ${deb##*/}"
mkdir -p "$tmp/src"
dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" | xz -dc |
	tar -x -C "$tmp/src" --wildcards "${wanted[@]}" 2>/dev/null || :
src=$(find "$tmp/src" -maxdepth 1 -mindepth 1 -type d | head -n 1)
[ -n "$src" ] && [ -n "$(find "$src" -name ipvs.sh)" ] || {
	log "$pkg has no ipvs.sh"
	exit 1
}
rm -rf "$out"
mv "$src" "$out"
echo "$out"
