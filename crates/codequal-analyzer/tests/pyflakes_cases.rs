//! The pyflakes fixtures (`fixtures/analyzer/pyflakes`): cases taken from
//! pyflakes 4.1.0's own test suite plus hand-written corners.
//!
//! Every fixture's header lists the unused-import and unused-variable
//! messages (`# expect: line:column: message`, in pyflakes' print order),
//! and suite cases also how many of each the test suite expects. This test
//! checks that we print exactly the `# expect:` lines, that their counts
//! match the test suite, and, when the reference venv is present, that the
//! real `pyflakes` prints them too (so the fixtures cannot drift from the
//! tool). `generate.py` beside the fixtures regenerates them.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use codequal_analyzer::pyflakes;
use support::Reference;

struct Case {
    path: PathBuf,
    /// `line:column: message`, in order.
    expected: Vec<String>,
    /// `(UnusedImport, UnusedVariable)` counts the pyflakes test suite
    /// expects, for cases taken from it.
    suite: Option<(usize, usize)>,
}

fn fixture_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/analyzer/pyflakes")
}

fn python_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            python_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "py") {
            out.push(path);
        }
    }
}

fn load_cases() -> Vec<Case> {
    let mut files = Vec::new();
    python_files(&fixture_root().join("suite"), &mut files);
    python_files(&fixture_root().join("extra"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("fixture is readable");
            let mut expected = Vec::new();
            let mut suite = None;
            for line in text.lines() {
                if line == "# ---" {
                    break;
                }
                if let Some(e) = line.strip_prefix("# expect: ") {
                    expected.push(e.to_owned());
                } else if let Some(counts) = line.strip_prefix("# suite expects: ") {
                    let count = |key: &str| {
                        counts
                            .split_whitespace()
                            .find_map(|kv| kv.strip_prefix(key))
                            .and_then(|n| n.parse::<usize>().ok())
                            .expect("count in header")
                    };
                    suite = Some((count("UnusedImport="), count("UnusedVariable=")));
                }
            }
            Case {
                path,
                expected,
                suite,
            }
        })
        .collect()
}

fn ours(path: &Path) -> Vec<String> {
    let source = codequal_analyzer::read_python_source(path).expect("fixture is readable");
    let check = pyflakes::check_source(&source);
    assert!(
        check.syntax_error.is_none(),
        "{}: {:?}",
        path.display(),
        check.syntax_error
    );
    check
        .findings
        .iter()
        .map(|f| format!("{}:{}: {}", f.span.line, f.span.column + 1, f.message))
        .collect()
}

fn count_kinds(lines: &[String]) -> (usize, usize) {
    let imports = lines
        .iter()
        .filter(|l| l.ends_with(" imported but unused"))
        .count();
    let variables = lines
        .iter()
        .filter(|l| l.ends_with(" is assigned to but never used"))
        .count();
    (imports, variables)
}

fn short(path: &Path) -> String {
    path.strip_prefix(fixture_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn fixtures_match_expectations() {
    let cases = load_cases();
    let from_suite = cases.iter().filter(|c| c.suite.is_some()).count();
    println!(
        "pyflakes fixtures: {} cases ({} from pyflakes' test suite, {} hand-written), {} expected messages",
        cases.len(),
        from_suite,
        cases.len() - from_suite,
        cases.iter().map(|c| c.expected.len()).sum::<usize>()
    );
    assert!(
        cases.len() >= 600,
        "fixtures missing: {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        if let Some(suite) = case.suite {
            assert_eq!(
                count_kinds(&case.expected),
                suite,
                "{}: header contradicts the test suite",
                short(&case.path)
            );
        }
        let got = ours(&case.path);
        if got != case.expected {
            failures.push(format!(
                "{}\n  expected: {:?}\n  got:      {:?}",
                short(&case.path),
                case.expected,
                got
            ));
        }
    }
    for f in failures.iter().take(20) {
        println!("{f}");
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures disagree",
        failures.len(),
        cases.len()
    );
}

#[test]
fn reference_pyflakes_agrees_with_fixtures() {
    let Some(reference) = Reference::find("pyflakes fixtures", &["pyflakes"]) else {
        return;
    };
    let cases = load_cases();
    let files: Vec<PathBuf> = cases.iter().map(|c| c.path.clone()).collect();
    let outputs = support::run_chunked(|| reference.command("pyflakes"), &files);
    let mut theirs: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    for line in outputs.iter().flat_map(|o| o.lines()) {
        let mut parts = line.splitn(4, ':');
        let (Some(path), Some(row), Some(col), Some(message)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let message = message.trim_start();
        if support::is_pyflakes_unused_message(message) {
            theirs
                .entry(PathBuf::from(path))
                .or_default()
                .push(format!("{row}:{col}: {message}"));
        }
    }
    let mut failures = Vec::new();
    for case in &cases {
        let got = theirs.get(&case.path).cloned().unwrap_or_default();
        if got != case.expected {
            failures.push(format!(
                "{}: pyflakes prints {got:?}, fixture says {:?}",
                short(&case.path),
                case.expected
            ));
        }
    }
    for f in failures.iter().take(20) {
        println!("{f}");
    }
    assert!(
        failures.is_empty(),
        "pyflakes disagrees with {} fixtures (run generate.py)",
        failures.len()
    );
}
