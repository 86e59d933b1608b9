#!/bin/sh
# soak.sh - fixitd under a mixed load (ingest, clicks, EventBridge events,
# timer and event fixes against the fake AWS) for 10 minutes, RSS and open
# files sampled every 10 s and judged flat or not (a script, not in CTest;
# tests/faults/soak.py does the work).
#
#   tests/bench/soak.sh [MINUTES] [EVERY_SECONDS]      (defaults 10, 10)
#
# FIXITD picks the binary (default build/fixitd). Exit 1 when RSS or the
# open files grow after the warm-up.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
export FIXIT_SRC="$src"
export FIXITD="${FIXITD:-$src/build/fixitd}"
exec python3 "$src/tests/faults/soak.py" "${1:-10}" "${2:-10}"
