use copydesk::compare::Text;
use copydesk::judge::{own_article_run, shingle_width};
use copydesk::Params;
use std::io::BufRead;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let f = std::io::BufReader::new(std::fs::File::open(&args[0]).unwrap());
    let mut texts = std::collections::HashMap::new();
    for line in f.lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let id = v["id"].as_str().unwrap().to_string();
        if args[1..].contains(&id) { texts.insert(id, v["text"].as_str().unwrap().to_string()); }
    }
    let p = Params::default();
    let (ta, tb) = (Text::new(&texts[&args[1]], &p), Text::new(&texts[&args[2]], &p));
    let (sa, sb) = (ta.side(), tb.side());
    let fa = ta.analysis.full_set(); let fb = tb.analysis.full_set();
    println!("body {} {} own a {} own b {} shared {}", ta.body.len(), tb.body.len(),
        own_article_run(&sa, &fb, shingle_width(&ta.analysis)), own_article_run(&sb, &fa, shingle_width(&tb.analysis)), ta.body.intersection_len(&tb.body));
}
