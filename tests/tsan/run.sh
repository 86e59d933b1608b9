#!/usr/bin/env bash
# tests/tsan/run.sh - fixitd under ThreadSanitizer, driven by the
# integration suite (every tests/integration/test_*.py, CTest's integ_*).
#
#   tests/tsan/run.sh [BUILD_DIR] [ctest args...]   (default build-tsan)
#
# Configures BUILD_DIR with -DFIXIT_SANITIZE=thread (gcc -fsanitize=thread),
# builds fixitd and runs `ctest -R ^integ_`. halt_on_error=1 makes the first
# report fatal: fixitd exits 66, and the harness also fails a test whose
# fixitd stderr holds "WARNING: ThreadSanitizer" (harness.SANITIZER_MARKS).
# The suppressions file (tsan.supp next to this script) is for third-party
# libraries only; each entry says why.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
dir=${1:-build-tsan}
[ $# -gt 0 ] && shift
case $dir in /*) ;; *) dir=$src/$dir ;; esac

t0=$(date +%s)
cmake -S "$src" -B "$dir" -DFIXIT_SANITIZE=thread -DFIXIT_WERROR=ON \
	-DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$dir" -j"$(nproc)" --target fixitd
t1=$(date +%s)
# second_deadlock_stack: both stacks of a lock-order report;
# history_size: longer memory of old accesses for the second stack of a race
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 history_size=4 suppressions=$here/tsan.supp${TSAN_EXTRA:+ $TSAN_EXTRA}"
cd "$dir"
set +e
ctest --output-on-failure -j2 -R '^integ_' "$@"
rc=$?
set -e
t2=$(date +%s)
echo "tsan/run.sh: build $((t1 - t0)) s, integration suite $((t2 - t1)) s, ctest exit $rc"
exit $rc
