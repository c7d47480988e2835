use copydesk::compare::{compare_texts, Text};
use copydesk::Params;
use std::io::BufRead;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let f = std::io::BufReader::new(std::fs::File::open(&args[0]).unwrap());
    let mut texts = std::collections::HashMap::new();
    for line in f.lines() {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let id = v["id"].as_str().unwrap().to_string();
        if args[1..].contains(&id) { texts.insert(id, (v["text"].as_str().unwrap().to_string(), v["source"].as_str().map(str::to_string))); }
    }
    let p = Params::default();
    let (a, b) = (&texts[&args[1]], &texts[&args[2]]);
    let (ta, tb) = (Text::new(&a.0, &p), Text::new(&b.0, &p));
    let c = compare_texts(&ta, &tb, &p);
    println!("{:?}\nbody a {} b {} tokens {} {}", c.judgement, ta.body.len(), tb.body.len(), ta.tokens.len(), tb.tokens.len());
    for (name, t) in [("A", &ta), ("B", &tb)] {
        let mut out = String::new();
        for s in t.boilerplate() { out.push_str(&format!("[{}] ", &t.text[s.start..s.end])); }
        println!("{name} furniture: {}", &out[..out.len().min(2500)]);
    }
}
