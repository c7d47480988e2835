#!/usr/bin/env python3
"""MSRP-style binary paraphrase pairs scored from copydesk's facts, with
precision and recall, and best-threshold accuracies that do not split ties.

usage: msrp_facts.py PAIRS.jsonl --copydesk BIN

Each pair {a, b, label 0/1} is compared with `copydesk compare --format
json`. Readouts:

- facts: the best `facts[].score` (0 when no sentence pair is linked);
  copydesk's decision is "the two sentences state the same fact": a fact
  scoring at least 0.5 (README, "What the scores mean": past half of the
  weighted words shared);
- passages: `../shared/tools/score_pairs.py`'s readout (best passage
  coverage of the shorter side x passage score, decision at 0.25);
- word Jaccard: the Jaccard of the two sentences' lower-cased `\\w+` sets.

Best-threshold accuracy here tries every threshold *between distinct
scores*: all pairs with one score get one answer. (score_pairs.py sorts
(score, label) and may cut inside a group of equal scores, which credits
a readout with many ties, such as "no passage" = 0, with an accuracy no
threshold gives.)
"""
import argparse, os, re

from compare_pairs import compared


def best_acc(scores, labels):
    pairs = sorted(zip(scores, labels))
    n, pos = len(pairs), sum(labels)
    best, tp, fp, i = max(pos, n - pos) / n, pos, n - pos, 0
    while i < n:
        j = i
        while j < n and pairs[j][0] == pairs[i][0]:
            tp -= pairs[j][1]
            fp -= 1 - pairs[j][1]
            j += 1
        best = max(best, (tp + (n - pos - fp)) / n)
        i = j
    return best


def decision(pred, labels):
    tp = sum(1 for p, l in zip(pred, labels) if p and l)
    fp = sum(1 for p, l in zip(pred, labels) if p and not l)
    fn = sum(1 for p, l in zip(pred, labels) if not p and l)
    acc = sum(1 for p, l in zip(pred, labels) if bool(p) == bool(l)) / len(labels)
    return acc, tp / max(1, tp + fp), tp / max(1, tp + fn)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs")
    ap.add_argument("--copydesk", required=True)
    a = ap.parse_args()
    facts, passages, jacc, labels, fails = [], [], [], [], 0
    for r, d in compared(a.pairs, a.copydesk):
        f = s = 0.0
        if d is not None:
            f = max([x["score"] for x in d["facts"]], default=0.0)
            la, lb = len(r["a"].encode()), len(r["b"].encode())
            for ps in d["passages"]:
                cov = min((ps["a"]["end"] - ps["a"]["start"]) / la,
                          (ps["b"]["end"] - ps["b"]["start"]) / lb)
                s = max(s, max(cov, 0) * ps["score"])
        else:
            fails += 1
        facts.append(f)
        passages.append(s)
        wa = set(re.findall(r"\w+", r["a"].lower()))
        wb = set(re.findall(r"\w+", r["b"].lower()))
        jacc.append(len(wa & wb) / max(1, len(wa | wb)))
        labels.append(r["label"])
    n, pos = len(labels), sum(labels)
    print(f"{os.path.basename(a.pairs)}: {n} pairs ({pos} positive; always 'paraphrase': "
          f"{max(pos, n - pos) / n:.3f}), {fails} failed")
    acc, prec, rec = decision([x >= 0.5 for x in facts], labels)
    print(f"  facts     default (a fact >= 0.5): acc {acc:.3f} P {prec:.3f} R {rec:.3f}"
          f"   best-threshold acc {best_acc(facts, labels):.3f}")
    acc, prec, rec = decision([x >= 0.25 for x in passages], labels)
    print(f"  passages  default (score_pairs.py): acc {acc:.3f} P {prec:.3f} R {rec:.3f}"
          f"   best-threshold acc {best_acc(passages, labels):.3f}")
    print(f"  word Jaccard                                               "
          f"best-threshold acc {best_acc(jacc, labels):.3f}")


if __name__ == "__main__":
    main()
