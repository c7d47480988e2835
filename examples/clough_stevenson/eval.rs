//! Scoring the Clough & Stevenson corpus with copydesk and measuring the
//! scores against its labels. Shared by `examples/clough_stevenson.rs` and
//! `tests/clough_stevenson.rs`.

use std::path::Path;

use copydesk::compare::Text;
use copydesk::{compare_texts, Comparison, Document, Params};

/// Reuse levels in grading order (the `Category` column, without `orig`).
pub const LEVELS: [&str; 4] = ["non", "heavy", "light", "cut"];

/// One labelled answer and its score.
pub struct Scored {
    /// File name.
    pub file: String,
    /// Index into [`LEVELS`].
    pub level: usize,
    /// [`answer_score`] of the answer against its task's original.
    pub score: f64,
    /// Exact word 3-shingle containment of the answer, for comparison.
    pub shingle_containment: f64,
}

/// The three figures of the evaluation.
#[derive(Debug, Clone, Copy)]
pub struct Metrics {
    /// ROC AUC, non against reused (heavy, light, cut).
    pub auc: f64,
    /// Spearman's rho against the level.
    pub rho: f64,
    /// 4-class accuracy, each answer classified by three cut points chosen
    /// on the other answers.
    pub accuracy: f64,
}

/// The score of one answer (A) against its original (B): how strongly the
/// answer reuses the original, [`Comparison::reuse_a`].
pub fn answer_score(c: &Comparison) -> f64 {
    c.reuse_a()
}

/// Reads the labels and scores every answer against its original.
pub fn score_corpus(dir: &Path) -> Result<Vec<Scored>, String> {
    let labels = dir.join("file_information.csv");
    let csv = std::fs::read_to_string(&labels).map_err(|e| format!("{}: {e}", labels.display()))?;
    let params = Params::default();
    let read = |name: &str| -> Result<Document, String> {
        Document::read(&dir.join(name)).map_err(|e| e.to_string())
    };
    let mut docs = Vec::new();
    for task in ["a", "b", "c", "d", "e"] {
        docs.push((task, read(&format!("orig_task{task}.txt"))?));
    }
    let originals: Vec<(&str, Text<'_>)> = docs
        .iter()
        .map(|(task, d)| (*task, Text::new(&d.text, &params)))
        .collect();
    let mut out = Vec::new();
    for (n, line) in csv.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.trim().split(',').collect();
        let [file, task, category] = f[..] else {
            return Err(format!(
                "{}:{}: expected File,Task,Category",
                labels.display(),
                n + 1
            ));
        };
        let Some(level) = LEVELS.iter().position(|l| *l == category) else {
            continue; // the originals themselves
        };
        let answer = read(file)?;
        let (_, orig) = originals
            .iter()
            .find(|(t, _)| *t == task)
            .ok_or_else(|| format!("{file}: unknown task {task}"))?;
        let c = compare_texts(&Text::new(&answer.text, &params), orig, &params);
        out.push(Scored {
            file: file.to_string(),
            level,
            score: answer_score(&c),
            shingle_containment: c.similarity.containment_a,
        });
    }
    Ok(out)
}

/// AUC, rho and leave-one-out accuracy of the scores.
pub fn metrics(s: &[Scored]) -> Metrics {
    let scores: Vec<f64> = s.iter().map(|x| x.score).collect();
    let levels: Vec<usize> = s.iter().map(|x| x.level).collect();
    Metrics {
        auc: auc(&scores, &levels),
        rho: spearman(&scores, &levels),
        accuracy: loo_accuracy(&scores, &levels),
    }
}

/// Probability that a reused answer scores above a non one (ties half).
fn auc(scores: &[f64], levels: &[usize]) -> f64 {
    let (mut wins, mut pairs) = (0.0, 0.0);
    for (i, &si) in scores.iter().enumerate() {
        for (j, &sj) in scores.iter().enumerate() {
            if levels[i] > 0 && levels[j] == 0 {
                pairs += 1.0;
                if si > sj {
                    wins += 1.0;
                } else if si == sj {
                    wins += 0.5;
                }
            }
        }
    }
    wins / pairs
}

/// Ranks from 1, ties sharing their average rank.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

fn spearman(scores: &[f64], levels: &[usize]) -> f64 {
    let x = ranks(scores);
    let y = ranks(&levels.iter().map(|&l| l as f64).collect::<Vec<_>>());
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

/// The three cut points (ascending) that classify the most of `train`
/// correctly as level = number of cut points below the score. Equal scores
/// always get one level; each cut sits midway between two scores.
fn best_cuts(train: &[(f64, usize)]) -> [f64; 3] {
    let mut t = train.to_vec();
    t.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Groups of equal scores with their label counts.
    let mut groups: Vec<(f64, [usize; 4])> = Vec::new();
    for &(s, l) in &t {
        match groups.last_mut() {
            Some(g) if g.0 == s => g.1[l] += 1,
            _ => {
                let mut c = [0; 4];
                c[l] = 1;
                groups.push((s, c));
            }
        }
    }
    // best[g][c]: most correct over groups 0..=g with group g at level c
    // (levels never decrease along the scores).
    let n = groups.len();
    let mut best = vec![[0usize; 4]; n];
    let mut from = vec![[0usize; 4]; n];
    for g in 0..n {
        for c in 0..4 {
            let (prev, arg) = if g == 0 {
                (0, c)
            } else {
                (0..=c)
                    .map(|p| (best[g - 1][p], p))
                    .max_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)))
                    .expect("non-empty range")
            };
            best[g][c] = prev + groups[g].1[c];
            from[g][c] = arg;
        }
    }
    let mut level = vec![0; n];
    let mut c = (0..4)
        .max_by(|&x, &y| best[n - 1][x].cmp(&best[n - 1][y]).then(y.cmp(&x)))
        .expect("four levels");
    for g in (0..n).rev() {
        level[g] = c;
        c = from[g][c];
    }
    // Cut k lies between the last group below level k+1 and the next one.
    let mut cuts = [f64::INFINITY; 3];
    for (k, cut) in cuts.iter_mut().enumerate() {
        if let Some(g) = (0..n).find(|&g| level[g] > k) {
            *cut = if g == 0 {
                f64::NEG_INFINITY
            } else {
                (groups[g - 1].0 + groups[g].0) / 2.0
            };
        }
    }
    cuts
}

fn loo_accuracy(scores: &[f64], levels: &[usize]) -> f64 {
    let mut right = 0;
    for i in 0..scores.len() {
        let train: Vec<(f64, usize)> = (0..scores.len())
            .filter(|&j| j != i)
            .map(|j| (scores[j], levels[j]))
            .collect();
        let cuts = best_cuts(&train);
        let predicted = cuts.iter().filter(|&&c| scores[i] > c).count();
        if predicted == levels[i] {
            right += 1;
        }
    }
    right as f64 / scores.len() as f64
}
