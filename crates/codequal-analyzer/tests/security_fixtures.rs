//! Snapshot-style tests of the security rules on `fixtures/analyzer/security`.
//!
//! Every fixture line that must produce findings ends with a comment that
//! lists the expected bandit test ids (`# B602 B607`); all other lines must
//! produce none. When the pinned reference venv is present, bandit 1.9.4 is
//! run on the same files and must report exactly the same (line, id) pairs.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codequal_analyzer::rules::{find_rule, Family};
use codequal_analyzer::Config;
use support::Reference;

type Pairs = BTreeSet<(String, u32, String)>;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/analyzer/security")
}

fn fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("fixture directory exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "fixtures missing: {files:?}");
    files
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The ids listed in a line's last comment when that comment holds only
/// test ids.
fn expected_on_line(line: &str) -> Vec<String> {
    let Some(at) = line.rfind('#') else {
        return Vec::new();
    };
    let items: Vec<&str> = line[at + 1..].split_whitespace().collect();
    let is_id =
        |s: &&str| s.len() == 4 && s.starts_with('B') && s[1..].bytes().all(|b| b.is_ascii_digit());
    if items.is_empty() || !items.iter().all(is_id) {
        return Vec::new();
    }
    items.into_iter().map(str::to_owned).collect()
}

fn expectations(path: &Path) -> Pairs {
    let text = std::fs::read_to_string(path).expect("fixture reads");
    let name = name_of(path);
    let mut out = Pairs::new();
    for (i, line) in text.lines().enumerate() {
        for id in expected_on_line(line) {
            out.insert((name.clone(), i as u32 + 1, id));
        }
    }
    out
}

fn ours(path: &Path) -> Pairs {
    let config = Config {
        select: vec!["security".to_owned()],
        ..Config::default()
    };
    let report = codequal_analyzer::analyze_path_with(path, &config).expect("fixture reads");
    assert!(
        report.syntax_error.is_none(),
        "{}: {:?}",
        path.display(),
        report.syntax_error
    );
    let name = name_of(path);
    report
        .findings
        .iter()
        .filter(|f| find_rule(&f.code).is_some_and(|r| r.family == Family::Security))
        .map(|f| (name.clone(), f.span.line, f.code.clone()))
        .collect()
}

fn diff(what: &str, expected: &Pairs, got: &Pairs) -> Vec<String> {
    let mut out = Vec::new();
    for m in expected.difference(got) {
        out.push(format!("{what}: missing {m:?}"));
    }
    for e in got.difference(expected) {
        out.push(format!("{what}: unexpected {e:?}"));
    }
    out
}

#[test]
fn security_fixtures_match_their_comments() {
    let mut problems = Vec::new();
    let mut total = 0;
    for path in fixtures() {
        let expected = expectations(&path);
        total += expected.len();
        problems.extend(diff("ours vs comments", &expected, &ours(&path)));
    }
    assert!(total > 80, "too few expectations ({total})");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_security_rule_has_a_fixture() {
    let mut seen = BTreeSet::new();
    for path in fixtures() {
        seen.extend(expectations(&path).into_iter().map(|(_, _, id)| id));
    }
    let missing: Vec<&str> = Family::Security
        .rules()
        .iter()
        .map(|r| r.code)
        .filter(|c| !seen.contains(*c))
        .collect();
    // bandit ids whose fixtures need third-party code paths we only cover
    // through the functional suite.
    let allowed = ["B303", "B313", "B315", "B316", "B317", "B319"];
    let missing: Vec<&&str> = missing.iter().filter(|c| !allowed.contains(c)).collect();
    assert!(missing.is_empty(), "no fixture flags {missing:?}");
}

#[test]
fn bandit_agrees_on_the_fixtures() {
    let Some(reference) = Reference::find("security fixtures", &["bandit"]) else {
        return;
    };
    let files = fixtures();
    let out = reference
        .command("bandit")
        .args(["-f", "json", "-q"])
        .args(&files)
        .output()
        .expect("bandit runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("bandit prints JSON");
    let mut theirs = Pairs::new();
    for r in json["results"].as_array().into_iter().flatten() {
        let file = r["filename"]
            .as_str()
            .map(Path::new)
            .map(name_of)
            .unwrap_or_default();
        let line = r["line_number"].as_u64().unwrap_or(0) as u32;
        let id = r["test_id"].as_str().unwrap_or("").to_owned();
        theirs.insert((file, line, id));
    }
    let mut mine = Pairs::new();
    for path in &files {
        mine.extend(ours(path));
    }
    let problems = diff("ours vs bandit", &theirs, &mine);
    println!(
        "conformance: security fixtures: bandit {} findings, ours {}, {} disagreements",
        theirs.len(),
        mine.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
