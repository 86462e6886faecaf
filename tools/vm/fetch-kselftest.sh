#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kselftest.sh RELEASE: the kernel's own IPVS selftest for RELEASE's
# series (6.1, 6.12, ...), taken unchanged from Debian's linux-source-<series>
# package, unpacked under $L4VS_CACHE/kselftest/<series>/ with the selftest
# library files it sources.  selftests/kernel_ipvs.sh runs it in the guest.
#
# The package comes from the host's own suite when it has it (6.1 on
# bookworm), else through fetch-kernel.sh's private apt configurations of
# the backports suites (never the system's sources).  Only the few files
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
	'*/tools/testing/selftests/net/lib/sh/*.sh'
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
# the host's suite first, then each private backports configuration
# fetch-kernel.sh made (bookworm-backports for 6.12, trixie-backports for 7.x)
got=
(cd "$tmp" && apt-get -qq download "$pkg" >/dev/null 2>&1) && got=1
for conf in "$L4VS_CACHE"/apt-*/etc/apt.conf; do
	[ -n "$got" ] && break
	[ -r "$conf" ] || continue
	(cd "$tmp" && APT_CONFIG=$conf apt-get -qq download "$pkg" >/dev/null 2>&1) && got=1
done
[ -n "$got" ] || {
	log "no $pkg in the host's suite or in the cached backports suites"
	exit 1
}
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
