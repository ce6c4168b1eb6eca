#!/usr/bin/env bash
# rmdgate behind drachtio-server vs a bare drachtio-srf app (scripts/bench-drachtio-bare.mjs) on the SAME drachtio-server
# under the SAME sipp load, one after the other in one run. Reports the clean call rate ratio (target >= 0.95) and the
# app CPU per call ratio (target <= 1.1); exit 0 when both are met, 1 when not, 2 on a setup problem.
#
#   DRACHTIO_ADDRESS=127.0.0.1:9022 DRACHTIO_SECRET=... scripts/bench-drachtio.sh     # needs sipp and drachtio-server
#   scripts/bench-drachtio.sh --standin                                                # smoke run, no drachtio-server
#
# Env: DRACHTIO_SIP_ADDRESS (default <admin host>:5060; drachtio-server must see the sipp source address, so run it on
# this host), RATE calls/s (300), DURATION_S (30), BENCH_MODE redirect|proxy (redirect), BENCH_SOURCE sipp -i (127.0.0.1),
# BENCH_UAS_PORT proxy destination port (5070), BENCH_CDR sqlite|jsonl|none (sqlite), BENCH_OPS_PORT (19464).
# No other app may be connected to that drachtio-server during the run (it would share the INVITEs).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--standin" ]]; then
  [[ -f dist/cli.js ]] || npm run build >/dev/null
  exec node scripts/bench-drachtio-standin.mjs
fi

fail() { echo "bench-drachtio: $*" >&2; exit 2; }
[[ -n "${DRACHTIO_ADDRESS:-}" && "$DRACHTIO_ADDRESS" == *:* ]] || fail "set DRACHTIO_ADDRESS=host:admin-port (or use --standin)"
[[ -n "${DRACHTIO_SECRET:-}" ]] || fail "set DRACHTIO_SECRET"
command -v sipp >/dev/null || fail "sipp not found (apt-get install sip-tester)"
[[ -r /proc/self/stat ]] || fail "needs Linux /proc for CPU accounting"

RATE=${RATE:-300}
DURATION_S=${DURATION_S:-30}
CALLS=$((RATE * DURATION_S))
WARMUP=$((RATE * 3))
MODE=${BENCH_MODE:-redirect}
SOURCE=${BENCH_SOURCE:-127.0.0.1}
UAS_PORT=${BENCH_UAS_PORT:-5070}
CDR=${BENCH_CDR:-sqlite}
OPS_PORT=${BENCH_OPS_PORT:-19464}
SIP_TARGET=${DRACHTIO_SIP_ADDRESS:-${DRACHTIO_ADDRESS%%:*}:5060}
CLK_TCK=$(getconf CLK_TCK)
ROUTE="sip:127.0.0.1:${UAS_PORT};transport=udp"
case "$MODE" in
  redirect) UAC=test/sip/drachtio/scenarios/uac-allowed-expect-302.xml ;;
  proxy) UAC=test/sip/drachtio/scenarios/uac-proxied-expect-200.xml ;;
  *) fail "BENCH_MODE must be redirect or proxy" ;;
esac
[[ -f dist/cli.js ]] || npm run build >/dev/null

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cpu_seconds() { sed 's/.*) //' "/proc/$1/stat" | awk -v t="$CLK_TCK" '{ printf "%.3f", ($12 + $13) / t }'; }

# Polls a command every 0.2 s for at most $1 seconds.
wait_for() {
  local limit=$1; shift
  for ((i = 0; i < limit * 5; i++)); do "$@" && return 0; sleep 0.2; done
  return 1
}

write_config() {
  local samples; samples="$(pwd)/config/samples"
  cat >"$work/rmdgate.yaml" <<EOF
node: { id: bench-drachtio }
sip:
  front: drachtio
  defaultRoute: [ "$ROUTE" ]
  drachtio: { host: ${DRACHTIO_ADDRESS%%:*}, port: ${DRACHTIO_ADDRESS##*:}, allowAction: $MODE, proxy: { recordRoute: true } }
data:
  rmd: { path: "$samples/rmd.csv" }
  blocklists: [ { name: fcc-k4, path: "$samples/lists/fcc-k4.yaml", kind: k4 } ]
feeds: { stateDir: "$work/feeds" }
providers: [ { id: harborline, name: Harborline Communications LLC, rmdNumber: RMD0990001, frn: "0099000001" } ]
trunks: [ { id: bench-1, provider: harborline, sources: [ $SOURCE/32 ] } ]
cdr: { dir: "$work/cdr", sinks: { sqlite: { enabled: $([[ $CDR == sqlite ]] && echo true || echo false) }, jsonl: { enabled: $([[ $CDR == jsonl ]] && echo true || echo false) } } }
log: { level: warn }
ops: { listen: { address: 127.0.0.1, port: $OPS_PORT } }
admin: { listen: false }
EOF
}

ready_bare() { grep -q '^ready$' "$work/bare.log"; }
ready_rmdgate() { node -e "fetch('http://127.0.0.1:$OPS_PORT/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; }

sipp_uac() { # calls stats-file
  sipp "$SIP_TARGET" -sf "$UAC" -i "$SOURCE" -p 0 -m "$1" -r "$RATE" -s 2025550123 -nostdin -max_socket 512 \
    -timeout "$((DURATION_S + 60))s" -recv_timeout 10000 ${2:+-trace_stat -stf "$2" -fd 1} >/dev/null 2>&1 || true
}

run_one() { # name command...
  local name=$1; shift
  DRACHTIO_SECRET="$DRACHTIO_SECRET" DRACHTIO_ADDRESS="$DRACHTIO_ADDRESS" BENCH_MODE="$MODE" BENCH_ROUTE="$ROUTE" \
    "$@" >"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_for 30 "ready_$name" || fail "$name did not become ready (see output below)"$'\n'"$(tail -20 "$work/$name.log")"
  local uas=""
  if [[ $MODE == proxy ]]; then
    sipp -sf test/sip/drachtio/scenarios/uas-180-200.xml -i 127.0.0.1 -p "$UAS_PORT" -m $((WARMUP + CALLS)) -nostdin \
      -timeout "$((DURATION_S + 90))s" >/dev/null 2>&1 &
    uas=$!
    pids+=("$uas")
    sleep 0.5
  fi
  echo "bench-drachtio: $name: warm-up $WARMUP calls, then $CALLS calls at $RATE/s ($MODE)" >&2
  sipp_uac "$WARMUP" ""
  local c0 c1
  c0=$(cpu_seconds "$pid")
  sipp_uac "$CALLS" "$work/$name.csv"
  c1=$(cpu_seconds "$pid")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [[ -n $uas ]] && { kill "$uas" 2>/dev/null || true; wait "$uas" 2>/dev/null || true; }
  [[ -s "$work/$name.csv" ]] || fail "$name: sipp wrote no statistics"
  node scripts/bench-drachtio-report.mjs summarise "$name" "$work/$name.csv" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" >"$work/$name.json"
  sleep 1 # let drachtio-server notice the disconnect before the next app connects
}

write_config
run_one bare node scripts/bench-drachtio-bare.mjs
run_one rmdgate node dist/cli.js serve --config "$work/rmdgate.yaml"
echo "bench-drachtio: drachtio-server $DRACHTIO_ADDRESS, SIP $SIP_TARGET, $MODE, $CALLS calls at $RATE/s from $SOURCE, CDR sink $CDR"
node scripts/bench-drachtio-report.mjs compare "$work/bare.json" "$work/rmdgate.json"
