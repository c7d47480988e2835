//! Regression guard for the Clough & Stevenson evaluation (README,
//! "Evaluation"): copydesk's reuse score must keep ROC AUC >= 0.975,
//! Spearman's rho >= 0.85 and 4-class leave-one-out accuracy >= 0.75 on the
//! 95 answers. Reads `../shared/data/clough-stevenson` beside the
//! repository and skips, saying so, where that folder is absent.

#[path = "../examples/clough_stevenson/eval.rs"]
mod eval;

mod common;

use std::path::Path;

#[test]
fn clough_stevenson_figures_stay_above_the_targets() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/clough-stevenson");
    if !dir.join("file_information.csv").is_file() {
        common::skipped(
            "clough_stevenson_figures_stay_above_the_targets",
            &format!(
                "{} not found (the Clough-Stevenson corpus sits in ../shared/data)",
                dir.display()
            ),
        );
        return;
    }
    let scored = eval::score_corpus(&dir).expect("every file of the corpus reads");
    assert_eq!(scored.len(), 95, "95 answers besides the 5 originals");
    for s in &scored {
        assert!(
            (0.0..=1.0).contains(&s.score),
            "{} score {}",
            s.file,
            s.score
        );
        assert!((0.0..=1.0).contains(&s.shingle_containment));
    }
    let m = eval::metrics(&scored);
    let mean = |level: usize| {
        let v: Vec<f64> = scored
            .iter()
            .filter(|s| s.level == level)
            .map(|s| s.score)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    let means: Vec<String> = (0..4)
        .map(|l| format!("{} {:.3}", eval::LEVELS[l], mean(l)))
        .collect();
    let shown = format!("{m:?}; mean score by level: {}", means.join(", "));
    assert!(m.auc >= 0.975, "{shown}");
    assert!(m.rho >= 0.85, "{shown}");
    assert!(m.accuracy >= 0.75, "{shown}");
    // The levels are in order on average.
    assert!((1..4).all(|l| mean(l) > mean(l - 1)), "{shown}");
}
