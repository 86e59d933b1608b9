/*
 * test_common_log.c - log lines show input as it is: control characters
 * (C0, DEL, C1) and bytes that are not UTF-8 as \xNN, one line a call;
 * and the UTF-8 helpers of fxutil.h the escaping rests on.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fxlog.h"
#include "fxutil.h"
#include "testhelp.h"
#include "banned.h"

static int pipefd[2];

/* the message part of the one line log_info(fmt, s) writes */
static const char *
logged(const char *s)
{
	static char got[8192];
	const char *msg;
	ssize_t n;

	log_info("%s", s);
	n = read(pipefd[0], got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	/* one line, ending in its only newline */
	CHECK(n > 0 && got[n - 1] == '\n' && strchr(got, '\n') == got + n - 1);
	if (n > 0)
		got[n - 1] = '\0';
	msg = strstr(got, " info ");
	return msg ? msg + 6 : got;
}

int
main(void)
{
	char big[3000], scrub[] = "a\xff"
				  "b\xc3";
	const char *got;

	if (pipe(pipefd) != 0) {
		perror("pipe");
		return 2;
	}
	log_init(LOG_LVL_INFO, pipefd[1]);

	TEST("plain text and UTF-8 are written as they are") {
		CHECK_STR(logged("owner U0ABC clicked fix now"),
		    "owner U0ABC clicked fix now");
		CHECK_STR(logged("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
		    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
		CHECK_STR(logged("a \\ backslash"), "a \\ backslash");
	}
	TEST("newlines cannot forge a line") {
		CHECK_STR(logged("x\nfake error line\r\n"),
		    "x\\x0afake error line\\x0d\\x0a");
	}
	TEST("terminal escape codes and other C0 controls") {
		CHECK_STR(logged("\x1b[31mred\x1b[0m\x1b]0;title\x07"),
		    "\\x1b[31mred\\x1b[0m\\x1b]0;title\\x07");
		CHECK_STR(logged("tab\there\x7f\x01"),
		    "tab\\x09here\\x7f\\x01");
	}
	TEST("C1 controls (CSI as U+009B) are escaped byte by byte") {
		CHECK_STR(logged("a\xc2\x9b"
				 "31mb\xc2\x85"),
		    "a\\xc2\\x9b31mb\\xc2\\x85");
		/* U+00A0 is no control */
		CHECK_STR(logged("\xc2\xa0"), "\xc2\xa0");
	}
	TEST("bytes that are not UTF-8") {
		CHECK_STR(logged("\xff\xfe"), "\\xff\\xfe");
		CHECK_STR(logged("cut \xe2\x82"), "cut \\xe2\\x82");
		CHECK_STR(logged("overlong \xc0\xaf"), "overlong \\xc0\\xaf");
		CHECK_STR(logged("surrogate \xed\xa0\x80"),
		    "surrogate \\xed\\xa0\\x80");
		CHECK_STR(logged("past \xf4\x90\x80\x80"),
		    "past \\xf4\\x90\\x80\\x80");
	}
	TEST("a long message of escapes is cut, still one line") {
		memset(big, '\x1b', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		got = logged(big);
		CHECK(strlen(got) > 1000 && strlen(got) % 4 == 0);
		CHECK(strncmp(got, "\\x1b\\x1b", 8) == 0);
	}

	TEST("fx_utf8_len, fx_utf8_valid, fx_utf8_scrub") {
		CHECK_INT(fx_utf8_len("a", 1), 1);
		CHECK_INT(fx_utf8_len("", 0), 0);
		CHECK_INT(fx_utf8_len("\xc3\xa9", 2), 2);
		CHECK_INT(fx_utf8_len("\xc3\xa9", 1), 0);
		CHECK_INT(fx_utf8_len("\xe2\x82\xac", 3), 3);
		CHECK_INT(fx_utf8_len("\xf0\x9f\x98\x80", 4), 4);
		CHECK_INT(fx_utf8_len("\x80", 1), 0);
		CHECK_INT(fx_utf8_len("\xe0\x80\xaf", 3), 0);
		CHECK_INT(fx_utf8_len("\xed\xbf\xbf", 3), 0);
		CHECK_INT(fx_utf8_len("\xf4\x90\x80\x80", 4), 0);
		CHECK_INT(fx_utf8_len("\xf5\x80\x80\x80", 4), 0);
		CHECK(fx_utf8_valid("h\xc3\xa9llo", 6));
		CHECK(!fx_utf8_valid("h\xc3llo", 5));
		CHECK(fx_utf8_valid("", 0));
		fx_utf8_scrub(scrub, strlen(scrub));
		CHECK_STR(scrub, "a?b?");
	}

	close(pipefd[0]);
	close(pipefd[1]);
	return TEST_REPORT();
}
