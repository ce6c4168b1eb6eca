#!/usr/bin/env bash
# rmdgate vs the Kamailio 5.6 screening baseline (shared/bench/kamailio), same data, same load, back to back, loopback only.
#
#   scripts/bench-vs-kamailio.sh
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
#      BENCH_SRC (/work/shared/bench/kamailio or ../shared/bench/kamailio),
#      OUT (${TMPDIR:-/tmp}/rmdgate-bench/vs-kamailio-STAMP: outside the work tree, whose var/ other test runs clean), PROBE_RATE (50), WARMUP_SECONDS (3) / WARMUP_RATE (1000): unmeasured JIT warm-up
#      of each freshly started rmdgate, PORT_WAIT (120 s: how long to wait for someone else's listener on SIP_PORT).
# Every process this script starts is stopped by PID; every run is bounded by `timeout`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
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
  for d in "$ROOT/../shared/bench/kamailio" /work/shared/bench/kamailio; do [ -f "$d/run.sh" ] && { BENCH_SRC="$(cd "$d" && pwd)"; break; }; done
fi
[ -f "${BENCH_SRC:-}/run.sh" ] || { echo "Kamailio bench folder not found (set BENCH_SRC)" >&2; exit 2; }
export PROBE_RATE

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# ---------- tools ----------
need_apt=()
command -v sipp >/dev/null || need_apt+=(sip-tester)
command -v kamailio >/dev/null || [ "$SKIP_KAMAILIO" = 1 ] || need_apt+=(kamailio kamailio-extra-modules kamailio-utils-modules)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]} (services are kept from starting)"
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}" > /dev/null
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
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
