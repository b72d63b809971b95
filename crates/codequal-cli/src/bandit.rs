//! `codequal bandit -f json PATH...`: bandit 1.9.4's JSON report from the
//! analyzer's security rules.
//!
//! The shape is bandit's (`results`, `errors`, `metrics`, `generated_at`,
//! keys sorted, two-space indent). Each result has `filename`, `test_id`,
//! `test_name`, `line_number`, `line_range`, `col_offset`,
//! `end_col_offset`, `issue_severity`, `issue_confidence`, `issue_cwe`,
//! `issue_text`, `code` and `more_info`. `line_range` runs from the finding's
//! line to its node's last line (bandit starts at the node's first line
//! where a test reports a keyword's line instead). Files that do not parse
//! are listed under `errors` with bandit's reason. The exit status is 1 when
//! any issue was reported, as with bandit.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use codequal_analyzer::rules::security::bandit_test_name;
use codequal_analyzer::{Config, Finding, Severity};
use serde_json::{json, Map, Value};

/// Arguments of `bandit`.
#[derive(Debug, clap::Args)]
pub struct BanditArgs {
    /// Output format; only `json` is supported.
    #[arg(short = 'f', long = "format", default_value = "json")]
    pub format: String,
    /// Accepted for compatibility with bandit (`-q`); output is unchanged.
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
    /// Accepted for compatibility with bandit (`-r`); directories are always
    /// searched recursively.
    #[arg(short = 'r', long = "recursive")]
    pub recursive: bool,
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// What one file produced.
struct FileResult {
    shown: String,
    results: Vec<Value>,
    error: Option<String>,
    metrics: Map<String, Value>,
}

/// Runs the command.
pub fn run(args: &BanditArgs) -> Result<ExitCode> {
    if args.format != "json" {
        anyhow::bail!("only `-f json` is supported (got `{}`)", args.format);
    }
    let files = codequal_analyzer::collect_python_files(&args.paths)?;
    let config = Config {
        select: vec!["security".to_owned()],
        ..Config::default()
    };
    // bandit shows a file named on the command line as `os.path.join(".",
    // name)`, and files found in directories as found.
    let explicit: Vec<&PathBuf> = args.paths.iter().filter(|p| p.is_file()).collect();
    let shown = |p: &PathBuf| -> String {
        if p.is_relative() && explicit.contains(&p) {
            Path::new(".").join(p).display().to_string()
        } else {
            p.display().to_string()
        }
    };
    let per_file: Vec<FileResult> = crate::par_map(&files, |p| check_file(p, shown(p), &config));
    let mut results = Vec::new();
    let mut errors = Vec::new();
    let mut metrics = Map::new();
    let mut totals: BTreeMap<String, u64> = BTreeMap::new();
    for f in per_file {
        for (k, v) in &f.metrics {
            *totals.entry(k.clone()).or_default() += v.as_u64().unwrap_or(0);
        }
        metrics.insert(f.shown.clone(), Value::Object(f.metrics));
        if let Some(reason) = f.error {
            errors.push(json!({"filename": f.shown, "reason": reason}));
        }
        results.extend(f.results);
    }
    let totals: Map<String, Value> = totals.into_iter().map(|(k, v)| (k, json!(v))).collect();
    metrics.insert("_totals".to_owned(), Value::Object(totals));
    let found = !results.is_empty();
    let report = json!({
        "errors": errors,
        "generated_at": generated_at(),
        "metrics": metrics,
        "results": results,
    });
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &report)?;
    writeln!(out)?;
    out.flush()?;
    Ok(if found {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Info => "UNDEFINED",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High | Severity::Critical => "HIGH",
    }
}

fn confidence(c: codequal_analyzer::rules::Confidence) -> &'static str {
    match c {
        codequal_analyzer::rules::Confidence::Low => "LOW",
        codequal_analyzer::rules::Confidence::Medium => "MEDIUM",
        codequal_analyzer::rules::Confidence::High => "HIGH",
    }
}

