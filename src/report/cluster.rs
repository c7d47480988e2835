//! Near-duplicate clusters that do not chain.
//!
//! Union-find over all near-duplicate pairs puts A and C together as soon
//! as A~B and B~C, and on real corpora chains unrelated documents into huge
//! clusters. Here documents are taken in the order of the keep rule; the
//! first not yet placed becomes a cluster's representative (the copy kept)
//! and the cluster is it plus every unplaced document that is itself a
//! near-duplicate of it. C joins A's cluster only if C~A was verified.
//! The order is total (ties go to input order), so the same input always
//! gives the same clusters.

use std::cmp::Ordering;

use super::PairReport;
use crate::compare::Verdict;
use crate::error::{Error, Result};
use crate::input::Document;

/// Which copy of a cluster is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeepRule {
    /// The earliest date (JSONL date field, a `YYYY-MM-DD` file-name
    /// prefix, or the file's modification time); undated documents last.
    Earliest,
    /// The most content words.
    Longest,
    /// The first in input order.
    First,
    /// The first source in this list; then the earliest.
    Sources(Vec<String>),
}

impl KeepRule {
    /// Parses `earliest`, `longest`, `first` or `sources=a,b,c`.
    pub fn parse(s: &str) -> Result<KeepRule> {
        match s {
            "earliest" => Ok(KeepRule::Earliest),
            "longest" => Ok(KeepRule::Longest),
            "first" => Ok(KeepRule::First),
            _ => match s.strip_prefix("sources=") {
                Some(list) if !list.trim().is_empty() => Ok(KeepRule::Sources(
                    list.split(',')
                        .map(|x| x.trim().to_string())
                        .filter(|x| !x.is_empty())
                        .collect(),
                )),
                _ => Err(Error::InvalidParams(format!(
                    "keep rule \"{s}\" is not earliest, longest, first or sources=a,b,c"
                ))),
            },
        }
    }
}

/// A near-duplicate cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    /// The document kept.
    pub kept: usize,
    /// All members, the kept one first, then ascending.
    pub members: Vec<usize>,
    /// Why `kept` was kept ("earliest (2016-02-10)").
    pub reason: String,
}

/// Clusters of near-duplicate pairs (verdict duplicate or near-duplicate),
/// largest first.
pub fn clusters(
    docs: &[Document],
    content_words: &[usize],
    pairs: &[PairReport],
    rule: &KeepRule,
) -> Vec<Cluster> {
    let edges: Vec<(usize, usize)> = pairs
        .iter()
        .filter(|p| matches!(p.verdict, Verdict::Duplicate | Verdict::NearDuplicate))
        .map(|p| (p.a, p.b))
        .collect();
    star_clusters(docs.len(), &edges, |x, y| {
        priority(docs, content_words, rule, x, y)
    })
    .into_iter()
    .map(|(kept, members)| Cluster {
        kept,
        reason: reason(docs, content_words, rule, kept),
        members,
    })
    .collect()
}

/// Star clusters over `edges` among `n` items: items taken in `order`
/// (ties by index; first = kept); each unplaced one with an unplaced
/// neighbour becomes a representative holding every unplaced direct
/// neighbour. Returns (kept, members with kept first then ascending),
/// largest first.
pub fn star_clusters(
    n: usize,
    edges: &[(usize, usize)],
    order: impl Fn(usize, usize) -> Ordering,
) -> Vec<(usize, Vec<usize>)> {
    let mut near: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        near[a].push(b);
        near[b].push(a);
    }
    let mut seq: Vec<usize> = (0..n).filter(|&i| !near[i].is_empty()).collect();
    seq.sort_by(|&x, &y| order(x, y).then(x.cmp(&y)));
    let mut placed = vec![false; n];
    let mut out = Vec::new();
    for rep in seq {
        if placed[rep] {
            continue;
        }
        let mut members: Vec<usize> = near[rep].iter().copied().filter(|&m| !placed[m]).collect();
        if members.is_empty() {
            continue;
        }
        members.sort_unstable();
        members.dedup();
        placed[rep] = true;
        for &m in &members {
            placed[m] = true;
        }
        members.insert(0, rep);
        out.push((rep, members));
    }
    out.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    out
}

