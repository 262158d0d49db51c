#!/usr/bin/env bash
# make bench: the performance figures of docs/performance.md, on a release build, each
# next to a reference measured in the same run. Data is generated (seeded) on
# first use into .build/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release/outdial
WORK=.build/bench
ROWS=${BENCH_ROWS:-1000000}
PY_ROWS=${BENCH_PY_ROWS:-100000}
mkdir -p "$WORK"
CSV="$WORK/leads-$ROWS.csv"
measure() { python3 scripts/bench/measure.py "$@" 2>&1 >/dev/null | tail -n 1; }

command -v sqlite3 >/dev/null || { echo "bench needs the sqlite3 shell (apt-get install sqlite3)"; exit 1; }
if [ ! -f "$CSV" ]; then
    echo "generating $CSV ($ROWS rows, seed 7)…"
    python3 scripts/bench/generate_leads.py "$ROWS" "$CSV" --seed 7
fi
size_mb=$(python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1])/1048576:.0f}')" "$CSV")
echo "== lead import: $ROWS rows, $size_mb MB ($(nproc) cores)"

# Three alternating runs of each; the medians are reported (the machine is shared and noisy).
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
ref_runs=(); imp_runs=(); ref_mb=0; imp_mb=0
for run in 1 2 3; do
    rm -f "$WORK/ref.db"
    read -r s mb < <(measure sqlite3 "$WORK/ref.db" '.mode csv' ".import $CSV leads")
    ref_runs+=("$s"); ref_mb=$mb
    rm -f "$WORK/import.db" "$WORK/import.db-wal" "$WORK/import.db-shm"
    read -r s mb < <(measure "$BIN" --quiet --db "$WORK/import.db" leads import "$CSV" --rejects "$WORK/rejects.csv")
    imp_runs+=("$s"); imp_mb=$mb
done
ref_s=$(median "${ref_runs[@]}"); imp_s=$(median "${imp_runs[@]}")
echo "runs (s): sqlite3 ${ref_runs[*]}; outdial ${imp_runs[*]}"
imported=$(sqlite3 "$WORK/import.db" 'SELECT count(*) FROM leads')
python3 - "$ROWS" "$ref_s" "$ref_mb" "$imp_s" "$imp_mb" "$imported" <<'PY'
import sys
rows, ref_s, ref_mb, imp_s, imp_mb, imported = int(sys.argv[1]), *map(float, sys.argv[2:6]), int(sys.argv[6])
print(f"sqlite3 .import (reference, no normalisation), median: {ref_s:6.2f} s  {rows / ref_s:10,.0f} rows/s  peak RSS {ref_mb:5.1f} MB")
print(f"outdial leads import (normalise, zones, dedupe), median: {imp_s:6.2f} s  {rows / imp_s:10,.0f} rows/s  peak RSS {imp_mb:5.1f} MB  ({imported:,} imported)")
print(f"ratio outdial / sqlite3: {imp_s / ref_s:.2f}x (target <= 1.00x); peak RSS target <= 64 MB")
PY

VENV=scripts/.venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" && "$VENV/bin/pip" -q install -r scripts/numbering-plan/requirements.txt
fi
rm -f "$WORK/python.db"
read -r py_s py_mb < <(measure "$VENV/bin/python" scripts/bench/python_import.py "$CSV" "$WORK/python.db" "$PY_ROWS")
python3 - "$PY_ROWS" "$py_s" "$ROWS" "$imp_s" <<'PY'
import sys
py_rows, py_s, rows, imp_s = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
py_rate, rate = py_rows / py_s, rows / imp_s
print(f"Python + phonenumbers, same job on the first {py_rows:,} rows: {py_s:6.2f} s  {py_rate:10,.0f} rows/s")
print(f"outdial / Python throughput: {rate / py_rate:.1f}x (target >= 15x)")
PY

