#!/usr/bin/env python3
"""Long inputs for benches/long_compare.sh (issue 14), written in chunks.

usage: long_compare.py pair CASE WORDS A B
       long_compare.py big-text BYTES OUT
       long_compare.py big-jsonl BYTES OUT

pair cases (two documents of WORDS words each):
  books  sentences of ../shared/data/gutenberg/*.txt; a third of them
         shared as blocks of 20 sentences, in another order in B, every
         fourth block with a word put into each sentence
  twice  distinct made-up words; B is A twice, each copy with every fourth
         word changed at other places (one long edited passage wins, the
         other copy is a blocked chain of every length)
  rare   distinct made-up words; one word in four shared, in order (one
         paraphrase chain all through both texts)

big-text writes BYTES of book text; big-jsonl writes one small record and
then one record of BYTES of book text (JSON-escaped).
"""
import glob
import json
import os
import random
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "gutenberg")


def book_text():
    files = sorted(glob.glob(os.path.join(ROOT, "*.txt")))
    if not files:
        sys.exit(f"no books in {ROOT}")
    return " ".join(open(f, encoding="utf-8", errors="replace").read() for f in files)


def made_up(rnd):
    return "".join(rnd.choice("bcdfghjklmnpqrstvwxz") for _ in range(7))


def pair(case, words, out_a, out_b):
    rnd = random.Random(1)
    if case == "books":
        text = re.sub(r"\s+", " ", book_text())
        sents = [s for s in re.split(r"(?<=[.!?]) ", text) if 6 <= len(s.split()) <= 40]

        def run(n):
            out, c = [], 0
            while c < n:
                s = sents[rnd.randrange(len(sents))]
                out.append(s)
                c += len(s.split())
            return out

        shared = run(words // 3)
        blocks = [shared[i:i + 20] for i in range(0, len(shared), 20)]

        def mix(own, blocks):
            out = list(own)
            for b in blocks:
                at = rnd.randrange(len(out) + 1)
                out[at:at] = b
            return out

        edited = [[s.replace(" ", " indeed ", 1) for s in b] if i % 4 == 0 else b
                  for i, b in enumerate(blocks)]
        rnd.shuffle(edited)
        a = mix(run(words - words // 3), blocks)
        b = mix(run(words - words // 3), edited)
    elif case == "twice":
        a = [made_up(rnd) for _ in range(words)]

        def copy(offset):
            return [w if (i + offset) % 4 else made_up(rnd) for i, w in enumerate(a)]

        b = copy(0) + copy(2)
    elif case == "rare":
        a, b = [], []
        for _ in range(words // 4):
            w = made_up(rnd)
            a += [w] + [made_up(rnd) for _ in range(3)]
            b += [w] + [made_up(rnd) for _ in range(3)]
    else:
        sys.exit(f"unknown case {case}")
    for path, ws in ((out_a, a), (out_b, b)):
        with open(path, "w", encoding="utf-8") as f:
            f.write(" ".join(ws) + "\n")


def big(kind, size, out):
    text = book_text()
    chunk = (json.dumps(text)[1:-1] if kind == "big-jsonl" else text).encode()
    with open(out, "wb") as f:
        if kind == "big-jsonl":
            f.write(json.dumps({"id": "small", "text": "A small record before the big one."}).encode() + b"\n")
            f.write(b'{"id":"big","text":"')
        n = 0
        while n < size:
            piece = chunk[:size - n]
            # Cut after a space: never inside a JSON escape.
            if len(piece) > 1 and b" " in piece:
                piece = piece[:piece.rindex(b" ") + 1]
            f.write(piece)
            n += len(piece)
        f.write(b'"}\n' if kind == "big-jsonl" else b"\n")


if __name__ == "__main__":
    if sys.argv[1] == "pair":
        pair(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        big(sys.argv[1], int(sys.argv[2]), sys.argv[3])
