//! The paper's library's score (`pycq_analyzer` 0.1.0), exactly; see the
//! module docs of [`crate::score`] for the formula and the mapping.

use std::collections::HashMap;

use super::{severity_weight, Penalty, QualityScore, ScoreInput, ScoreMode};
use crate::metrics::complexity::Rank;
use crate::report::{Characteristic, Finding, Severity};

/// The paper's `k_c`: maintainability 0.05, security 0.1, performance 0.08,
/// reliability 0.07.
pub fn k(c: Characteristic) -> f64 {
    match c {
        Characteristic::Maintainability => 0.05,
        Characteristic::Security => 0.1,
        Characteristic::PerformanceEfficiency => 0.08,
        Characteristic::Reliability => 0.07,
    }
}

/// `W_c` when a characteristic has no findings.
pub const EMPTY_WEIGHT: f64 = 0.01;

/// Lines above which a file counts as too long (medium, maintainability).
pub const MAX_FILE_LOC: usize = 1000;

/// pylint's 11 maintainability symbols that the paper's library counts:
/// (our rule code, pylint message id, pylint symbol). Our pyflakes F401
/// stands in for pylint's unused-import; unused-variable is our W0612,
/// which follows pylint (F841 does not count: pyflakes skips loop and
/// unpacking targets, and reports reassigned names at the last binding).
pub const PYLINT_SYMBOLS: &[(&str, &str, &str)] = &[
    ("W0611", "W0611", "unused-import"),
    ("F401", "W0611", "unused-import"),
    ("W0612", "W0612", "unused-variable"),
    ("W0613", "W0613", "unused-argument"),
    ("R0801", "R0801", "duplicate-code"),
    ("R0913", "R0913", "too-many-arguments"),
    ("R0902", "R0902", "too-many-instance-attributes"),
    ("R0914", "R0914", "too-many-locals"),
    ("R0915", "R0915", "too-many-statements"),
    ("R0912", "R0912", "too-many-branches"),
    ("R0911", "R0911", "too-many-return-statements"),
    ("R0904", "R0904", "too-many-public-methods"),
];

/// Severity from a pylint message type letter: C/R low, W medium, E high,
/// F critical.
pub fn pylint_severity(msgid: &str) -> Severity {
    match msgid.as_bytes().first() {
        Some(b'C' | b'R') => Severity::Low,
        Some(b'E') => Severity::High,
        Some(b'F') => Severity::Critical,
        _ => Severity::Medium,
    }
}

