# SPDX-License-Identifier: GPL-2.0
# Placeholder: the VM/check/demo/install targets are added by the harness work.
KVER ?= $(shell uname -r)
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build) $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

.PHONY: all modules clean
