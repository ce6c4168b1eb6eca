#!/usr/bin/env bash
# rmdgate vs the Kamailio 5.6 screening baseline (shared/bench/kamailio), same data, same load, back to back, loopback only.
#
#   scripts/bench-vs-kamailio.sh            the comparison (below)
#   scripts/bench-vs-kamailio.sh profile    rmdgate alone under a fixed load (PROFILE_RATE calls/s for PROFILE_SECONDS) with
#                                           `node --cpu-prof`: CPU per call and per thread, top self-time functions and
#                                           components of the main thread (V8 samples wall time: a thread preempted inside
#                                           a syscall, e.g. the UDP send that wakes the receiver, is charged there)
#
# 1. checks the tools (sipp, kamailio: installed from Debian when missing, with services kept from starting), builds rmdgate
#    (npm run build), copies the bench folder into OUT/bench (the shared one is read-only; run.sh writes results next to
#    itself), generates its data there, converts it (scripts/kamailio-data-to-rmdgate.mjs) into OUT/rmdgate-<level>/,
# 2. (a) runs the Kamailio baseline: run.sh sl_cdr (stateless 302/603 + CDR + Prometheus counter),
#    (b) right after it, for each log level in LOG_LEVELS: starts `node dist/cli.js serve --config <generated>` (SIP UDP+TCP
#        127.0.0.1:SIP_PORT, ops/admin on free loopback ports, CDRs in the default SQLite store), drives it with
#        `START_KAMAILIO=0 TARGET=127.0.0.1:SIP_PORT SERVER_PIDS=<pid> run.sh mine`, scrapes /metrics, stops it by PID
#        and counts the CDRs it wrote,
# 3. repeats steps whose other_cpu_pct_core (CPU of processes outside the run) is above OTHER_MAX in either run, for both
#    servers back to back (up to REPEATS times), keeping per server and step the least polluted attempt,
# 4. prints compare.sh's ratios and a summary: max clean calls/s of each, CPU-µs per call and its ratio per step, probe
#    p50/p99 ratios.
#
# Env: RATES ("1000 2000 4000 6000 8000 12000"), STEP_SECONDS (5), LOG_LEVELS ("info"; e.g. "info warn"), SIP_PORT (5060),
#      OTHER_MAX (10, % of a core), REPEATS (1), SKIP_KAMAILIO (0), SKIP_BUILD (0), KEEP_CDR (0), NODE_ARGS (extra node
#      flags for rmdgate, e.g. --cpu-prof), GATE_DIST (built rmdgate to run, default dist/; e.g. an older build for A/B),
#      BENCH_SRC (default: ../shared/bench/kamailio next to this repository),
#      OUT (${TMPDIR:-/tmp}/rmdgate-bench/vs-kamailio-STAMP: outside the work tree, whose var/ other test runs clean), PROBE_RATE (50), WARMUP_SECONDS (3) / WARMUP_RATE (1000): unmeasured JIT warm-up
#      of each freshly started rmdgate, PORT_WAIT (120 s: how long to wait for someone else's listener on SIP_PORT),
#      PROFILE_RATE (4000), PROFILE_SECONDS (10), PROFILE_TOP (30).
# Every process this script starts is stopped by PID; every run is bounded by `timeout`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
MODE="${1:-compare}"
case "$MODE" in compare|profile) ;; *) echo "usage: $0 [compare|profile]" >&2; exit 2 ;; esac
PROFILE_RATE="${PROFILE_RATE:-4000}"
PROFILE_SECONDS="${PROFILE_SECONDS:-10}"
PROFILE_TOP="${PROFILE_TOP:-30}"
RATES="${RATES:-1000 2000 4000 6000 8000 12000}"
STEP_SECONDS="${STEP_SECONDS:-5}"
LOG_LEVELS="${LOG_LEVELS:-info}"
SIP_PORT="${SIP_PORT:-5060}"
OTHER_MAX="${OTHER_MAX:-10}"
REPEATS="${REPEATS:-1}"
SKIP_KAMAILIO="${SKIP_KAMAILIO:-0}"
SKIP_BUILD="${SKIP_BUILD:-0}"
KEEP_CDR="${KEEP_CDR:-0}"
NODE_ARGS="${NODE_ARGS:-}"
GATE_DIST="${GATE_DIST:-$ROOT/dist}"
PROBE_RATE="${PROBE_RATE:-50}"
WARMUP_SECONDS="${WARMUP_SECONDS:-3}"
WARMUP_RATE="${WARMUP_RATE:-1000}"
PORT_WAIT="${PORT_WAIT:-120}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${OUT:-${TMPDIR:-/tmp}/rmdgate-bench/vs-kamailio-$STAMP}"
if [ -z "${BENCH_SRC:-}" ]; then
  [ -f "$ROOT/../shared/bench/kamailio/run.sh" ] && BENCH_SRC="$(cd "$ROOT/../shared/bench/kamailio" && pwd)"
