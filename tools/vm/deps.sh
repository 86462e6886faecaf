#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh: install, from Debian's own archive, everything the build, the VM
# harness, the demo and the selftests need.  Quiet and quick when all of it
# is already there, so every make target can call it.
set -euo pipefail

pkgs=(
	# module build (gcc-12 is what Debian 12 kernels, 6.12 backports included, are built with)
	gcc make bc bison flex libelf-dev dwarves sparse kmod
	linux-image-amd64 linux-headers-amd64
	# l4vsadm
	libmnl-dev pkg-config
	# VM harness
	qemu-system-x86 busybox-static cpio gzip xz-utils zstd util-linux coreutils
	# fetch-kernel.sh
	apt ca-certificates
	# buildroot.sh (the trixie root 7.x kernels are built in)
	debootstrap
	# demo and selftests
	iproute2 ipvsadm socat iputils-ping procps python3 jq
	nftables conntrack iptables tcpdump keepalived ethtool
	# the kernel's ipvs.sh (selftests/kernel_ipvs.sh): 6.1's uses nc
	netcat-openbsd
	# selftests/node_exporter.sh (the exporter itself: see the end)
	curl
	# packaging test (tools/dkms-test.sh)
	dkms
	# benchmark plots (tools/bench)
	gnuplot-nox
)

declare -A have=()
while read -r name status; do
	[ "$status" = installed ] && have[$name]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${pkgs[@]}" 2>/dev/null || true)
missing=()
for p in "${pkgs[@]}"; do
	[ -n "${have[$p]:-}" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps.sh: missing packages: ${missing[*]}; run as root" >&2
		exit 1
	fi
	echo "deps.sh: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt_opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef
		  -o Dpkg::Options::=--force-confold)
	# A fresh machine or container may have no package lists at all.
	if ! apt-get install "${apt_opts[@]}" "${missing[@]}" >&2; then
		apt-get update -q >&2
		apt-get install "${apt_opts[@]}" "${missing[@]}" >&2
	fi
fi

# Debian's prometheus-node-exporter for selftests/node_exporter.sh, which
# starts its own in a test namespace.  Unpacked into the cache rather than
# installed: the package would start a system-wide exporter on port 9100.
exporter_dir=${L4VS_CACHE:-/var/cache/l4vs}/node-exporter
if [ ! -x "$exporter_dir/usr/bin/prometheus-node-exporter" ] && [ "$(id -u)" -eq 0 ]; then
	mkdir -p "$exporter_dir/deb"
	if ! (cd "$exporter_dir/deb" && apt-get download -q prometheus-node-exporter >&2); then
		apt-get update -q >&2
		(cd "$exporter_dir/deb" && apt-get download -q prometheus-node-exporter >&2)
	fi
	dpkg -x "$exporter_dir"/deb/prometheus-node-exporter_*.deb "$exporter_dir" ||
		echo "deps.sh: could not unpack prometheus-node-exporter (node_exporter.sh will skip)" >&2
fi
exit 0
