//! Query: "have we seen this, and where?" for `copydesk index query`.
//! One text against a filter index, judged as the filter would judge it,
//! without changing the index.

use std::sync::OnceLock;

use crate::analysis::Analysis;
use crate::boilerplate::{BoilerplateLookup, BoilerplateSnapshot};
use crate::error::Result;
use crate::index::store::{Store, StoredDoc};
use crate::judge::{judge, Guard, Side};
use crate::shingle::ShingleSet;

use super::decide::reason_of;
use super::prepare::signature_keys;
use super::state::{load_all, State};
use super::{Filter, FilterOptions, Reason};

/// A stored document found by [`query`].
#[derive(Debug, Clone)]
pub struct QueryMatch {
    /// The stored document.
    pub doc: StoredDoc,
    /// Its text.
    pub text: String,
    /// Body Jaccard with the query.
    pub jaccard: f64,
    /// Containment of the shorter body in the longer.
    pub containment: f64,
    /// What the filter would decide for the query against this document
    /// (`None`: not a copy by the thresholds of `opts`).
    pub reason: Option<Reason>,
    /// Why it is not a copy although the scores alone would say so.
    pub guard: Option<Guard>,
}

/// "Have we seen this, and where?": the stored documents sharing a band or
/// the exact text with `text`, scored with exact body shingle sets, best
/// first. `source` selects which learned boilerplate to strip from `text`.
pub fn query(
    store: &mut Store,
    text: &str,
    source: Option<&str>,
    opts: &FilterOptions,
) -> Result<Vec<QueryMatch>> {
    let (State { model, .. }, _) = load_all(store)?;
    // A query signs nothing: its snapshot stays empty.
    let f = Filter::new(
        opts,
        State {
            seen: 0,
            young: Vec::new(),
            model,
        },
        Some(BoilerplateSnapshot::default()),
    );
    let k = f.k;
    let analysis = Analysis::new(text, k);
    let bad = analysis.bad_segments(&f.model, source);
    let content = analysis.content_of(&bad, k);
    let (mut keys, _) = signature_keys(&content, store.params().lsh, store.params().num_hashes);
    let body = ShingleSet::from_hashes(content);
    let full = OnceLock::new();
    keys.push(Store::exact_key(analysis.exact));
    let mut out = Vec::new();
    for id in store.lookup(&keys)? {
        let Some(doc) = store.doc(id)? else { continue };
        let text = store.text(&doc)?;
        let a = Analysis::new(&text, k);
        let their_bad = a.bad_segments(&f.model, doc.source.as_deref());
        let theirs = ShingleSet::from_hashes(a.content_of(&their_bad, k));
        let their_full = OnceLock::new();
        let j = judge(
            &Side {
                analysis: &analysis,
                body: &body,
                bad: &bad,
                source,
                full: &full,
                young: f.model.template_unlearned(source),
            },
            &Side {
                analysis: &a,
                body: &theirs,
                bad: &their_bad,
                source: doc.source.as_deref(),
                full: &their_full,
                young: f.model.template_unlearned(doc.source.as_deref()),
            },
            &opts.params,
        );
        out.push(QueryMatch {
            doc,
            text,
            jaccard: j.jaccard,
            containment: j.containment,
            reason: j.same.map(reason_of),
            guard: j.guard,
        });
    }
    out.sort_by(|a, b| {
        (b.reason.is_some(), b.jaccard.max(b.containment))
            .partial_cmp(&(a.reason.is_some(), a.jaccard.max(a.containment)))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    Ok(out)
}
