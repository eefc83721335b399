# scripts/firewall/module.mk - the firewall and hardening (issue 6,
# docs/firewall.md).  The ruleset (etc/nftables.conf, etc/nftables.d/) and
# the sysctls (etc/sysctl.conf) are overlay files; the init applies both.

# nft from Debian's nftables package, with exactly its libraries.
ROOTFS_HELPERS += /usr/sbin/nft

# Check the ruleset the image will carry (default overlay + site overlay)
# with `nft -c` in a private network namespace: a broken site rule fails
# `make`, not the boot.  FIREWALL_CHECK=0 skips it (then only the booted
# box would notice).
FIREWALL_CHECK ?= 1
FIREWALL_STAMP := $(O)/firewall/ruleset.ok

ifeq ($(FIREWALL_CHECK),1)
ROOTFS_DEPS += $(FIREWALL_STAMP)
endif

# Always run: the script compares a hash of its inputs (which overlays, their
# ruleset files and vpnd.conf) with the stamp and only rewrites the stamp,
# and so rebuilds the root filesystem, when they changed.
$(FIREWALL_STAMP): firewall-always | $(DEPS_OK)
	$(Q)mkdir -p $(@D) && scripts/firewall/check-ruleset.sh $@ overlays/default $(OVERLAY)

.PHONY: firewall-check firewall-always
firewall-always:
firewall-check: $(FIREWALL_STAMP)
