//! Near-duplicate clusters that do not chain.
//!
//! Union-find over all near-duplicate pairs puts A and C together as soon
//! as A~B and B~C, and on real corpora chains unrelated documents into huge
//! clusters. Here documents are taken in the order of the keep rule
//! ([`keep_order`]) by the filter's engine: the first of a story becomes
//! its cluster's representative (the copy kept), and a later document joins
//! the kept one it was judged a copy of ([`clusters`]). C joins A's cluster
//! only if C~A was judged. The order is total (ties go to input order), so
//! the same input always gives the same clusters, and they are the drops
//! `copydesk filter` makes of the same documents in the same order.
//! [`star_clusters`] does the same over verified pairs, for the pairs job.

use std::cmp::Ordering;

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

    /// The rule as an order over two documents: the one to keep sorts
    /// first. Undated documents sort after dated ones; `Sources` ranks by
    /// the list (an unlisted source last), then by date. Documents the
    /// rule cannot tell apart are `Equal`: callers break ties by input
    /// order. The one definition for the full report and `--pairs-only`.
    pub fn order(&self, x: KeepKey<'_>, y: KeepKey<'_>) -> Ordering {
        let by_date = || match (x.date, y.date) {
            (Some(a), Some(b)) => a.cmp(b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        match self {
            KeepRule::Earliest => by_date(),
            KeepRule::Longest => y.words.cmp(&x.words),
            KeepRule::First => Ordering::Equal,
            KeepRule::Sources(list) => {
                let rank = |k: KeepKey<'_>| {
                    k.source
                        .and_then(|s| list.iter().position(|l| l == s))
                        .unwrap_or(list.len())
                };
                rank(x).cmp(&rank(y)).then_with(by_date)
            }
        }
    }
}

/// What a [`KeepRule`] looks at in one document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeepKey<'a> {
    /// Its date (compared as text: ISO dates sort by time).
    pub date: Option<&'a str>,
    /// Its source.
    pub source: Option<&'a str>,
    /// Its article words ([`KeepRule::Longest`]).
    pub words: usize,
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

/// The order in which the keep rule wants documents seen: the copy to keep
/// first (ties in input order). The engine sees the corpus in this order,
/// so the first of a story it meets is the one the rule keeps. `words` is
/// each document's article words (for [`KeepRule::Longest`]).
pub fn keep_order(docs: &[Document], words: &[usize], rule: &KeepRule) -> Vec<usize> {
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by(|&x, &y| priority(docs, words, rule, x, y).then(x.cmp(&y)));
    order
}

/// Clusters from the engine's decisions (`drops`: each dropped document
/// and the kept one it copies), largest first: each kept document with
/// the copies dropped for it, the kept one first, then ascending.
pub fn clusters(
    docs: &[Document],
    words: &[usize],
    drops: &[(usize, usize)],
    rule: &KeepRule,
) -> Vec<Cluster> {
    let mut members: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for &(copy, kept) in drops {
        members.entry(kept).or_default().push(copy);
    }
    let mut out: Vec<Cluster> = members
        .into_iter()
        .map(|(kept, mut copies)| {
            copies.sort_unstable();
            copies.dedup();
            copies.insert(0, kept);
            Cluster {
                kept,
                reason: reason(docs, words, rule, kept),
                members: copies,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.kept.cmp(&b.kept))
    });
    out
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

/// The keep rule as an order over documents `x` and `y` of `docs`.
fn priority(docs: &[Document], words: &[usize], rule: &KeepRule, x: usize, y: usize) -> Ordering {
    let key = |i: usize| KeepKey {
        date: docs[i].date.as_deref(),
        source: docs[i].source.as_deref(),
        words: words.get(i).copied().unwrap_or(0),
    };
    rule.order(key(x), key(y))
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
    fn clusters_gather_the_copies_of_each_kept_document() {
        // 1 and 2 are copies of 0; 4 of 3 (chains cannot form: a copy
        // points at a kept document).
        let d = docs(&[
            "2020-01-01",
            "2020-01-02",
            "2020-01-03",
            "2020-01-04",
            "2020-01-05",
        ]);
        let c = clusters(&d, &[10; 5], &[(2, 0), (1, 0), (4, 3)], &KeepRule::Earliest);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].members, [0, 1, 2]);
        assert_eq!(c[0].reason, "earliest (2020-01-01)");
        assert_eq!(c[1].members, [3, 4]);
        assert!(clusters(&d, &[10; 5], &[], &KeepRule::Earliest).is_empty());
    }

    #[test]
    fn keep_rules_order_the_documents() {
        let mut d = docs(&["2020-01-02", "2020-01-01", "2020-01-01"]);
        d[0].source = Some("wire".into());
        d[2].date = None;
        assert_eq!(keep_order(&d, &[50, 10, 5], &KeepRule::Earliest), [1, 0, 2]);
        assert_eq!(keep_order(&d, &[50, 10, 60], &KeepRule::Longest), [2, 0, 1]);
        assert_eq!(keep_order(&d, &[50, 10, 5], &KeepRule::First), [0, 1, 2]);
        let rule = KeepRule::parse("sources=wire,other").unwrap();
        assert_eq!(keep_order(&d, &[50, 10, 5], &rule), [0, 1, 2]);
        let c = clusters(&d, &[50, 10, 5], &[(1, 0)], &rule);
        assert_eq!(
            (c[0].kept, c[0].reason.as_str()),
            (0, "preferred source wire")
        );
        let c = clusters(&d, &[50, 10, 5], &[(1, 0)], &KeepRule::Longest);
        assert_eq!(c[0].reason, "longest (50 words)");
        assert!(KeepRule::parse("newest").is_err());
    }
}
