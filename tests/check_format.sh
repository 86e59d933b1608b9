#!/bin/sh
# Fails when a C file is not as .clang-format (STYLE.md: KNF/git style)
# writes it. Fix with:  clang-format -i $(git ls-files '*.c' '*.h')
top=${1:-.}
if ! command -v clang-format >/dev/null 2>&1; then
	echo "check_format: clang-format is not installed (./fixit.sh deps)"
	echo "check_format: 0 passed, 1 failed"
	exit 1
fi
files=$(find "$top/common" "$top/db" "$top/aws" "$top/events" "$top/slack" \
	"$top/remediation" "$top/server" "$top/tests" \
	-name '*.[ch]' -not -path '*/build*' | sort)
bad=0
for f in $files; do
	if ! clang-format --style=file:"$top/.clang-format" --dry-run \
	    -Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: ${f#$top/}"
		bad=$((bad + 1))
	fi
done
if [ $bad -ne 0 ]; then
	echo "check_format: 0 passed, 1 failed ($bad files)"
	exit 1
fi
echo "check_format: 1 passed, 0 failed ($(echo "$files" | wc -l) files)"
