/* init.conf parsing: the shipped default, good files, and bad files that
 * must be refused with "file:line: reason". */
#include "../../../src/init/conf.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static char err[512];

static int parse(struct conf *c, const char *text)
{
	conf_defaults(c);
	return conf_parse(c, text, strlen(text), "init.conf", err, sizeof(err));
}

/* A bad file: refused, and the message names the line and says why. */
static void bad(const char *text, int line, const char *why_part, const char *what)
{
	struct conf c;
	char loc[32];
	int rc = parse(&c, text);

	snprintf(loc, sizeof(loc), "init.conf:%d: ", line);
	CHECK(rc == -1 && strncmp(err, loc, strlen(loc)) == 0 && strstr(err, why_part),
	      "refuses %s (got \"%s\")", what, err);
}

static void test_defaults(void)
{
	struct conf c;

	CHECK(parse(&c, "") == 0 && c.n_ifaces == 0 && c.hostname[0] == '\0' &&
	      c.syslog_size_kb == 2048 && c.syslog_rotate == 8 && c.link_wait == 5 &&
	      strcmp(c.tmpfs_var, "64m") == 0, "empty file gives the defaults");
	CHECK(parse(&c, "# only a comment\n\n   \t\n# another\n") == 0 && c.n_ifaces == 0,
	      "comments and blank lines are ignored");
}

static void test_shipped(void)
{
	const char *top = getenv("ROADBOX_TOP");
	char path[512];
	struct conf c;

	snprintf(path, sizeof(path), "%s/overlays/default/etc/roadbox/init.conf", top ? top : ".");
	conf_defaults(&c);
	CHECK(conf_load(&c, path, err, sizeof(err)) == 0, "the shipped default init.conf parses (%s)", err);
	conf_defaults(&c);
	CHECK(conf_load(&c, "/nonexistent/init.conf", err, sizeof(err)) == -1 &&
	      strstr(err, "/nonexistent/init.conf") && strstr(err, "cannot open"),
	      "a missing file is an error naming the file");
}

static void test_good(void)
{
	struct conf c;
	const char *full =
		"hostname vpn.example.org   # the box\n"
		"link_wait 10\n"
		"dhcp_tries 5\n"
		"interface eth0 static 192.0.2.10/24 gateway 192.0.2.1\n"
		"interface eth1 dhcp\n"
		"interface eth2 static 2001:db8::5/64 gateway 2001:db8::1\n"
		"interface eth3 static 10.0.0.1/8\n"
		"dns 192.0.2.53\n"
		"dns 2001:db8::53\n"
		"syslog_size_kb 512\r\n"
		"syslog_rotate 3\n"
		"syslog_remote loghost.example.org:5514\n"
		"tmpfs_var 32m\n"
		"tmpfs_tmp 8192k\n"
		"tmpfs_run 1G\n"
		"tmpfs_root 512k\n"
		"service socat-relay /usr/bin/sleep 1000\n"
		"\tservice  watchdog   /bin/sh -c true\n"
		"dns 192.0.2.54";   /* last line without newline */

	CHECK(parse(&c, full) == 0, "a file using every setting parses (%s)", err);
	CHECK(strcmp(c.hostname, "vpn.example.org") == 0, "hostname is kept");
	CHECK(c.link_wait == 10 && c.dhcp_tries == 5, "link_wait and dhcp_tries are read");
	CHECK(c.n_ifaces == 4 && c.ifaces[0].mode == IFACE_STATIC &&
	      strcmp(c.ifaces[0].name, "eth0") == 0 && strcmp(c.ifaces[0].addr, "192.0.2.10/24") == 0 &&
	      strcmp(c.ifaces[0].gateway, "192.0.2.1") == 0 && c.ifaces[0].line == 4,
	      "static interface with gateway");
	CHECK(c.ifaces[1].mode == IFACE_DHCP && strcmp(c.ifaces[1].name, "eth1") == 0,
	      "dhcp interface");
	CHECK(strcmp(c.ifaces[2].addr, "2001:db8::5/64") == 0 &&
	      strcmp(c.ifaces[2].gateway, "2001:db8::1") == 0, "IPv6 static address");
	CHECK(c.ifaces[3].gateway[0] == '\0', "static interface without gateway");
	CHECK(c.n_dns == 3 && strcmp(c.dns[2], "192.0.2.54") == 0,
	      "three dns servers, last line without newline");
	CHECK(c.syslog_size_kb == 512 && c.syslog_rotate == 3 &&
	      strcmp(c.syslog_remote, "loghost.example.org:5514") == 0, "syslog settings (CRLF line)");
	CHECK(strcmp(c.tmpfs_var, "32m") == 0 && strcmp(c.tmpfs_tmp, "8192k") == 0 &&
	      strcmp(c.tmpfs_run, "1G") == 0 && strcmp(c.tmpfs_root, "512k") == 0, "tmpfs sizes");
	CHECK(c.n_svcs == 2 && strcmp(c.svcs[0].name, "socat-relay") == 0 && c.svcs[0].argc == 2 &&
	      strcmp(c.svcs[0].argv[0], "/usr/bin/sleep") == 0 &&
	      strcmp(c.svcs[0].argv[1], "1000") == 0 && c.svcs[0].argv[2] == NULL,
	      "extra service with arguments");
	CHECK(c.svcs[1].argc == 3 && strcmp(c.svcs[1].argv[2], "true") == 0,
	      "leading blanks and repeated blanks between words");
	CHECK(parse(&c, "syslog_remote 192.0.2.5\n") == 0 && strcmp(c.syslog_remote, "192.0.2.5") == 0,
	      "syslog_remote without a port");
}