fi
[ -f "${BENCH_SRC:-}/run.sh" ] || { echo "Kamailio bench folder not found (set BENCH_SRC)" >&2; exit 2; }
export PROBE_RATE

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# ---------- tools ----------
need_apt=()
command -v sipp >/dev/null || need_apt+=(sip-tester)
command -v kamailio >/dev/null || [ "$SKIP_KAMAILIO" = 1 ] || [ "$MODE" = profile ] || need_apt+=(kamailio kamailio-extra-modules kamailio-utils-modules)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]} (services are kept from starting)"
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1; fi
  rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}" > /dev/null; } || rc=$?
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$rc" = 0 ] || { echo "apt-get install ${need_apt[*]} failed ($rc)" >&2; exit 2; }
fi
for t in sipp node awk ss curl timeout; do command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 2; }; done
# a packaged kamailio service would hold 5060 and skew the CPU figures; this script never starts one, it only reports
kamailio_pids() { pgrep -x kamailio 2>/dev/null | tr '\n' ' ' || true; }
PRE_KAM="$(kamailio_pids)"
[ -z "$PRE_KAM" ] || log "WARNING: kamailio processes already running before the benchmark (not ours, left alone): $PRE_KAM"
# other test runs on this machine start rmdgate on 127.0.0.1:5060 for a few seconds: wait (bounded) for the port
sip_port_busy() { ss -Hlun "sport = :$SIP_PORT" | awk '{print $4}' | grep -qE "^(127\.0\.0\.1|0\.0\.0\.0|\*):$SIP_PORT$"; }
wait_sip_port() {
  local i
  for i in $(seq 1 "$((PORT_WAIT * 2))"); do sip_port_busy || return 0; [ "$i" = 1 ] && log "UDP 127.0.0.1:$SIP_PORT is in use (not ours); waiting up to ${PORT_WAIT}s"; sleep 0.5; done
  echo "UDP 127.0.0.1:$SIP_PORT is still in use after ${PORT_WAIT}s" >&2; return 1
}
wait_sip_port || exit 2

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
log "output: $OUT"

