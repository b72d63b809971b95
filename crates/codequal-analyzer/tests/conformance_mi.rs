//! `radon mi` 6.0.1 conformance: radon's own MI test modules and edge cases
//! (fixtures/analyzer/radon_mi, expectations printed by the tool, with and
//! without `-m`), and the CPython standard library against the pinned tool.

mod support;

use std::path::{Path, PathBuf};

use codequal_analyzer::metrics::maintainability::{
    analyze_source, Maintainability, MiError, MiOptions,
};
use serde_json::Value;
use support::{
    cpython_rejects, radon_harvest, read_like_radon, stdlib_files, Agreement, Reference,
};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/analyzer/radon_mi")
}

/// `radon mi` for one file, computed by the analyzer. The error is radon's
/// message for raw-metric and decoding errors; for syntax errors it is the
/// analyzer's parser's message (compared only as "an error").
fn ours(path: &Path, options: MiOptions) -> Result<Maintainability, String> {
    let text = read_like_radon(path)?;
    analyze_source(&text, options).map_err(|e| match e {
        MiError::Syntax(e) => format!("syntax: {}", e.message),
        MiError::Raw(e) => e.to_string(),
    })
}

/// Whether our result agrees with radon's JSON entry: the index within
/// `tolerance` and the same rank, or both errors (of the same kind: raw
/// and decoding messages must match; a syntax error is a syntax error).
fn agrees(ours: &Result<Maintainability, String>, radon: &Value, tolerance: f64) -> bool {
    match (ours, radon.get("error").and_then(Value::as_str)) {
        (Ok(m), None) => {
            let mi = radon["mi"].as_f64().unwrap_or(f64::NAN);
            (m.mi - mi).abs() <= tolerance && radon["rank"].as_str() == Some(&m.rank.to_string())
        }
        (Err(e), Some(r)) if e.starts_with("syntax: ") => {
            !r.starts_with("SyntaxError at line") && !r.starts_with("'utf-8' codec")
        }
        (Err(e), Some(r)) => e == r,
        _ => false,
    }
}

/// Every fixture gives radon's index and rank, with and without `-m`.
/// (To 1e-12 rather than bit for bit only because serde_json's float
/// parsing may be one ulp off; the unit tests and `radon_suite_mi_visit_cases`
/// compare exactly.)
#[test]
fn fixtures_match_radon_output() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("expected.json")).expect("expected.json"),
    )
    .expect("valid JSON");
    let Value::Object(cases) = expected else {
        panic!("expected.json is an object");
    };
    assert!(cases.len() >= 10, "fixture cases missing");
    let mut failures = Vec::new();
    for (name, runs) in &cases {
        let path = fixtures().join("cases").join(name);
        for (key, multi_as_comments) in [("multi", true), ("no_multi", false)] {
            let got = ours(&path, MiOptions { multi_as_comments });
            if !agrees(&got, &runs[key], 1e-12) {
                failures.push(format!(
                    "{name} ({key}): radon {} / ours {got:?}",
                    runs[key]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// radon tests/test_other_metrics.py MI_VISIT_CASES on their modules.
#[test]
fn radon_suite_mi_visit_cases() {
    let dir = fixtures().join("cases");
    let mi = |name: &str, multi_as_comments| {
        ours(&dir.join(name), MiOptions { multi_as_comments }).map(|m| m.mi)
    };
    assert_eq!(mi("empty.py", true), Ok(100.0));
    assert_eq!(mi("empty.py", false), Ok(100.0));
    assert_eq!(mi("first_mi.py", true), Ok(75.40162245189028));
    assert_eq!(mi("first_mi.py", false), Ok(75.40162245189028));
    assert_eq!(mi("second_mi.py", true), Ok(93.84027450359395));
    assert_eq!(mi("second_mi.py", false), Ok(88.84176333569131));
}

/// Per-file limit for the reference (see `support::radon_harvest`).
const LIMIT_S: u32 = 60;

/// The standard library: the index within 0.01 and the same rank (radon
/// mi's default, multi-line strings as comments). radon mi is slow (it
/// parses every file twice in Python); it runs once. Files radon does not
/// finish within [`LIMIT_S`] are left out and counted.
#[test]
fn stdlib_mi_agrees_with_radon() {
    let Some(reference) = Reference::find("mi stdlib", &["radon", "python"]) else {
        return;
    };
    let all = stdlib_files();
    let rejected = cpython_rejects(&reference, &all);
    let files: Vec<PathBuf> = all.into_iter().filter(|f| !rejected.contains(f)).collect();
    let radon = radon_harvest(&reference, "mi", &files, LIMIT_S);
    let timed_out: Vec<&PathBuf> = files
        .iter()
        .filter(|f| {
            radon
                .get(&f.display().to_string())
                .is_some_and(|v| v.get("timeout").is_some())
        })
        .collect();
    println!(
        "mi stdlib: {} files ({} CPython rejects excluded; radon timed out on {:?}, excluded)",
        files.len() - timed_out.len(),
        rejected.len(),
        timed_out
    );
    let mut agree = 0;
    let mut exact = 0;
    let mut total = 0;
    let mut examples = Vec::new();
    for file in files.iter().filter(|f| !timed_out.contains(f)) {
        let key = file.display().to_string();
        let got = ours(file, MiOptions::default());
        let want = radon.get(&key).cloned().unwrap_or(Value::Null);
        total += 1;
        if agrees(&got, &want, 0.01) {
            agree += 1;
            exact += usize::from(agrees(&got, &want, 1e-12));
        } else if examples.len() < 10 {
            examples.push(format!("{key}\n    radon {want}\n    ours  {got:?}"));
        }
    }
    for e in &examples {
        println!("mi disagreement: {e}");
    }
    Agreement {
        metric: "mi within 1e-12 and rank".into(),
        agree: exact,
        total,
        target: 0.0,
    }
    .print();
    let a = Agreement {
        metric: "mi within 0.01 and rank".into(),
        agree,
        total,
        target: 0.99,
    };
    a.print();
    assert!(a.met(), "mi agreement {:.4} below target", a.rate());
}
