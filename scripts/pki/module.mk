# scripts/pki/module.mk - the PKI (docs/pki.md): the CA, client bundles and
# the encrypted CA tarball the image carries.
#
#   make ca SERVER_NAME=vpn.example.org [SERVER_IP=192.0.2.1] [KEY=rsa|ec]
#   make client NAME=alice      certificate + bundle in $(OUT)/clients/alice/
#   make bundle NAME=alice      a new bundle (new password) for a valid certificate
#   make revoke NAME=alice      revoke; the next `make` puts the new CRL in the ISO
#   make list-clients           who has a certificate, serial, expiry, revoked
#   make server-cert            re-issue the box's certificate (same CA)
#   make ca-tarball             only (re)pack $(CA_TARBALL)
# CA state: $(CA_DIR) (default ./ca, git-ignored, mode 0700).
# Plain `make` with no CA creates the embedded demo CA (passphrase "demo").

PKI_DIR            := scripts/pki
CA_TARBALL         ?= $(O)/ca/ca.tar.gpg
CA_INFO            := $(O)/ca/ca.info
KEY                ?= rsa
CA_KEY_ON_BOX      ?= yes
CA_PASSPHRASE_FILE ?=
SERVER_NAME        ?=
SERVER_IP          ?=
NAME               ?=

ifneq ($(strip $(CA_TARBALL)),)
ROOTFS_FILES += $(CA_TARBALL):/etc/roadbox/ca.tar.gpg
ROOTFS_FILES += $(CA_INFO):/etc/roadbox/ca.info
endif

PKI_TARGETS := ca server-cert client bundle revoke list-clients ca-tarball $(CA_TARBALL)
# Values reach the scripts through the environment, never through a shell
# command line: a NAME with quotes or metacharacters is refused by the
# script with a clear message instead of being interpreted.
$(PKI_TARGETS): export TOP := $(TOP)
$(PKI_TARGETS): export CA_DIR := $(abspath $(CA_DIR))
$(PKI_TARGETS): export OUT_CLIENTS := $(abspath $(OUT))/clients
$(PKI_TARGETS): export KEY := $(KEY)
$(PKI_TARGETS): export SERVER_NAME := $(value SERVER_NAME)
$(PKI_TARGETS): export SERVER_IP := $(value SERVER_IP)
$(PKI_TARGETS): export PKI_NAME := $(value NAME)
$(PKI_TARGETS): export CA_KEY_ON_BOX := $(CA_KEY_ON_BOX)
$(PKI_TARGETS): export CA_PASSPHRASE_FILE := $(if $(CA_PASSPHRASE_FILE),$(abspath $(CA_PASSPHRASE_FILE)))

.PHONY: ca server-cert client bundle revoke list-clients ca-tarball pki-always
ca: | $(DEPS_OK)
	$(Q)$(PKI_DIR)/ca.sh create
server-cert: | $(DEPS_OK)
	$(Q)$(PKI_DIR)/ca.sh server
client: | $(DEPS_OK)
	$(Q)$(PKI_DIR)/client.sh "$$PKI_NAME"
bundle: | $(DEPS_OK)
	$(Q)$(PKI_DIR)/bundle.sh "$$PKI_NAME"
revoke: | $(DEPS_OK)
	$(Q)$(PKI_DIR)/revoke.sh "$$PKI_NAME"
list-clients: | $(DEPS_OK)
	$(Q)$(PKI_DIR)/list.sh

ifneq ($(strip $(CA_TARBALL)),)
ca-tarball: $(CA_TARBALL)
# pack.sh runs on every build but rewrites the tarball (and ca.info) only
# when their content changes, so an unchanged CA does not rebuild the image.
$(CA_TARBALL): pki-always | $(DEPS_OK)
	$(Q)$(PKI_DIR)/pack.sh $(abspath $(CA_TARBALL)) $(abspath $(CA_INFO))
$(CA_INFO): $(CA_TARBALL)
	@:
else
ca-tarball:
	@echo "  CA        CA_TARBALL is empty: no CA tarball in the image"
endif
pki-always:
