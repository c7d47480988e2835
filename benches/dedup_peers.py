#!/usr/bin/env python3
"""Python peers of `copydesk report --pairs-only`, and the evaluation.

    dedup_peers.py run TOOL CORPUS.jsonl OUT.json [--threshold 0.8] [--shingle 5]
        TOOL: datasketch | rensa | gaoya. Reads the JSON Lines corpus, builds
        word 5-gram MinHash signatures (128 permutations) and LSH at the
        threshold with the library's own API, keeps the candidate pairs
        whose estimated Jaccard reaches the threshold (each library's usual
        dedup recipe), and writes {"tool", "seconds", "docs", "max_rss_kb",
        "pairs": [[id_a, id_b], ...]}. Timed from opening the file to the
        pairs in memory, in one process.

    dedup_peers.py evaluate CORPUS.jsonl TRUTH.json RESULT.json...
        TRUTH.json is `copydesk report --pairs-only --exact` output (exact
        Jaccard over copydesk's tokens). Prints recall and precision of each
        result. Also re-checks every pair of the truth and every pair a peer
        reported with exact Jaccard over the peers' own tokenization
        (lowercase \\w+ words), so the effect of tokenization is visible.
"""

import json
import re
import resource
import sys
import time

WORD = re.compile(r"\w+")


def words(text):
    return WORD.findall(text.lower())


def shingles(text, k):
    w = words(text)
    if len(w) < k:
        return [" ".join(w)] if w else []
    return [" ".join(w[i:i + k]) for i in range(len(w) - k + 1)]


def read(corpus):
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                yield str(rec["id"]), rec["text"]


def run_datasketch(corpus, t, k):
    from datasketch import MinHash, MinHashLSH
    lsh = MinHashLSH(threshold=t, num_perm=128)
    sigs = {}
    pairs = []
    for doc_id, text in read(corpus):
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in set(shingles(text, k))])
        for other in lsh.query(m):
            if m.jaccard(sigs[other]) >= t:
                pairs.append((other, doc_id))
        lsh.insert(doc_id, m)
        sigs[doc_id] = m
    return pairs, len(sigs)


def run_rensa(corpus, t, k):
    from rensa import RMinHash, RMinHashLSH
    lsh = RMinHashLSH(threshold=t, num_perm=128, num_bands=16)
    sigs = {}
    keys = []
    pairs = []
    for doc_id, text in read(corpus):
        m = RMinHash(num_perm=128, seed=42)
        m.update(list(set(shingles(text, k))))
        key = len(keys)
        for other in lsh.query(m):
            if m.jaccard(sigs[other]) >= t:
                pairs.append((keys[other], doc_id))
        lsh.insert(key, m)
        sigs[key] = m
        keys.append(doc_id)
    return pairs, len(keys)


def run_gaoya(corpus, t, k):
    import gaoya
    index = gaoya.minhash.MinHashStringIndex(
        hash_size=32, jaccard_threshold=t, num_bands=None, band_size=None,
        num_hashes=128, analyzer="word", lowercase=True, ngram_range=(k, k))
    ids = []
    texts = []
    for doc_id, text in read(corpus):
        ids.append(doc_id)
        texts.append(text)
    index.par_bulk_insert_docs(list(range(len(ids))), texts)
    found = index.par_bulk_query(texts)
    pairs = []
    for i, hits in enumerate(found):
        for j in hits:
            if j < i:
                pairs.append((ids[j], ids[i]))
    return pairs, len(ids)


def run(tool, corpus, out, t, k):
    fn = {"datasketch": run_datasketch, "rensa": run_rensa, "gaoya": run_gaoya}[tool]
    start = time.perf_counter()
    pairs, docs = fn(corpus, t, k)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(out, "w") as f:
        json.dump({"tool": tool, "seconds": seconds, "docs": docs, "max_rss_kb": rss,
                   "pairs": sorted({tuple(sorted(p)) for p in pairs})}, f)


def exact_jaccard(a, b, k):
    x, y = set(shingles(a, k)), set(shingles(b, k))
    return len(x & y) / len(x | y) if x | y else 1.0


def evaluate(corpus, truth_path, results, t, k):
    with open(truth_path) as f:
        truth = {tuple(sorted((p["a"], p["b"]))) for p in json.load(f)["pairs"]}
    texts = dict(read(corpus))
    agree = sum(exact_jaccard(texts[a], texts[b], k) >= t for a, b in truth)
    print(f"truth: {len(truth)} pairs with exact Jaccard >= {t} over copydesk tokens; "
          f"{agree} of them ({agree / max(len(truth), 1):.4f}) also reach it over "
          f"lowercase \\w+ words (the peers' tokens)")
    for path in results:
        with open(path) as f:
            r = json.load(f)
        if "pairs" in r and r["pairs"] and isinstance(r["pairs"][0], dict):
            found = {tuple(sorted((p["a"], p["b"]))) for p in r["pairs"]}
        else:
            found = {tuple(sorted(p)) for p in r.get("pairs", [])}
        hit = len(found & truth)
        recall = hit / max(len(truth), 1)
        precision = hit / max(len(found), 1)
        own = sum(exact_jaccard(texts[a], texts[b], k) >= t for a, b in found)
        print(json.dumps({"result": path, "pairs": len(found), "recall": round(recall, 4),
                          "precision": round(precision, 4),
                          "precision_own_tokens": round(own / max(len(found), 1), 4)}))


def main(argv):
    t, k = 0.8, 5
    if "--threshold" in argv:
        t = float(argv[argv.index("--threshold") + 1])
    if "--shingle" in argv:
        k = int(argv[argv.index("--shingle") + 1])
    args = [a for i, a in enumerate(argv) if not a.startswith("--")
            and not (i > 0 and argv[i - 1] in ("--threshold", "--shingle"))]
    if args[:1] == ["run"] and len(args) == 4:
        run(args[1], args[2], args[3], t, k)
    elif args[:1] == ["evaluate"] and len(args) >= 4:
        evaluate(args[1], args[2], args[3:], t, k)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
