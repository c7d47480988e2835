#!/usr/bin/env python3
"""Scores `copydesk report`'s boilerplate against pages' annotated main text.

Usage: boilerplate_accuracy.py [--jobs N] PAGES.jsonl MAIN.jsonl REPORT.json

PAGES.jsonl  the pages the report was made from (`id`, `text`: the whole page)
MAIN.jsonl   each page's hand-annotated main text (`id`, `text`), as in
             ../shared/data/dragnet/main.jsonl; never an input to copydesk
REPORT.json  `copydesk report --jsonl PAGES.jsonl --format json` of the same
             pages; each `documents[]` entry must carry `boilerplate`, a list
             of `{start, end, reason}` byte spans (UTF-8) into that document's
             text, one per boilerplate block found in it

Which page words are article words: the page and its main text are cut into
word tokens (letters, digits and `_`, with inner apostrophes), lowercased, and
aligned by difflib.SequenceMatcher (autojunk off) on the two word lists; page
words inside matching blocks of 3 or more words are article words, every other
page word is not (navigation, menus, lists, footers, comments the annotators
left out). A page word is boilerplate when it starts inside one of its
document's spans.

Reported, over all pages and weighted by words:
  article kept         article words not in boilerplate / article words
  non-article removed  non-article words in boilerplate / non-article words
  per reason           words in spans of each reason (shape, recurring,
                       widespread, repeated, link-box), article / non-article
  main aligned         article words found / main-text words (how much of the
                       annotation the alignment found in the page)
Prints a table and one JSON summary line. --jobs N aligns in N processes
(default 1; the alignment is the slow part, about 45 s for 1,381 pages).
"""
import argparse
import bisect
import difflib
import json
import re
import sys
from collections import Counter
from multiprocessing import Pool

WORD = re.compile(r"\w+(?:['\u2019]\w+)*")
MIN_BLOCK = 3
REASONS = ("shape", "recurring", "widespread", "repeated", "link-box")


def article_mask(page_words, main_words):
    """Booleans, one per page word: inside a matching block of >= 3 words."""
    mask = bytearray(len(page_words))
    if page_words and main_words:
        sm = difflib.SequenceMatcher(None, page_words, main_words, autojunk=False)
        for i, _, size in sm.get_matching_blocks():
            if size >= MIN_BLOCK:
                mask[i:i + size] = b"\x01" * size
    return mask


def char_spans(text, spans):
    """(start, end, reason) in characters from byte spans into text's UTF-8."""
    if text.isascii():
        return sorted((s["start"], s["end"], s["reason"]) for s in spans)
    cum = [0]
    for c in text:
        cum.append(cum[-1] + len(c.encode("utf-8")))
    return sorted((bisect.bisect_left(cum, s["start"]), bisect.bisect_left(cum, s["end"]), s["reason"])
                  for s in spans)


def score_page(job):
    """Word counts of one page: (words, article, main words, per-reason [article, other])."""
    text, main, spans = job
    matches = list(WORD.finditer(text))
    page_words = [m.group().lower() for m in matches]
    main_words = [w.lower() for w in WORD.findall(main)]
    mask = article_mask(page_words, main_words)
    spans = char_spans(text, spans)
    by_reason = {}
    k = 0
    for m, is_article in zip(matches, mask):
        pos = m.start()
        while k < len(spans) and spans[k][1] <= pos:
            k += 1
        if k < len(spans) and spans[k][0] <= pos:
            counts = by_reason.setdefault(spans[k][2], [0, 0])
            counts[0 if is_article else 1] += 1
    return len(page_words), sum(mask), len(main_words), by_reason


def load(path):
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pages")
    ap.add_argument("main")
    ap.add_argument("report")
    ap.add_argument("--jobs", type=int, default=1)
    a = ap.parse_args()

    report = json.load(open(a.report, encoding="utf-8"))
    docs = report.get("documents", [])
    missing = [d.get("id") for d in docs if not isinstance(d.get("boilerplate"), list)]
    if not docs or missing:
        sys.exit(f"boilerplate_accuracy.py: {a.report} has no per-document boilerplate spans "
                 f"({len(missing)} of {len(docs)} documents[] lack `boilerplate`, a list of "
                 f"{{start, end, reason}} byte spans into the document's text). The report's "
                 f"boilerplate[].blocks[] list each distinct block once per source, so they "
                 f"cannot stand in; this copydesk does not write the field yet.")
    spans_of = {str(d["id"]): d["boilerplate"] for d in docs}
    pages = load(a.pages)
    main_of = {str(r["id"]): r["text"] for r in load(a.main)}
    jobs = []
    for p in pages:
        pid = str(p["id"])
        if pid not in spans_of:
            sys.exit(f"boilerplate_accuracy.py: page {pid} is not in {a.report}")
        if pid not in main_of:
            sys.exit(f"boilerplate_accuracy.py: page {pid} has no main text in {a.main}")
        jobs.append((p["text"], main_of[pid], spans_of[pid]))

    if a.jobs > 1:
        with Pool(a.jobs) as pool:
            results = pool.map(score_page, jobs, chunksize=8)
    else:
        results = map(score_page, jobs)

    words = article = main_words = 0
    reasons = {}
    for n, art, nmain, by_reason in results:
        words += n
        article += art
        main_words += nmain
        for r, (ra, ro) in by_reason.items():
            c = reasons.setdefault(r, [0, 0])
            c[0] += ra
            c[1] += ro
    other = words - article
    art_removed = sum(c[0] for c in reasons.values())
    other_removed = sum(c[1] for c in reasons.values())
    art_kept = article - art_removed
    share = lambda x, n: x / n if n else 0.0

    print(f"{len(pages)} pages, {words} words: {article} article words ({share(article, main_words):.1%} "
          f"of the {main_words} main-text words found in the pages), {other} other")
    print(f"{'':<22} {'words':>9} {'article':>9} {'other':>9}")
    print(f"{'kept (content)':<22} {words - art_removed - other_removed:>9} {art_kept:>9} {other - other_removed:>9}")
    print(f"{'removed (boilerplate)':<22} {art_removed + other_removed:>9} {art_removed:>9} {other_removed:>9}")
    for r in list(REASONS) + sorted(set(reasons) - set(REASONS)):
        ra, ro = reasons.get(r, (0, 0))
        print(f"{'  ' + r:<22} {ra + ro:>9} {ra:>9} {ro:>9}")
    print(f"article words kept:      {art_kept}/{article} = {share(art_kept, article):.4f}")
    print(f"non-article removed:     {other_removed}/{other} = {share(other_removed, other):.4f}")
    print(json.dumps({
        "pages": len(pages), "words": words, "article_words": article, "other_words": other,
        "main_words": main_words, "main_aligned": round(share(article, main_words), 4),
        "article_kept": round(share(art_kept, article), 4),
        "nonarticle_removed": round(share(other_removed, other), 4),
        "removed_words": art_removed + other_removed,
        "reasons": {r: {"article": c[0], "other": c[1]} for r, c in sorted(reasons.items())},
    }))


if __name__ == "__main__":
    main()
