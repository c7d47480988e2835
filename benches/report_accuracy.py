#!/usr/bin/env python3
"""Scores `copydesk report`'s clusters against gen_corpus.py's truth file.

Usage: report_accuracy.py CORPUS.jsonl TRUTH.json REPORT.json

REPORT.json is `copydesk report --jsonl CORPUS.jsonl --format json --keep first`.
Each cluster becomes drops: every member but `kept` is dropped as a copy of
`kept` (its reason is the verdict of the pair kept-member when the report
lists that pair, else `linked`: joined to the cluster through other members).
The drops are then scored exactly as filter_accuracy.py scores a filter run
(same expected drops: a planted copy is expected to drop when an earlier line
of the corpus is in its cluster; same recall per edit level and precision), so
the two tools' figures compare. Prints a table and one JSON summary line.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from filter_accuracy import expected_drops, print_scores, score  # noqa: E402


def slim(obj):
    """Drops the bulky parts scoring never reads (passage occurrences, boilerplate
    blocks, unique spans) as they are parsed: a 10,000-document report is ~250 MB."""
    for key in ("occurrences", "blocks", "unique"):
        obj.pop(key, None)
    return obj


def main():
    corpus, truth_path, report_path = sys.argv[1:4]
    order, expected, cluster_of = expected_drops(corpus, json.load(open(truth_path)))
    report = json.load(open(report_path, encoding="utf-8"), object_hook=slim)
    if report.get("params", {}).get("keep") not in (None, "first"):
        print(f"report_accuracy.py: warning: the report keeps by `{report['params']['keep']}`, "
              "not `first`; expected drops assume the first line is kept", file=sys.stderr)
    ids = [str(d["id"]) for d in report["documents"]]
    if ids != [str(i) for i in order]:
        sys.exit(f"report_accuracy.py: {report_path} does not list the documents of {corpus} "
                 f"in the same order ({len(ids)} against {len(order)} lines)")
    verdict = {}
    for p in report.get("pairs", []):
        verdict[(p["a"], p["b"])] = verdict[(p["b"], p["a"])] = p.get("verdict")
    dropped = {}
    for c in report["clusters"]:
        k = c["kept"]
        for m in c["members"]:
            if m != k:
                dropped[order[m]] = {"reason": verdict.get((k, m), "linked"), "duplicate_of": order[k]}
    print_scores(score(order, expected, cluster_of, dropped))


if __name__ == "__main__":
    main()
