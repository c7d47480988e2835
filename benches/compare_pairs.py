"""Shared by the sentence-pair bench scripts: reads PAIRS.jsonl and runs
`copydesk compare --format json` on each pair."""
import json, os, subprocess, tempfile


def compared(pairs_path, copydesk):
    """Yields (record, comparison JSON or None when compare failed) for each
    line {a, b, ...} of `pairs_path`."""
    recs = [json.loads(l) for l in open(pairs_path)]
    with tempfile.TemporaryDirectory() as td:
        fa, fb = os.path.join(td, "a.txt"), os.path.join(td, "b.txt")
        for r in recs:
            open(fa, "w").write(r["a"])
            open(fb, "w").write(r["b"])
            p = subprocess.run([copydesk, "compare", "--format", "json", fa, fb],
                               capture_output=True)
            yield r, (json.loads(p.stdout) if p.returncode == 0 else None)
