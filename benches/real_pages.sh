#!/usr/bin/env bash
# Near-duplicates on real scraped pages: `copydesk report` and `copydesk filter`
# scored by ../shared/tools/score_pages.py against a labelled page set (pairs of
# the same article, and same-site pairs alike only by their chrome), and the
# filter's audit notes counted. See benches/README.md, section "Real pages and
# generated chrome".
#
# usage: benches/real_pages.sh [PAGESET_DIR]    (default ../shared/data/dragnet)
#   PAGESET_DIR holds pages.jsonl and labels.json (the layout of data/dragnet).
#   VENV=DIR   also score the peers (exact Jaccard / containment, datasketch
#              MinHash LSH) with DIR/bin/python, which must import datasketch
#   WORK=DIR   scratch directory and summary (default /tmp/copydesk-real-pages);
#              writes WORK/summary.json
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/data/dragnet}
work=${WORK:-/tmp/copydesk-real-pages}
pages=$dir/pages.jsonl
labels=$dir/labels.json
for f in "$pages" "$labels"; do
  [ -s "$f" ] || { echo "real_pages.sh: $f is missing or empty" >&2; exit 2; }
done
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/copydesk

py=python3
peers=()
if [ -n "${VENV:-}" ]; then
  py=$VENV/bin/python
  "$py" -c 'import datasketch' 2>/dev/null || {
    echo "real_pages.sh: $py cannot import datasketch (pip install 'datasketch==2.0.*')" >&2; exit 2; }
  peers=(--peers)
fi

rev=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo '+dirty')
echo "page set: $dir; copydesk $rev; load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$py" ../shared/tools/score_pages.py "$pages" "$labels" --copydesk "$bin" "${peers[@]}" \
  --json "$work/score.json"

# score_pages.py runs its own filter (fresh index, pages on stdin) and keeps
# only the drops; run the same filter once more to keep its audit log and count
# the notes on lines it KEPT (`"kept": true`: alike only through a template, or
# different articles behind a shared template).
rm -rf "$work/filter-index"
"$bin" filter -q --index "$work/filter-index" --dropped "$work/dropped.jsonl" \
  -o "$work/kept.jsonl" < "$pages"
rm -rf "$work/filter-index"

python3 - "$work" "$dir" "$rev" <<'EOF'
import collections, json, sys
work, pageset, rev = sys.argv[1:4]
drops, notes = collections.Counter(), collections.Counter()
for line in open(f"{work}/dropped.jsonl", encoding="utf-8"):
    r = json.loads(line)
    if r.get("kept") is True:
        notes[r.get("reason")] += 1
    else:
        drops[r.get("reason")] += 1
kept = sum(1 for line in open(f"{work}/kept.jsonl", encoding="utf-8") if line.strip())
print(f"filter audit log: kept {kept}, dropped {sum(drops.values())} {dict(drops)}; "
      f"notes on kept lines {sum(notes.values())} "
      f"(template-only {notes['template-only']}, different-articles {notes['different-articles']})")
summary = json.load(open(f"{work}/score.json"))
summary.update({"pageset": pageset, "copydesk": rev, "filter_kept": kept, "filter_drops": dict(drops),
                "filter_notes": {"template-only": 0, "different-articles": 0, **notes}})
json.dump(summary, open(f"{work}/summary.json", "w"), indent=1)
print(json.dumps(summary, separators=(",", ":")))
print(f"summary: {work}/summary.json")
EOF
