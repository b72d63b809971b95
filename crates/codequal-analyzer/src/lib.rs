//! Python code metrics and findings, natively in Rust.
//!
//! `codequal-analyzer` computes what radon (cyclomatic complexity, Halstead,
//! raw metrics, maintainability index), xenon and pyflakes (unused imports and
//! variables) report, from one parse, in microseconds instead of a second of
//! subprocesses. It never runs the code it reads and never shells out.
//!
//! ```
//! let report = codequal_analyzer::analyze_source("import os\n\ndef f(x):\n    return x + 1\n");
//! assert!(report.syntax_error.is_none());
//! for finding in &report.findings {
//!     println!("{}:{} {} {}", finding.span.line, finding.span.column, finding.code, finding.message);
//! }
//! ```
//!
//! Bad Python is data: a syntax error is reported in the [`Report`] (and as
//! an `E999` finding), never as an `Err` and never as a panic. Only I/O
//! failures are errors.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod config;
pub mod error;
pub mod imports;
pub mod metrics;
pub mod parse;
pub mod pyflakes;
pub mod report;
pub mod rules;
pub mod score;
mod source_file;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use config::Config;
pub use error::{Error, Result};
pub use report::{Characteristic, Finding, Report, Severity, Span};
pub use source_file::{
    collect_python_files, decode_python_source as source_file_decode, read_python_source,
};

/// Analyses a Python module given as text.
pub fn analyze_source(source: &str) -> Report {
    analyze_named(source, None, None, &Config::default())
}

/// Analyses a Python module given as text, with explicit settings.
pub fn analyze_source_with(source: &str, config: &Config) -> Report {
    analyze_named(source, None, None, config)
}

/// Analyses a Python module given as text, with explicit settings, and runs
/// the caller's own `pass` over the same parse (inside the same stack
/// guard, after the report is built), so a caller with checks of its own
/// parses once. `pass` sees no tree (`suite` is `None`) when the source
/// does not parse or nests too deeply; the report then carries the error.
///
/// ```
/// let (report, statements) = codequal_analyzer::analyze_source_and(
///     "x = 1\ny = 2\n",
///     &codequal_analyzer::Config::default(),
///     |parsed| parsed.suite.as_ref().map_or(0, |s| s.len()),
/// );
/// assert!(report.syntax_error.is_none());
/// assert_eq!(statements, 2);
/// ```
pub fn analyze_source_and<R>(
    source: &str,
    config: &Config,
    pass: impl FnOnce(&parse::ParsedSource<'_>) -> R,
) -> (Report, R) {
    analyze_parsed(source, None, None, config, pass)
}

/// Analyses a Python module given as text that was read from `path`: the
/// report carries the path, and imports are followed from the file's
/// location (see [`imports`]).
pub fn analyze_source_at(source: &str, path: &Path, config: &Config) -> Report {
    analyze_named(source, Some(path.display().to_string()), Some(path), config)
}

/// Analyses the Python file at `path`. Fails only when it cannot be read.
pub fn analyze_path(path: &Path) -> Result<Report> {
    analyze_path_with(path, &Config::default())
}

/// Analyses the Python file at `path` with explicit settings.
pub fn analyze_path_with(path: &Path, config: &Config) -> Result<Report> {
    let source = read_python_source(path)?;
    Ok(analyze_named(
        &source,
        Some(path.display().to_string()),
        Some(path),
        config,
    ))
}

/// Analyses many files in parallel (rayon); results keep the input order.
pub fn analyze_paths(paths: &[PathBuf]) -> Vec<Result<Report>> {
    analyze_paths_with(paths, &Config::default())
}

/// Analyses many files in parallel with explicit settings.
pub fn analyze_paths_with(paths: &[PathBuf], config: &Config) -> Vec<Result<Report>> {
    paths
        .par_iter()
        .map(|p| analyze_path_with(p, config))
        .collect()
}

fn analyze_named(
    source: &str,
    path: Option<String>,
    file: Option<&Path>,
    config: &Config,
) -> Report {
    analyze_parsed(source, path, file, config, |_| ()).0
}

fn analyze_parsed<R>(
    source: &str,
    path: Option<String>,
    file: Option<&Path>,
    config: &Config,
    pass: impl FnOnce(&parse::ParsedSource<'_>) -> R,
) -> (Report, R) {
    let parsed = parse::parse(source);
    // Walks are recursive; size the stack by what this source can nest to.
    parse::with_stack_for(parsed.depth_bound, move || {
        let mut parsed = parsed;
        if let Some(suite) = &parsed.suite {
            if parse::nesting_depth(suite, parse::MAX_AST_DEPTH) > parse::MAX_AST_DEPTH {
                let (line, column) = deepest_line(suite, &parsed);
                parsed.error = Some(parse::SyntaxError {
                    message: "too many nested expressions (maximum recursion depth exceeded during ast construction)".to_owned(),
                    line,
                    column,
                });
                parsed.suite = None;
            }
        }
        let report = build_report(&parsed, path, file, config);
        let extra = pass(&parsed);
        (report, extra)
    })
}

fn deepest_line(suite: &[parse::ast::Stmt], parsed: &parse::ParsedSource<'_>) -> (u32, u32) {
    use rustpython_parser::ast::Ranged;
    suite
        .iter()
        .find(|s| {
            parse::nesting_depth(std::slice::from_ref(*s), parse::MAX_AST_DEPTH)
                > parse::MAX_AST_DEPTH
        })
        .map_or((1, 0), |s| parsed.lines.location(s.start()))
}

fn build_report(
    parsed: &parse::ParsedSource<'_>,
    path: Option<String>,
    file: Option<&Path>,
    config: &Config,
) -> Report {
    let raw = metrics::raw::analyze(parsed);
    let mut findings = Vec::new();
    let (complexity, halstead, maintainability) = match &parsed.suite {
        Some(suite) => {
            let complexity = metrics::complexity::analyze(parsed, suite);
            let halstead = metrics::halstead::analyze(parsed, suite);
            let maintainability =
                raw.map(|raw| metrics::maintainability::of_module(&complexity, &halstead, &raw));
            findings.extend(pyflakes::unused_with(
                parsed,
                suite,
                rules::design::unused_variable_enabled(&config.rule_set()),
            ));
            findings.extend(
                rules::Checker::new(parsed, suite, config)
                    .with_file(file)
                    .run(suite),
            );
            (Some(complexity), Some(halstead), maintainability)
        }
        None => (None, None, None),
    };
    if let Some(e) = &parsed.error {
        findings.push(Finding {
            code: "E999".to_owned(),
            rule: "syntax-error".to_owned(),
            message: e.message.clone(),
            span: Span {
                line: e.line,
                column: e.column,
                end_line: e.line,
                end_column: e.column,
            },
            characteristic: Characteristic::Reliability,
            severity: Severity::Critical,
            cwe: None,
            confidence: rules::Confidence::High,
        });
    }
    findings.sort_by(|a, b| a.span.cmp(&b.span).then_with(|| a.code.cmp(&b.code)));
    let score = score::score(
        &score::ScoreInput {
            parsed,
            suite: parsed.suite.as_deref(),
            findings: &findings,
            complexity: complexity.as_ref(),
            halstead: halstead.as_ref(),
        },
        &config.score,
    );
    Report {
        path,
        syntax_error: parsed.error.clone(),
        raw,
        complexity,
        halstead,
        maintainability,
        findings,
        score: Some(score),
    }
}
