#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-test.sh: exercise ./dkms.conf with Debian's dkms on this host, and
# `make install` / `make uninstall` into a DESTDIR.  Run as root; prints TAP
# and ends with "N passed, N failed"; exit status 1 if anything failed.
#
#   - dkms add, build, install, status for the distribution kernel's
#     headers (L4VS_DKMS_KREL, default 6.1.0-56-amd64);
#   - dkms build and status for the backports kernel, whose headers live
#     in /var/cache/l4vs (L4VS_DKMS_KREL2, default 6.12.95+deb12-amd64),
#     through --kernelsourcedir;
#   - every module of ./Kbuild is where dkms says it put it, built for the
#     right kernel (vermagic);
#   - dkms remove --all takes everything away again; /usr/src/l4vs-VERSION,
#     which this script creates, is removed;
#   - make install DESTDIR=D installs the modules and l4vsadm (and its man
#     page), make uninstall DESTDIR=D leaves no file behind.
#
# Nothing is loaded into the running kernel.  The builds happen in dkms's
# tree and in a private copy of the checkout, never in the checkout itself.
#
# By default dkms works on the system's trees (/usr/src, /var/lib/dkms,
# /lib/modules), as on a real host.  The qemu guests of tools/vm/run.sh
# share this host's /lib/modules, and modules installed there by dkms
# would be picked up by a guest booting meanwhile, so when a guest is
# running (or with L4VS_DKMS_PRIVATE=1) dkms gets private trees instead
# (--sourcetree, --dkmstree, --installtree under a temporary directory,
# depmod run on that tree by this script).  Either way everything is
# removed at the end.

set -u

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
top=$PWD

L4VS_CACHE=${L4VS_CACHE:-/var/cache/l4vs}
krel=${L4VS_DKMS_KREL:-6.1.0-56-amd64}
kdir=${L4VS_DKMS_KDIR:-/usr/src/linux-headers-$krel}
krel2=${L4VS_DKMS_KREL2:-6.12.95+deb12-amd64}
kdir2=${L4VS_DKMS_KDIR2:-$L4VS_CACHE/kernels/$krel2/usr/src/linux-headers-$krel2}

n=0
passed=0
failed=0

