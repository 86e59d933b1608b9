/*
 * test_common_util.c - fx_secret_env_scrub: a secret's environment
 * variable gone from the environment and its bytes wiped where they lay
 * (the initial stack, for one passed to the program: /proc/PID/environ).
 */
#include <stdlib.h>
#include <string.h>

#include "fxutil.h"
#include "testhelp.h"
#include "banned.h"

int
main(void)
{
	const size_t len = sizeof("FIXIT_TEST_SECRET=s3cr3t-value") - 1;
	const char *entry;
	size_t i;
	int zero = 1;

	TEST("the entry unlinked and every byte of it wiped") {
		/* glibc keeps setenv's "NAME=value" allocated after unsetenv */
		CHECK_INT(setenv("FIXIT_TEST_SECRET", "s3cr3t-value", 1), 0);
		CHECK_STR(getenv("FIXIT_TEST_SECRET"), "s3cr3t-value");
		entry =
		    getenv("FIXIT_TEST_SECRET") - sizeof("FIXIT_TEST_SECRET");
		CHECK(strncmp(entry, "FIXIT_TEST_SECRET=", 18) == 0);
		setenv("FIXIT_TEST_OTHER", "kept", 1);
		fx_secret_env_scrub("FIXIT_TEST_SECRET");
		CHECK(getenv("FIXIT_TEST_SECRET") == NULL);
		for (i = 0; i < len; i++)
			zero &= entry[i] == '\0';
		CHECK(zero);
		CHECK_STR(getenv("FIXIT_TEST_OTHER"), "kept");
	}
	TEST("a prefix of another name is not it; absent is a no-op") {
		setenv("FIXIT_TEST_SECRET_NOT", "kept", 1);
		fx_secret_env_scrub("FIXIT_TEST_SECRET");
		CHECK_STR(getenv("FIXIT_TEST_SECRET_NOT"), "kept");
		fx_secret_env_scrub("FIXIT_TEST_NEVER_SET");
	}
	return TEST_REPORT();
}