/// How the paper's library counts a finding: its characteristic, severity
/// and the key under which duplicates from two of our rules that stand for
/// one tool message are merged. `None`: not counted.
pub fn mapping(f: &Finding) -> Option<(Characteristic, Severity, &'static str)> {
    let code = f.code.as_str();
    if let Some((_, msgid, symbol)) = PYLINT_SYMBOLS.iter().find(|(c, _, _)| *c == code) {
        return Some((
            Characteristic::Maintainability,
            pylint_severity(msgid),
            symbol,
        ));
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if code.len() == 4 && code.starts_with('B') && digits(&code[1..]) {
        return Some((Characteristic::Security, f.severity, "bandit"));
    }
    if code.starts_with("CQD") {
        return Some((Characteristic::Maintainability, Severity::High, "vulture"));
    }
    if code.starts_with("CQP") {
        return Some((
            Characteristic::PerformanceEfficiency,
            f.severity,
            "performance",
        ));
    }
    if code.starts_with("CQR") {
        return Some((Characteristic::Reliability, f.severity, "reliability"));
    }
    None
}

/// Rounds like Python's `round(x, 2)` for the values that occur here.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The paper's per-characteristic score, on its 0-100 scale.
pub fn characteristic_score(c: Characteristic, weight: f64) -> f64 {
    let w = if weight > 0.0 { weight } else { EMPTY_WEIGHT };
    round2(100.0 / (1.0 + k(c) * w))
}

/// Scores a module.
pub fn score(input: &ScoreInput<'_>) -> QualityScore {
    let mut penalties = Vec::new();
    // Two of our rules may stand for one pylint message (F401 and W0611):
    // per (symbol, line) count the larger number of findings of one code.
    // Only pylint's symbols are merged: distinct bandit tests, vulture items
    // or pattern checks on one line are distinct messages of the library.
    let mut per_key: HashMap<(&str, u32), HashMap<&str, Vec<&Finding>>> = HashMap::new();
    for f in input.findings {
        if let Some((_, _, key)) = mapping(f) {
            let merged = PYLINT_SYMBOLS.iter().any(|(_, _, symbol)| *symbol == key);
            per_key
                .entry((if merged { key } else { f.code.as_str() }, f.span.line))
                .or_default()
                .entry(f.code.as_str())
                .or_default()
                .push(f);
        }
    }
    let mut keys: Vec<_> = per_key.into_iter().collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, by_code) in keys {
        let mut codes: Vec<_> = by_code.into_iter().collect();
        codes.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        if let Some((_, fs)) = codes.into_iter().next() {
            for f in fs {
                if let Some((c, sev, _)) = mapping(f) {
                    penalties.push(Penalty {
                        source: f.code.clone(),
                        characteristic: c,
                        severity: sev,
                        weight: severity_weight(sev),
                        line: f.span.line,
                    });
                }
            }
        }
    }
    // vulture reports every unused import too (at 90% confidence, above the
    // library's 60% cut-off), and the library counts it beside pylint's
    // message, as high like all vulture findings. Our dead-code family leaves
    // imports to F401, so vulture's copy is added here, except for names
    // that a bundled vulture whitelist reads (`import sys`: its whitelist
    // reads `sys.stdout`).
    let imports = input
        .suite
        .map(|suite| import_bindings(input.parsed, suite))
        .unwrap_or_default();
    let bound_names: Vec<&str> = imports.iter().map(|i| i.bound.as_str()).collect();
    for f in input.findings.iter().filter(|f| f.code == "F401") {
        let bound = imports
            .iter()
            .find(|i| {
                i.line == f.span.line && f.message.starts_with(&format!("'{}'", i.pyflakes_name))
            })
            .map(|i| i.bound.as_str());
        if bound.is_some_and(|b| {
            crate::rules::dead_code::whitelist_uses(bound_names.iter().copied(), b)
        }) {
            continue;
        }
        penalties.push(Penalty {
            source: "vulture:unused-import".to_owned(),
            characteristic: Characteristic::Maintainability,
            severity: Severity::High,
            weight: severity_weight(Severity::High),
            line: f.span.line,
        });
    }
    if let Some(cc) = input.complexity {
        for b in &cc.blocks {
            let sev = match b.rank() {
                Rank::A | Rank::B => continue,
                Rank::C => Severity::Low,
                Rank::D => Severity::Medium,
                Rank::E => Severity::High,
                Rank::F => Severity::Critical,
            };
            penalties.push(Penalty {
                source: "radon-cc".to_owned(),
                characteristic: Characteristic::Maintainability,
                severity: sev,
                weight: severity_weight(sev),
                line: b.lineno,
            });
        }
    }
    if input.parsed.source.lines().count() > MAX_FILE_LOC {
        penalties.push(Penalty {
            source: "file-loc".to_owned(),
            characteristic: Characteristic::Maintainability,
            severity: Severity::Medium,
            weight: severity_weight(Severity::Medium),
            line: 0,
        });
    }
    let weight = |c: Characteristic| -> f64 {
        penalties
            .iter()
            .filter(|p| p.characteristic == c)
            .map(|p| p.weight)
            .sum()
    };
    let m = characteristic_score(
        Characteristic::Maintainability,
        weight(Characteristic::Maintainability),
    );
    let s = characteristic_score(Characteristic::Security, weight(Characteristic::Security));
    let p = characteristic_score(
        Characteristic::PerformanceEfficiency,
        weight(Characteristic::PerformanceEfficiency),
    );
    let r = characteristic_score(
        Characteristic::Reliability,
        weight(Characteristic::Reliability),
    );
    let overall = round2((m + s + p + r) / 4.0);
    QualityScore {
        mode: ScoreMode::Pycq,
        overall: overall / 100.0,
        maintainability: m / 100.0,
        security: s / 100.0,
        performance_efficiency: p / 100.0,
        reliability: r / 100.0,
        penalties,
        signals: None,
        guards: Vec::new(),
    }
}

/// One name an import statement binds.
struct ImportBinding {
    /// The statement's first line.
    line: u32,
    /// The local name (`c` for `import a.b as c`, `a` for `import a.b`).
    bound: String,
    /// The name inside pyflakes' F401 message (`a.b as c`, `m.x`, `.m.x`).
    pyflakes_name: String,
}

