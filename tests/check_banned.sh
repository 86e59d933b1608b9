#!/bin/sh
# Fails when a banned function (common/banned.h) is called anywhere in C code.
top=${1:-.}
hits=$(grep -rnE '\b(strcpy|strcat|strncpy|sprintf|vsprintf|strtok|gmtime|localtime|atoi)[[:space:]]*\(' \
	--include='*.c' "$top/common" "$top/db" "$top/slack" "$top/remediation" \
	"$top/server" "$top/aws" "$top/events" "$top/tests" 2>/dev/null | grep -v 'common/banned.h')
if [ -n "$hits" ]; then
	echo "banned functions used:"
	echo "$hits"
	exit 1
fi
echo "check_banned: 1 passed, 0 failed"
