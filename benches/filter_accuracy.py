#!/usr/bin/env python3
"""Scores a `copydesk filter` run against gen_corpus.py's truth file.

Usage: filter_accuracy.py CORPUS.jsonl TRUTH.json KEPT.jsonl DROPPED.jsonl

A planted copy is *expected to drop* when an earlier line of the stream is in
its cluster (the first member of a cluster to arrive is the one kept). Its
edit level is the copy's own edit rate (a cluster's source document, when it
arrives after one of its copies, counts at the edit rate of the earliest
member before it). Recall per level = dropped / expected; precision = drops of
expected-to-drop lines / all drops. Prints a table and one JSON summary line.
"""
import json
import sys
from collections import defaultdict


def main():
    corpus, truth_path, kept_path, dropped_path = sys.argv[1:5]
    truth = json.load(open(truth_path))
    cluster_of = {}
    for ci, members in enumerate(truth["clusters"]):
        for m in members:
            cluster_of[m] = ci
    rate = {cid: c["edit_rate"] for cid, c in truth["copies"].items()}
    order = [json.loads(l)["id"] for l in open(corpus, encoding="utf-8") if l.strip()]
    kept = {json.loads(l)["id"] for l in open(kept_path, encoding="utf-8") if l.strip()}
    dropped = {}
    for l in open(dropped_path, encoding="utf-8"):
        r = json.loads(l)
        if "id" in r:
            dropped[r["id"]] = r
    assert len(kept) + len(dropped) == len(order), (len(kept), len(dropped), len(order))
    first_seen = {}
    expected = {}
    for doc in order:
        ci = cluster_of.get(doc)
        if ci is None:
            continue
        if ci in first_seen:
            level = rate.get(doc, rate.get(first_seen[ci], 0.0))
            expected[doc] = level
        else:
            first_seen[ci] = doc
    by_level = defaultdict(lambda: [0, 0])
    for doc, level in expected.items():
        by_level[level][0] += 1
        by_level[level][1] += doc in dropped
    good = sum(1 for d in dropped if d in expected)
    bad = [d for d in dropped if d not in expected]
    print(f"{'edit rate':>9} {'expected':>9} {'dropped':>8} {'recall':>7}")
    for level in sorted(by_level):
        n, hit = by_level[level]
        print(f"{level:>9} {n:>9} {hit:>8} {hit / n:>7.4f}")
    upto10 = [v for lv, v in by_level.items() if lv <= 0.1 + 1e-9]
    n10 = sum(v[0] for v in upto10)
    h10 = sum(v[1] for v in upto10)
    precision = good / max(1, len(dropped))
    print(f"recall (edit rate <= 0.1): {h10}/{n10} = {h10 / max(1, n10):.4f}")
    print(f"precision: {good}/{len(dropped)} = {precision:.4f}; wrong drops: {bad[:10]}")
    reasons = defaultdict(int)
    for r in dropped.values():
        reasons[r["reason"]] += 1
    print(json.dumps({"docs": len(order), "expected_drops": len(expected), "dropped": len(dropped),
                      "recall_upto_0.1": round(h10 / max(1, n10), 4), "precision": round(precision, 4),
                      "wrong_drops": len(bad), "reasons": reasons,
                      "by_level": {str(k): {"expected": v[0], "dropped": v[1]} for k, v in sorted(by_level.items())}}))


if __name__ == "__main__":
    main()
