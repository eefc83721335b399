# vpnd: the IKEv2 responder (issue 4).  See docs/vpnd.md.
VPND_CORE := src/vpnd/buf.c src/vpnd/log.c src/vpnd/ike_msg.c src/vpnd/ike_crypto.c \
             src/vpnd/dh.c src/vpnd/proposal.c src/vpnd/auth.c src/vpnd/cfg_payload.c \
             src/vpnd/ts.c src/vpnd/pool.c src/vpnd/config.c
VPND_DAEMON := src/vpnd/sa.c src/vpnd/sa_table.c src/vpnd/child.c src/vpnd/rekey.c src/vpnd/lifetime.c src/vpnd/net.c src/vpnd/ctl.c src/vpnd/nl.c src/vpnd/xfrm.c \
               src/vpnd/privdrop.c

PROGS += vpnd
vpnd_SRCS := $(VPND_CORE) $(VPND_DAEMON) src/vpnd/main.c
vpnd_LDLIBS := -lcrypto -lpthread -ldl
vpnd_INSTALL := /usr/sbin/vpnd

UNIT_TESTS += vpnd_unit
vpnd_unit_SRCS := $(wildcard tests/unit/vpnd/*.c) $(VPND_CORE) $(VPND_DAEMON)
vpnd_unit_LDLIBS := -lcrypto

FUZZERS += ike_fuzz
ike_fuzz_SRCS := tests/unit/vpnd/fuzz/ike_fuzz.c src/vpnd/buf.c src/vpnd/log.c src/vpnd/ike_msg.c \
                 src/vpnd/proposal.c src/vpnd/cfg_payload.c
ike_fuzz_LDLIBS := -lcrypto

# The request handlers behind the encryption, on a synthetic IKE SA.
FUZZERS += ike_sa_fuzz
ike_sa_fuzz_SRCS := tests/unit/vpnd/fuzz/ike_sa_fuzz.c $(VPND_CORE) $(VPND_DAEMON)
ike_sa_fuzz_LDLIBS := -lcrypto
