# roadbox: build a read-only, bootable IKEv2 VPN appliance.
#
#   make              build out/roadbox.iso (installs missing build deps)
#   make check        run every test (installs missing test deps)
#   make run          boot out/roadbox.iso in QEMU on this terminal
#   make OVERLAY=dir  lay a site's own files over the embedded default
#   make V=1          show full commands
#
# The component makefiles (src/*/module.mk, scripts/*/module.mk) add
# programs, unit tests, fuzz targets and files to the lists below; this
# file owns the generic rules and the image assembly.

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SUFFIXES:
.DEFAULT_GOAL := all

TOP      := $(abspath .)
O        ?= build
OUT      ?= out
OVERLAY  ?=
CA_DIR   ?= ca
# The kernel/BusyBox caches live outside the tree: they survive clean clones.
CACHE    ?= /var/cache/roadbox
V        ?= 0
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)

# Reproducible builds: every timestamp in the image comes from here.
SOURCE_DATE_EPOCH ?= $(shell git -C $(TOP) log -1 --format=%ct 2>/dev/null || echo 1764288000)
export SOURCE_DATE_EPOCH
export LC_ALL := C
export TZ := UTC

ifeq ($(V),1)
Q :=
msg = @:
else
Q := @
msg = @printf '  %-9s %s\n' '$(1)' '$(2)'
endif
export V Q

ISO      := $(OUT)/roadbox.iso
KERNEL   := $(O)/kernel/bzImage
BUSYBOX  := $(O)/busybox/busybox
ROOTFS   := $(O)/rootfs.sqfs
DEPS_OK  := $(O)/.deps-build
TDEPS_OK := $(O)/.deps-test

# ---- C programs ------------------------------------------------------------
# Target programs are static (static glibc + libcrypto.a); unit tests and
# fuzzers are host builds with sanitizers.
CC        ?= gcc
FUZZ_CC   ?= clang
WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
CFLAGS    ?= -O2 -g
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -fstack-protector-strong \
               -D_FORTIFY_SOURCE=2 -MMD -MP -Isrc/include
HOST_CFLAGS := $(BASE_CFLAGS) -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
               -DUNIT_TEST
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -Isrc/include -g -O1 -DUNIT_TEST -DFUZZING \
               -fsanitize=fuzzer,address,undefined

# Lists the module.mk files append to.
PROGS       :=   # name; name_SRCS, name_LDLIBS, name_INSTALL (path in the image)
UNIT_TESTS  :=   # name; name_SRCS, name_LDLIBS  -> $(O)/test/name
FUZZERS     :=   # name; name_SRCS, name_LDLIBS  -> $(O)/fuzz/name
ROOTFS_DEPS :=   # extra files the root filesystem depends on
ROOTFS_HELPERS := # Debian binaries copied in with their libraries
ROOTFS_FILES :=  # "built-file:/path/in/image" pairs (e.g. the encrypted CA tarball)

-include $(sort $(wildcard src/*/module.mk scripts/*/module.mk))

obj_of      = $(patsubst %.c,$(O)/obj/%.o,$(1))
hostobj_of  = $(patsubst %.c,$(O)/hostobj/%.o,$(1))

$(O)/obj/%.o: %.c | $(DEPS_OK)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(BASE_CFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/hostobj/%.o: %.c | $(DEPS_OK)
	$(call msg,HOSTCC,$<)
	$(Q)mkdir -p $(@D) && $(CC) $(HOST_CFLAGS) -c -o $@ $<

define prog_rules
$(O)/bin/$(1): $(call obj_of,$($(1)_SRCS))
	$$(call msg,LD,$$@)
	$$(Q)mkdir -p $$(@D) && { $$(CC) -static $$(CFLAGS) -o $$@ $$^ $$($(1)_LDLIBS) 2>&1 1>&3 | \
	    { grep -v $$(STATIC_NOISE) >&2 || true; }; } 3>&1
endef
# glibc warns that libcrypto.a's getaddrinfo/dlopen paths need shared
# libraries at run time; our programs never reach them (no DSO engines, no
# host names), so that one warning is filtered. Everything else shows.
STATIC_NOISE := -e 'statically linked applications requires at runtime' -e ': in function .'

define unit_rules
$(O)/test/$(1): $(call hostobj_of,$($(1)_SRCS))
	$$(call msg,HOSTLD,$$@)
	$$(Q)mkdir -p $$(@D) && $$(CC) -fsanitize=address,undefined -o $$@ $$^ $$($(1)_LDLIBS)
endef
define fuzz_rules
$(O)/fuzz/$(1): $($(1)_SRCS) | $(TDEPS_OK)
	$$(call msg,FUZZCC,$$@)
	$$(Q)mkdir -p $$(@D) && $$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $($(1)_SRCS) $$($(1)_LDLIBS)
endef
$(foreach p,$(PROGS),$(eval $(call prog_rules,$(p))))
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_rules,$(t))))
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rules,$(f))))

