#!/usr/bin/env bash
# The pairs job at corpus scale: copydesk against datasketch, rensa and gaoya
# on the same generated JSON Lines file, in one run. See benches/README.md.
#
#   benches/dedup_bench.sh [DOCS...]        (default: 10000 100000)
#
# Environment: SHARED (default ../shared), VENV (a virtualenv holding
# datasketch 2.0, rensa 0.5, gaoya 0.2; default /work/venv-report), DATA
# (generated corpora and results; default target/bench-data), PEERS (default
# "gaoya rensa datasketch"), RUNS (copydesk repetitions, median; default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED:-$ROOT/../shared}
VENV=${VENV:-/work/venv-report}
DATA=${DATA:-$ROOT/target/bench-data}
PEERS=${PEERS:-gaoya rensa datasketch}
RUNS=${RUNS:-3}
SIZES=${*:-10000 100000}
mkdir -p "$DATA"
cargo build --release --quiet
BIN=$ROOT/target/release/copydesk
PY=$VENV/bin/python
JOB=(--pairs-only --threshold 0.8 --shingle 5 --format json)

# Wall seconds and peak RSS (KB) of one command, via /usr/bin/time -v.
timed() {
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" 2>"$log" >/dev/null
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  rm -f "$log"
  echo "$wall $rss"
}

echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| docs | tool | seconds | docs/s | peak RSS MB | recall | precision | copydesk speed-up |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for N in $SIZES; do
  CORPUS=$DATA/corpus-$N.jsonl
  if [ ! -s "$CORPUS" ]; then
    python3 "$SHARED/tools/gen_corpus.py" --docs "$N" --seed 1 --out "$CORPUS" \
      --truth "$DATA/truth-$N.json" "$SHARED"/data/gutenberg/*.txt 2>/dev/null
  fi
  # Ground truth: exact all-pairs join (prefix filtering, no sketch).
  "$BIN" report --jsonl "$CORPUS" "${JOB[@]}" --exact -o "$DATA/exact-$N.json"

  walls=()
  rss=0
  for _ in $(seq "$RUNS"); do
    read -r w r < <(timed "$BIN" report --jsonl "$CORPUS" "${JOB[@]}" -o "$DATA/copydesk-$N.json")
    walls+=("$w")
    [ "$r" -gt "$rss" ] && rss=$r
  done
  cd_wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')

  results=("$DATA/copydesk-$N.json")
  best_peer=""
  for tool in $PEERS; do
    "$PY" benches/dedup_peers.py run "$tool" "$CORPUS" "$DATA/$tool-$N.json"
    results+=("$DATA/$tool-$N.json")
  done
  "$PY" benches/dedup_peers.py evaluate "$CORPUS" "$DATA/exact-$N.json" "${results[@]}" > "$DATA/eval-$N.txt"
  score() { grep "\"$1\"" "$DATA/eval-$N.txt" | "$PY" -c "import json,sys; d=json.loads(sys.stdin.read()); print(d['recall'], d['precision'])"; }

  for tool in $PEERS; do
    s=$("$PY" -c "import json; print(round(json.load(open('$DATA/$tool-$N.json'))['seconds'], 2))")
    if [ -z "$best_peer" ] || awk "BEGIN {exit !($s < $best_peer)}"; then best_peer=$s; fi
  done
  read -r rc pc < <(score "$DATA/copydesk-$N.json")
  printf '| %s | copydesk (median of %s: %s) | %s | %.0f | %.0f | %s | %s | %.1fx |\n' \
    "$N" "$RUNS" "$(IFS=/; echo "${walls[*]}")" "$cd_wall" "$(echo "$N / $cd_wall" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)" "$rc" "$pc" "$(echo "$best_peer / $cd_wall" | bc -l)"
  for tool in $PEERS; do
    read -r s r < <("$PY" -c "import json; d=json.load(open('$DATA/$tool-$N.json')); print(round(d['seconds'], 2), d['max_rss_kb'])")
    read -r rc pc < <(score "$DATA/$tool-$N.json")
    printf '| %s | %s | %s | %.0f | %.0f | %s | %s | |\n' "$N" "$tool" "$s" "$(echo "$N / $s" | bc -l)" \
      "$(echo "$r / 1024" | bc -l)" "$rc" "$pc"
  done
  head -1 "$DATA/eval-$N.txt" | sed 's/^/  /'
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
