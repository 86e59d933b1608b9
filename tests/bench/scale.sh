#!/bin/bash
# scale.sh - fixitd with a million findings (issue 14; a benchmark, not a
# test; see README.md).
#
#   tests/bench/scale.sh [-n FINDINGS] [-r REPS] [-C CONNS] [--restarts K]
#                        [--load-secs S] [--reuse] [--cache DIR] [--keep]
#
# Without FIXITD, builds fixitd in release mode in $BUILD
# (/tmp/build-rel-scale) and uses it; then runs scale.py: ingest FINDINGS
# (1,000,000) through POST /v1/findings, time a write right after each of
# K restarts, every /fixit verb, /metrics, the listing API with each
# filter, and /healthz, signed clicks and /fixit help while two clients
# scrape /metrics; prints a markdown table with MISSED next to each missed
# target. Exit 0 when the run completed (missed targets included), 1 on
# an error, 2 on bad arguments. --reuse keeps the ingested database in
# the cache (~/.cache/fixit-scale) and starts from it next time.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${FIXIT_SRC:-$(cd "$here/../.." && pwd)}
build=${BUILD:-/tmp/build-rel-scale}

case ${1:-} in
-h|--help) sed -n '2,16p' "$0"; exit 0 ;;
esac

if [ -z "${FIXITD:-}" ]; then
	echo "scale.sh: building a release fixitd in $build"
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build "$build" --target fixitd -j2 >/dev/null
	FIXITD=$build/fixitd
fi
[ -x "$FIXITD" ] || { echo "scale.sh: no fixitd at $FIXITD" >&2; exit 2; }
export FIXITD

echo "scale.sh: $(uptime)"
echo "scale.sh: fixitd $FIXITD, commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)"
exec python3 "$here/scale.py" "$@"
