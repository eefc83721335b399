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
ROOTFS_HELPERS += /usr/bin/msmtp
ROOTFS_FILES += /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt
