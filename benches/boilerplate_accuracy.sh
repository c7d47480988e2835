#!/usr/bin/env bash
# Boilerplate on real scraped pages: how much of each page's annotated article
# text `copydesk report` keeps, and how much of the rest (navigation, menus,
# lists, footers) it removes as boilerplate, scored by
# benches/boilerplate_accuracy.py. See benches/README.md, section "Real pages
# and generated chrome".
#
# usage: benches/boilerplate_accuracy.sh [PAGESET_DIR]  (default ../shared/data/dragnet)
#   PAGESET_DIR holds pages.jsonl and main.jsonl (the layout of data/dragnet).
#   WORK=DIR     scratch directory (default /tmp/copydesk-boilerplate); the
#                report goes to WORK/report.json, the summary to WORK/summary.json
#   REPORT=FILE  score this report of the same pages instead of making one
#   JOBS=N       align pages in N processes (default 1; ~1 min for Dragnet)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/data/dragnet}
work=${WORK:-/tmp/copydesk-boilerplate}
pages=$dir/pages.jsonl
main=$dir/main.jsonl
for f in "$pages" "$main"; do
  [ -s "$f" ] || { echo "boilerplate_accuracy.sh: $f is missing or empty" >&2; exit 2; }
done
mkdir -p "$work"
report=${REPORT:-}
if [ -z "$report" ]; then
  cargo build --release --quiet
  report=$work/report.json
  target/release/copydesk report --jsonl "$pages" --format json --keep first -o "$report"
fi
echo "page set: $dir; report: $report; load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 benches/boilerplate_accuracy.py --jobs "${JOBS:-1}" "$pages" "$main" "$report" \
  | tee "$work/out.txt"
tail -n 1 "$work/out.txt" > "$work/summary.json"
