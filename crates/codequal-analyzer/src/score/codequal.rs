//! Our score: size-normalised, non-saturating, de-duplicated and guarded
//! against gaming; see the module docs of [`crate::score`] for the formula.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::code_stats::{self, CodeStats};
use super::{severity_weight, Penalty, QualityScore, ScoreConfig, ScoreInput, ScoreMode};
use crate::report::{Characteristic, Finding};
use crate::rules::Confidence;

/// `k_c` of the size-normalised penalty (20 times the paper's).
pub fn k(c: Characteristic) -> f64 {
    20.0 * super::pycq::k(c)
}

/// Smallest size (logical lines) findings are normalised by, so that one
/// finding in a two-line snippet is not diluted to nothing nor blown up.
pub const SIZE_FLOOR: f64 = 10.0;

/// Without a size hint, code under this many logical lines is scaled down.
pub const MIN_LLOC: f64 = 2.0;

/// With a size hint, code under this fraction of it is scaled down.
pub const MIN_SIZE_RATIO: f64 = 0.5;

/// With a size hint, findings are normalised by at most this multiple of
/// the expected size: thirty identity helpers around a bare `except:` do
/// not make the `except:` weigh less.
pub const MAX_SIZE_RATIO: f64 = 2.0;

/// Overall = sum of weight * characteristic score.
pub const OVERALL_WEIGHTS: [(Characteristic, f64); 4] = [
    (Characteristic::Maintainability, 0.3),
    (Characteristic::Security, 0.2),
    (Characteristic::PerformanceEfficiency, 0.25),
    (Characteristic::Reliability, 0.25),
];

/// Rules of different families that report one defect: on one line, only
/// the heaviest of a group counts.
pub const SAME_DEFECT: &[&[&str]] = &[
    &["W0702", "E722", "CQR001"],
    &["W0718", "W0703", "CQR002"],
    &["B110", "B112", "W0107", "CQR003"],
    &["R1732", "CQR004"],
    &["W0707", "CQR006"],
    &["W0102", "B006", "CQR010"],
    &["W0719", "CQR011"],
    &["F401", "W0611"],
    // An unused name: pyflakes' and pylint's unused variable, pylint's
    // unused argument and vulture's unused variable (which covers both).
    &["F841", "W0612", "W0613", "CQD005"],
];

/// Rules not counted by this score (see the module docs: B101 assert).
pub const NOT_COUNTED: &[&str] = &["B101"];

/// The weight of a finding's confidence.
pub fn confidence_factor(c: Confidence) -> f64 {
    match c {
        Confidence::High => 1.0,
        Confidence::Medium => 0.8,
        Confidence::Low => 0.5,
    }
}

/// The continuous signals behind the maintainability and performance
/// scores, each factor in (0, 1].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// Size and shape measurements.
    pub stats: CodeStats,
    /// Mean cyclomatic complexity of functions and methods (the module's
    /// own when it has none).
    pub mean_complexity: f64,
    /// radon's maintainability index, from our LLOC and comment counts.
    pub maintainability_index: f64,
    /// `exp(-max(0, mean_complexity - 1) / 12)`.
    pub complexity_factor: f64,
    /// `exp(-max_nesting / 10)`.
    pub nesting_factor: f64,
    /// `exp(-longest_function / 100)`.
    pub length_factor: f64,
    /// `(1 - duplicated_fraction)^2`.
    pub duplication_factor: f64,
    /// `0.5 + 0.5 * maintainability_index / 100`.
    pub mi_factor: f64,
    /// `0.9 + 0.1 * documented / definitions` (1 without definitions).
    pub documentation_factor: f64,
    /// `complexity^0.3 * nesting^0.2 * length^0.1 * duplication^0.2 *
    /// mi^0.2 * documentation`.
    pub structure: f64,
    /// `0.7 + 0.3 * exp(-max(0, max_loop_depth - 1) / 4)`.
    pub loop_factor: f64,
}

fn maintainability_index(volume: f64, complexity: f64, lloc: f64, comment_pct: f64) -> f64 {
    if volume <= 0.0 || lloc <= 0.0 {
        return 100.0;
    }
    let raw = 171.0 - 5.2 * volume.ln() - 0.23 * complexity - 16.2 * lloc.ln()
        + 50.0 * (2.46 * comment_pct.to_radians()).sqrt().sin();
    (raw * 100.0 / 171.0).clamp(0.0, 100.0)
}

