#!/usr/bin/env bash
# Accuracy of `copydesk filter` and `copydesk report` on two generated corpora
# with site chrome: "line" (gen_corpus.py --sites 20 --chrome, paragraphs kept,
# a source field) and "flat" (the same plus promo boxes inside articles, each
# page flattened to one line of words, no source field: closer to scraped
# pages). Filter scored by filter_accuracy.py, report clusters by
# report_accuracy.py, against the generator's truth; one table at the end.
# See benches/README.md, section "Real pages and generated chrome".
#
# usage: benches/gen_accuracy.sh [DOCS]      (default 10000)
#   WORK=DIR   corpora, outputs and scores (default /tmp/copydesk-gen-accuracy);
#              corpora already there are reused; WORK/summary.json at the end
# The report holds every document in memory: at 10,000 documents it takes
# ~30 s, 1.7 GB and writes ~0.4 GB of JSON per corpus; at 100,000, minutes and
# GBs.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
work=${WORK:-/tmp/copydesk-gen-accuracy}
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/copydesk
common=(--docs "$n" --seed 7 --sites 20 --chrome --edit-rates 0,0.005,0.01,0.02,0.03,0.05,0.08,0.1)
echo "copydesk $(git rev-parse --short HEAD); $n documents; load average $(cut -d' ' -f1-3 /proc/loadavg)"

for kind in line flat; do
  corpus=$work/$kind-$n.jsonl
  truth=$work/truth-$kind-$n.json
  extra=()
  [ "$kind" = flat ] && extra=(--chrome-promo 0.3 --flatten --no-source-field)
  if [ ! -s "$truth" ] || [ ! -s "$corpus" ]; then
    python3 ../shared/tools/gen_corpus.py "${common[@]}" "${extra[@]}" \
      --out "$corpus" --truth "$truth" ../shared/data/gutenberg/*.txt
  fi

  echo "== $kind: filter"
  t0=$(date +%s.%N)
  "$bin" filter -q --no-passages --dropped "$work/$kind-$n.dropped.jsonl" \
    -o "$work/$kind-$n.kept.jsonl" "$corpus"
  t1=$(date +%s.%N)
  python3 benches/filter_accuracy.py "$corpus" "$truth" "$work/$kind-$n.kept.jsonl" \
    "$work/$kind-$n.dropped.jsonl" | tee "$work/$kind-$n.filter.txt"
  echo "$t0 $t1" | awk '{printf "%.2f\n", $2 - $1}' > "$work/$kind-$n.filter.secs"

  echo "== $kind: report"
  t0=$(date +%s.%N)
  "$bin" report --jsonl "$corpus" --format json --keep first -o "$work/$kind-$n.report.json"
  t1=$(date +%s.%N)
  python3 benches/report_accuracy.py "$corpus" "$truth" "$work/$kind-$n.report.json" \
    | tee "$work/$kind-$n.report.txt"
  echo "$t0 $t1" | awk '{printf "%.2f\n", $2 - $1}' > "$work/$kind-$n.report.secs"
done

python3 - "$work" "$n" <<'EOF'
import json, sys
work, n = sys.argv[1:3]
rows = []
print()
print("| corpus | tool | seconds | recall (edit rate <= 0.1) | precision | wrong drops | notes |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for kind in ("line", "flat"):
    for tool in ("filter", "report"):
        s = json.loads(open(f"{work}/{kind}-{n}.{tool}.txt").read().splitlines()[-1])
        secs = float(open(f"{work}/{kind}-{n}.{tool}.secs").read())
        notes = sum(s["notes"].values())
        detail = ", ".join(f"{k} {v}" for k, v in sorted(s["notes"].items()))
        print(f"| {kind} | {tool} | {secs:.2f} | {s['recalled_upto_0.1']}/{s['expected_upto_0.1']} = "
              f"{s['recall_upto_0.1']:.4f} | {s['good_drops']}/{s['dropped']} = {s['precision']:.4f} | "
              f"{s['wrong_drops']} | {notes if tool == 'filter' else '-'}{f' ({detail})' if detail else ''} |")
        rows.append({"corpus": kind, "tool": tool, "seconds": secs, **s})
json.dump({"docs": int(n), "runs": rows}, open(f"{work}/summary.json", "w"), indent=1)
print(f"summary: {work}/summary.json")
EOF