/// Every import in the module, at any depth.
fn import_bindings(
    parsed: &crate::parse::ParsedSource<'_>,
    suite: &[crate::parse::ast::Stmt],
) -> Vec<ImportBinding> {
    use crate::parse::ast::Stmt;
    use rustpython_parser::ast::Ranged;
    fn walk(stmts: &[Stmt], p: &crate::parse::ParsedSource<'_>, out: &mut Vec<ImportBinding>) {
        for stmt in stmts {
            match stmt {
                Stmt::Import(i) => {
                    let line = p.lines.line(stmt.start());
                    for a in &i.names {
                        let name = a.name.as_str();
                        let (bound, pyflakes_name) = match &a.asname {
                            Some(alias) if alias.as_str() != name => {
                                (alias.to_string(), format!("{name} as {alias}"))
                            }
                            _ => (
                                name.split('.').next().unwrap_or(name).to_owned(),
                                name.to_owned(),
                            ),
                        };
                        out.push(ImportBinding {
                            line,
                            bound,
                            pyflakes_name,
                        });
                    }
                }
                Stmt::ImportFrom(i) => {
                    let line = p.lines.line(stmt.start());
                    let level = i.level.map_or(0, |l| l.to_usize());
                    let mut module = ".".repeat(level);
                    if let Some(m) = &i.module {
                        module.push_str(m.as_str());
                    }
                    if !module.ends_with('.') {
                        module.push('.');
                    }
                    for a in &i.names {
                        let real = a.name.as_str();
                        let full = format!("{module}{real}");
                        let (bound, pyflakes_name) = match &a.asname {
                            Some(alias) if alias.as_str() != real => {
                                (alias.to_string(), format!("{full} as {alias}"))
                            }
                            _ => (real.to_owned(), full),
                        };
                        out.push(ImportBinding {
                            line,
                            bound,
                            pyflakes_name,
                        });
                    }
                }
                Stmt::FunctionDef(f) => walk(&f.body, p, out),
                Stmt::AsyncFunctionDef(f) => walk(&f.body, p, out),
                Stmt::ClassDef(c) => walk(&c.body, p, out),
                Stmt::If(x) => {
                    walk(&x.body, p, out);
                    walk(&x.orelse, p, out);
                }
                Stmt::For(x) => {
                    walk(&x.body, p, out);
                    walk(&x.orelse, p, out);
                }
                Stmt::AsyncFor(x) => {
                    walk(&x.body, p, out);
                    walk(&x.orelse, p, out);
                }
                Stmt::While(x) => {
                    walk(&x.body, p, out);
                    walk(&x.orelse, p, out);
                }
                Stmt::With(x) => walk(&x.body, p, out),
                Stmt::AsyncWith(x) => walk(&x.body, p, out),
                Stmt::Try(x) => {
                    walk(&x.body, p, out);
                    for h in &x.handlers {
                        let crate::parse::ast::ExceptHandler::ExceptHandler(h) = h;
                        walk(&h.body, p, out);
                    }
                    walk(&x.orelse, p, out);
                    walk(&x.finalbody, p, out);
                }
                Stmt::TryStar(x) => {
                    walk(&x.body, p, out);
                    for h in &x.handlers {
                        let crate::parse::ast::ExceptHandler::ExceptHandler(h) = h;
                        walk(&h.body, p, out);
                    }
                    walk(&x.orelse, p, out);
                    walk(&x.finalbody, p, out);
                }
                Stmt::Match(m) => {
                    for c in &m.cases {
                        walk(&c.body, p, out);
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(suite, parsed, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_code_scores_the_papers_best() {
        let s = crate::analyze_source_with(
            // Used, so vulture (dead code) has nothing to say either.
            "def add(a, b):\n    return a + b\n\n\nprint(add(1, 2))\n",
            &crate::Config {
                score: crate::score::ScoreConfig {
                    mode: ScoreMode::Pycq,
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .score
        .expect("score");
        assert!((s.overall - 0.9993).abs() < 1e-9, "{}", s.overall);
        assert!((s.maintainability - 0.9995).abs() < 1e-9);
        assert!((s.security - 0.999).abs() < 1e-9);
    }

    #[test]
    fn one_high_reliability_finding() {
        // 100 / (1 + 0.07 * 5) = 74.07
        assert!((characteristic_score(Characteristic::Reliability, 5.0) - 74.07).abs() < 1e-9);
    }
}