echo "== calling windows: gate every imported lead at one instant"
AT=2026-11-25T18:00:00Z
read -r scan_s _ < <(measure sqlite3 "$WORK/import.db" "SELECT count(*), sum(zone_set_id), max(state) FROM leads WHERE dnc = 0")
"$BIN" --quiet --db "$WORK/import.db" leads windows --at "$AT" --json > "$WORK/windows.json"
python3 - "$WORK/windows.json" "$scan_s" <<'PY'
import json, sys
w = json.load(open(sys.argv[1])); scan = float(sys.argv[2])
print(f"sqlite3 scan of the same columns (reference): {scan * 1000:6.0f} ms")
print(f"outdial load of {w['leads']:,} leads:             {w['load_ms']:6d} ms")
print(f"outdial gate (open now? next open?):         {w['gate_ms']:6d} ms  ({w['distinct_windows']:,} distinct windows; target <= 500 ms)")
print(f"  open {w['open']:,}, within 24 h {w['opens_within_24h']:,}, later {w['opens_later']:,}, none in 14 days {w['not_within_14_days']:,}, no zone {w['no_timezone']:,}")
PY

echo "== smart selection and the dry-run plan"
.build/release/outdial-bench 500 2000000
python3 - "$WORK/numbers-500.csv" <<'PY'
import random, sys
rng = random.Random(3)
codes = ["212","646","718","415","213","310","312","713","512","214","305","850","407","404","206","503","602","303","801","208",
         "617","215","202","410","405","502","615","317","313","612","314","504","205","401","203","702","901","916","919","480"]
with open(sys.argv[1], "w") as f:
    f.write("number,label,daily_cap,weight\n")
    for i in range(500):
        c = codes[i % len(codes)]
        f.write(f"+1{c}55{i:05d},{c} pool,200,{1 + i % 3}\n")
PY
"$BIN" --quiet --db "$WORK/import.db" numbers import "$WORK/numbers-500.csv" >/dev/null
read -r plan_s plan_mb < <(measure "$BIN" --quiet --db "$WORK/import.db" plan examples/campaign.yml --no-sync --at "$AT" --json)
"$BIN" --quiet --db "$WORK/import.db" plan examples/campaign.yml --no-sync --at "$AT" > "$WORK/plan.txt"
python3 - "$plan_s" "$plan_mb" "$scan_s" "$WORK/plan.txt" <<'PY'
import sys
plan_s, plan_mb, scan_s = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
print(f"sqlite3 scan of the leads (reference):        {scan_s:6.2f} s")
print(f"outdial plan over the imported leads (--json): {plan_s:6.2f} s  peak RSS {plan_mb:5.1f} MB  (target <= 3 s)")
print("  " + open(sys.argv[4]).readline().strip())
PY

SIM_LEADS=${BENCH_SIM_LEADS:-200000}
# The example's workflows with its limits scaled to the lead count: at the
# example's 10 lines a 200,000-lead campaign would span months of virtual time.
# The leads and numbers come from the bench's own files, not the example's: the
# copy names none (its folder is not the example's).
sed -e 's/^limits: .*/limits: { concurrent_calls: 200, calls_per_second: 5, max_attempts: 3, min_gap: 4h }/' \
    -e '/^leads: /d' -e 's/^numbers: { file: [^,]*, /numbers: { /' examples/campaign.yml > "$WORK/bench-campaign.yml"
echo "== simulated run: the example workflows over $SIM_LEADS leads, 200 lines at 5 calls/s (target: 200,000 leads at >= 20,000 calls/s, peak RSS <= 128 MB)"
# Exactly SIM_LEADS leads: the first records of the file (whole CSV records —
# some rows hold quoted newlines), 3 % more than needed for its rejects and
# duplicates, imported, then the leads past the SIM_LEADS-th removed.
python3 - "$CSV" "$WORK/sim-leads.csv" $((SIM_LEADS * 103 / 100)) <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as source, open(sys.argv[2], "w", newline="") as out:
    writer = csv.writer(out, lineterminator="\r\n")
    for index, row in enumerate(csv.reader(source)):
        if index > int(sys.argv[3]):
            break
        writer.writerow(row)
