#!/usr/bin/env python3
"""Passage boundaries against the gold chunk alignments of interpretable STS.

usage: ists_chunks.py ISTS.jsonl --copydesk BIN

Each headline pair of SemEval-2016 iSTS (`../shared/data/paraphrase/
ists_headlines_train.jsonl`) is compared with `copydesk compare --format
json`. Gold chunks are aligned (EQUI, SPE1/2, SIMI, REL, OPPO with a score)
or not (NOALI). On each side, characters are counted:

- precision: the share of characters inside copydesk's passages that lie
  in gold-aligned chunks (a passage that spills into a chunk the other side
  does not have covers more than the fact);
- recall: the share of gold-aligned characters inside a passage, for all
  aligned chunks and for EQUI chunks alone (the same meaning, score 5);
- linked EQUI chunks: EQUI chunk pairs with at least half of both sides
  inside one and the same passage.

Characters between words (spaces, punctuation) are not counted. Prints one
summary line per measure, over all pairs.
"""
import argparse, os

from compare_pairs import compared


def word_chars(text):
    return {i for i, c in enumerate(text) if c.isalnum()}


def char_offsets(text):
    """byte offset -> character offset, for copydesk's byte spans."""
    table, b = {}, 0
    for i, c in enumerate(text):
        table[b] = i
        b += len(c.encode())
    table[b] = len(text)
    return table


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs")
    ap.add_argument("--copydesk", required=True)
    a = ap.parse_args()
    tot = dict(inside=0, inside_aligned=0, aligned=0, aligned_hit=0, equi=0, equi_hit=0,
               equi_pairs=0, equi_linked=0, fails=0)
    pairs = 0
    for r, d in compared(a.pairs, a.copydesk):
        pairs += 1
        if d is None:
            tot["fails"] += 1
            continue
        ca, cb = char_offsets(r["a"]), char_offsets(r["b"])
        # Passage number of each word character, per side.
        owner = ({}, {})
        for n, ps in enumerate(d["passages"]):
            for side, text, conv in ((0, r["a"], ca), (1, r["b"], cb)):
                span = ps["ab"[side]]
                for i in range(conv[span["start"]], conv[span["end"]]):
                    if text[i].isalnum():
                        owner[side][i] = n
        for side, key, text in ((0, "a_span", r["a"]), (1, "b_span", r["b"])):
            words = word_chars(text)
            aligned, equi = set(), set()
            for ch in r["label"]:
                if ch["type"].startswith("NOALI") or ch[key] is None:
                    continue
                s, e = ch[key]
                chars = {i for i in range(s, e) if i in words}
                aligned |= chars
                if ch["type"].startswith("EQUI"):
                    equi |= chars
            inside = set(owner[side])
            tot["inside"] += len(inside)
            tot["inside_aligned"] += len(inside & aligned)
            tot["aligned"] += len(aligned)
            tot["aligned_hit"] += len(aligned & inside)
            tot["equi"] += len(equi)
            tot["equi_hit"] += len(equi & inside)
        for ch in r["label"]:
            if not ch["type"].startswith("EQUI") or ch["a_span"] is None or ch["b_span"] is None:
                continue
            tot["equi_pairs"] += 1
            votes = []
            for side, key, text in ((0, "a_span", r["a"]), (1, "b_span", r["b"])):
                s, e = ch[key]
                chars = [i for i in range(s, e) if text[i].isalnum()]
                by = {}
                for i in chars:
                    if i in owner[side]:
                        by[owner[side][i]] = by.get(owner[side][i], 0) + 1
                votes.append({n for n, k in by.items() if 2 * k >= len(chars)})
            if votes[0] & votes[1]:
                tot["equi_linked"] += 1
    t = tot
    print(f"{os.path.basename(a.pairs)}: {pairs} pairs, {t['fails']} failed")
    print(f"  precision (passage characters in gold-aligned chunks): "
          f"{t['inside_aligned'] / max(1, t['inside']):.3f}")
    print(f"  recall (gold-aligned characters inside passages):     "
          f"{t['aligned_hit'] / max(1, t['aligned']):.3f}")
    print(f"  recall of EQUI characters:                           "
          f"{t['equi_hit'] / max(1, t['equi']):.3f}")
    print(f"  EQUI chunk pairs linked by one passage:               "
          f"{t['equi_linked']}/{t['equi_pairs']} = {t['equi_linked'] / max(1, t['equi_pairs']):.3f}")


if __name__ == "__main__":
    main()
