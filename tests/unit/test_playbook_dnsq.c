/*
 * test_playbook_dnsq.c - the NS question of route53-ns-only's public
 * delegation check: the packet, hostile answers, the resolver's address,
 * and the time bound against local sockets (no network).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fxtime.h"
#include "testhelp.h"

#include "../../remediation/playbooks/pb_dnsq.c"

#define ID 0x1234

/* an answer: header (flags, qd=1, an), the question for name, then rest */
static size_t
answer(unsigned char *p, unsigned flags, unsigned an, const char *name,
    const unsigned char *rest, size_t nrest)
{
	size_t len = 0;

	if (dnsq_build(name, ID, p, 512, &len) != FX_OK)
		return 0;
	p[2] = (unsigned char)(flags >> 8);
	p[3] = (unsigned char)flags;
	p[7] = (unsigned char)an;
	if (nrest > 0)
		memcpy(p + len, rest, nrest);
	return len + nrest;
}

/* NS record, owner a pointer to the question (12), target "ns1.x." */
static const unsigned char ns_rr[] = { 0xc0, 0x0c, 0, 2, 0, 1, 0, 0, 1, 0, 0, 7,
	3, 'n', 's', '1', 1, 'x', 0 };

static enum dnsq_verdict
verdict(const unsigned char *p, size_t n, struct dnsq_result *r)
{
	if (dnsq_parse(p, n, ID, "sub.example.com.", r) != FX_OK)
		return (enum dnsq_verdict) - 1; /* ignored */
	return r->verdict;
}

static void
test_packets(void)
{
	unsigned char p[1024], rest[600];
	struct dnsq_result r;
	size_t n, len, i;

	TEST("the question: RD, one NS IN question, labels") {
		CHECK_INT(dnsq_build("Sub.example.com.", 7, p, sizeof(p), &len),
		    FX_OK);
		CHECK_INT(len, 12 + 17 + 4);
		CHECK(p[1] == 7 && p[2] == 1 && p[5] == 1 && p[12] == 3);
		CHECK(memcmp(p + 12, "\3Sub\7example\3com\0\0\2\0\1", 21) == 0);
		CHECK_INT(dnsq_build("a..b", 7, p, sizeof(p), &len), FX_EINVAL);
		CHECK_INT(dnsq_build(".", 7, p, sizeof(p), &len), FX_EINVAL);
		CHECK_INT(dnsq_build("a\\046b.c", 7, p, sizeof(p), &len),
		    FX_EINVAL);
		memset(rest, 'a', 64);
		rest[64] = '\0';
		CHECK_INT(dnsq_build((char *)rest, 7, p, sizeof(p), &len),
		    FX_EINVAL);
	}
	TEST("answers: NS, NXDOMAIN, NODATA, errors") {
		n = answer(p, 0x8180, 1, "sub.example.com", ns_rr,
		    sizeof(ns_rr));
		CHECK_INT(verdict(p, n, &r), DNSQ_NS);
		CHECK_INT(r.nns, 1);
		CHECK_STR(r.ns[0], "ns1.x.");
		n = answer(p, 0x8183, 0, "sub.example.com", NULL, 0);
		CHECK_INT(verdict(p, n, &r), DNSQ_NONE);
		n = answer(p, 0x8180, 0, "SUB.example.com.", NULL, 0);
		CHECK_INT(verdict(p, n, &r), DNSQ_NONE);
		n = answer(p, 0x8182, 0, "sub.example.com", NULL, 0);
		CHECK_INT(verdict(p, n, &r), DNSQ_UNKNOWN);
		CHECK_STR(r.why, "SERVFAIL");
		n = answer(p, 0x8185, 0, "sub.example.com", NULL, 0);
		CHECK_INT(verdict(p, n, &r), DNSQ_UNKNOWN);
		CHECK_STR(r.why, "REFUSED");
		n = answer(p, 0x8380, 0, "sub.example.com", NULL, 0);
		CHECK_INT(verdict(p, n, &r), DNSQ_UNKNOWN); /* truncated */
	}
	TEST("not our answer: ignored") {
		n = answer(p, 0x8180, 1, "sub.example.com", ns_rr,
		    sizeof(ns_rr));
		CHECK_INT(dnsq_parse(p, n, ID + 1, "sub.example.com", &r),
		    FX_EINVAL);
		CHECK_INT(dnsq_parse(p, n, ID, "other.example.com", &r),
		    FX_EINVAL);
		CHECK_INT(dnsq_parse(p, 11, ID, "sub.example.com", &r),
		    FX_EINVAL);
		p[2] &= 0x7f; /* a query, not an answer */
		CHECK_INT(dnsq_parse(p, n, ID, "sub.example.com", &r),
		    FX_EINVAL);
	}
	TEST("hostile answers: loops, overruns, odd labels -> UNKNOWN") {
		static const unsigned char loop[] = { 0xc0, 0x0c, 0, 2, 0, 1, 0,
			0, 1, 0, 0, 2, 0xc0, 0x2d };
		static const unsigned char self[] = { 0xc0, 0x0c, 0, 2, 0, 1, 0,
			0, 1, 0, 0, 2, 0xc0, 0xff };
		static const unsigned char over[] = { 0xc0, 0x0c, 0, 2, 0, 1, 0,
			0, 1, 0, 0, 40, 3, 'n', 's' };
		static const unsigned char dot[] = { 0xc0, 0x0c, 0, 2, 0, 1, 0,
			0, 1, 0, 0, 5, 3, 'a', '.', 'b', 0 };
		static const unsigned char cname[] = { 0xc0, 0x0c, 0, 5, 0, 1,
			0, 0, 1, 0, 0, 2, 0xc0, 0x0c };

		n = answer(p, 0x8180, 1, "sub.example.com", loop, sizeof(loop));
		CHECK_INT(verdict(p, n, &r), DNSQ_UNKNOWN);
		n = answer(p, 0x8180, 1, "sub.example.com", self, sizeof(self));
		CHECK_INT(verdict(p, n, &r), DNSQ_UNKNOWN);
		n = answer(p, 0x8180, 1, "sub.example.com", over, sizeof(over));
		CHECK_INT(verdict(p, n, &r), DNSQ_UNKNOWN);
		n = answer(p, 0x8180, 1, "sub.example.com", dot, sizeof(dot));
		CHECK_INT(verdict(p, n, &r), DNSQ_UNKNOWN);
		n = answer(p, 0x8180, 9, "sub.example.com", ns_rr,
		    sizeof(ns_rr));
		CHECK_INT(verdict(p, n, &r), DNSQ_UNKNOWN); /* 9 claimed */
		n = answer(p, 0x8180, 1, "sub.example.com", cname,
		    sizeof(cname));
		CHECK_INT(verdict(p, n, &r), DNSQ_UNKNOWN);
		CHECK_STR(r.why, "an alias (CNAME)");
		for (i = 0; i < 30; i++)
			memcpy(rest + i * sizeof(ns_rr), ns_rr, sizeof(ns_rr));
		n = answer(p, 0x8180, 30, "sub.example.com", rest,
		    30 * sizeof(ns_rr));
		CHECK_INT(verdict(p, n, &r), DNSQ_NS);
		CHECK_INT(r.nns, DNSQ_MAX_NS);
	}
}

