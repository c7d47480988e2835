#!/usr/bin/env bash
# Throughput of `copydesk filter --index` against datasketch MinHashLSH and
# rensa's deduplicator on the same gen_corpus.py stream (20 sites, site
# chrome), all in the same run. See benches/README.md, section "filter".
#
# usage: benches/filter_bench.sh [SIZES...]      (default: 10000 100000)
#   COPYDESK_ONLY_ABOVE=N  sizes above N run copydesk alone (default 100000)
#   VENV=DIR               virtualenv with datasketch and rensa (default /work/venv-filter)
#   REPEAT=N               rounds per size, median reported (default 3)
#   WORK=DIR               scratch directory (default /tmp/copydesk-filter-bench)
#
# Prints one markdown table row per tool and size (the median of REPEAT
# rounds, each round running every tool once), then the restart cost:
# reopening the largest index and filtering one more document.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
sizes=("${@:-10000 100000}")
read -r -a sizes <<<"${sizes[*]}"
only_above=${COPYDESK_ONLY_ABOVE:-100000}
repeat=${REPEAT:-3}
venv=${VENV:-/work/venv-filter}
work=${WORK:-/tmp/copydesk-filter-bench}
mkdir -p "$work"

max=0
for n in "${sizes[@]}"; do ((n > max)) && max=$n; done

cargo build --release --quiet
bin=$root/target/release/copydesk

stream=$work/stream-$max.jsonl
if [ ! -s "$stream" ]; then
  python3 ../shared/tools/gen_corpus.py --docs "$max" --sites 20 --chrome --seed 7 \
    --edit-rates 0,0.005,0.01,0.02,0.03,0.05,0.08,0.1 \
    --out "$stream" --truth "$work/truth-$max.json" ../shared/data/gutenberg/*.txt
fi

# Each size runs REPEAT rounds; a round runs every tool once, one after the
# other, so a slow spell of the machine falls on all of them alike. The
# table gives each tool's median round (by seconds) and every round's time.
results=$work/results.jsonl
: >"$results"
for n in "${sizes[@]}"; do
  input=$work/stream-$n.jsonl
  [ -s "$input" ] || head -n "$n" "$stream" >"$input"
  bytes=$(stat -L -c %s "$input")
  for ((round = 1; round <= repeat; round++)); do
    rm -f "$work/index-$n.redb" "$work/index-$n.redb.texts"
    # Write back what earlier runs left dirty, so no run pays for another's
    # I/O. Each tool of a compared size starts with the input in the page
    # cache: this host keeps little of it, and reading it back from a busy
    # disk once made a round four times as long; the comparison is of the
    # tools, not of the disk. (The million-line stream, 5.8 GB, is larger
    # than the cache: it is read from disk.)
    sync
    if ((n <= only_above)); then cat "$input" >/dev/null; fi
    /usr/bin/time -f "%e %M" -o "$work/time" \
      "$bin" filter --index "$work/index-$n.redb" "$input" >/dev/null 2>"$work/summary"
    read -r secs kb <"$work/time"
    # The summary groups thousands ("dropped 19,483").
    dropped=$(sed -n 's/.*, dropped \([0-9,]*\).*/\1/p' "$work/summary" | tr -d ,)
    printf '{"tool":"copydesk filter --index","docs":%d,"bytes":%d,"seconds":%s,"peak_rss_kb":%d,"dropped":%d}\n' \
      "$n" "$bytes" "$secs" "$kb" "$dropped" >>"$results"
    sed 's/^/    /' "$work/summary" >&2
    if ((n <= only_above)); then
      for peer in rensa datasketch; do
        cat "$input" >/dev/null
        "$venv/bin/python" benches/filter_peers.py "$peer" "$input" >>"$results"
      done
    fi
  done
done
python3 - "$results" <<'EOF'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
print("| docs | tool | seconds | docs/s | MB/s | peak RSS MB | RSS bytes/doc | dropped | every round (s) |")
print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
keys = []
for r in runs:
    if (r["docs"], r["tool"]) not in keys:
        keys.append((r["docs"], r["tool"]))
for n, tool in keys:
    rs = [r for r in runs if (r["docs"], r["tool"]) == (n, tool)]
    r = sorted(rs, key=lambda r: r["seconds"])[(len(rs) - 1) // 2]
    s = r["seconds"]
    every = ", ".join(f"{x['seconds']:.2f}" for x in rs)
    print(f"| {n} | {tool} | {s:.2f} | {n / s:.0f} | {r['bytes'] / s / 1e6:.1f} | "
          f"{r['peak_rss_kb'] / 1024:.0f} | {r['peak_rss_kb'] * 1024 / n:.0f} | {r['dropped']} | {every} |")
EOF

# Restart cost: reopen the largest index and filter one document it has not seen.
one=$work/one.jsonl
printf '{"id":"restart-probe","source":"probe","text":"%s"}\n' \
  "A restart probe: one new document that no earlier run has seen, about a lighthouse keeper in Orkney who rescued two sailors." >"$one"
/usr/bin/time -f "%e s, peak RSS %M KB" -o "$work/time" \
  "$bin" filter --index "$work/index-$max.redb" "$one" >/dev/null 2>"$work/summary"
echo
echo "restart: reopen the $max-document index and filter one new document: $(cat "$work/time")"
sed 's/^/    /' "$work/summary"
