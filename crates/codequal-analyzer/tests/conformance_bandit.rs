//! Differential tests against bandit 1.9.4.
//!
//! 1. The CPython standard library: `bandit -f json -q` over every file
//!    (chunked across cores) against our security rules, compared as sets of
//!    (file, line, test id); precision and recall must be at least 95%.
//! 2. bandit's own functional suite: its sdist ships `examples/` and
//!    `tests/functional/test_functional.py`, whose expectations are per-file
//!    totals of findings by severity and confidence. The sdist is downloaded
//!    at test time with the reference venv's pip (cached under
//!    `target/bandit-sdist`, never committed); the expectations are read
//!    from the test file with the reference interpreter's `ast`.
//!
//! Disagreement classes are documented in `docs/conformance/bandit.md`.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use codequal_analyzer::rules::{find_rule, Confidence, Family};
use codequal_analyzer::{Config, Severity};
use support::{cpython_rejects, run_chunked, stdlib_files, Agreement, Reference};

type Key = (PathBuf, u32, String);

fn security_config() -> Config {
    Config {
        select: vec!["security".to_owned()],
        ..Config::default()
    }
}

/// Our security findings per file (`None` for files we cannot parse).
fn our_findings(files: &[PathBuf]) -> (BTreeSet<Key>, BTreeSet<PathBuf>) {
    let config = security_config();
    let mut keys = BTreeSet::new();
    let mut failed = BTreeSet::new();
    for (path, report) in files
        .iter()
        .zip(codequal_analyzer::analyze_paths_with(files, &config))
    {
        match report {
            Ok(r) if r.syntax_error.is_none() => {
                for f in &r.findings {
                    if find_rule(&f.code).is_some_and(|r| r.family == Family::Security) {
                        keys.insert((path.clone(), f.span.line, f.code.clone()));
                    }
                }
            }
            _ => {
                failed.insert(path.clone());
            }
        }
    }
    (keys, failed)
}

#[test]
fn bandit_stdlib_findings_agree() {
    let Some(reference) = Reference::find("bandit stdlib", &["bandit"]) else {
        return;
    };
    let all = stdlib_files();
    let rejects = cpython_rejects(&reference, &all);
    let files: Vec<PathBuf> = all.into_iter().filter(|f| !rejects.contains(f)).collect();
    let outputs = run_chunked(
        || {
            let mut c = reference.command("bandit");
            c.args(["-f", "json", "-q"]);
            c
        },
        &files,
    );
    let mut theirs = BTreeSet::new();
    let mut skipped = BTreeSet::new();
    for out in &outputs {
        let json: serde_json::Value = serde_json::from_str(out).expect("bandit prints JSON");
        for r in json["results"].as_array().into_iter().flatten() {
            theirs.insert((
                PathBuf::from(r["filename"].as_str().unwrap_or("")),
                r["line_number"].as_u64().unwrap_or(0) as u32,
                r["test_id"].as_str().unwrap_or("").to_owned(),
            ));
        }
        for e in json["errors"].as_array().into_iter().flatten() {
            skipped.insert(PathBuf::from(e["filename"].as_str().unwrap_or("")));
        }
    }
    let (ours, failed) = our_findings(&files);
    let excluded: BTreeSet<&PathBuf> = skipped.iter().chain(&failed).collect();
    let theirs: BTreeSet<&Key> = theirs.iter().filter(|k| !excluded.contains(&k.0)).collect();
    let ours: BTreeSet<&Key> = ours.iter().filter(|k| !excluded.contains(&k.0)).collect();
    let agree = theirs.intersection(&ours).count();
    println!(
        "conformance: bandit stdlib: {} files ({} rejected by CPython, {} skipped by bandit, {} unparsed by us)",
        files.len(),
        rejects.len(),
        skipped.len(),
        failed.len()
    );
    let precision = Agreement {
        metric: "bandit stdlib precision".to_owned(),
        agree,
        total: ours.len(),
        target: 0.95,
    };
    let recall = Agreement {
        metric: "bandit stdlib recall".to_owned(),
        agree,
        total: theirs.len(),
        target: 0.95,
    };
    precision.print();
    recall.print();
    for k in theirs.difference(&ours).take(10) {
        println!("  bandit only: {}:{} {}", k.0.display(), k.1, k.2);
    }
    for k in ours.difference(&theirs).take(10) {
        println!("  ours only:   {}:{} {}", k.0.display(), k.1, k.2);
    }
    assert!(
        precision.met() && recall.met(),
        "bandit stdlib agreement below target"
    );
}