PROG_BINS  := $(addprefix $(O)/bin/,$(PROGS))
UNIT_BINS  := $(addprefix $(O)/test/,$(UNIT_TESTS))
FUZZ_BINS  := $(addprefix $(O)/fuzz/,$(FUZZERS))
-include $(shell find $(O)/obj $(O)/hostobj -name '*.d' 2>/dev/null)

# ---- Build dependencies -----------------------------------------------------
$(DEPS_OK): scripts/deps.txt scripts/deps.sh
	$(call msg,DEPS,build)
	$(Q)mkdir -p $(@D) && scripts/deps.sh build && touch $@

$(TDEPS_OK): scripts/deps.txt scripts/deps.sh | $(DEPS_OK)
	$(call msg,DEPS,test)
	$(Q)scripts/deps.sh test && touch $@

# ---- Kernel and BusyBox (cached outside the tree) ---------------------------
$(KERNEL): $(wildcard kernel-config/*.config) scripts/kernel.sh scripts/versions.sh | $(DEPS_OK)
	$(call msg,KERNEL,$@)
	$(Q)scripts/kernel.sh $(O)/kernel $(CACHE) $(sort $(wildcard kernel-config/*.config))

$(BUSYBOX): rootfs/busybox.config scripts/busybox.sh scripts/versions.sh | $(DEPS_OK)
	$(call msg,BUSYBOX,$@)
	$(Q)scripts/busybox.sh $(O)/busybox $(CACHE) rootfs/busybox.config

# ---- Root filesystem and ISO ------------------------------------------------
# The image names the source it was built from (for the report and the
# console banner); rewritten only when that changes.
VERSION_FILE := $(O)/version
ROOTFS_FILES += $(VERSION_FILE):/etc/roadbox/version
$(VERSION_FILE): FORCE
	@mkdir -p $(@D); v="roadbox $$(git -C $(TOP) describe --always --dirty 2>/dev/null || echo unknown)"; \
	 [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" > $@
.PHONY: FORCE
FORCE:

OVERLAY_FILES := $(shell find overlays/default $(OVERLAY) -type f 2>/dev/null)
PROG_INSTALLS := $(foreach p,$(PROGS),$(O)/bin/$(p):$($(p)_INSTALL))

$(ROOTFS): $(BUSYBOX) $(PROG_BINS) $(OVERLAY_FILES) $(ROOTFS_DEPS) \
           $(foreach f,$(ROOTFS_FILES),$(firstword $(subst :, ,$(f)))) \
           rootfs/skeleton.txt scripts/mkrootfs.sh scripts/copy-helper.sh
	$(call msg,ROOTFS,$@)
	$(Q)scripts/mkrootfs.sh $@ $(O)/rootfs "$(BUSYBOX)" "$(PROG_INSTALLS)" \
	    "overlays/default $(OVERLAY)" "$(ROOTFS_HELPERS)" "$(ROOTFS_FILES)"

$(ISO): $(KERNEL) $(ROOTFS) iso/isolinux.cfg scripts/mkiso.sh
	$(call msg,ISO,$@)
	$(Q)scripts/mkiso.sh $@ $(O)/iso $(KERNEL) $(ROOTFS)

.PHONY: all kernel busybox rootfs iso programs
all: $(ISO)
	@printf '  %-9s %s (%s bytes)\n' DONE '$(ISO)' "$$(stat -c %s $(ISO))"
kernel: $(KERNEL)
busybox: $(BUSYBOX)
rootfs: $(ROOTFS)
iso: $(ISO)
programs: $(PROG_BINS)

# ---- Tests ------------------------------------------------------------------
# `make check` builds everything, then tests/run runs every test and prints
# "N passed, N failed".  TESTS=pattern runs a subset.
.PHONY: check unit fuzz run bench clean distclean
check: $(ISO) $(UNIT_BINS) $(FUZZ_BINS) | $(TDEPS_OK)
	$(Q)ROADBOX_O=$(abspath $(O)) ROADBOX_ISO=$(abspath $(ISO)) ROADBOX_CACHE=$(CACHE) \
	    ROADBOX_CA_DIR=$(abspath $(CA_DIR)) tests/run $(TESTS)

unit: $(UNIT_BINS)
	$(Q)ROADBOX_O=$(abspath $(O)) tests/run unit

FUZZ_SECONDS ?= 300
fuzz: $(FUZZ_BINS)
	$(Q)for f in $(FUZZ_BINS); do echo "  FUZZ      $$f ($(FUZZ_SECONDS) s)"; \
	    mkdir -p $(O)/corpus/$$(basename $$f); \
	    $$f -max_total_time=$(FUZZ_SECONDS) $(O)/corpus/$$(basename $$f) \
	        $$(ls -d tests/corpus/$$(basename $$f) 2>/dev/null) || exit 1; done

run: $(ISO) | $(TDEPS_OK)
	qemu-system-x86_64 -m 512 -cdrom $(ISO) -boot d -nographic \
	    -nic user,restrict=on,model=virtio-net-pci

bench: $(ISO) | $(TDEPS_OK)
	$(Q)bench/run

clean:
	rm -rf $(O) $(OUT)
distclean: clean
	rm -rf $(CACHE)
