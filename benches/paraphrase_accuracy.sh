#!/usr/bin/env bash
# The same fact in other words (issue 15): copydesk against the real paraphrase
# and graded-reuse sets. See benches/README.md, section "Paraphrase and graded reuse".
#
# usage: benches/paraphrase_accuracy.sh [DATA_DIR]    (default ../shared/data)
#   DATA_DIR holds paraphrase/msrp_train.jsonl, paraphrase/ists_headlines_train.jsonl
#   and clough-stevenson/.
#
# Prints, in order:
#   1. MSRP train, ../shared/tools/score_pairs.py's own figures (its best-threshold
#      accuracy may cut inside a group of equal scores: see msrp_facts.py);
#   2. MSRP train from copydesk's facts and passages, with precision and recall and
#      best-threshold accuracies that never split ties (benches/msrp_facts.py);
#   3. iSTS headlines: passage boundaries against gold chunk alignments
#      (benches/ists_chunks.py);
#   4. Clough-Stevenson: AUC, Spearman and leave-one-out 4-class accuracy
#      (examples/clough_stevenson.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data}
for f in "$data/paraphrase/msrp_train.jsonl" "$data/paraphrase/ists_headlines_train.jsonl" \
         "$data/clough-stevenson/file_information.csv"; do
  [ -s "$f" ] || { echo "paraphrase_accuracy.sh: $f is missing or empty" >&2; exit 2; }
done
cargo build --release --quiet --bin copydesk --example clough_stevenson
bin=target/release/copydesk
tools=$(cd "$data/../tools" 2>/dev/null && pwd || true)
echo "== MSRP train, score_pairs.py"
if [ -n "$tools" ] && [ -f "$tools/score_pairs.py" ]; then
  python3 "$tools/score_pairs.py" "$data/paraphrase/msrp_train.jsonl" --copydesk "$bin"
else
  echo "(score_pairs.py not found beside $data; skipped)"
fi
echo "== MSRP train, facts and passages"
python3 benches/msrp_facts.py "$data/paraphrase/msrp_train.jsonl" --copydesk "$bin"
echo "== iSTS headlines, passage boundaries"
python3 benches/ists_chunks.py "$data/paraphrase/ists_headlines_train.jsonl" --copydesk "$bin"
echo "== Clough-Stevenson"
target/release/examples/clough_stevenson "$data/clough-stevenson"