# ---------- bench copy, data, build, config ----------
BENCH="$OUT/bench"
mkdir -p "$BENCH"
cp "$BENCH_SRC"/{run.sh,gen_data.sh,compare.sh,probe.js,kamailio.cfg,uac_302.xml,uac_603.xml,README.md} "$BENCH/"
chmod u+w "$BENCH"/*
if [ -f "$BENCH_SRC/data/address.list" ]; then cp -r "$BENCH_SRC/data" "$BENCH/data"; chmod -R u+w "$BENCH/data"; else "$BENCH/gen_data.sh"; fi

if [ "$SKIP_BUILD" != 1 ] && [ "$GATE_DIST" = "$ROOT/dist" ]; then log "npm run build"; (cd "$ROOT" && npm run build > "$OUT/build.log" 2>&1) || { tail -20 "$OUT/build.log"; exit 1; }; fi

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
[ "$MODE" = profile ] && LOG_LEVELS="${LOG_LEVELS%% *}"
for level in $LOG_LEVELS; do
  mkdir -p "$OUT/rmdgate-$level"
  node "$ROOT/scripts/kamailio-data-to-rmdgate.mjs" --data "$BENCH/data" --out "$OUT/rmdgate-$level" \
    --sip-port "$SIP_PORT" --ops-port "$(free_port)" --admin-port "$(free_port)" --log-level "$level" 2> "$OUT/rmdgate-$level/convert.log" \
    || { cat "$OUT/rmdgate-$level/convert.log" >&2; exit 1; }
  tail -1 "$OUT/rmdgate-$level/convert.log" >&2
done

n_rates() { echo $#; }
# run.sh bounds each step itself (sipp -timeout); this bounds the whole run: steps x (2 x step + 15 s) + 60 s
run_budget() { echo $(( $(n_rates $1) * (STEP_SECONDS * 2 + 15) + 60 )); }

# ---------- (a) Kamailio ----------
run_kamailio() { # rates, out dir
  log "Kamailio sl_cdr: rates $1"
  (cd "$BENCH" && timeout --kill-after=20 "$(run_budget "$1")" env RATES="$1" STEP_SECONDS="$STEP_SECONDS" OUT_DIR="$2" ./run.sh sl_cdr) || log "run.sh sl_cdr exited $?"
  local left; left="$(kamailio_pids)"
  for p in $left; do
    case " $PRE_KAM " in *" $p "*) continue ;; esac
    log "WARNING: kamailio pid $p outlived run.sh; stopping it"; kill -TERM "$p" 2>/dev/null || true
  done
}

# ---------- (b) rmdgate ----------
GATE_PID=""
stop_gate() {
  [ -n "$GATE_PID" ] || return 0
  if kill -0 "$GATE_PID" 2>/dev/null; then
    kill -TERM "$GATE_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$GATE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$GATE_PID" 2>/dev/null && { log "rmdgate $GATE_PID did not stop in 10 s: SIGKILL"; kill -KILL "$GATE_PID" 2>/dev/null || true; }
  fi
  wait "$GATE_PID" 2>/dev/null || true
  GATE_PID=""
}
trap stop_gate EXIT INT TERM

# JIT warm-up of a freshly started node (not measured): WARMUP_RATE calls/s for WARMUP_SECONDS, one allowed and one
# unknown source (302 and 603 paths), so the first measured step does not pay for compilation
warm_up() {
  [ "$WARMUP_SECONDS" -gt 0 ] || return 0
  local wd=$1 per=$((WARMUP_RATE / 2)) pids=() ip code
  mkdir -p "$wd"
  for pair in "127.1.0.3 302" "127.9.9.9 603"; do
    read -r ip code <<< "$pair"
    (cd "$wd" && exec timeout $((WARMUP_SECONDS + 15)) sipp "127.0.0.1:$SIP_PORT" -sf "$BENCH/uac_$code.xml" -inf "$BENCH/data/numbers.csv" \
       -i "$ip" -p 5062 -m $((per * WARMUP_SECONDS)) -r "$per" -nostdin -recv_timeout 2000 -timeout "$((WARMUP_SECONDS + 8))s" > "sipp-$code.out" 2>&1) &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  sleep 1
}

run_rmdgate() { # level, rates, out dir
  local level=$1 rates=$2 dir=$3 cfgdir="$OUT/rmdgate-$1"
  local ops; ops="$(awk '/^ops:/{f=1} f && /port:/{gsub(/[^0-9]/," ",$0); n=split($0,a," "); print a[n]; exit}' "$cfgdir/rmdgate.yaml")"
  mkdir -p "$dir"
  wait_sip_port || return 1
  log "rmdgate (log level $level): starting"
  # shellcheck disable=SC2086
  (cd "$dir" && exec node $NODE_ARGS "$GATE_DIST/cli.js" serve --config "$cfgdir/rmdgate.yaml") > "$dir/rmdgate.log" 2>&1 &
  GATE_PID=$!
  local up=0
  for _ in $(seq 1 150); do
    kill -0 "$GATE_PID" 2>/dev/null || break
    if ss -Hlunp "sport = :$SIP_PORT" | grep -q "pid=$GATE_PID," && curl -sf --max-time 1 "http://127.0.0.1:$ops/healthz" > /dev/null; then up=1; break; fi
    sleep 0.2
  done
  [ "$up" = 1 ] || { log "rmdgate did not come up:"; tail -20 "$dir/rmdgate.log" >&2; stop_gate; return 1; }
  log "rmdgate pid $GATE_PID up ($(grep -o '"trunks":[0-9]*' "$dir/rmdgate.log" | head -1), ops 127.0.0.1:$ops); warm-up ${WARMUP_SECONDS}s, then rates $rates"
  warm_up "$dir/warmup"
  (cd "$BENCH" && timeout --kill-after=20 "$(run_budget "$rates")" env START_KAMAILIO=0 TARGET="127.0.0.1:$SIP_PORT" SERVER_PIDS="$GATE_PID" \
     RATES="$rates" STEP_SECONDS="$STEP_SECONDS" OUT_DIR="$dir/run" ./run.sh mine) || log "run.sh mine exited $?"
  curl -s --max-time 5 "http://127.0.0.1:$ops/metrics" > "$dir/metrics.txt" || true
  local pss; pss="$(awk '/^Pss:/{print int($2/1024)}' "/proc/$GATE_PID/smaps_rollup" 2>/dev/null || echo NA)"
  stop_gate
  {
    echo "rmdgate PSS at the end of the load: ${pss} MiB"
    echo "invites by decision/reason:"; grep '^rmdgate_invites_total' "$dir/metrics.txt" | awk '{k=$1; sub(/trunk="[^"]*",/,"",k); s[k]+=$2} END{for (k in s) printf "  %s %d\n", k, s[k]}' | sort
    echo "log lines: $(wc -l < "$dir/rmdgate.log") ($(du -h "$dir/rmdgate.log" | cut -f1))"
    echo "CDR rows written: $(cd "$ROOT" && node -e '
      const D = require("better-sqlite3"), fs = require("fs"), p = require("path"); const d = process.argv[1]; let n = 0;
      for (const f of fs.existsSync(d) ? fs.readdirSync(d) : []) if (/^cdr-.*\.sqlite$/.test(f)) {
        const db = new D(p.join(d, f), { readonly: true });
        for (const { name } of db.prepare("select name from sqlite_master where type = ?").all("table"))
          if (/cdr/i.test(name)) n += db.prepare(`select count(*) as c from "${name}"`).get().c;
        db.close();
      }
      console.log(n)' "$cfgdir/var/cdr" 2>&1 | tail -1)"
  } | tee "$dir/after.txt" >&2
  [ "$KEEP_CDR" = 1 ] || rm -rf "$cfgdir/var/cdr"
}

# ---------- profile mode ----------
# Top self-time functions of a V8 .cpuprofile, as % of the non-idle samples, grouped by component too.
analyse_profile() { # file.cpuprofile from_seconds top
  node - "$@" <<'EOF_JS'
const [file, fromS, topS] = process.argv.slice(2);
const prof = JSON.parse(require('fs').readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const from = Number(fromS) * 1e6;
const dt = new Map();
let t = 0;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i] ?? 0;
  if (t >= from) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i + 1] ?? 0));
}
const short = (u) => u.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '').replace(/^.*\/dist\//, '');
const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const group = (n) => {
  const u = n.callFrame.url;
  if (!u) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : 'native';
  for (const [re, g] of [[/drachtio-srf/, 'drachtio-srf parser'], [/prom-client/, 'prom-client'], [/pino|sonic-boom|redact/, 'pino'],
    [/lru-cache/, 'lru-cache'], [/dist\/sip\//, 'SIP fronts (src/sip)'], [/dist\/screening\//, 'screening (src/screening)'],
    [/dist\/lib\//, 'lib (src/lib)'], [/dist\/cdr\//, 'cdr sinks (src/cdr)'], [/dist\/ops\//, 'metrics (src/ops)'], [/dist\/feeds\//, 'feeds (src/feeds)']]) if (re.test(u)) return g;
  if (u.startsWith('node:') || !u.includes('/')) return `node:${u.replace(/^node:/, '').split('/')[0]}`;
  return short(u).split('/')[0];
};
let total = 0, idle = 0;
const self = new Map(), groups = new Map();
for (const [id, d] of dt) {
  const n = byId.get(id);
  total += d;
  if (n.callFrame.functionName === '(idle)') { idle += d; continue; }
  self.set(key(n), (self.get(key(n)) ?? 0) + d);
  groups.set(group(n), (groups.get(group(n)) ?? 0) + d);
}
const busy = total - idle;
const pct = (x) => `${((100 * x) / busy).toFixed(1).padStart(5)}%`;
console.log(`main thread: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy; % of busy samples`);
console.log('-- by component --');
for (const [k, x] of [...groups].sort((a, b) => b[1] - a[1]).slice(0, 14)) console.log(`${pct(x)}  ${k}`);
console.log('-- top self time --');
for (const [k, x] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topS))) console.log(`${pct(x)}  ${k}`);
EOF_JS
}

thread_ticks() { # pid -> "tid comm utime stime" per thread
  local t
  for t in /proc/"$1"/task/*; do
    [ -r "$t/stat" ] || continue
    echo "$(basename "$t") $(tr ' ' _ < "$t/comm") $(sed 's/^.*) //' "$t/stat" | awk '{print $12, $13}')"
  done
}

run_profile() {
  local level=${LOG_LEVELS%% *} dir="$OUT/profile" cfgdir pids=() ip code per c0 c1 t0 t1
  cfgdir="$OUT/rmdgate-$level"
  mkdir -p "$dir"
  wait_sip_port || return 1
  log "profile: rmdgate (log level $level) with --cpu-prof, ${PROFILE_RATE} calls/s for ${PROFILE_SECONDS}s"
  # shellcheck disable=SC2086
  (cd "$dir" && exec node --cpu-prof --cpu-prof-dir="$dir" $NODE_ARGS "$GATE_DIST/cli.js" serve --config "$cfgdir/rmdgate.yaml") > "$dir/rmdgate.log" 2>&1 &
  GATE_PID=$!
  local t_start; t_start=$(date +%s.%N)
  for _ in $(seq 1 150); do ss -Hlunp "sport = :$SIP_PORT" | grep -q "pid=$GATE_PID," && break; kill -0 "$GATE_PID" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$GATE_PID" 2>/dev/null || { tail -20 "$dir/rmdgate.log" >&2; return 1; }
  warm_up "$dir/warmup"
  per=$((PROFILE_RATE / 5))
  thread_ticks "$GATE_PID" > "$dir/threads0.txt"; c0=$(cut -d' ' -f14,15 "/proc/$GATE_PID/stat" | awk '{print $1+$2}'); t0=$(date +%s.%N)
  while read -r ip code _; do
    [[ -z "$ip" || "$ip" == \#* ]] && continue
    mkdir -p "$dir/load/$ip"
    (cd "$dir/load/$ip" && exec timeout $((PROFILE_SECONDS + 20)) sipp "127.0.0.1:$SIP_PORT" -sf "$BENCH/uac_$code.xml" -inf "$BENCH/data/numbers.csv" \
       -i "$ip" -p 5062 -m $((per * PROFILE_SECONDS)) -r "$per" -nostdin -recv_timeout 2000 -timeout "$((PROFILE_SECONDS + 10))s" \
       -trace_stat -stf stat.csv > sipp.out 2>&1) &
    pids+=($!)
  done < "$BENCH/data/sources.txt"
  for p in "${pids[@]}"; do wait "$p" || true; done
  c1=$(cut -d' ' -f14,15 "/proc/$GATE_PID/stat" | awk '{print $1+$2}'); t1=$(date +%s.%N); thread_ticks "$GATE_PID" > "$dir/threads1.txt"
  GATE_PID_PROFILED=$GATE_PID
  stop_gate
  [ "$KEEP_CDR" = 1 ] || rm -rf "$cfgdir/var/cdr"
  {
    local ok=0 failed=0 f
    for f in "$dir"/load/*/stat.csv; do
      ok=$((ok + $(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="SuccessfulCall(C)") c=i} END{print $c+0}' "$f")))
      failed=$((failed + $(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="FailedCall(C)") c=i} END{print $c+0}' "$f")))
    done
    awk -v a="$c0" -v b="$c1" -v s0="$t0" -v s1="$t1" -v n="$((ok + failed))" -v tck="$(getconf CLK_TCK)" -v ok="$ok" -v f="$failed" \
      'BEGIN{c=(b-a)/tck; printf "calls %d ok, %d failed; rmdgate CPU %.2f s over %.1f s = %.0f%% of a core, %.1f CPU-us per call (profiler on)\n", ok, f, c, s1-s0, 100*c/(s1-s0), 1e6*c/(n>0?n:1)}'
    echo "CPU-us per call by thread (utime+stime); the busiest other thread is the SQLite CDR store worker:"
    awk -v n="$((ok + failed))" -v tck="$(getconf CLK_TCK)" -v pid="$GATE_PID_PROFILED" 'NR==FNR{u[$1]=$3; s[$1]=$4; next}
      { d=($3-u[$1])+($4-s[$1]); if (d <= 0) next; name = ($1 == pid) ? "main (event loop)" : "thread " $1 " (" $2 ")"
        v = 1e6*d/tck/(n>0?n:1); if (v >= 0.5) printf "%012.3f  %-30s %7.1f (sys %.1f)\n", v, name, v, 1e6*($4-s[$1])/tck/(n>0?n:1) }' \
      "$dir/threads0.txt" "$dir/threads1.txt" | sort -r | cut -c13-
    local main; main="$(ls "$dir"/CPU.*.0.001.cpuprofile 2>/dev/null | head -1)"
    if [ -n "$main" ]; then
      analyse_profile "$main" "$(awk -v a="$t_start" -v b="$t0" 'BEGIN{printf "%.1f", b-a}')" "$PROFILE_TOP"
    else
      echo "no main-thread .cpuprofile written (see $dir/rmdgate.log)"
    fi
  } | tee "$dir/profile.txt"
  log "profile: $dir/profile.txt (profiles: $dir/*.cpuprofile)"
}

