//! Passage boundaries a reader would draw, on the SemEval-2016
//! interpretable STS headlines (README, "Evaluation";
//! `benches/ists_chunks.py` prints the same figures): the characters inside
//! copydesk's passages must lie in chunks the annotators aligned (the
//! passage covers the fact, not more), and a good share of the chunks they
//! call equivalent must be linked. Reads
//! `../shared/data/paraphrase/ists_headlines_train.jsonl` beside the
//! repository and skips, saying so, where it is absent.

mod common;

use std::collections::HashMap;
use std::path::Path;

use copydesk::{compare, Params};
use serde_json::Value;

/// Gold chunks of one side: (char range, aligned, equivalent).
fn chunks(label: &Value, key: &str) -> Vec<(std::ops::Range<usize>, bool, bool)> {
    let mut out = Vec::new();
    for ch in label.as_array().expect("label is a list") {
        let Some(span) = ch[key].as_array() else {
            continue;
        };
        let (s, e) = (span[0].as_u64().unwrap(), span[1].as_u64().unwrap());
        let kind = ch["type"].as_str().unwrap_or("");
        out.push((
            s as usize..e as usize,
            !kind.starts_with("NOALI"),
            kind.starts_with("EQUI"),
        ));
    }
    out
}

#[test]
fn passages_cover_the_aligned_chunks_and_not_more() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/paraphrase/ists_headlines_train.jsonl");
    let Ok(text) = std::fs::read_to_string(&file) else {
        common::skipped(
            "passages_cover_the_aligned_chunks_and_not_more",
            &format!(
                "{} not found (the paraphrase sets sit in ../shared/data)",
                file.display()
            ),
        );
        return;
    };
    let (mut inside, mut inside_aligned, mut equi, mut equi_inside) = (0usize, 0, 0, 0);
    let mut pairs = 0;
    for line in text.lines() {
        let r: Value = serde_json::from_str(line).expect("a JSON line");
        let (a, b) = (r["a"].as_str().unwrap(), r["b"].as_str().unwrap());
        let c = compare(a, b, &Params::default());
        pairs += 1;
        for (side, text, key) in [(0, a, "a_span"), (1, b, "b_span")] {
            // Character index of every byte offset.
            let chars: HashMap<usize, usize> = text
                .char_indices()
                .enumerate()
                .map(|(ci, (bi, _))| (bi, ci))
                .chain([(text.len(), text.chars().count())])
                .collect();
            let letters: Vec<bool> = text.chars().map(char::is_alphanumeric).collect();
            let mut covered = vec![false; letters.len()];
            for p in &c.passages {
                let span = if side == 0 { p.passage.a } else { p.passage.b };
                covered[chars[&span.start]..chars[&span.end]]
                    .iter_mut()
                    .for_each(|x| *x = true);
            }
            let gold = chunks(&r["label"], key);
            for i in (0..letters.len()).filter(|&i| letters[i]) {
                let in_chunk = |want: fn(&(std::ops::Range<usize>, bool, bool)) -> bool| {
                    gold.iter().any(|g| g.0.contains(&i) && want(g))
                };
                if covered[i] {
                    inside += 1;
                    inside_aligned += usize::from(in_chunk(|g| g.1));
                }
                if in_chunk(|g| g.2) {
                    equi += 1;
                    equi_inside += usize::from(covered[i]);
                }
            }
        }
    }
    assert_eq!(pairs, 756);
    let precision = inside_aligned as f64 / inside as f64;
    let equi_recall = equi_inside as f64 / equi as f64;
    let shown = format!("precision {precision:.3}, EQUI recall {equi_recall:.3}");
    // 0.940 and 0.563 when written (benches/README.md).
    assert!(precision >= 0.92, "{shown}");
    assert!(equi_recall >= 0.5, "{shown}");
}
