#!/usr/bin/env bash
# Long documents and the size limit (issue 14): peak RSS and wall time of
# `copydesk compare` on two long documents, and what `compare`, `report`
# and `filter` do with a 1 GB input. See benches/README.md, section
# "Long documents and the size limit".
#
# usage: benches/long_compare.sh pairs [WORDS...]   (default: 25000 100000)
#        benches/long_compare.sh limits [BYTES]      (default: 1073741824)
#   BIN=PATH   the binary to measure (default: target/release/copydesk, built)
#   WORK=DIR   scratch directory (default /tmp/copydesk-long-compare)
#
# `pairs` prints one markdown row per case (books, twice, rare; see
# benches/long_compare.py) and size. `limits` writes one big input at a
# time (a text file, then a JSON Lines file of one small record and one big
# one), runs the commands on it under a 12 GB address-space limit, prints
# one row per command and deletes the input.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=${WORK:-/tmp/copydesk-long-compare}
mkdir -p "$work"
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=$root/target/release/copydesk
fi
mode=${1:-pairs}
shift || true

# Runs "$@" and prints "exit peak_RSS_MB seconds".
measure() {
  local status=0
  /usr/bin/time -f '%M %e' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || status=$?
  read -r kb secs < <(tail -1 "$work/time")
  printf '%s %s %s\n' "$status" "$((kb / 1024))" "$secs"
}

case $mode in
pairs)
  sizes=("${@:-25000 100000}")
  read -r -a sizes <<<"${sizes[*]}"
  echo "| case | words each | passages | peak RSS MB | seconds |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for n in "${sizes[@]}"; do
    for c in books twice rare; do
      python3 benches/long_compare.py pair "$c" "$n" "$work/a.txt" "$work/b.txt"
      read -r status mb secs < <(measure "$BIN" compare "$work/a.txt" "$work/b.txt" --format json)
      passages=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["passages"]))' "$work/out" 2>/dev/null || echo "exit $status")
      echo "| $c | $n | $passages | $mb | $secs |"
    done
  done
  rm -f "$work/a.txt" "$work/b.txt"
  ;;
limits)
  bytes=${1:-1073741824}
  echo "small" >"$work/small.txt"
  echo "| command | exit | peak RSS MB | seconds | stderr (first line) |"
  echo "| --- | ---: | ---: | ---: | --- |"
  row() {
    local what=$1
    shift
    read -r status mb secs < <(ulimit -v 12000000; measure "$@")
    echo "| \`$what\` | $status | $mb | $secs | $(head -1 "$work/err" | cut -c1-150) |"
  }
  mkdir -p "$work/dir"
  python3 benches/long_compare.py big-text "$bytes" "$work/dir/big.txt"
  cp "$work/small.txt" "$work/dir/a-small.txt"
  row "compare big.txt small.txt" "$BIN" compare "$work/dir/big.txt" "$work/small.txt"
  row "report DIR" "$BIN" report "$work/dir"
  rm -rf "$work/dir"
  python3 benches/long_compare.py big-jsonl "$bytes" "$work/big.jsonl"
  row "filter big.jsonl" "$BIN" filter "$work/big.jsonl"
  echo "(kept lines written by filter: $(wc -l <"$work/out"))"
  row "filter --on-error skip big.jsonl" "$BIN" filter --on-error skip "$work/big.jsonl"
  echo "(kept lines written by filter: $(wc -l <"$work/out"))"
  row "report --jsonl big.jsonl" "$BIN" report --jsonl "$work/big.jsonl"
  rm -f "$work/big.jsonl"
  ;;
*)
  echo "usage: $0 pairs [WORDS...] | limits [BYTES]" >&2
  exit 2
  ;;
esac