if [ "$MODE" = profile ]; then
  run_profile
  exit 0
fi

# ---------- runs, with repeats of polluted steps ----------
polluted() { # results.csv files... -> target rates whose other_cpu_pct_core > OTHER_MAX in any of them
  awk -F, -v max="$OTHER_MAX" 'FNR==1{for(i=1;i<=NF;i++) c[$i]=i; next} $(c["other_cpu_pct_core"])+0 > max {print $(c["target_cps"])}' "$@" | sort -un | tr '\n' ' '
}
merge_best() { # out.csv, results.csv files (attempts) -> per target rate the row with the lowest other_cpu_pct_core
  local out=$1; shift
  awk -F, 'FNR==1{hdr=$0; for(i=1;i<=NF;i++) c[$i]=i; next}
    { k=$(c["target_cps"]); o=$(c["other_cpu_pct_core"])+0; if (!(k in best) || o < bo[k]) { best[k]=$0; bo[k]=o } if (!(k in seen)) { seen[k]=1; order[++n]=k } }
    END{ print hdr; for(j=1;j<=n;j++) print best[order[j]] }' "$@" > "$out"
}

KAM_CSVS=()
declare -A GATE_CSVS
if [ "$SKIP_KAMAILIO" != 1 ]; then run_kamailio "$RATES" "$OUT/kamailio-1"; KAM_CSVS+=("$OUT/kamailio-1/results.csv"); fi
for level in $LOG_LEVELS; do run_rmdgate "$level" "$RATES" "$OUT/rmdgate-$level/attempt-1"; GATE_CSVS[$level]="$OUT/rmdgate-$level/attempt-1/run/results.csv"; done

