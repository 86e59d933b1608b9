#!/bin/bash
# events_bench.sh - EventBridge events into fixitd (a benchmark, not a
# test; see README.md).
#
#   tests/bench/events_bench.sh [-d DURATION] [-c CONNECTIONS] [-r RATE]
#                               [-T HTTP_THREADS] [--automated] [--keep]
#
# Starts fixitd (Slack in console mode, one production account, the
# ec2-quarantine playbook on the dry-run executor, approval none), then:
#   1. wrk posts distinct manual RunInstances events to POST /v1/events
#      for DURATION (--automated: Auto Scaling launches, which fixitd
#      classifies and records but acts on no further - most of what a
#      CloudTrail rule delivers): events accepted per second (each stored
#      in SQLite before its 202) and the 202 latency; every manual one
#      becomes a quarantine finding and a (dry-run) fix;
#   2. events_rate.py posts RATE events per second for 10 s: the time from
#      receipt to the finding being recorded (p50/p99), from the database.
# Checks that every accepted event was stored, processed once, and made
# its finding.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=${FIXIT_SRC:-$(cd "$here/../.." && pwd)}
fixitd=${FIXITD:-$src/build/fixitd}
data=${FIXIT_DATA:-$src/tests/data}
duration=10s conns=64 threads=2 rate=1000 keep=0 http_threads=0 sample=ec2-runinstances-assumedrole.json
key=events-bench-key

while [ $# -gt 0 ]; do
	case $1 in
	-d) duration=$2; shift 2 ;;
	-c) conns=$2; shift 2 ;;
	-r) rate=$2; shift 2 ;;
	-T) http_threads=$2; shift 2 ;;
	--automated) sample=ec2-runinstances-autoscaling-service.json; shift ;;
	--keep) keep=1; shift ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "events_bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

command -v wrk >/dev/null || { echo "events_bench.sh: wrk not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$fixitd" ] || { echo "events_bench.sh: no fixitd at $fixitd (set FIXITD)" >&2; exit 2; }

tmp=$(mktemp -d /tmp/fixit-evbench.XXXXXX)
pid= drainpid=
cleanup() {
	set +e
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$drainpid" ] && kill "$drainpid" 2>/dev/null
	if [ "$keep" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cat >"$tmp/fixit.yaml" <<YAML
listen: 127.0.0.1:0
database: $tmp/fixit.db
log_level: warn
http_threads: $http_threads
admins: [U0ADMIN01]
admin_channel: C0ADMINS
slack: {mode: console}
events:
  employee_pattern: "*@example.com"
  launch_batch: 5
  tag_creator: false
accounts:
  - {id: "444455556666", name: prod-main, environment: production, channel: C0PROD}
playbooks:
  - name: ec2-quarantine
    mode: enforce
    approval: none
    max_fixes_per_hour: 0
    executor: {type: dry-run}
YAML
# the sample manual launch, made a template with @@ID@@ / @@IID@@ /
# @@ACTOR@@ (a different person each time: one launch each)
python3 - "$data/events/ec2-runinstances-assumedrole.json" \
    "$tmp/event.json" "$data/events/$sample" "$tmp/wrk.json" <<'PY'
import json, sys
def template(src, dst):
    ev = json.load(open(src))
    ev["id"] = "@@ID@@"
    ev["account"] = ev["detail"]["recipientAccountId"] = "444455556666"
    ev["detail"]["userIdentity"]["accountId"] = "444455556666"
    ev["detail"]["responseElements"]["instancesSet"]["items"][0][
        "instanceId"] = "@@IID@@"
    ui = ev["detail"]["userIdentity"]
    if "invokedBy" not in ui:
        ui["principalId"] = "AROAIDPPEZS35WEXAMPLE:@@ACTOR@@"
        ui["arn"] = ("arn:aws:sts::444455556666:assumed-role/AdminRole/"
                     "@@ACTOR@@")
    open(dst, "w").write(json.dumps(ev, separators=(",", ":")))
template(sys.argv[1], sys.argv[2])     # the rate phase: manual launches
template(sys.argv[3], sys.argv[4])     # the throughput phase
PY

export FIXIT_EVENTS_API_KEY=$key
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
[ -n "$url" ] || { echo "no ready line"; tail -20 "$tmp/stderr"; exit 1; }
cat <&3 >/dev/null & drainpid=$!
exec 3<&-
echo "fixitd $pid ready on $url; event body $(wc -c <"$tmp/event.json") bytes"

q() { python3 -c "import sqlite3,sys; c=sqlite3.connect('file:$tmp/fixit.db?mode=ro',uri=True,timeout=30); print(c.execute(sys.argv[1]).fetchone()[0])" "$1"; }

wrk -t"$threads" -c"$conns" -d"$duration" --latency --timeout 5s \
	-s "$here/events.lua" "$url" -- "$tmp/wrk.json" "$key" | tee "$tmp/wrk.out"
line=$(grep '^BENCH ' "$tmp/wrk.out")
get() { echo "$line" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
requests=$(get requests) non2xx=$(get non2xx)
ok=$(( requests - non2xx ))
for _ in $(seq 600); do
	[ "$(q "SELECT count(*) FROM events WHERE state = 'pending'")" = 0 ] && break
	sleep 1
done
stored=$(q "SELECT count(*) FROM events WHERE id LIKE 'bench-%'")
done_n=$(q "SELECT count(*) FROM events WHERE id LIKE 'bench-%' AND state = 'done'")
findings=$(q "SELECT count(*) FROM findings WHERE resource_id NOT LIKE 'i-1%'")
drain_ms=$(q "SELECT max(processed_at) - min(received_at) FROM events WHERE id LIKE 'bench-%'")

python3 "$here/events_rate.py" "$url" "$tmp/event.json" "$key" \
	"$tmp/fixit.db" "$rate" 10 | tee "$tmp/rate.out"

echo
echo "==== fixitd events benchmark ===="
echo "events:            ${sample%.json}"
echo "accepted/s:        $(get rps) (target 10000; each stored before its 202)"
echo "202 latency:       p50 $(get p50_ms) ms, p99 $(get p99_ms) ms (max $(get max_ms) ms)"
echo "accepted:          $ok (non-2xx $non2xx); stored $stored; processed $done_n; findings $findings"
echo "processing:        all $ok processed within ${drain_ms} ms of the first receipt"
grep '^RATE' "$tmp/rate.out" | sed 's/^RATE /at '"$rate"'\/s:         /'
status=0
[ "$non2xx" = 0 ] || { echo "FAIL: non-2xx answers"; status=1; }
[ "$stored" -ge "$ok" ] || { echo "FAIL: $ok accepted but $stored stored"; status=1; }
[ "$done_n" = "$stored" ] || { echo "FAIL: $stored stored but $done_n processed"; status=1; }
exit $status
