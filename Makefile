# SPDX-License-Identifier: GPL-2.0
#
# l4vs top-level build.
#
#   make [KVER=<release>|KDIR=<headers>] [W=1] [C=1]   modules + l4vsadm
#   make install [PREFIX=/usr/local] / make uninstall
#   make check     build for the Debian 6.1 and backports 6.12 kernels, run
#                  the selftests in a qemu guest on each (tools/vm/check.sh)
#   make check-interop  sync daemon against the kernel's ip_vs, two guests
#   make demo      a NAT round-robin service in a guest (tools/vm/demo.sh)
#   make style     checkpatch.pl on net/ and include/, shellcheck on the scripts
#   make clean
#
# The module itself is described by ./Kbuild; W= and C= reach kbuild through
# MAKEFLAGS like any other command-line variable.

SHELL		:= /bin/bash
VM		:= $(CURDIR)/tools/vm
L4VS_CACHE	?= /var/cache/l4vs
export L4VS_CACHE

# The newest /usr/src headers stand in only for a plain `make` on a host
# whose running kernel has none: a KVER asked for is built for or refused.
KVER_ASKED	:= $(filter-out undefined,$(origin KVER))
KVER		?= $(shell uname -r)
KDIR		?= $(firstword $(wildcard /lib/modules/$(KVER)/build \
			$(L4VS_CACHE)/kernels/$(KVER)/usr/src/linux-headers-$(KVER)) \
			$(if $(KVER_ASKED),,$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))))
# The release the headers were built for, which may differ from KVER when
# the fallback above picked them: it decides where `make install` puts things.
# (utsrelease.h, not include/config/kernel.release: Debian's headers carry the
# upstream version there, e.g. 6.1.192 for 6.1.0-56-amd64.)
KREL		= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
			$(KDIR)/include/generated/utsrelease.h 2>/dev/null)

PREFIX		?= /usr/local
DESTDIR		?=
MODDIR		= $(DESTDIR)/lib/modules/$(KREL)/updates

all: modules

modules: l4vsadm
	@test -n "$(KDIR)" -a -e "$(KDIR)/Makefile" || \
		{ echo "no kernel headers for $(KVER) (KDIR=$(KDIR)); run tools/vm/deps.sh" \
			"or tools/vm/fetch-kernel.sh" >&2; exit 1; }
	$(call in_buildroot,$(KDIR)) $(MAKE) -C $(KDIR) M=$(CURDIR) modules

l4vsadm:
	$(MAKE) -C tools/l4vsadm

# Kbuild builds external modules inside their source tree, so each kernel
# gets its own copy of the sources in build/<release>/ (only sources are
# copied, with their timestamps, so rebuilds stay incremental).  The .ko
# files are linked anew each time: a module that no longer exists must not
# linger there and be installed into a guest.
build/%/.sources: FORCE
	@mkdir -p $(@D)
	@find Kbuild net include -type f \( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) \
		-print0 | cpio --quiet -0 -pdmu $(@D)
	@touch $@

# A kernel built with a newer gcc than the host's (Debian's 7.x: gcc-14) is
# built for inside a cached trixie root (tools/vm/buildroot.sh).
in_buildroot = $$(. $(VM)/lib.sh && kernel_needs_buildroot $(1) && echo $(VM)/buildroot.sh)