/// Downloads (once) and unpacks bandit's sdist; `None` when that fails.
fn bandit_sdist(reference: &Reference) -> Option<PathBuf> {
    let cache = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bandit-sdist");
    let root = cache.join("bandit-1.9.4");
    if root.join("tests/functional/test_functional.py").exists() {
        return Some(root);
    }
    std::fs::create_dir_all(&cache).ok()?;
    let tarball = cache.join("bandit-1.9.4.tar.gz");
    if !tarball.exists() {
        let status = reference
            .command("python")
            .args([
                "-m",
                "pip",
                "download",
                "bandit==1.9.4",
                "--no-binary",
                "bandit",
            ])
            .args(["--no-deps", "--quiet", "-d"])
            .arg(&cache)
            .status()
            .ok()?;
        if !status.success() {
            return None;
        }
    }
    let status = std::process::Command::new("tar")
        .arg("xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&cache)
        .status()
        .ok()?;
    (status.success() && root.exists()).then_some(root)
}

/// One `check_example` call of bandit's functional suite.
#[derive(Debug, serde::Deserialize)]
struct Expectation {
    file: String,
    expect: BTreeMap<String, BTreeMap<String, u64>>,
}

/// Reads the `check_example(name, expect)` calls of `test_functional.py`
/// with the reference interpreter. Calls under a custom test set or plugin
/// configuration, and `ignore_nosec=True` runs, are left out (they do not
/// describe bandit's defaults).
fn functional_expectations(reference: &Reference, test_file: &Path) -> Vec<Expectation> {
    let script = r#"
import ast, json, sys
src = open(sys.argv[1]).read()
tree = ast.parse(src)
def walk(stmts, env, out, restricted):
    for s in stmts:
        if isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name):
            try:
                env[s.targets[0].id] = ast.literal_eval(s.value)
            except Exception:
                env.pop(s.targets[0].id, None)
        elif isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
            c = s.value
            if isinstance(c.func, ast.Attribute) and c.func.attr == "check_example" and len(c.args) >= 2:
                if restricted or c.keywords or not isinstance(c.args[0], ast.Constant):
                    continue
                e = c.args[1]
                exp = env.get(e.id) if isinstance(e, ast.Name) else None
                if exp is None:
                    try:
                        exp = ast.literal_eval(e)
                    except Exception:
                        continue
                out.append({"file": c.args[0].value, "expect": exp})
        elif isinstance(s, (ast.With, ast.If, ast.For)):
            walk(s.body, env, out, True)
out = []
for cls in tree.body:
    if not isinstance(cls, ast.ClassDef):
        continue
    for fn in cls.body:
        if isinstance(fn, ast.FunctionDef) and fn.name.startswith("test"):
            seg = ast.get_source_segment(src, fn) or ""
            walk(fn.body, {}, out, "_config" in seg or "with_test_set" in seg)
print(json.dumps(out))
"#;
    let out = reference
        .command("python")
        .args(["-c", script])
        .arg(test_file)
        .output()
        .expect("reference python runs");
    serde_json::from_slice(&out.stdout).expect("expectations parse")
}

fn rank_of_severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "UNDEFINED",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High | Severity::Critical => "HIGH",
    }
}

fn rank_of_confidence(c: Confidence) -> &'static str {
    match c {
        Confidence::Low => "LOW",
        Confidence::Medium => "MEDIUM",
        Confidence::High => "HIGH",
    }
}

#[test]
fn bandit_functional_suite_agrees() {
    let Some(reference) = Reference::find("bandit functional suite", &["bandit", "python"]) else {
        return;
    };
    let Some(root) = bandit_sdist(&reference) else {
        assert!(
            !support::required(),
            "bandit functional suite: could not download bandit's sdist"
        );
        println!("conformance bandit functional suite: DID NOT RUN: sdist download failed");
        return;
    };
    let expectations = functional_expectations(
        &reference,
        &root.join("tests/functional/test_functional.py"),
    );
    assert!(
        expectations.len() > 50,
        "too few expectations: {}",
        expectations.len()
    );
    let config = security_config();
    let mut agree = 0;
    let mut disagreements = Vec::new();
    for e in &expectations {
        let path = root.join("examples").join(&e.file);
        let mut got: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for kind in ["SEVERITY", "CONFIDENCE"] {
            let m = got.entry(kind.to_owned()).or_default();
            for rank in ["UNDEFINED", "LOW", "MEDIUM", "HIGH"] {
                m.insert(rank.to_owned(), 0);
            }
        }
        if let Ok(report) = codequal_analyzer::analyze_path_with(&path, &config) {
            for f in &report.findings {
                if find_rule(&f.code).is_none_or(|r| r.family != Family::Security) {
                    continue;
                }
                for (kind, rank) in [
                    ("SEVERITY", rank_of_severity(f.severity)),
                    ("CONFIDENCE", rank_of_confidence(f.confidence)),
                ] {
                    *got.entry(kind.to_owned())
                        .or_default()
                        .entry(rank.to_owned())
                        .or_default() += 1;
                }
            }
        }
        if got == e.expect {
            agree += 1;
        } else {
            disagreements.push(format!(
                "  {}: expected {:?}, got {:?}",
                e.file, e.expect, got
            ));
        }
    }
    let rate = Agreement {
        metric: "bandit functional suite files".to_owned(),
        agree,
        total: expectations.len(),
        target: 0.9,
    };
    rate.print();
    for d in &disagreements {
        println!("{d}");
    }
    assert!(rate.met(), "functional-suite agreement below target");
}