PY
rm -f "$WORK/sim-base.db"*
"$BIN" --quiet --db "$WORK/sim-base.db" numbers import "$WORK/numbers-500.csv" >/dev/null
"$BIN" --quiet --db "$WORK/sim-base.db" leads import "$WORK/sim-leads.csv" --rejects "$WORK/sim-rejects.csv" >/dev/null
sqlite3 "$WORK/sim-base.db" "DELETE FROM leads WHERE id > (SELECT id FROM leads ORDER BY id LIMIT 1 OFFSET $((SIM_LEADS - 1)))"
sim_leads=$(sqlite3 "$WORK/sim-base.db" "SELECT count(*) FROM leads")
[ "$sim_leads" -eq "$SIM_LEADS" ] || { echo "the simulated run needs $SIM_LEADS leads; the file gave $sim_leads"; exit 1; }
# Three runs, each a simulation of the same imported database: as for a user,
# each makes its copy (--into, SQLite's backup API) inside the time measured.
sim_runs=(); sim_mb=0
for run in 1 2 3; do
    read -r s mb < <(MEASURE_STDOUT="$WORK/last-stdout" measure "$BIN" --quiet --db "$WORK/sim-base.db" run "$WORK/bench-campaign.yml" --simulate --into "$WORK/sim.db" --start 2026-11-23T13:00:00Z --no-sync --json)
    sim_runs+=("$s"); sim_mb=$(python3 -c "print(max(float('$sim_mb'), float('$mb')))")
done
sim_s=$(median "${sim_runs[@]}")
echo "runs (s): ${sim_runs[*]}"
calls=$(sqlite3 "$WORK/sim.db" "SELECT count(*) FROM calls")
post=$(sqlite3 "$WORK/sim.db" "SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'")
rows=$(sqlite3 "$WORK/sim.db" "SELECT (SELECT count(*) FROM calls) + (SELECT count(*) FROM events) + (SELECT count(*) FROM workflow_runs) + (SELECT count(*) FROM notes) + (SELECT count(*) FROM opportunities)")
python3 - "$sim_s" "$sim_mb" "$calls" "$post" "$rows" "$sim_leads" <<'PY'
import sys
s, mb, calls, post, rows, leads = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"outdial run --simulate, median: {leads:,} leads, {calls:,} calls and {post:,} post-call runs in {s:.2f} s = {calls / s:,.0f} calls/s end to end, peak RSS {mb:.1f} MB (highest of the runs)")
print(f"  {rows:,} rows in calls, events, workflow_runs, notes and opportunities ({rows / calls:.1f} per call, plus tag updates)")
PY
# Why leads waited at place_call in the last of the three runs (run --json `waits`).
python3 - "$WORK/last-stdout" <<'PY'
import json, sys
waits = json.load(open(sys.argv[1])).get("waits", {})
print("  waits at place_call (last run): " + ", ".join(f"{k} {v:,}" for k, v in sorted(waits.items(), key=lambda kv: -kv[1])))
PY

# The same leads through the example campaign as it is (10 lines, 2 calls/s, its
# own 36-number pool with daily caps): months of virtual time, most leads
# waiting most days. Target >= 20,000 calls/s.
echo "== simulated run, the example's own limits and pool over $SIM_LEADS leads (target >= 20,000 calls/s)"
rm -f "$WORK/sim-ex-base.db"*
cp "$WORK/sim-base.db" "$WORK/sim-ex-base.db"
sqlite3 "$WORK/sim-ex-base.db" "DELETE FROM numbers"
"$BIN" --quiet --db "$WORK/sim-ex-base.db" numbers import examples/numbers.csv >/dev/null
ex_runs=(); ex_mb=0
for run in 1 2 3; do
    read -r s mb < <(measure "$BIN" --quiet --db "$WORK/sim-ex-base.db" run examples/campaign.yml --simulate --into "$WORK/sim-ex.db" --start 2026-11-23T13:00:00Z --no-sync --json)
    ex_runs+=("$s"); ex_mb=$(python3 -c "print(max(float('$ex_mb'), float('$mb')))")
done
ex_s=$(median "${ex_runs[@]}")
echo "runs (s): ${ex_runs[*]}"
ex_calls=$(sqlite3 "$WORK/sim-ex.db" "SELECT count(*) FROM calls")
python3 - "$ex_s" "$ex_mb" "$ex_calls" "$sim_s" "$calls" <<'PY'
import sys
s, mb, calls, ref_s, ref_calls = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
print(f"outdial run --simulate, example limits, median: {calls:,} calls in {s:.2f} s = {calls / s:,.0f} calls/s, peak RSS {mb:.1f} MB")
print(f"  against the scaled-limits run above (same leads, same run): {ref_calls / ref_s:,.0f} calls/s")
PY

# Local presence on the example campaign itself (its 298 leads, 36 numbers),
# simulated as `make demo` does: the share of calls placed from a local tier
# (sticky, area code, nearby, state) for leads whose phone's state has an
# enabled number in the pool; beside it the same run with local_wait: 0s
# (never wait for a local number), the selection before local_wait.
echo "== local caller IDs on the simulated example campaign (target: >= 95 % of calls from a local tier where the lead's state has a number)"
rm -f "$WORK/local.db"*
"$BIN" --quiet --db "$WORK/local.db" dnc import examples/dnc.txt >/dev/null
"$BIN" --quiet --db "$WORK/local.db" leads import examples/leads.csv --rejects "$WORK/local-rejects.csv" >/dev/null 2>&1
"$BIN" --quiet --db "$WORK/local.db" numbers import examples/numbers.csv >/dev/null
# The copy is in another folder: it names no leads or numbers file (they are imported above).
sed -e 's/fallback: any }/fallback: any, local_wait: 0s }/' -e '/^leads: /d' -e 's/^numbers: { file: [^,]*, /numbers: { /' \
    examples/campaign.yml > "$WORK/no-local-wait.yml"
grep -q 'local_wait: 0s' "$WORK/no-local-wait.yml" || { echo "could not set local_wait in the example's copy"; exit 1; }
local_share() { # campaign file
    rm -f "$WORK/local-sim.db"*
    "$BIN" --quiet --db "$WORK/local.db" run "$1" --simulate --into "$WORK/local-sim.db" --start 2026-11-23T13:00:00Z --no-sync >/dev/null 2>&1
    sqlite3 -separator ' ' "$WORK/local-sim.db" "
        SELECT sum(c.selection_tier IN ('sticky', 'area-code', 'nearby', 'state')), count(*),
               (SELECT max(queued_at) / 1000 FROM calls WHERE attempt = 1)
        FROM calls c JOIN leads l ON l.id = c.lead_id
        WHERE l.state IN (SELECT state FROM numbers WHERE enabled)"
}
read -r local_calls local_all local_last < <(local_share examples/campaign.yml)
read -r ref_calls ref_all ref_last < <(local_share "$WORK/no-local-wait.yml")
python3 - "$local_calls" "$local_all" "$local_last" "$ref_calls" "$ref_all" "$ref_last" <<'PY'
import sys, datetime
a, n, last, ra, rn, rlast = map(int, sys.argv[1:])
at = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
print(f"local_wait 15m (the example): {a} of {n} calls local = {a / n * 100:.1f} %, last first attempt at {at(last)}")
print(f"  same run with local_wait 0s: {ra} of {rn} calls local = {ra / rn * 100:.1f} %, last first attempt at {at(rlast)}")
PY

# Live runs against a stub provider on 127.0.0.1 (Sources/outdial-stub: a
# Retell-shaped API that answers create-call at once and ends each call after
# --call-seconds), the window always open. The runner's CPU is the child's
# user + system time over the wall time; scripts/bench/live_steady.py also
# gives the polls per second and the CPU while the stub has every line in
# flight (the steady state, without the ramp-up and the last calls ending).
live() { # leads lines call_seconds calls_per_second
    local leads=$1 lines=$2 call_s=$3 cps=$4
    .build/release/outdial-stub --call-seconds "$call_s" > "$WORK/stub.out" &
    local stub=$!
    for _ in $(seq 50); do grep -q listening "$WORK/stub.out" 2>/dev/null && break; sleep 0.1; done
    local port; port=$(sed 's/.*://' "$WORK/stub.out")
    python3 - "$WORK/live-leads.csv" "$leads" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("phone,first_name\n")
    codes = ["212", "646", "718", "917", "347"]
    for i in range(int(sys.argv[2])):
        f.write(f"+1{codes[i % 5]}5{i // 5:06d},Lead{i}\n")
PY
    printf 'number,daily_cap\n+12125550001,1000000\n+16465550001,1000000\n+17185550001,1000000\n+19175550001,1000000\n+13475550001,1000000\n' > "$WORK/live-numbers.csv"
    cat > "$WORK/live-campaign.yml" <<YML
version: 1
name: live-bench
calling_window: { days: [mon, tue, wed, thu, fri, sat, sun], hours: "00:00-24:00", compliance: none }
connections:
  main: { provider: retell, api_key_env: BENCH_STUB_KEY, agent: agent_bench, base_url: "http://127.0.0.1:$port", poll_interval: 1s, timeout: 10s }
numbers: { selection: { daily_cap: 1000000, cooldown: 0s, fallback: any } }
limits: { concurrent_calls: $lines, calls_per_second: $cps, max_attempts: 1 }
workflows:
  - name: outbound
    trigger: lead_added
    steps: [ { place_call: { connection: main } } ]
  - name: post-call
    trigger: { call_completed: {} }
    steps: [ { add_tag: called } ]
YML
    rm -f "$WORK/live.db"*
    "$BIN" --quiet --db "$WORK/live.db" leads import "$WORK/live-leads.csv" --rejects "$WORK/live-rejects.csv" >/dev/null
    "$BIN" --quiet --db "$WORK/live.db" numbers import "$WORK/live-numbers.csv" >/dev/null
    BENCH_STUB_KEY=k python3 scripts/bench/live_steady.py "http://127.0.0.1:$port/stats" "$lines" \
        "$BIN" --quiet --db "$WORK/live.db" run "$WORK/live-campaign.yml" --json 2> "$WORK/live.measure" || true
    local stats; stats=$(python3 -c "import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).read().decode())" "http://127.0.0.1:$port/stats")
    kill "$stub"; wait "$stub" 2>/dev/null || true
    python3 - "$(tail -n 1 "$WORK/live.measure")" "$stats" "$(sqlite3 "$WORK/live.db" "SELECT count(*) FROM calls WHERE status = 'completed'")" \
        "$(sqlite3 "$WORK/live.db" "SELECT count(*) FROM workflow_runs WHERE workflow = 'post-call'")" "$lines" "$call_s" <<'PY'
import json, sys
wall, rss, cpu, span, steady_polls, steady_cpu = map(float, sys.argv[1].split())
stats, done, post, lines, call_s = json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
creates, polls = stats["creates"], stats["polls"]
print(f"{lines:,} lines, calls of {call_s} s: {done:,} calls completed ({post:,} post-call runs) in {wall:.2f} s = {done / wall:,.0f} calls/s; "
      f"{(creates + polls) / max(done, 1):.2f} requests per call ({creates:,} creates, {polls:,} polls); "
      f"runner CPU {cpu / wall * 100:.0f}% of one core, {cpu / max(creates + polls, 1) * 1e6:.0f} us per request, peak RSS {rss:.1f} MB")
if span > 0:
    print(f"  steady state ({span:.1f} s with every line in flight): {steady_polls / span:,.0f} polls/s, runner CPU {steady_cpu / span * 100:.0f}% of one core")
else:
    print("  steady state: never every line in flight")
print(f"  reference: the most {lines:,} lines allow with {call_s} s calls polled each second, {lines / (float(call_s) + 1):,.0f} calls/s "
      f"and {lines:,} polls/s")
PY
}
echo "== live run against a stub provider on 127.0.0.1 (targets: >= 200 calls/s at 500 lines; >= 20,000 polls/s under one core)"
live "${BENCH_LIVE_LEADS:-5000}" 500 1 1000
live "${BENCH_LIVE_POLL_LEADS:-50000}" 24000 25 1000

# serve under wrk: signed Retell call_analyzed bodies for distinct calls,
# 64 connections, 10 s; then one commit per request, to show what grouping buys.
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1; } || true
if command -v wrk >/dev/null; then
    echo "== serve under wrk, 64 connections, signed Retell call_analyzed bodies for distinct calls (targets: >= 5,000 events/s, p99 <= 50 ms)"
    serve_bench() { # label [serve flags...]
        local label=$1; shift
        rm -f "$WORK/serve.db"*
        "$BIN" --quiet --db "$WORK/serve.db" init >/dev/null
        printf 'version: 1\nname: serve-bench\ncalling_window: { days: [mon], hours: "09:00-17:00", compliance: [us] }\nworkflows: []\n' > "$WORK/serve-campaign.yml"
        python3 scripts/bench/serve_requests.py "$WORK/serve-requests.tsv" 400000 bench-retell-key
        # The earlier steps leave gigabytes of written pages; the kernel writing
        # them back during the 10 s would stall serve's checkpoints, not serve.
        sync
        RETELL_API_KEY=bench-retell-key "$BIN" --quiet --db "$WORK/serve.db" serve --campaign "$WORK/serve-campaign.yml" --port 18181 "$@" 2>/dev/null &
        local serve=$!
        for _ in $(seq 100); do python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:18181/healthz')" 2>/dev/null && break; sleep 0.1; done
        REQUESTS="$WORK/serve-requests.tsv" THREADS=2 wrk -t2 -c64 -d10s --latency -s scripts/bench/serve.lua http://127.0.0.1:18181 > "$WORK/wrk-$label.txt" 2>&1 || true
        kill -INT "$serve"; wait "$serve" 2>/dev/null || true
        python3 - "$WORK/wrk-$label.txt" "$(sqlite3 "$WORK/serve.db" "SELECT count(*) FROM events")" \
            "$(sqlite3 "$WORK/serve.db" "SELECT count(*) - count(DISTINCT dedupe_key) FROM events")" "$label" <<'PY'
import re, sys
text, rows, doubled, label = open(sys.argv[1]).read(), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)] if p99 else float("nan")
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
bad = int(non2xx.group(1)) if non2xx else 0
print(f"{label}: {rate:,.0f} events/s acknowledged, p99 {p99_ms:.1f} ms; {total:,} answered ({bad:,} not 2xx), "
      f"{rows:,} event rows ({rows - total:+,} answered after wrk stopped counting), {doubled} doubled")
PY
    }
    serve_bench "grouped commits"
    serve_bench "one commit per request" --commit-each-request
else
    echo "== serve under wrk: skipped (wrk could not be installed)"
fi

# ingest: Retell call_analyzed events from a file, for calls outdial does not know (kept as unknown_call).
INGEST_EVENTS=${BENCH_INGEST_EVENTS:-1000000}
echo "== ingest of $INGEST_EVENTS Retell events from a file (target >= 100,000 events/s)"
python3 - "$WORK/ingest-events.jsonl" "$INGEST_EVENTS" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"event": "call_analyzed", "call": {"call_id": f"ing-{i}", "call_status": "ended", "disconnection_reason": "user_hangup",
            "start_timestamp": 1795438810000, "end_timestamp": 1795438870000,
            "call_analysis": {"call_summary": "Bench call.", "user_sentiment": "Neutral"}}}, separators=(",", ":")) + "\n")
PY
rm -f "$WORK/ingest.db"*
"$BIN" --quiet --db "$WORK/ingest.db" init >/dev/null
printf 'version: 1\nname: ingest-bench\ncalling_window: { days: [mon], hours: "09:00-17:00", compliance: [us] }\nworkflows: []\n' > "$WORK/ingest-campaign.yml"
read -r ing_s ing_mb < <(measure "$BIN" --quiet --db "$WORK/ingest.db" ingest "$WORK/ingest-events.jsonl" --campaign "$WORK/ingest-campaign.yml" --json)
rm -f "$WORK/ingest-ref.db"
read -r ref_s _ < <(measure sqlite3 "$WORK/ingest-ref.db" "CREATE TABLE e(line TEXT)" ".mode tabs" ".import $WORK/ingest-events.jsonl e")
rows=$(sqlite3 "$WORK/ingest.db" "SELECT count(*) FROM events")
python3 - "$INGEST_EVENTS" "$ing_s" "$ing_mb" "$rows" "$ref_s" <<'PY'
import sys
n, s, mb, rows, ref = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
print(f"sqlite3 .import of the same lines as text (reference, no parsing): {ref:.2f} s")
print(f"outdial ingest: {n:,} events in {s:.2f} s = {n / s:,.0f} events/s, peak RSS {mb:.1f} MB, {rows:,} event rows")
PY