ok() {
	local rc=$1

	shift
	n=$((n + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $*"
		passed=$((passed + 1))
	else
		echo "not ok $n - $*"
		failed=$((failed + 1))
	fi
	return "$rc"
}

diag() {
	sed 's/^/# /'
}

finish() {
	echo "1..$n"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

bail() {
	echo "Bail out! $*"
	failed=$((failed + 1))
	finish
}

[ "$(id -u)" -eq 0 ] || bail "run as root"
command -v dkms >/dev/null || bail "dkms is not installed (apt-get install dkms)"
[ -r dkms.conf ] || bail "no dkms.conf in $top"

# The module list, from the source of truth: ./Kbuild's obj-m lines.
mapfile -t modules < <(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' Kbuild |
	sed -n 's/^obj-m[[:space:]]*[:+]\?=//p' | tr ' \t' '\n' |
	sed -n 's/\.o$//p' | sort)
[ ${#modules[@]} -gt 0 ] || bail "no obj-m in Kbuild"
echo "# modules in Kbuild: ${modules[*]}"

# dkms.conf must list exactly those modules.
mapfile -t conf_modules < <(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\?\([^"]*\)"\?$/\1/p' dkms.conf | sort)
[ "${conf_modules[*]}" = "${modules[*]}" ]
ok $? "dkms.conf builds every module of Kbuild (dkms.conf: ${conf_modules[*]})"

name=$(sed -n 's/^PACKAGE_NAME="\?\([^"]*\)"\?$/\1/p' dkms.conf)
ver=$(sed -n 's/^PACKAGE_VERSION="\?\([^"]*\)"\?$/\1/p' dkms.conf)
[ "$name" = l4vs ] && [ -n "$ver" ]
ok $? "dkms.conf: PACKAGE_NAME=$name PACKAGE_VERSION=$ver" || finish

work=$(mktemp -d /tmp/l4vs-dkms-test.XXXXXX) || bail "mktemp"
trap 'rm -rf "$work"' EXIT

private=${L4VS_DKMS_PRIVATE:-}
if [ -z "$private" ] && pgrep qemu-system >/dev/null; then
	echo "# a qemu guest is running and shares /lib/modules: using private dkms trees"
	private=1
fi
if [ -n "$private" ]; then
	srctree=$work/src
	dtree=$work/dkms
	root=$work/root
	mkdir -p "$srctree" "$dtree" "$root/lib/modules/$krel"
	# what depmod -b reads besides the modules
	for f in modules.order modules.builtin modules.builtin.modinfo; do
		[ -e "/lib/modules/$krel/$f" ] && cp "/lib/modules/$krel/$f" "$root/lib/modules/$krel/"
	done
	dk=(--sourcetree "$srctree" --dkmstree "$dtree" --installtree "$root/lib/modules" --no-depmod)
	mi=(-b "$root")
else
	srctree=/usr/src
	dtree=$(. /etc/dkms/framework.conf 2>/dev/null; echo "${dkms_tree:-/var/lib/dkms}")
	root=
	dk=()
	mi=()
fi
itree=$root/lib/modules
echo "# dkms trees: sources $srctree, dkms $dtree, modules $itree"

# depmod for the private install tree (dkms runs it for the system's)
private_depmod() {
	[ -n "$private" ] && depmod -b "$root" "$krel"
}

src=$srctree/$name-$ver
[ -e "$src" ] && bail "$src exists already; not touching it"
dkms status "${dk[@]}" -m "$name" 2>/dev/null | grep -q . &&
	bail "dkms already knows $name: $(dkms status "${dk[@]}" -m "$name")"
[ -e "$kdir/Makefile" ] || bail "no headers for $krel in $kdir"

# dkms signs what it installs with /var/lib/dkms/mok.{key,pub} (that path
# even with --dkmstree), creating them on first use: remove them afterwards
# only if this run created them.
mok_before=$(ls /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>/dev/null)

cleanup() {
	dkms remove "${dk[@]}" -m "$name" -v "$ver" --all >/dev/null 2>&1
	rm -rf "$src" "$work"
	[ -z "$mok_before" ] && rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
}
trap cleanup EXIT

# The sources as a release tarball would have them: no build products.
copy_sources() {
	mkdir -p "$1" &&
	find Kbuild dkms.conf net include -type f \
		\( -name '*.[ch]' -o -name Kbuild -o -name Makefile -o -name dkms.conf \) \
		-print0 | cpio --quiet -0 -pdm "$1"
}

# ---- dkms ----------------------------------------------------------------------

copy_sources "$src"
ok $? "sources copied to $src"

dkms add "${dk[@]}" -m "$name" -v "$ver" >"$work/add.log" 2>&1
ok $? "dkms add -m $name -v $ver" || diag <"$work/add.log"

# check_built REL: every module sits in dkms's tree for REL, built for REL.
check_built() {
	local rel=$1 dir m f vm bad=()

	dir=$dtree/$name/$ver/$rel/$(uname -m)/module
	for m in "${modules[@]}"; do
		f=$(ls "$dir/$m.ko"* 2>/dev/null | head -n 1)
		vm=$(modinfo -F vermagic "$f" 2>/dev/null)
		[ -n "$f" ] && [ "${vm%% *}" = "$rel" ] || bad+=("$m")
	done
	[ ${#bad[@]} -eq 0 ]
	ok $? "all ${#modules[@]} modules in $dir, vermagic $rel${bad:+ (bad: ${bad[*]})}"
}

# status_is REL STATE: dkms status names the module built/installed for REL.
status_is() {
	local st

	st=$(dkms status "${dk[@]}" -m "$name" -v "$ver" -k "$1" 2>&1)
	[[ $st == "$name/$ver, $1, "*": $2"* ]]
	ok $? "dkms status for $1: $2 (got: $st)"
}

dkms build "${dk[@]}" -m "$name" -v "$ver" -k "$krel" --kernelsourcedir "$kdir" \
	>"$work/build1.log" 2>&1
ok $? "dkms build for $krel ($kdir)" || tail -n 30 "$work/build1.log" | diag
check_built "$krel"
status_is "$krel" built

dkms install "${dk[@]}" -m "$name" -v "$ver" -k "$krel" --kernelsourcedir "$kdir" \
	>"$work/install1.log" 2>&1
ok $? "dkms install for $krel" || tail -n 30 "$work/install1.log" | diag
status_is "$krel" installed

# Where dkms says it put them: one "Installing to DIR/" per module in its
# output (dkms 3.0), in dkms.conf's order; each module must be there.
mapfile -t said_dirs < <(sed -n 's/.*Installing to \(\/[^ ]*\).*/\1/p' "$work/install1.log")
said=()
missing=()
for m in "${modules[@]}"; do
	f=
	for d in "${said_dirs[@]}"; do
		f=$(ls "${d%/}/$m.ko" "${d%/}/$m.ko."* 2>/dev/null | head -n 1)
		[ -n "$f" ] && break
	done
	if [ -n "$f" ] && [[ $f == $itree/$krel/* ]]; then
		said+=("$f")
	else
		missing+=("$m")
	fi
done
[ ${#said_dirs[@]} -eq ${#modules[@]} ] && [ ${#missing[@]} -eq 0 ]
ok $? "every module is where dkms install says it put it ($(printf '%s\n' "${said_dirs[@]}" | sort -u | tr '\n' ' ')${missing:+; missing: ${missing[*]}})" ||
	grep -i 'install' "$work/install1.log" | head -n 20 | diag

# depmod (run by dkms) resolves the module names to those files.
private_depmod
f=$(modinfo "${mi[@]}" -k "$krel" -F filename l4vs 2>/dev/null)
[[ " ${said[*]} " == *" $f "* ]]
ok $? "modinfo -k $krel l4vs finds the dkms copy ($f)"

# The backports kernel is not installed: build against its headers only.
if [ -e "$kdir2/Makefile" ]; then
	dkms build "${dk[@]}" -m "$name" -v "$ver" -k "$krel2" --kernelsourcedir "$kdir2" \
		>"$work/build2.log" 2>&1
	ok $? "dkms build for $krel2 ($kdir2)" || tail -n 30 "$work/build2.log" | diag
	check_built "$krel2"
	status_is "$krel2" built
else
	ok 1 "headers for $krel2 in $kdir2 (run tools/vm/fetch-kernel.sh)"
fi

dkms remove "${dk[@]}" -m "$name" -v "$ver" --all >"$work/remove.log" 2>&1
ok $? "dkms remove --all" || tail -n 20 "$work/remove.log" | diag
left=()
for p in "${said[@]}"; do
	[ -e "$p" ] && left+=("$p")
done
[ ${#left[@]} -eq 0 ] && [ -z "$(dkms status "${dk[@]}" -m "$name" 2>&1)" ] &&
	[ ! -e "$dtree/$name/$ver" ]
ok $? "nothing left of $name in dkms or $itree/$krel${left:+ (left: ${left[*]})}"
private_depmod
f=$(modinfo "${mi[@]}" -k "$krel" -F filename l4vs 2>/dev/null)
[[ " ${said[*]} " != *" $f "* ]]
ok $? "depmod forgot the dkms copy (modinfo: ${f:-nothing})"

rm -rf "$src"
[ ! -e "$src" ]
ok $? "$src removed"

# ---- make install / make uninstall into a DESTDIR -----------------------------------

# A private copy of the checkout, so nothing is built in it.
tree=$work/tree
dest=$work/dest
mkdir -p "$tree" "$dest"
find Makefile Kbuild net include tools/l4vsadm tools/modprobe Documentation/l4vsadm.8 -type f \
	\( -name '*.[ch]' -o -name Kbuild -o -name Makefile -o -name '*.8' -o -name '*.conf' \) \
	-print0 | cpio --quiet -0 -pdm "$tree"
make -C "$tree" KVER="$krel" -j2 install DESTDIR="$dest" >"$work/make-install.log" 2>&1
ok $? "make install DESTDIR=$dest (KVER=$krel)" || tail -n 30 "$work/make-install.log" | diag

missing=()
for m in "${modules[@]}"; do
	[ -f "$dest/lib/modules/$krel/updates/$m.ko" ] || missing+=("$m")
done
for f in usr/local/sbin/l4vsadm usr/local/share/man/man8/l4vsadm.8 etc/modprobe.d/l4vs-ip_vs.conf; do
	[ -f "$dest/$f" ] || missing+=("$f")
done
[ ${#missing[@]} -eq 0 ]
ok $? "installed: ${#modules[@]} modules in lib/modules/$krel/updates, l4vsadm, l4vsadm.8, modprobe.d/l4vs-ip_vs.conf${missing:+ (missing: ${missing[*]})}"
(cd "$dest" && find . ! -type d | sort) | diag

make -C "$tree" KVER="$krel" uninstall DESTDIR="$dest" >"$work/make-uninstall.log" 2>&1
ok $? "make uninstall DESTDIR=$dest" || tail -n 30 "$work/make-uninstall.log" | diag
leftover=$(cd "$dest" && find . ! -type d | sort)
[ -z "$leftover" ]
ok $? "make uninstall leaves no file behind${leftover:+: ${leftover//$'\n'/ }}"
dirs=$(cd "$dest" && find . -mindepth 1 -type d | sort)
[ -n "$dirs" ] && echo "# empty directories left (make does not remove them): ${dirs//$'\n'/ }"

finish
