#!/bin/sh
# Fails when the project reaches outside its own tree for test data: a
# fresh clone has only itself, so every file a test reads is under
# tests/data/ (see tests/data/README.md). Looks for the sibling folder
# the reference data once came from, and its environment variable.
top=${1:-.}
up='\.\.'/shared
var=FIXIT_'SHARED'
hits=$(grep -rnE "$up|$var" "$top/tests" "$top/CMakeLists.txt" "$top/cmake" \
	"$top/fixit.sh" "$top/.ci" "$top/common" "$top/db" "$top/slack" \
	"$top/aws" "$top/events" "$top/remediation" "$top/server" \
	"$top/deploy" 2>/dev/null | grep -v '/check_self_contained.sh:')
if [ -n "$hits" ]; then
	echo "these name data outside the repository (copy it into tests/data):"
	echo "$hits"
	echo "check_self_contained: 0 passed, 1 failed"
	exit 1
fi
missing=0
for f in sigv4/LICENSE sigv4/NOTICE sigv4/README.md responses/README.md \
    events/README.md slack/README.md sigv4-service-vectors/README.md; do
	[ -f "$top/tests/data/$f" ] || { echo "missing tests/data/$f"; missing=1; }
done
if [ $missing -ne 0 ]; then
	echo "check_self_contained: 0 passed, 1 failed"
	exit 1
fi
echo "check_self_contained: 1 passed, 0 failed"