static void
test_resolver(void)
{
	char path[] = "/tmp/fixit-test-dnsq-XXXXXX";
	struct dnsq_server s;
	FILE *f;
	int fd;

	TEST("resolver specs: numeric only") {
		CHECK_INT(dnsq_resolver("127.0.0.1:5353", &s), FX_OK);
		CHECK_STR(s.text, "127.0.0.1:5353");
		CHECK_INT(dnsq_resolver("[::1]:53", &s), FX_OK);
		CHECK_STR(s.text, "[::1]:53");
		CHECK_INT(dnsq_resolver("::1", &s), FX_OK);
		CHECK_STR(s.text, "[::1]:53");
		CHECK_INT(dnsq_resolver("10.0.0.2", &s), FX_OK);
		CHECK_STR(s.text, "10.0.0.2:53");
		CHECK_INT(dnsq_resolver("dns.example:53", &s), FX_EINVAL);
		CHECK_INT(dnsq_resolver("127.0.0.1:0", &s), FX_EINVAL);
		CHECK_INT(dnsq_resolver("127.0.0.1:x", &s), FX_EINVAL);
		CHECK_INT(dnsq_resolver("[::1", &s), FX_EINVAL);
		setenv("FIXIT_DNS_RESOLVER", "127.0.0.2:99", 1);
		CHECK_INT(dnsq_resolver(NULL, &s), FX_OK);
		CHECK_STR(s.text, "127.0.0.2:99");
		unsetenv("FIXIT_DNS_RESOLVER");
	}
	TEST("resolv.conf: the first nameserver that parses") {
		fd = mkstemp(path);
		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		CHECK(f != NULL);
		if (f != NULL) {
			fputs(
			    "# x\nsearch a\nnameserver name.example\n"
			    "nameserver fe80::1%eth0\nnameserver 192.0.2.53\n",
			    f);
			fclose(f);
		}
		CHECK_INT(resolv_conf(path, &s), FX_OK);
		CHECK_STR(s.text, "[fe80::1]:53");
		CHECK_INT(resolv_conf("/nonexistent/resolv.conf", &s),
		    FX_ENOTFOUND);
		unlink(path);
	}
}

static void
test_bounded(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct dnsq_server s;
	struct dnsq_result r;
	int64_t t0;
	int fd;

	TEST("a resolver that never answers: UNKNOWN within the time") {
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
		CHECK(getsockname(fd, (struct sockaddr *)&a, &alen) == 0);
		memset(&s, 0, sizeof(s));
		memcpy(&s.sa, &a, sizeof(a));
		s.len = sizeof(a);
		t0 = fx_mono_ms();
		CHECK_INT(dnsq_ns(&s, "sub.example.com", 300, &r), FX_OK);
		CHECK(fx_mono_ms() - t0 < 1000);
		CHECK_INT(r.verdict, DNSQ_UNKNOWN);
		CHECK_STR(r.why, "no answer within 300 ms");
		close(fd);
		/* now nobody listens there: refused at once */
		t0 = fx_mono_ms();
		CHECK_INT(dnsq_ns(&s, "sub.example.com", 5000, &r), FX_OK);
		CHECK_INT(r.verdict, DNSQ_UNKNOWN);
		CHECK(fx_mono_ms() - t0 < 4000);
	}
}

int
main(void)
{
	test_packets();
	test_resolver();
	test_bounded();
	return TEST_REPORT();
}
