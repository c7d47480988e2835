#!/usr/bin/env python3
"""Peers for the `copydesk filter` throughput comparison (benches/README.md, "filter").

Runs one peer over a JSON Lines stream the way an ingestion filter would:
read a line, parse it, tokenize, build 3-word shingles, MinHash them with 128
permutations, query the LSH index, and insert the document when no candidate
came back (query-then-insert, in-memory index). Prints one JSON line with
docs, bytes, seconds, kept, dropped and peak RSS.

Usage: filter_peers.py {datasketch,rensa} FILE [--threshold T]
"""
import argparse
import json
import re
import resource
import sys
import time

WORD = re.compile(r"\w+")
NUM_PERM = 128


def shingles(text, k=3):
    words = WORD.findall(text.lower())
    if len(words) < k:
        return [" ".join(words)] if words else []
    return [" ".join(words[i:i + k]) for i in range(len(words) - k + 1)]


def run_datasketch(lines, threshold):
    from datasketch import MinHash, MinHashLSH
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    kept = dropped = 0
    for line in lines:
        rec = json.loads(line)
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch([s.encode("utf-8") for s in shingles(rec["text"])])
        if lsh.query(m):
            dropped += 1
        else:
            lsh.insert(str(rec["id"]), m)
            kept += 1
    return kept, dropped


def run_rensa(lines, threshold):
    from rensa import RMinHash, RMinHashDeduplicator
    dedup = RMinHashDeduplicator(threshold=threshold, num_perm=NUM_PERM, use_lsh=True)
    kept = dropped = 0
    for line in lines:
        rec = json.loads(line)
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(shingles(rec["text"]))
        if dedup.get_duplicates(m):
            dropped += 1
        else:
            dedup.add(str(rec["id"]), m)
            kept += 1
    return kept, dropped


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("peer", choices=["datasketch", "rensa"])
    ap.add_argument("file")
    ap.add_argument("--threshold", type=float, default=0.5)
    args = ap.parse_args()
    start = time.perf_counter()
    nbytes = 0
    ndocs = 0

    def lines():
        nonlocal nbytes, ndocs
        with open(args.file, "rb") as f:
            for line in f:
                if line.strip():
                    nbytes += len(line)
                    ndocs += 1
                    yield line

    run = run_datasketch if args.peer == "datasketch" else run_rensa
    kept, dropped = run(lines(), args.threshold)
    secs = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"tool": args.peer, "docs": ndocs, "bytes": nbytes, "seconds": round(secs, 3),
                      "kept": kept, "dropped": dropped, "peak_rss_kb": peak_kb}))


if __name__ == "__main__":
    sys.exit(main())
