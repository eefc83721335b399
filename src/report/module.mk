# src/report: roadbox-report, the daily connection report by e-mail (issue 7,
# docs/report.md).
REPORT_CORE_SRCS := src/report/strbuf.c src/report/event.c src/report/agg.c \
                    src/report/report.c src/report/text.c src/report/html.c \
                    src/report/mime.c src/report/conf.c src/report/log.c \
                    src/report/logread.c src/report/spool.c

PROGS += roadbox-report
roadbox-report_SRCS := $(REPORT_CORE_SRCS) src/report/main.c
roadbox-report_INSTALL := /usr/sbin/roadbox-report

UNIT_TESTS += report_unit
report_unit_SRCS := $(wildcard tests/unit/report/*.c) $(REPORT_CORE_SRCS)

# The fuzzer runs every line of its input through the parser, the
# aggregation and all three renderings.
FUZZERS += report_fuzz
report_fuzz_SRCS := tests/unit/report/fuzz/report_fuzz.c $(REPORT_CORE_SRCS)

# The SMTP client (with its libraries: gnutls, gsasl, ...). It is only ever
# given an explicit trust file; the default one is Debian's CA bundle, so a
# relay with a public certificate works without a site CA (report.conf
# tls_ca_file names a site's own CA instead).
# msmtp needs no file loaded at run time besides its libraries (checked with
# strace in a chroot of exactly these files): GnuTLS only looks for the
# optional /etc/gnutls/config, and the trust file is always named.
ROOTFS_HELPERS += /usr/bin/msmtp
REPORT_CA_BUNDLE := /etc/ssl/certs/ca-certificates.crt
ROOTFS_FILES += $(REPORT_CA_BUNDLE):$(REPORT_CA_BUNDLE)
# On a fresh host the bundle appears when deps.sh installs ca-certificates.
$(REPORT_CA_BUNDLE): | $(DEPS_OK)
	@test -f $@ || { echo "report: $@ missing (ca-certificates)" >&2; exit 1; }
