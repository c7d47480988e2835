#!/usr/bin/env bash
# Accuracy of `copydesk filter` on a gen_corpus.py stream with 20 sites and
# site chrome: recall of planted copies per edit level, and precision (no
# unrelated document dropped). See benches/README.md, section "filter".
#
# usage: benches/filter_accuracy.sh [DOCS]      (default 100000)
#   WORK=DIR   scratch directory (default /tmp/copydesk-filter-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
work=${WORK:-/tmp/copydesk-filter-bench}
mkdir -p "$work"
cargo build --release --quiet
stream=$work/stream-$n.jsonl
truth=$work/truth-$n.json
if [ ! -s "$truth" ]; then
  python3 ../shared/tools/gen_corpus.py --docs "$n" --sites 20 --chrome --seed 7 \
    --edit-rates 0,0.005,0.01,0.02,0.03,0.05,0.08,0.1 \
    --out "$stream" --truth "$truth" ../shared/data/gutenberg/*.txt
fi
target/release/copydesk filter --no-passages --dropped "$work/dropped-$n.jsonl" \
  -o "$work/kept-$n.jsonl" "$stream"
python3 benches/filter_accuracy.py "$stream" "$truth" "$work/kept-$n.jsonl" "$work/dropped-$n.jsonl"
