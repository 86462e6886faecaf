#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.sh ARGS...: the kernel's scripts/checkpatch.pl with ARGS, run
# from the top of the checkout (so that it reads ./.checkpatch.conf).
#
# Debian's kernel headers do not ship checkpatch.pl; the 6.1 script is
# taken from the first of:
#   $CHECKPATCH (a checkpatch.pl of your own),
#   /usr/src/linux-source-6.1/scripts (an unpacked linux-source-6.1),
#   $L4VS_CACHE/checkpatch (an earlier extraction, see below),
# or else extracted from Debian's linux-source-6.1 package (the one
# tools/vm/debug-kernel.sh downloaded, or one downloaded now with
# apt-get download from the system's own sources: nothing is installed and
# no apt source is added) into $L4VS_CACHE/checkpatch, with the spelling
# and const_structs lists it reads beside it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=${here%/tools}
cache=${L4VS_CACHE:-/var/cache/l4vs}
dest=$cache/checkpatch

die() {
	echo "checkpatch.sh: $*" >&2
	exit 2
}

# extract: checkpatch.pl and its data files out of linux-source-6.1's deb
extract() {
	local deb tmp tarball

	deb=$(ls "$cache"/debug-kernel/deb/linux-source-6.1_*_all.deb \
		 "$dest"/linux-source-6.1_*_all.deb 2>/dev/null | sort -V | tail -n 1) || true
	if [ -z "$deb" ]; then
		mkdir -p "$dest" || die "cannot create $dest"
		echo "checkpatch.sh: downloading linux-source-6.1 (once) into $dest" >&2
		if ! (cd "$dest" && apt-get -q download linux-source-6.1 >&2); then
			apt-get -q update >&2 || true
			(cd "$dest" && apt-get -q download linux-source-6.1 >&2) ||
				die "cannot download linux-source-6.1; set CHECKPATCH=/path/to/checkpatch.pl"
		fi
		deb=$(ls "$dest"/linux-source-6.1_*_all.deb | sort -V | tail -n 1)
	fi
	echo "checkpatch.sh: extracting checkpatch.pl from $deb" >&2
	tmp=$(mktemp -d) || die "mktemp failed"
	trap 'rm -rf "$tmp"' EXIT
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp" --wildcards './usr/src/linux-source-6.1.tar.*' ||
		die "no source tarball in $deb"
	tarball=$(ls "$tmp"/usr/src/linux-source-6.1.tar.*)
	tar -x -C "$tmp" -f "$tarball" linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch ||
		die "no checkpatch.pl in $tarball"
	mkdir -p "$dest" || die "cannot create $dest"
	mv -f "$tmp"/linux-source-6.1/scripts/{checkpatch.pl,spelling.txt,const_structs.checkpatch} "$dest"/
	# the package is only the script's source: keep the cache small
	rm -f "$dest"/linux-source-6.1_*_all.deb
}

cp=${CHECKPATCH:-}
if [ -z "$cp" ]; then
	for c in /usr/src/linux-source-6.1/scripts/checkpatch.pl "$dest/checkpatch.pl"; do
		[ -f "$c" ] && { cp=$c; break; }
	done
fi
if [ -z "$cp" ]; then
	extract
	cp=$dest/checkpatch.pl
fi
cd "$top"
exec perl "$cp" "$@"