attempt=1
while [ "$attempt" -le "$REPEATS" ]; do
  # judge the latest attempt only: merge first, then look at what is still polluted
  again=""
  [ ${#KAM_CSVS[@]} -gt 0 ] && { merge_best "$OUT/kamailio.csv" "${KAM_CSVS[@]}"; again="$(polluted "$OUT/kamailio.csv")"; }
  for level in $LOG_LEVELS; do
    # shellcheck disable=SC2086
    merge_best "$OUT/rmdgate-$level.csv" ${GATE_CSVS[$level]}; again="$again $(polluted "$OUT/rmdgate-$level.csv")"
  done
  again="$(echo $again | tr ' ' '\n' | sort -un | tr '\n' ' ' | xargs || true)"
  [ -n "$again" ] || break
  attempt=$((attempt + 1))
  log "steps polluted by other processes (other_cpu_pct_core > $OTHER_MAX): $again — repeating them (attempt $attempt)"
  if [ "$SKIP_KAMAILIO" != 1 ]; then run_kamailio "$again" "$OUT/kamailio-$attempt"; KAM_CSVS+=("$OUT/kamailio-$attempt/results.csv"); fi
  for level in $LOG_LEVELS; do
    run_rmdgate "$level" "$again" "$OUT/rmdgate-$level/attempt-$attempt"
    GATE_CSVS[$level]="${GATE_CSVS[$level]} $OUT/rmdgate-$level/attempt-$attempt/run/results.csv"
  done
done
[ ${#KAM_CSVS[@]} -gt 0 ] && merge_best "$OUT/kamailio.csv" "${KAM_CSVS[@]}"
# shellcheck disable=SC2086
for level in $LOG_LEVELS; do merge_best "$OUT/rmdgate-$level.csv" ${GATE_CSVS[$level]}; done

# ---------- summary ----------
KCSV="${KAMAILIO_CSV:-$OUT/kamailio.csv}"
summary() { # A.csv B.csv label
  awk -F, -v lbl="$3" -v omax="$OTHER_MAX" '
    FNR==1 { for (i=1;i<=NF;i++) c[FILENAME,$i]=i; next }
    { f=(FILENAME==ARGV[1])?"A":"B"; k=$(c[FILENAME,"target_cps"])
      for (x in want) v[f,k,x]=$(c[FILENAME,x]); if (f=="A") order[++n]=k }
    BEGIN { split("achieved_cps failed server_cpu_us_per_call server_cpu_pct_core probe_p50_us probe_p99_us other_cpu_pct_core udp_rcvbuf_drops", w, " "); for (i in w) want[w[i]]=1 }
    function r(a,b) { return (a+0>0 && b!="") ? sprintf("%.2f", b/a) : "-" }
    function maxclean(f,   j,k,m) { m=0; for (j=1;j<=n;j++) { k=order[j]; if (((f,k,"failed") in v) && v[f,k,"failed"]+0==0 && v[f,k,"achieved_cps"]+0 > m) m=v[f,k,"achieved_cps"]+0 } return m }
    END {
      printf "\n== %s vs Kamailio sl_cdr (ratio = rmdgate / Kamailio) ==\n", lbl
      printf "%7s | %9s %9s | %6s %6s | %7s %7s %6s | %6s %6s %5s | %6s %6s %5s | %5s %5s\n", "target", "K cps", "R cps", "K fail", "R fail", "K us/cl", "R us/cl", "ratio", "K p50", "R p50", "ratio", "K p99", "R p99", "ratio", "K oth", "R oth"
      for (j=1;j<=n;j++) { k=order[j]; if (!(("B",k,"achieved_cps") in v)) continue
        flag = (v["A",k,"other_cpu_pct_core"]+0 > omax || v["B",k,"other_cpu_pct_core"]+0 > omax) ? " *polluted" : ""
        printf "%7s | %9s %9s | %6s %6s | %7s %7s %6s | %6s %6s %5s | %6s %6s %5s | %5s %5s%s\n", k,
          v["A",k,"achieved_cps"], v["B",k,"achieved_cps"], v["A",k,"failed"], v["B",k,"failed"],
          v["A",k,"server_cpu_us_per_call"], v["B",k,"server_cpu_us_per_call"], r(v["A",k,"server_cpu_us_per_call"], v["B",k,"server_cpu_us_per_call"]),
          v["A",k,"probe_p50_us"], v["B",k,"probe_p50_us"], r(v["A",k,"probe_p50_us"], v["B",k,"probe_p50_us"]),
          v["A",k,"probe_p99_us"], v["B",k,"probe_p99_us"], r(v["A",k,"probe_p99_us"], v["B",k,"probe_p99_us"]),
          v["A",k,"other_cpu_pct_core"], v["B",k,"other_cpu_pct_core"], flag }
      printf "max clean calls/s (0 failed): Kamailio %.0f, rmdgate %.0f (ratio %s)\n", maxclean("A"), maxclean("B"), r(maxclean("A"), maxclean("B"))
    }' "$1" "$2"
}
{
  echo "rmdgate vs Kamailio: $OUT  (rates: $RATES; ${STEP_SECONDS}s steps; probe ${PROBE_RATE}/s; other_cpu limit ${OTHER_MAX}%)"
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r), node $(node --version), $(kamailio -v 2>/dev/null | head -1 | xargs), $(sipp -v 2>&1 | grep -m1 SIPp | xargs)"
  for level in $LOG_LEVELS; do
    if [ -f "$KCSV" ]; then
      "$BENCH/compare.sh" "$KCSV" "$OUT/rmdgate-$level.csv" || true
      summary "$KCSV" "$OUT/rmdgate-$level.csv" "rmdgate (log level $level)"
    else
      echo "(no Kamailio results; rmdgate only)"; column -s, -t < "$OUT/rmdgate-$level.csv" | cut -c1-200
    fi
    cat "$OUT/rmdgate-$level/attempt-1/after.txt" 2>/dev/null | sed 's/^/  /'
  done
} | tee "$OUT/summary.txt"
left="$(kamailio_pids)"; for p in $left; do case " $PRE_KAM " in *" $p "*) ;; *) log "WARNING: kamailio pid $p still running" ;; esac; done
log "done: $OUT/summary.txt"