static void test_bad(void)
{
	char longline[700], many[600];

	bad("hostname roadbox\nfrobnicate 1\n", 2, "unknown setting 'frobnicate'", "an unknown key");
	bad("hostname\n", 1, "missing value", "a key without value");
	bad("hostname a b\n", 1, "too many values", "a key with two values");
	bad("hostname -bad\n", 1, "not a valid host name", "a host name starting with '-'");
	bad("hostname a..b\n", 1, "not a valid host name", "a host name with an empty label");
	bad("hostname a_b\n", 1, "not a valid host name", "a host name with '_'");
	bad("hostname a\nhostname b\n", 2, "given twice (first at line 1)", "a repeated hostname");
	bad("link_wait -1\n", 1, "not a number", "a negative number");
	bad("link_wait 5s\n", 1, "not a number from 0 to 120", "a number with a unit");
	bad("link_wait 121\n", 1, "from 0 to 120", "a number out of range");
	bad("link_wait 99999999999999999999999\n", 1, "from 0 to 120", "a huge number");
	bad("dhcp_tries 0\n", 1, "from 1 to 20", "zero DHCP tries");
	bad("interface eth0\n", 1, "expected 'interface NAME dhcp'", "an interface without mode");
	bad("interface eth0 ppp\n", 1, "mode must be 'dhcp' or 'static'", "an unknown mode");
	bad("interface eth0 dhcp extra\n", 1, "unexpected 'extra'", "words after dhcp");
	bad("interface eth0 static\n", 1, "missing ADDR/PREFIX", "static without address");
	bad("interface eth0 static 192.0.2.10\n", 1, "needs a prefix length", "an address without prefix");
	bad("interface eth0 static 192.0.2.300/24\n", 1, "not an IPv4 or IPv6 address", "a bad IPv4 address");
	bad("interface eth0 static 192.0.2.1/33\n", 1, "from 0 to 32", "an IPv4 prefix over 32");
	bad("interface eth0 static 2001:db8::1/129\n", 1, "from 0 to 128", "an IPv6 prefix over 128");
	bad("interface eth0 static 192.0.2.1/\n", 1, "not a number", "an empty prefix");
	bad("interface eth0 static 192.0.2.1/24 gateway\n", 1, "expected 'gateway GW'", "gateway without address");
	bad("interface eth0 static 192.0.2.1/24 via 192.0.2.2\n", 1, "expected 'gateway GW'", "a misspelt gateway");
	bad("interface eth0 static 192.0.2.1/24 gateway router\n", 1, "is not an IP address", "a gateway name");
	bad("interface eth0/1 dhcp\n", 1, "bad interface name", "an interface name with '/'");
	bad("interface averyveryverylongname dhcp\n", 1, "bad interface name", "an interface name over 15 chars");
	bad("interface eth0 dhcp\n\ninterface eth0 dhcp\n", 3, "given twice (first at line 1)", "a repeated interface");
	bad("interface e0 dhcp\ninterface e1 dhcp\ninterface e2 dhcp\ninterface e3 dhcp\n"
	    "interface e4 dhcp\ninterface e5 dhcp\ninterface e6 dhcp\ninterface e7 dhcp\n"
	    "interface e8 dhcp\n", 9, "more than 8 interfaces", "a ninth interface");
	bad("dns 1.1.1\n", 1, "not an IP address", "a bad dns server");
	bad("dns 192.0.2.1\ndns 192.0.2.2\ndns 192.0.2.3\ndns 192.0.2.4\n", 4, "more than 3", "a fourth dns server");
	bad("syslog_size_kb 8\n", 1, "from 16 to", "a tiny log size");
	bad("syslog_rotate 100\n", 1, "from 0 to 99", "too many rotations");
	bad("syslog_remote :514\n", 1, "bad host", "a remote without host");
	bad("syslog_remote loghost:0\n", 1, "from 1 to 65535", "remote port 0");
	bad("syslog_remote loghost:70000\n", 1, "from 1 to 65535", "remote port over 65535");
	bad("syslog_remote log;host\n", 1, "not a host name", "a remote with odd characters");
	bad("tmpfs_var 64x\n", 1, "not a size", "a size with a bad suffix");
	bad("tmpfs_var m\n", 1, "not a size", "a size without digits");
	bad("tmpfs_var 0\n", 1, "not a size", "a zero size");
	bad("tmpfs_var 64m,uid=0\n", 1, "not a size", "a size smuggling mount options");
	bad("service vpnd /bin/true\n", 1, "built-in service", "redefining vpnd");
	bad("service getty-x /bin/true\n", 1, "init's own", "a getty- service name");
	bad("service Foo /bin/true\n", 1, "bad name", "a service name with capitals");
	bad("service foo bin/true\n", 1, "absolute path", "a relative service program");
	bad("service foo\n", 1, "expected 'service NAME", "a service without program");
	bad("service a /x\nservice a /y\n", 2, "given twice", "a repeated service");
	bad("service a /x 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", 1, "more than 16 words", "a service with 17 words");
	bad("hostname ok\nhostname\x01 x\n", 2, "control character", "a control character");
	{
		struct conf c;
		conf_defaults(&c);
		CHECK(conf_parse(&c, "hostname a\nb\0c\n", 15, "init.conf", err, sizeof(err)) == -1 &&
		      strstr(err, "init.conf:2: NUL byte"), "refuses a NUL byte (got \"%s\")", err);
	}

	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	bad(longline, 1, "line longer than", "a line over 511 bytes");
	strcpy(many, "service x /bin/true");
	for (int i = 0; i < 30; i++)
		strcat(many, " a");
	bad(many, 1, "too many words", "a line with too many words");
}

void test_conf(void)
{
	test_defaults();
	test_shipped();
	test_good();
	test_bad();
}
