#!/bin/sh
# run_long.sh - many fault rounds (test_faults.py; CI runs 9 via
# `ctest -L faults`). A failure prints its seed: FAULT_SEED=S replays the
# same choices (the timing differs).
#
#   tests/faults/run_long.sh [ROUNDS] [SEED]     (defaults 200, time-based)
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
export FIXIT_SRC="$src"
export FIXITD="${FIXITD:-$src/build/fixitd}"
export FIXIT_FAULTSHIM="${FIXIT_FAULTSHIM:-$src/build/tests/faults/libfaultshim.so}"
export FAULT_ROUNDS="${1:-200}"
[ $# -gt 1 ] && export FAULT_SEED="$2"
exec python3 "$src/tests/faults/test_faults.py"
