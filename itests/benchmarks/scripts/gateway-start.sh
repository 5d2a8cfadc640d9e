#!/bin/sh
# Start figures of a PN GW from a distribution directory (D120, docs/operator-guide.md §7):
#   itests/benchmarks/scripts/gateway-start.sh [DIST] [RUNS]
# DIST defaults to distribution/target/cpns. Each run starts bin/cpns-gateway on a fresh data
# directory and a copy of etc/gateway/config with ports 0 (a shared machine), waits for
# "CPNS runtime ready in N ms", then prints that N, the live heap after a full GC (jcmd) and the
# RSS, and stops the runtime (SIGTERM). Compare two distributions by alternating them run by run;
# quote medians.
DIST=$(cd "${1:-distribution/target/cpns}" && pwd); RUNS=${2:-5}
run=1
while [ "$run" -le "$RUNS" ]; do
  DATA=$(mktemp -d); CFG=$(mktemp -d); LOG=$DATA.out
  cp -r "$DIST/etc/gateway/config/." "$CFG"
  sed -i 's/^port=.*/port=0/' "$CFG/cpns.gw.broker.cfg" "$CFG/cpns.pan.ip.cfg"
  sed -i 's/^discoveryPort=.*/discoveryPort=0/' "$CFG/cpns.pan.ip.cfg"
  "$DIST/bin/cpns-gateway" --data "$DATA" --config "$CFG" </dev/null >"$LOG" 2>&1 &
  PID=$!
  i=0
  while ! grep -q "CPNS runtime ready in" "$LOG" && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
  READY=$(grep -o 'ready in [0-9]* ms' "$LOG" | grep -o '[0-9]*')
  sleep 2
  jcmd "$PID" GC.run >/dev/null 2>&1; sleep 1
  HEAP=0 # young + old generation (SerialGC, the scripts' default)
  for k in $(jcmd "$PID" GC.heap_info | grep -o 'used [0-9]*K' | head -2 | grep -o '[0-9]*'); do HEAP=$((HEAP + k)); done
  RSS=$(ps -o rss= -p "$PID")
  echo "run $run: ready_ms=${READY:-none} live_heap_kb=$HEAP rss_kb=$RSS other_format_lines=$(grep -vc '^[0-9]\{4\}-' "$LOG")"
  kill "$PID"; wait "$PID" 2>/dev/null
  rm -rf "$DATA" "$CFG" "$LOG"
  run=$((run+1))
done