build-%: build/%/.sources
	@kdir=$$(. $(VM)/lib.sh && kernel_kdir $*) || \
		{ echo "no headers for kernel $*; try tools/vm/fetch-kernel.sh" >&2; exit 1; }; \
	wrap=$(call in_buildroot,$$kdir); \
	echo "  BUILD   modules for $* ($$kdir$${wrap:+, in the trixie build root})"; \
	rm -f $(CURDIR)/build/$*/*.ko; \
	$$wrap $(MAKE) -C $$kdir M=$(CURDIR)/build/$* modules

install: modules
	install -d $(MODDIR)
	install -m 0644 $(CURDIR)/*.ko $(MODDIR)/
	$(if $(DESTDIR),,depmod -a $(KREL))
	install -D -m 0644 tools/modprobe/l4vs-ip_vs.conf $(DESTDIR)/etc/modprobe.d/l4vs-ip_vs.conf
	$(MAKE) -C tools/l4vsadm install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

uninstall:
	rm -f $(MODDIR)/l4vs.ko $(MODDIR)/l4vs_*.ko
	rm -f $(DESTDIR)/etc/modprobe.d/l4vs-ip_vs.conf
	$(if $(DESTDIR),,depmod -a $(KREL))
	rm -f $(DESTDIR)$(PREFIX)/sbin/l4vsadm $(DESTDIR)$(PREFIX)/share/man/man8/l4vsadm.8

check:
	$(VM)/check.sh

# The whole suite on a 6.1 debug kernel (KASAN, KFENCE, kmemleak, lockdep,
# debug objects) built from Debian's linux-source-6.1 on first use and cached
# under /var/cache/l4vs (Documentation/debug-kernel.md).  L4VS_TESTS picks a
# subset.
check-debug:
	$(VM)/check-debug.sh

# Sync protocol interoperability with the kernel's IPVS (two guests on a qemu
# socket link, a minute or two a kernel) on both kernels; `make check` runs it on
# the first one only.
check-interop:
	@$(VM)/deps.sh
	@$(MAKE) -s l4vsadm
	@set -e; for rel in $$(. $(VM)/lib.sh && host_default_release) \
		$$($(VM)/fetch-kernel.sh); do \
		$(MAKE) -s build-$$rel; \
		L4VS_MODULES_DIR=$(CURDIR)/build/$$rel $(VM)/sync-interop.sh --kernel $$rel; \
	done

# The release is looked up only after deps.sh, which may install the kernel.
demo:
	@$(VM)/deps.sh
	@$(MAKE) -s l4vsadm
	@rel=$$(. $(VM)/lib.sh && host_default_release) && \
	$(MAKE) -s build-$$rel && \
	L4VS_MODULES_DIR=$(CURDIR)/build/$$rel $(VM)/run.sh --kernel $$rel --timeout 900 \
		--out $(CURDIR)/results/demo -- tools/vm/demo.sh

# The benchmark suite (Documentation/benchmarks.md), results under
# results/bench/; bench-smoke is the few-minute version.
bench:
	@$(VM)/deps.sh
	@$(MAKE) -s l4vsadm
	@$(CURDIR)/tools/bench/bench.sh $(BENCH_ARGS)

bench-smoke:
	@$(VM)/deps.sh
	@$(MAKE) -s l4vsadm
	@$(CURDIR)/tools/bench/bench.sh --smoke $(BENCH_ARGS)

# Kernel style on the module's sources with the kernel's checkpatch.pl
# (tools/checkpatch.sh finds or fetches the 6.1 script; its options and
# every exception, with why, are in .checkpatch.conf), and shellcheck on the
# scripts (exceptions in .shellcheckrc).  Fails on any finding.
STYLE_C		= $(sort $(shell find net include -name '*.[ch]'))
STYLE_SH	= $(sort $(wildcard selftests/*.sh) $(shell find tools -name '*.sh')) .ci/run

style:
	@command -v shellcheck >/dev/null || { echo "style: apt-get install shellcheck" >&2; exit 1; }
	@rc=0; \
	echo "  CHECKPATCH $(words $(STYLE_C)) files of net/ and include/"; \
	$(CURDIR)/tools/checkpatch.sh -f $(STYLE_C) | grep -v ' lines checked$$'; \
	[ $${PIPESTATUS[0]} -eq 0 ] || rc=1; \
	echo "  SHELLCHECK $(words $(STYLE_SH)) scripts"; \
	shellcheck -x -f gcc $(STYLE_SH) || rc=1; \
	exit $$rc

clean:
	$(if $(wildcard $(KDIR)/Makefile),$(MAKE) -C $(KDIR) M=$(CURDIR) clean)
	$(MAKE) -C tools/l4vsadm clean
	$(if $(wildcard selftests/Makefile),$(MAKE) -C selftests clean)
	rm -rf build results

FORCE:

.PHONY: all modules l4vsadm install uninstall check check-debug check-interop demo bench bench-smoke style clean FORCE
