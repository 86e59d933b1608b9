#!/bin/bash
# bench.sh - signed Slack click throughput of fixitd (a benchmark, not a
# test; see README.md).
#
#   tests/bench/bench.sh [-n FINDINGS] [-d DURATION] [-c CONNECTIONS]
#                        [-t THREADS] [-T HTTP_THREADS] [-g clickload|wrk]
#                        [-R RATE] [--live] [--keep]
#
# Starts fixitd (Slack in console mode, its stdout to /dev/null; --live: a
# fake Slack Web API instead), ingests FINDINGS non-production findings,
# pre-signs one distinct "fixit_fix_now" click per finding, runs the load
# generator against POST /slack/actions (-g: clickload, the C one built
# next to fixitd, $CLICKLOAD to override, -t default 1; or wrk with
# clicks.lua, -t default 2), prints requests/s, latency p50/p99, non-2xx
# count, the generator's CPU time, fixitd's RSS and CPU per accepted click
# by thread (from /proc over the generator's run), and checks in SQLite that
# each accepted click made exactly one notified -> fixing transition.
# Closed loop by default (as fast as fixitd answers); -R (clickload only):
# RATE clicks/s offered, each click's latency timed from its due time.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${FIXIT_SRC:-$(cd "$here/../.." && pwd)}
fixitd=${FIXITD:-$src/build/fixitd}
n=200000 duration=10s conns=64 threads= http_threads=0 live=0 keep=0 rate=
gen=clickload
target=20000 target_p99=5

while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-d) duration=$2; shift 2 ;;
	-c) conns=$2; shift 2 ;;
	-t) threads=$2; shift 2 ;;
	-T) http_threads=$2; shift 2 ;;
	-g) gen=$2; shift 2 ;;
	-R) rate=$2; shift 2 ;;
	--live) live=1; shift ;;
	--keep) keep=1; shift ;;
	-h|--help) sed -n '2,19p' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

[ -x "$fixitd" ] || { echo "bench.sh: no fixitd at $fixitd (set FIXITD)" >&2; exit 2; }
case $gen in
wrk)
	[ -z "$rate" ] || { echo "bench.sh: -R needs -g clickload" >&2; exit 2; }
	command -v wrk >/dev/null || { echo "bench.sh: wrk not installed (apt-get install wrk)" >&2; exit 2; }
	threads=${threads:-2} ;;
clickload)
	# built next to fixitd (tests/bench/CMakeLists.txt), else in build/
	clickload=${CLICKLOAD:-$(dirname "$fixitd")/clickload}
	[ -n "${CLICKLOAD:-}" ] || [ -x "$clickload" ] || clickload=$src/build/clickload
	[ -x "$clickload" ] || { echo "bench.sh: no clickload at $clickload (build the clickload target or set CLICKLOAD)" >&2; exit 2; }
	threads=${threads:-1} ;;
*) echo "bench.sh: -g $gen: want clickload or wrk" >&2; exit 2 ;;
esac

