//! The design and dead-code rules on their fixtures
//! (`fixtures/analyzer/{design,dead_code}/*.py`).
//!
//! Each fixture marks the lines where a finding is expected with
//! `# expect: rule-name, ...`; the expectations were taken from pylint 4.1.4
//! (design) and vulture 2.16 (dead code). When the reference venv is
//! present, the tools themselves are also run on the fixtures and must
//! agree with us line by line.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codequal_analyzer::{analyze_source_with, Config};
use support::Reference;

/// The pylint symbols the design family implements.
const PYLINT_SYMBOLS: &[&str] = &[
    "too-many-arguments",
    "too-many-positional-arguments",
    "too-many-locals",
    "too-many-return-statements",
    "too-many-branches",
    "too-many-statements",
    "too-many-ancestors",
    "too-many-instance-attributes",
    "too-few-public-methods",
    "too-many-public-methods",
    "too-many-boolean-expressions",
    "too-many-nested-blocks",
    "unused-argument",
    "dangerous-default-value",
    "bare-except",
    "broad-exception-caught",
    "consider-using-with",
    "consider-using-enumerate",
    "unused-variable",
];

type Found = BTreeSet<(u32, String)>;

fn fixtures(family: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/analyzer")
        .join(family);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

fn expected(source: &str) -> Found {
    let mut out = Found::new();
    for (i, line) in source.lines().enumerate() {
        if let Some((_, rules)) = line.split_once("# expect:") {
            for r in rules.split(',') {
                out.insert((i as u32 + 1, r.trim().to_owned()));
            }
        }
    }
    out
}

fn ours(source: &str, family: &str) -> Found {
    let config = Config {
        select: vec![family.to_owned()],
        ..Config::default()
    };
    analyze_source_with(source, &config)
        .findings
        .iter()
        // pyflakes' findings (F401, F841, E999) always run; keep the rules'.
        .filter(|f| codequal_analyzer::rules::find_rule(&f.code).is_some())
        .map(|f| (f.span.line, f.rule.clone()))
        .collect()
}

fn check_family(dir: &str, family: &str) {
    for path in fixtures(dir) {
        let source = std::fs::read_to_string(&path).expect("fixture reads");
        let want = expected(&source);
        assert!(!want.is_empty(), "{}: no expectations", path.display());
        let got = ours(&source, family);
        assert_eq!(got, want, "{}", path.display());
    }
}

#[test]
fn design_fixtures_match_their_expectations() {
    check_family("design", "design");
}

#[test]
fn dead_code_fixtures_match_their_expectations() {
    check_family("dead_code", "dead-code");
}

#[test]
fn design_fixtures_match_pylint() {
    let Some(reference) = Reference::find("design fixtures vs pylint", &["pylint"]) else {
        return;
    };
    for path in fixtures("design") {
        let out = reference
            .command("pylint")
            .args([
                "--output-format=json",
                "--disable=all",
                &format!("--enable={}", PYLINT_SYMBOLS.join(",")),
                "--jobs=1",
            ])
            .arg(&path)
            .output()
            .expect("pylint runs");
        let messages: Vec<serde_json::Value> =
            serde_json::from_slice(&out.stdout).expect("pylint prints JSON");
        let theirs: Found = messages
            .iter()
            .filter_map(|m| Some((m["line"].as_u64()? as u32, m["symbol"].as_str()?.to_owned())))
            .collect();
        let source = std::fs::read_to_string(&path).expect("fixture reads");
        assert_eq!(ours(&source, "design"), theirs, "{}", path.display());
    }
}

#[test]
fn dead_code_fixtures_match_vulture() {
    let Some(reference) = Reference::find("dead-code fixtures vs vulture", &["vulture"]) else {
        return;
    };
    for path in fixtures("dead_code") {
        // One file per run: vulture counts uses over all files it is given.
        let out = reference
            .command("vulture")
            .arg(&path)
            .output()
            .expect("vulture runs");
        let theirs: Found = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let mut parts = l.splitn(3, ':');
                let _file = parts.next()?;
                let line: u32 = parts.next()?.trim().parse().ok()?;
                let message = parts.next()?.trim();
                let rule = match message.split_whitespace().nth(1)? {
                    _ if !message.starts_with("unused ") => "unreachable-code",
                    "import" => return None,
                    "function" => "unused-function",
                    "class" => "unused-class",
                    "method" => "unused-method",
                    "property" => "unused-property",
                    "variable" => "unused-binding",
                    "attribute" => "unused-attribute",
                    _ => "unknown",
                };
                Some((line, rule.to_owned()))
            })
            .collect();
        let source = std::fs::read_to_string(&path).expect("fixture reads");
        assert_eq!(ours(&source, "dead-code"), theirs, "{}", path.display());
    }
}
