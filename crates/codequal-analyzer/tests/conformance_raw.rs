//! `radon raw` 6.0.1 conformance: radon's own test cases and edge cases
//! (fixtures/analyzer/radon_raw, expectations printed by the tool), and the
//! whole CPython standard library against the pinned tool.

mod support;

use std::path::{Path, PathBuf};

use codequal_analyzer::metrics::raw::{analyze_source, RawMetrics};
use serde_json::{json, Value};
use support::{
    cpython_rejects, radon_harvest, radon_json_chunked, read_like_radon, stdlib_files, Agreement,
    Reference,
};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/analyzer/radon_raw")
}

/// What `radon raw -j` prints for one file, computed by the analyzer.
fn ours(path: &Path) -> Value {
    match read_like_radon(path).and_then(|text| analyze_source(&text).map_err(|e| e.to_string())) {
        Ok(m) => metrics_json(&m),
        Err(e) => json!({ "error": e }),
    }
}

fn metrics_json(m: &RawMetrics) -> Value {
    json!({
        "loc": m.loc,
        "lloc": m.lloc,
        "sloc": m.sloc,
        "comments": m.comments,
        "multi": m.multi,
        "blank": m.blank,
        "single_comments": m.single_comments,
    })
}

fn case_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("cases"))
        .expect("fixture cases")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

/// Every fixture case gives what radon printed for it (regenerate.py): the
/// seven fields, or the same error message.
#[test]
fn fixtures_match_radon_output() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("expected.json")).expect("expected.json"),
    )
    .expect("valid JSON");
    let files = case_files();
    assert!(files.len() >= 50, "fixture cases missing");
    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let want = &expected[&name];
        assert!(
            !want.is_null(),
            "{name} has no expectation: run regenerate.py"
        );
        let got = ours(file);
        if &got != want {
            failures.push(format!("{name}: radon {want} / ours {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// radon's suite cases hold loc = sloc + blank + multi + single_comments.
#[test]
fn loc_is_the_sum_of_its_parts() {
    for file in case_files() {
        if let Ok(Ok(m)) = read_like_radon(&file).map(|t| analyze_source(&t)) {
            assert_eq!(
                m.loc,
                m.sloc + m.blank + m.multi + m.single_comments,
                "{}",
                file.display()
            );
        }
    }
}

/// The expectations are still what the pinned tool prints.
#[test]
fn fixtures_match_live_radon() {
    let Some(reference) = Reference::find("raw fixtures", &["radon"]) else {
        return;
    };
    let files = case_files();
    let radon = radon_json_chunked(
        || {
            let mut c = reference.command("radon");
            c.args(["raw", "-j"]);
            c
        },
        &files,
    );
    let mut agree = 0;
    for file in &files {
        let key = file.display().to_string();
        if radon.get(&key) == Some(&ours(file)) {
            agree += 1;
        } else {
            println!(
                "differs: {key}: radon {:?} / ours {}",
                radon.get(&key),
                ours(file)
            );
        }
    }
    let a = Agreement {
        metric: "raw fixtures exact".into(),
        agree,
        total: files.len(),
        target: 1.0,
    };
    a.print();
    assert!(a.met());
}

/// Per-file limit for the reference (see `support::radon_harvest`).
const LIMIT_S: u32 = 60;

/// The standard library: all seven fields (or the error) exactly as radon.
/// Files radon does not finish within [`LIMIT_S`] are left out and counted.
#[test]
fn stdlib_raw_agrees_with_radon() {
    let Some(reference) = Reference::find("raw stdlib", &["radon", "python"]) else {
        return;
    };
    let all = stdlib_files();
    let rejected = cpython_rejects(&reference, &all);
    let files: Vec<PathBuf> = all.into_iter().filter(|f| !rejected.contains(f)).collect();
    let radon = radon_harvest(&reference, "raw", &files, LIMIT_S);
    let timed_out: Vec<&PathBuf> = files
        .iter()
        .filter(|f| {
            radon
                .get(&f.display().to_string())
                .is_some_and(|v| v.get("timeout").is_some())
        })
        .collect();
    println!(
        "raw stdlib: {} files ({} CPython rejects excluded; radon timed out on {:?}, excluded)",
        files.len() - timed_out.len(),
        rejected.len(),
        timed_out
    );
    let mut agree = 0;
    let mut total = 0;
    let mut errors_both = 0;
    let mut examples = Vec::new();
    for file in files.iter().filter(|f| !timed_out.contains(f)) {
        let key = file.display().to_string();
        let got = ours(file);
        let want = radon.get(&key).cloned().unwrap_or(Value::Null);
        total += 1;
        if got == want {
            agree += 1;
            errors_both += usize::from(got.get("error").is_some());
        } else if examples.len() < 10 {
            examples.push(format!("{key}\n    radon {want}\n    ours  {got}"));
        }
    }
    for e in &examples {
        println!("raw disagreement: {e}");
    }
    println!("raw stdlib: {errors_both} files are errors for both");
    let a = Agreement {
        metric: "raw all 7 fields exact".into(),
        agree,
        total,
        target: 0.995,
    };
    a.print();
    assert!(a.met(), "raw agreement {:.4} below target", a.rate());
}
