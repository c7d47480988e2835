#!/usr/bin/env python3
"""Scores a `copydesk filter` run against gen_corpus.py's truth file.

Usage: filter_accuracy.py CORPUS.jsonl TRUTH.json KEPT.jsonl DROPPED.jsonl

A planted copy is *expected to drop* when an earlier line of the stream is in
its cluster (the first member of a cluster to arrive is the one kept). Its
edit level is the copy's own edit rate (a cluster's source document, when it
arrives after one of its copies, counts at the edit rate of the earliest
member before it). Recall per level = dropped / expected; precision = drops of
expected-to-drop lines / all drops. Prints a table and one JSON summary line.

The dropped log also holds notes on lines the filter KEPT (`"kept": true`,
`resembles` instead of `duplicate_of`: alike only through a shared template,
or different articles behind one); they count as kept, and are reported
apart as `notes` per reason.

The scoring (`expected_drops`, `score`, `print_scores`) is shared with
report_accuracy.py, which turns a report's clusters into drops.
"""
import json
import sys
from collections import Counter, defaultdict


def expected_drops(corpus, truth):
    """(order of ids in the stream, {id expected to drop: its edit level}, {id: truth cluster})."""
    cluster_of = {}
    for ci, members in enumerate(truth["clusters"]):
        for m in members:
            cluster_of[m] = ci
    rate = {cid: c["edit_rate"] for cid, c in truth["copies"].items()}
    order = [json.loads(l)["id"] for l in open(corpus, encoding="utf-8") if l.strip()]
    first_seen = {}
    expected = {}
    for doc in order:
        ci = cluster_of.get(doc)
        if ci is None:
            continue
        if ci in first_seen:
            expected[doc] = rate.get(doc, rate.get(first_seen[ci], 0.0))
        else:
            first_seen[ci] = doc
    return order, expected, cluster_of


def score(order, expected, cluster_of, dropped, notes=None):
    """Summary dict of drops ({id: {"reason", "duplicate_of"}}) against the expected drops.

    notes: {id: record} of lines kept with a note (counted per reason, and how
    many of them were expected to drop). `misattributed` counts good drops whose
    `duplicate_of` is outside the copy's own truth cluster."""
    notes = notes or {}
    by_level = defaultdict(lambda: [0, 0])
    for doc, level in expected.items():
        by_level[level][0] += 1
        by_level[level][1] += doc in dropped
    good = [d for d in dropped if d in expected]
    bad = [d for d in dropped if d not in expected]
    misattributed = sum(1 for d in good
                        if cluster_of.get(dropped[d].get("duplicate_of")) != cluster_of[d])
    upto10 = [v for lv, v in by_level.items() if lv <= 0.1 + 1e-9]
    n10 = sum(v[0] for v in upto10)
    h10 = sum(v[1] for v in upto10)
    return {"docs": len(order), "expected_drops": len(expected), "dropped": len(dropped),
            "recall_upto_0.1": round(h10 / max(1, n10), 4), "recalled_upto_0.1": h10, "expected_upto_0.1": n10,
            "precision": round(len(good) / max(1, len(dropped)), 4), "good_drops": len(good),
            "wrong_drops": len(bad), "wrong_examples": bad[:10], "misattributed": misattributed,
            "reasons": dict(Counter(r.get("reason") for r in dropped.values())),
            "notes": dict(Counter(r.get("reason") for r in notes.values())),
            "notes_on_expected": sum(1 for d in notes if d in expected),
            "by_level": {str(k): {"expected": v[0], "dropped": v[1]} for k, v in sorted(by_level.items())}}


def print_scores(s):
    """The per-level table, recall, precision and notes lines, then the JSON summary line."""
    print(f"{'edit rate':>9} {'expected':>9} {'dropped':>8} {'recall':>7}")
    for level, v in s["by_level"].items():
        print(f"{level:>9} {v['expected']:>9} {v['dropped']:>8} {v['dropped'] / max(1, v['expected']):>7.4f}")
    print(f"recall (edit rate <= 0.1): {s['recalled_upto_0.1']}/{s['expected_upto_0.1']} = {s['recall_upto_0.1']:.4f}")
    print(f"precision: {s['good_drops']}/{s['dropped']} = {s['precision']:.4f}; "
          f"wrong drops: {s['wrong_examples']}; dropped as a copy of another cluster's document: {s['misattributed']}")
    if s["notes"]:
        print(f"notes on kept lines: {sum(s['notes'].values())} {s['notes']} "
              f"({s['notes_on_expected']} of them on lines expected to drop)")
    print(json.dumps({k: v for k, v in s.items() if k != "wrong_examples"}))


def main():
    corpus, truth_path, kept_path, dropped_path = sys.argv[1:5]
    order, expected, cluster_of = expected_drops(corpus, json.load(open(truth_path)))
    kept = {json.loads(l)["id"] for l in open(kept_path, encoding="utf-8") if l.strip()}
    dropped, notes = {}, {}
    for l in open(dropped_path, encoding="utf-8"):
        r = json.loads(l)
        if "id" not in r:
            continue
        if r.get("kept") is True:
            notes[r["id"]] = r
        else:
            dropped[r["id"]] = r
    assert len(kept) + len(dropped) == len(order), (len(kept), len(dropped), len(order))
    assert not set(notes) - kept, "notes on lines missing from the kept output"
    print_scores(score(order, expected, cluster_of, dropped, notes))


if __name__ == "__main__":
    main()
