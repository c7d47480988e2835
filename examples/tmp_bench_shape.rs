use copydesk::tokenize::TokenHasher;
use std::io::BufRead;
use std::time::Instant;
fn main() {
    let f = std::io::BufReader::new(std::fs::File::open("/work/scratch/gen-line.jsonl").unwrap());
    let texts: Vec<String> = f.lines().take(2000).map(|l| serde_json::from_str::<serde_json::Value>(&l.unwrap()).unwrap()["text"].as_str().unwrap().to_string()).collect();
    let mut h = TokenHasher::new();
    let toks: Vec<(Vec<u64>, Vec<copydesk::Span>)> = texts.iter().map(|t| { let (mut a, mut b) = (Vec::new(), Vec::new()); h.hash_tokens_spans(t, &mut a, &mut b); (a, b) }).collect();
    let segs: Vec<Vec<u32>> = texts.iter().map(|t| copydesk::analysis::Analysis::new(t, 3).seg_start).collect();
    let n: usize = toks.iter().map(|t| t.0.len()).sum();
    let mut best = [f64::MAX; 6];
    for _ in 0..7 {
        let mut k = 0usize;
        let mut time = |i: usize, f: &mut dyn FnMut() -> usize| { let t0 = Instant::now(); k += f(); let e = t0.elapsed().as_nanos() as f64 / n as f64; best[i] = best[i].min(e); };
        time(0, &mut || toks.iter().map(|(hs, _)| hs.iter().map(|&x| copydesk::words::word_kind(x) as usize).sum::<usize>()).sum());
        time(1, &mut || texts.iter().zip(&toks).map(|(t, (hs, sp))| copydesk::shape::furniture(t, sp, hs).len()).sum());
        time(2, &mut || toks.iter().map(|(hs, _)| copydesk::boilerplate::repeated_runs(hs, 6, 3).len()).sum());
        time(3, &mut || texts.iter().zip(&toks).zip(&segs).map(|((t, (hs, sp)), s)| copydesk::boilerplate::link_boxes(t, sp, hs, s).len()).sum());
        time(4, &mut || texts.iter().zip(&toks).zip(&segs).map(|((t, (hs, sp)), s)| copydesk::boilerplate::page_furniture(t, sp, hs, s).len()).sum());
        time(5, &mut || texts.iter().zip(&toks).map(|(t, (hs, sp))| copydesk::analysis::Analysis::of_tokens(t, hs, sp, 3).furniture.len()).sum());
        std::hint::black_box(k);
    }
    for (name, b) in ["word_kind", "furniture", "repeats6", "link_boxes", "page_furniture", "analysis"].iter().zip(best) { println!("{name}: {b:.1} ns/token"); }
}
