# The IKE handshake benchmark (issue 4, "Benchmark"): a host-built IKEv2
# initiator from vpnd's own modules, and bench/ike/run, which measures vpnd
# and strongSwan's charon side by side.  Not part of `make check`.
# vpnd's modules are named here, not via VPND_CORE: this fragment may be
# read before src/vpnd/module.mk.
BENCH_IKE_SRCS := bench/ike/load.c bench/ike/initiator.c \
	$(addprefix src/vpnd/,buf.c log.c ike_msg.c ike_crypto.c dh.c proposal.c auth.c config.c)

$(O)/bench/ike-load: $(BENCH_IKE_SRCS) bench/ike/initiator.h
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -MMD -MP,$(BASE_CFLAGS)) -O2 -o $@ $(BENCH_IKE_SRCS) -lcrypto

.PHONY: bench-ike
bench-ike: $(O)/bench/ike-load $(O)/bin/vpnd
	O=$(abspath $(O)) bench/ike/run

# vpnd's CPU per answered spoofed IKE_SA_INIT, with and without thousands
# of half-open IKE SAs held (bench/vpnd_flood; host netns, vpnd -n).
.PHONY: bench-flood
bench-flood: $(O)/bin/vpnd
	O=$(abspath $(O)) bench/vpnd_flood