tmp=$(mktemp -d /tmp/fixit-bench.XXXXXX)
pid= fakepid= drainpid=
cleanup() {
	set +e
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$fakepid" ] && kill "$fakepid" 2>/dev/null && wait "$fakepid" 2>/dev/null
	[ -n "$drainpid" ] && kill "$drainpid" 2>/dev/null
	if [ "$keep" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

prep() { python3 "$here/bench_prep.py" "$@"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }

export FIXIT_SLACK_SIGNING_SECRET=8f742231b10e8888abcd99yyyzzz85a5
export FIXIT_SLACK_BOT_TOKEN=xoxb-1234-5678-fixit-test
export FIXIT_INGEST_TOKENS=ingest-token-for-tests

if [ "$live" = 1 ]; then
	python3 "$here/bench_prep.py" fakeslack "$tmp/fake.url" & fakepid=$!
	for _ in $(seq 50); do [ -s "$tmp/fake.url" ] && break; sleep 0.1; done
	prep config "$tmp" --live "$(cat "$tmp/fake.url")" --http-threads "$http_threads"
else
	prep config "$tmp" --http-threads "$http_threads"
fi

# fixitd's stdout goes through a FIFO: read the ready line, then discard
# the rest (console mode prints every Slack call it would make).
mkfifo "$tmp/stdout"
"$fixitd" -c "$tmp/fixit.yaml" >"$tmp/stdout" 2>"$tmp/stderr" &
pid=$!
exec 3<"$tmp/stdout"
url=
while IFS= read -r -t 10 -u 3 line; do
	case $line in
	"fixitd: ready on "*) url=${line#fixitd: ready on }; break ;;
	esac
done
if [ -z "$url" ]; then
	echo "bench.sh: fixitd printed no ready line; stderr:" >&2
	tail -50 "$tmp/stderr" >&2
	exit 1
fi
cat <&3 >/dev/null & drainpid=$!
exec 3<&-
echo "fixitd $pid ready on $url (slack: $([ $live = 1 ] && echo live fake || echo console))"
rss_start=$(rss_kb)

prep ingest "$url" "$n" "$tmp/ids"
prep drain "$url" 300
sleep 1
rss_idle=$(rss_kb)
echo "fixitd RSS: ${rss_start} kB at start, ${rss_idle} kB idle with $n findings"

prep sign "$tmp/ids" "$tmp/reqs"
before=$(prep verify "$tmp/fixit.db")
# the signed requests are hundreds of MB of dirty page cache: write them
# out now, or the kernel's flusher does it during the run and fixitd's
# checkpoints wait behind it
sync

# the generator's CPU time: the growth of the user+sys time of the shell's
# reaped children ("times" runs in this shell: not in a $(...) subshell)
child_cpu() { awk 'NR == 2 { n = split($0, f, /[ms ]+/); s = 0
	for (i = 1; i + 1 <= n; i += 2) s += f[i] * 60 + f[i + 1]; print s }' "$1"; }
# fixitd's CPU time by thread name (utime + stime, in clock ticks; the
# fields after the last ")" of /proc/PID/task/TID/stat: a name may hold
# spaces)
thread_cpu() {
	local t comm rest
	for t in /proc/"$pid"/task/*; do
		comm=$(cat "$t/comm" 2>/dev/null) || continue
		rest=$(cat "$t/stat" 2>/dev/null) || continue
		rest=${rest##*) } # from stat field 3: utime, stime are $13, $14 below
		echo "${comm// /_}" $rest
	done | awk '{ cpu[$1] += $13 + $14 } END { for (c in cpu) print c, cpu[c] }'
}
thread_cpu >"$tmp/cpu0"
times >"$tmp/times0"
t0=$(date +%s.%N)
if [ "$gen" = wrk ]; then
	wrk -t"$threads" -c"$conns" -d"$duration" --latency --timeout 5s \
		-s "$here/clicks.lua" "$url" -- "$tmp/reqs" "$threads" | tee "$tmp/wrk.out"
else
	"$clickload" -t "$threads" -c "$conns" -d "$duration" --timeout 5s \
		${rate:+-R "$rate"} "$url" "$tmp/reqs" | tee "$tmp/wrk.out"
fi
t1=$(date +%s.%N)
times >"$tmp/times1"
thread_cpu >"$tmp/cpu1"
gen_cpu=$(awk -v a="$(child_cpu "$tmp/times0")" -v b="$(child_cpu "$tmp/times1")" \
	-v t0="$t0" -v t1="$t1" \
	'BEGIN { printf "%.2f s CPU, %.0f%% of one core", b - a, 100 * (b - a) / (t1 - t0) }')
rss_load=$(rss_kb)

line=$(grep '^BENCH ' "$tmp/wrk.out")
get() { echo "$line" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
requests=$(get requests) non2xx=$(get non2xx) rps=$(get rps)
sent=$(get sent) wrapped=$(get wrapped)
errs=$(( $(get connect_err) + $(get read_err) + $(get write_err) + $(get timeouts) ))
ok=$(( requests - non2xx ))

# every accepted click is one notified -> fixing transition; clicks still
# in flight when the generator stopped (at most one per connection) may
# add a few
sleep 2
after=$(prep verify "$tmp/fixit.db")
made=$(( after - before ))
expect=$(( ok < n ? ok : n ))

echo
echo "==== fixitd click benchmark ===="
echo "load generator:    $gen -t$threads -c$conns ($gen_cpu)"
if [ -n "$rate" ]; then
	echo "offered:           $rate clicks/s, latency from each click's due time ($(get behind) due but never sent)"
else
	echo "offered:           closed loop (each connection sends on the previous answer)"
fi
echo "requests/s:        $rps (target $target)"
echo "latency p50/p99:   $(get p50_ms) ms / $(get p99_ms) ms (max $(get max_ms) ms)"
echo "completed:         $requests (non-2xx: $non2xx, socket errors/timeouts: $errs)"
echo "distinct clicks:   $n pre-signed, $sent sent, thread wrap-arounds: $wrapped"
echo "fixing transitions: $made (accepted clicks: $ok)"
echo "fixitd RSS:        start ${rss_start} kB, idle ${rss_idle} kB, after load ${rss_load} kB"
# CPU per accepted click, by thread, largest first, over the generator's
# run (what the writer spends on each is the bound: see docs/performance.md)
awk -v ok="$ok" -v hz="$(getconf CLK_TCK)" '
	FNR == NR { a[$1] = $2; next }
	ok > 0 && $2 > a[$1] { printf "%.3f %s\n", ($2 - a[$1]) * 1e6 / hz / ok, $1 }
' "$tmp/cpu0" "$tmp/cpu1" | sort -rn | awk '
	{ t += $1; s = s sprintf(", %s %.0f", $2, $1) }
	END { if (NR) printf "fixitd CPU/click:  total %.0f%s us\n", t, s }'

status=0
if [ "$non2xx" != 0 ]; then
	echo "FAIL: $non2xx clicks were not accepted (non-2xx)"; status=1
fi
if [ "$made" -lt "$expect" ] || [ "$made" -gt $(( expect + conns )) ]; then
	echo "FAIL: $made fixing transitions for $ok accepted clicks"; status=1
fi
if [ "$wrapped" != 0 ]; then
	echo "NOTE: clicks ran out and were repeated; use a larger -n"
fi
if [ -n "$rate" ]; then
	# a fixed rate is sustained when no more than 1 ms of clicks were
	# left unsent at the end (a run stops with some due in the last us)
	behind=$(get behind)
	if [ $(( behind * 1000 )) -le "$rate" ] && [ "$rate" -ge "$target" ]; then
		echo "target met: $rate clicks/s offered and sustained ($behind due but unsent at the end)"
	else
		echo "below target: $rate clicks/s offered, $behind due but never sent"
	fi
elif awk -v r="$rps" -v t="$target" 'BEGIN { exit !(r >= t) }'; then
	echo "target met: $rps >= $target requests/s"
else
	echo "below target: $rps < $target requests/s"
fi
p99=$(get p99_ms)
if awk -v p="$p99" -v t="$target_p99" 'BEGIN { exit !(p < t) }'; then
	echo "target met: p99 $p99 ms < $target_p99 ms"
else
	echo "above target: p99 $p99 ms >= $target_p99 ms"
fi
if [ -s "$tmp/stderr" ]; then
	echo "---- fixitd stderr (last 10 lines) ----"
	tail -10 "$tmp/stderr"
fi
exit $status
