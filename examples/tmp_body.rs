use copydesk::analysis::Analysis;
use copydesk::tokenize::TokenHasher;
use std::io::BufRead;
fn main() {
    let want: Vec<String> = std::env::args().skip(1).collect();
    let f = std::io::BufReader::new(std::fs::File::open("../shared/data/dragnet/pages.jsonl").unwrap());
    for line in f.lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let id = v["id"].as_str().unwrap();
        if !want.iter().any(|w| w == id) { continue; }
        let text = v["text"].as_str().unwrap();
        let (mut hs, mut sp) = (Vec::new(), Vec::new());
        TokenHasher::new().hash_tokens_spans(text, &mut hs, &mut sp);
        let a = Analysis::new(text, 3);
        let keep = a.body_mask(&[]);
        let mut out = String::new();
        let mut prev = None;
        for (i, s) in sp.iter().enumerate() {
            if prev != Some(keep[i]) { out.push_str(if keep[i] { " [[" } else { " ]]" }); prev = Some(keep[i]); }
            out.push(' '); out.push_str(&text[s.start..s.end]);
        }
        println!("{id} furniture={:?}\n{}\n", a.furniture.iter().map(|(r, w)| (r.clone(), w.as_str())).collect::<Vec<_>>(), &out[..out.len().min(3000)]);
    }
}