/// The keep rule as an order: the document to keep sorts first.
fn priority(docs: &[Document], words: &[usize], rule: &KeepRule, x: usize, y: usize) -> Ordering {
    let by_date = |x: usize, y: usize| match (&docs[x].date, &docs[y].date) {
        (Some(a), Some(b)) => a.cmp(b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    let o = match rule {
        KeepRule::Earliest => by_date(x, y),
        KeepRule::Longest => words[y].cmp(&words[x]),
        KeepRule::First => Ordering::Equal,
        KeepRule::Sources(list) => {
            let rank = |i: usize| {
                docs[i]
                    .source
                    .as_ref()
                    .and_then(|s| list.iter().position(|l| l == s))
                    .unwrap_or(list.len())
            };
            rank(x).cmp(&rank(y)).then_with(|| by_date(x, y))
        }
    };
    o
}

fn reason(docs: &[Document], words: &[usize], rule: &KeepRule, kept: usize) -> String {
    let d = &docs[kept];
    let dated = || match &d.date {
        Some(date) => format!("earliest ({date})"),
        None => "earliest (no dates: first in input)".to_string(),
    };
    match rule {
        KeepRule::Earliest => dated(),
        KeepRule::Longest => format!("longest ({} words)", words[kept]),
        KeepRule::First => "first in input".to_string(),
        KeepRule::Sources(list) => match &d.source {
            Some(s) if list.contains(s) => format!("preferred source {s}"),
            _ => format!("no preferred source; {}", dated()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: usize, b: usize, verdict: Verdict) -> PairReport {
        PairReport {
            a,
            b,
            jaccard: 0.7,
            containment_a: 0.8,
            containment_b: 0.8,
            verdict,
            passages: 1,
            aligned: true,
        }
    }

    fn docs(dates: &[&str]) -> Vec<Document> {
        dates
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mut doc = Document::from_text(format!("d{i}"), "");
                doc.date = Some(d.to_string());
                doc
            })
            .collect()
    }

    #[test]
    fn chains_do_not_join_a_and_c() {
        // A~B, B~C, not A~C: A (earliest) keeps B; C stays out.
        let d = docs(&["2020-01-01", "2020-01-02", "2020-01-03"]);
        let pairs = [
            pair(0, 1, Verdict::NearDuplicate),
            pair(1, 2, Verdict::NearDuplicate),
        ];
        let c = clusters(&d, &[10, 10, 10], &pairs, &KeepRule::Earliest);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].members, [0, 1]);
        assert_eq!(c[0].reason, "earliest (2020-01-01)");
    }

    #[test]
    fn keep_rules_pick_the_representative() {
        let mut d = docs(&["2020-01-02", "2020-01-01"]);
        d[0].source = Some("wire".into());
        let pairs = [pair(0, 1, Verdict::Duplicate)];
        let c = clusters(&d, &[50, 10], &pairs, &KeepRule::Earliest);
        assert_eq!(c[0].kept, 1);
        let c = clusters(&d, &[50, 10], &pairs, &KeepRule::Longest);
        assert_eq!((c[0].kept, c[0].reason.as_str()), (0, "longest (50 words)"));
        let c = clusters(&d, &[50, 10], &pairs, &KeepRule::First);
        assert_eq!(c[0].kept, 0);
        let rule = KeepRule::parse("sources=wire,other").unwrap();
        let c = clusters(&d, &[50, 10], &pairs, &rule);
        assert_eq!(
            (c[0].kept, c[0].reason.as_str()),
            (0, "preferred source wire")
        );
        // Partial pairs make no cluster.
        assert!(clusters(&d, &[1, 1], &[pair(0, 1, Verdict::Partial)], &rule).is_empty());
        assert!(KeepRule::parse("newest").is_err());
    }
}
