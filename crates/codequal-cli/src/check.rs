//! `codequal check`: rule findings as text, JSON lines or SARIF 2.1.0.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use codequal_analyzer::rules::all_rules;
use codequal_analyzer::{
    analyze_source_at, collect_python_files, read_python_source, Report, Severity,
};
use serde_json::{json, Value};

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `path:line:col: CODE message`, one per line.
    Text,
    /// One JSON object per finding, one per line.
    Json,
    /// One SARIF 2.1.0 log for the whole run.
    Sarif,
}

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Configuration file (`codequal.toml` or `pyproject.toml`); default:
    /// searched from the first PATH upward.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command: exit 1 when anything was found.
pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let (config, _) = crate::config_file::load(
        args.config.as_deref(),
        args.paths.first().map(PathBuf::as_path),
    )?;
    let files = collect_python_files(&args.paths)?;
    let reports: Vec<Report> = crate::par_map(&files, |p| {
        read_python_source(p).map(|src| analyze_source_at(&src, p, &config))
    })
    .into_iter()
    .collect::<Result<_, _>>()?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Text => {
            for r in &reports {
                let path = r.path.as_deref().unwrap_or("-");
                for f in &r.findings {
                    std::io::Write::write_all(
                        &mut out,
                        format!(
                            "{path}:{}:{}: {} {}\n",
                            f.span.line,
                            f.span.column + 1,
                            f.code,
                            f.message
                        )
                        .as_bytes(),
                    )?;
                }
            }
        }
        Format::Json => {
            for r in &reports {
                for f in &r.findings {
                    let mut v = serde_json::to_value(f)?;
                    if let Value::Object(m) = &mut v {
                        m.insert("path".into(), json!(r.path));
                    }
                    serde_json::to_writer(&mut out, &v)?;
                    std::io::Write::write_all(&mut out, b"\n")?;
                }
            }
        }
        Format::Sarif => {
            serde_json::to_writer_pretty(&mut out, &sarif(&reports))?;
            std::io::Write::write_all(&mut out, b"\n")?;
        }
    }
    let any = reports.iter().any(|r| !r.findings.is_empty());
    Ok(if any {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Info | Severity::Low => "note",
        Severity::Medium => "warning",
        Severity::High | Severity::Critical => "error",
    }
}

/// Findings that do not come from a rule family: pyflakes and syntax.
const BUILTIN_RULES: &[(&str, &str, &str, Option<u32>, &str)] = &[
    (
        "F401",
        "unused-import",
        "Module imported but unused",
        Some(561),
        "maintainability",
    ),
    (
        "F841",
        "unused-variable",
        "Local variable assigned to but never used",
        Some(563),
        "maintainability",
    ),
    (
        "E999",
        "syntax-error",
        "The module does not parse",
        None,
        "reliability",
    ),
];

/// A SARIF 2.1.0 log: every known rule in `tool.driver.rules`, one result
/// per finding with 1-based start and end columns.
pub fn sarif(reports: &[Report]) -> Value {
    let mut rules: Vec<Value> = BUILTIN_RULES
        .iter()
        .map(|(id, name, text, cwe, ch)| {
            json!({
                "id": id,
                "name": name,
                "shortDescription": {"text": text},
                "properties": {"cwe": cwe.map(|c| format!("CWE-{c}")), "characteristic": ch},
            })
        })
        .collect();
    let rule_ids: Vec<&str> = BUILTIN_RULES
        .iter()
        .map(|r| r.0)
        .chain(all_rules().map(|r| r.code))
        .collect();
    rules.extend(all_rules().map(|r| {
        json!({
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "properties": {
                "cwe": r.cwe.map(|c| format!("CWE-{c}")),
                "characteristic": r.characteristic,
                "severity": r.severity,
                "family": r.family,
            }
        })
    }));
    let mut results = Vec::new();
    for r in reports {
        let uri = r.path.clone().unwrap_or_else(|| "-".to_owned());
        for f in &r.findings {
            let mut result = json!({
                "ruleId": f.code,
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {
                            "startLine": f.span.line.max(1),
                            "startColumn": f.span.column + 1,
                            "endLine": f.span.end_line.max(f.span.line).max(1),
                            "endColumn": f.span.end_column + 1,
                        }
                    }
                }],
                "properties": {"characteristic": f.characteristic, "severity": f.severity, "cwe": f.cwe},
            });
            if let Some(i) = rule_ids.iter().position(|id| *id == f.code) {
                result["ruleIndex"] = json!(i);
            }
            results.push(result);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "codequal",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://example.invalid/codequal",
                "rules": rules,
            }},
            "results": results,
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sarif_has_rules_results_and_one_based_regions() {
        let mut r = codequal_analyzer::analyze_source("try:\n    x = 1\nexcept:\n    pass\n");
        r.path = Some("a.py".to_owned());
        let log = sarif(&[r]);
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert!(rules.iter().any(|r| r["id"] == "CQR001"
            && r["properties"]["cwe"] == "CWE-396"
            && r["properties"]["characteristic"] == "reliability"));
        let results = run["results"].as_array().expect("results");
        let bare = results
            .iter()
            .find(|r| r["ruleId"] == "CQR001")
            .expect("bare except reported");
        assert_eq!(bare["level"], "error");
        let region = &bare["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 3);
        assert_eq!(region["startColumn"], 1);
        assert_eq!(
            bare["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "a.py"
        );
        let idx = bare["ruleIndex"].as_u64().expect("ruleIndex");
        assert_eq!(rules[usize::try_from(idx).expect("index")]["id"], "CQR001");
    }
}