fn check_file(path: &Path, shown: String, config: &Config) -> FileResult {
    let mut metrics = Map::new();
    for criteria in ["SEVERITY", "CONFIDENCE"] {
        for rank in ["UNDEFINED", "LOW", "MEDIUM", "HIGH"] {
            metrics.insert(format!("{criteria}.{rank}"), json!(0));
        }
    }
    metrics.insert("nosec".to_owned(), json!(0));
    metrics.insert("skipped_tests".to_owned(), json!(0));
    let source = match codequal_analyzer::read_python_source(path) {
        Ok(s) => s,
        Err(e) => {
            metrics.insert("loc".to_owned(), json!(0));
            return FileResult {
                shown,
                results: Vec::new(),
                error: Some(e.to_string()),
                metrics,
            };
        }
    };
    let loc = source
        .lines()
        .filter(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .count();
    metrics.insert("loc".to_owned(), json!(loc));
    let report = codequal_analyzer::analyze_source_at(&source, path, config);
    if report.syntax_error.is_some() {
        return FileResult {
            shown,
            results: Vec::new(),
            error: Some("syntax error while parsing AST from file".to_owned()),
            metrics,
        };
    }
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let mut results = Vec::new();
    for f in &report.findings {
        let Some(test_name) = bandit_test_name(&f.code) else {
            continue;
        };
        for (key, value) in [
            ("SEVERITY", level(f.severity)),
            ("CONFIDENCE", confidence(f.confidence)),
        ] {
            if let Some(n) = metrics.get_mut(&format!("{key}.{value}")) {
                *n = json!(n.as_u64().unwrap_or(0) + 1);
            }
        }
        results.push(result_json(&shown, test_name, f, &lines));
    }
    FileResult {
        shown,
        results,
        error: None,
        metrics,
    }
}

fn result_json(shown: &str, test_name: &str, f: &Finding, lines: &[&str]) -> Value {
    let cwe = f.cwe.map_or_else(
        || json!({}),
        |id| json!({"id": id, "link": format!("https://cwe.mitre.org/data/definitions/{id}.html")}),
    );
    let line_range: Vec<u32> = (f.span.line..=f.span.end_line.max(f.span.line)).collect();
    json!({
        "code": code_excerpt(lines, f.span.line, line_range.len()),
        "col_offset": f.span.column,
        "end_col_offset": f.span.end_column,
        "filename": shown,
        "issue_confidence": confidence(f.confidence),
        "issue_cwe": cwe,
        "issue_severity": level(f.severity),
        "issue_text": f.message,
        "line_number": f.span.line,
        "line_range": line_range,
        "more_info": more_info(&f.code, test_name),
        "test_id": f.code,
        "test_name": test_name,
    })
}

/// bandit's `get_code(max_lines=3)`: from one line before the issue, as
/// many lines as the range plus two.
fn code_excerpt(lines: &[&str], line: u32, range_len: usize) -> String {
    let lmin = line.saturating_sub(1).max(1) as usize;
    let lmax = lmin + range_len + 2;
    (lmin..lmax)
        .map_while(|l| lines.get(l - 1).map(|text| format!("{l} {text}")))
        .collect()
}

fn more_info(code: &str, test_name: &str) -> String {
    let base = "https://bandit.readthedocs.io/en/1.9.4/";
    if test_name == "blacklist" {
        let page = if code.starts_with("B4") {
            "blacklist_imports"
        } else {
            "blacklist_calls"
        };
        format!("{base}blacklists/{page}.html#{}", code.to_ascii_lowercase())
    } else {
        format!(
            "{base}plugins/{}_{test_name}.html",
            code.to_ascii_lowercase()
        )
    }
}

/// UTC now as bandit prints it (`%Y-%m-%dT%H:%M:%SZ`).
fn generated_at() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's
/// algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_418), (2025, 11, 26));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn code_excerpt_starts_one_line_before() {
        let lines = ["a\n", "b\n", "c\n", "d\n", "e\n"];
        assert_eq!(code_excerpt(&lines, 3, 1), "2 b\n3 c\n4 d\n");
        assert_eq!(code_excerpt(&lines, 1, 1), "1 a\n2 b\n3 c\n");
    }
}