fn signals(input: &ScoreInput<'_>, stats: CodeStats) -> Signals {
    let (mean_cc, total_cc) = match input.complexity {
        Some(cc) => {
            let funcs: Vec<f64> = cc
                .blocks
                .iter()
                .filter(|b| b.kind != crate::metrics::complexity::BlockKind::Class)
                .map(|b| f64::from(b.complexity))
                .collect();
            let mean = if funcs.is_empty() {
                f64::from(cc.module_complexity)
            } else {
                funcs.iter().sum::<f64>() / funcs.len() as f64
            };
            (mean, f64::from(cc.total_complexity()))
        }
        None => (1.0, 1.0),
    };
    let volume = input.halstead.map_or(0.0, |h| h.total.volume);
    let comment_pct = if stats.sloc > 0 {
        100.0 * f64::from(stats.comment_lines) / f64::from(stats.sloc)
    } else {
        0.0
    };
    let mi = maintainability_index(volume, total_cc, f64::from(stats.lloc), comment_pct);
    let complexity_factor = (-(mean_cc - 1.0).max(0.0) / 12.0).exp();
    let nesting_factor = (-f64::from(stats.max_nesting) / 10.0).exp();
    let length_factor = (-f64::from(stats.longest_function) / 100.0).exp();
    let duplication_factor = (1.0 - stats.duplicated_fraction.clamp(0.0, 1.0)).powi(2);
    let mi_factor = 0.5 + 0.5 * mi / 100.0;
    let documentation_factor = if stats.definitions == 0 {
        1.0
    } else {
        0.9 + 0.1 * f64::from(stats.documented) / f64::from(stats.definitions)
    };
    let structure = complexity_factor.powf(0.3)
        * nesting_factor.powf(0.2)
        * length_factor.powf(0.1)
        * duplication_factor.powf(0.2)
        * mi_factor.powf(0.2)
        * documentation_factor;
    let loop_factor = 0.7 + 0.3 * (-(f64::from(stats.max_loop_depth) - 1.0).max(0.0) / 4.0).exp();
    Signals {
        stats,
        mean_complexity: mean_cc,
        maintainability_index: mi,
        complexity_factor,
        nesting_factor,
        length_factor,
        duplication_factor,
        mi_factor,
        documentation_factor,
        structure,
        loop_factor,
    }
}

/// The findings that count, de-duplicated, as penalties.
pub fn penalties(findings: &[Finding]) -> Vec<Penalty> {
    let group_of = |code: &str| SAME_DEFECT.iter().position(|g| g.contains(&code));
    let mut best: HashMap<(usize, u32), Penalty> = HashMap::new();
    let mut out = Vec::new();
    for f in findings {
        if NOT_COUNTED.contains(&f.code.as_str()) || f.code == "E999" {
            continue;
        }
        let p = Penalty {
            source: f.code.clone(),
            characteristic: f.characteristic,
            severity: f.severity,
            weight: severity_weight(f.severity) * confidence_factor(f.confidence),
            line: f.span.line,
        };
        match group_of(&f.code) {
            Some(g) => {
                let slot = best.entry((g, f.span.line)).or_insert_with(|| p.clone());
                if p.weight > slot.weight {
                    *slot = p;
                }
            }
            None => out.push(p),
        }
    }
    out.extend(best.into_values());
    out.sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.source.cmp(&b.source)));
    out
}

fn finite01(x: f64) -> f64 {
    if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// Scores a module.
pub fn score(input: &ScoreInput<'_>, config: &ScoreConfig) -> QualityScore {
    let zero = |why: &str| QualityScore {
        mode: ScoreMode::Codequal,
        guards: vec![why.to_owned()],
        ..QualityScore::default()
    };
    let Some(suite) = input.suite else {
        return zero("unparsable: syntax error");
    };
    let stats = code_stats::measure(input.parsed, suite);
    if stats.effective_statements == 0 {
        return zero("empty: no effective statement");
    }
    let penalties = penalties(input.findings);
    let lloc = f64::from(stats.lloc);
    // With a size hint, padding cannot dilute findings: code longer than
    // `MAX_SIZE_RATIO` times the expected size is normalised as if it had
    // that size.
    let cap_size = config
        .expected_lloc
        .filter(|&e| e > 0)
        .map_or(f64::INFINITY, |e| MAX_SIZE_RATIO * f64::from(e));
    let size = lloc.min(cap_size).max(SIZE_FLOOR);
    let factor = |c: Characteristic| -> f64 {
        let w: f64 = penalties
            .iter()
            .filter(|p| p.characteristic == c)
            .map(|p| p.weight)
            .sum();
        (-k(c) * w / size).exp()
    };
    let signals = signals(input, stats);
    let mut m = factor(Characteristic::Maintainability) * signals.structure;
    let mut s = factor(Characteristic::Security);
    let mut p = factor(Characteristic::PerformanceEfficiency) * signals.loop_factor;
    let mut r = factor(Characteristic::Reliability);

    let mut guards = Vec::new();
    let mut cap = 1.0_f64;
    let st = &signals.stats;
    if st.functions > 0 && st.stub_functions > 0 {
        cap *= 1.0 - f64::from(st.stub_functions) / f64::from(st.functions);
        guards.push(format!(
            "stubs: {} of {} functions",
            st.stub_functions, st.functions
        ));
    }
    match config.expected_lloc.filter(|&e| e > 0) {
        Some(expected) => {
            let ratio = lloc / f64::from(expected);
            if ratio < MIN_SIZE_RATIO {
                cap *= ratio / MIN_SIZE_RATIO;
                guards.push(format!(
                    "short: {lloc} logical lines for an expected {expected}"
                ));
            }
        }
        None => {
            if lloc < MIN_LLOC {
                cap *= lloc / MIN_LLOC;
                guards.push(format!("short: {lloc} logical lines"));
            }
        }
    }
    for v in [&mut m, &mut s, &mut p, &mut r] {
        *v = finite01(*v * cap);
    }
    let overall = finite01(
        OVERALL_WEIGHTS
            .iter()
            .map(|(c, w)| {
                w * match c {
                    Characteristic::Maintainability => m,
                    Characteristic::Security => s,
                    Characteristic::PerformanceEfficiency => p,
                    Characteristic::Reliability => r,
                }
            })
            .sum(),
    );
    QualityScore {
        mode: ScoreMode::Codequal,
        overall,
        maintainability: m,
        security: s,
        performance_efficiency: p,
        reliability: r,
        penalties,
        signals: Some(signals),
        guards,
    }
}
