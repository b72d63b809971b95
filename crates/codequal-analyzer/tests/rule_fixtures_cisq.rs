//! Rule fixtures: every `fixtures/analyzer/{performance,reliability}/*.py`
//! marks the findings it expects with `# expect: CODE[, CODE...]` on their
//! line; the family's findings must be exactly those (flagged and clean
//! cases alike).

use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixtures(family: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/analyzer")
        .join(family);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    files.sort();
    files
}

/// (line -> sorted codes) expected by the comments.
fn expected(source: &str) -> BTreeMap<u32, Vec<String>> {
    let mut out = BTreeMap::new();
    for (i, line) in source.lines().enumerate() {
        if let Some(at) = line.find("# expect:") {
            let mut codes: Vec<String> = line[at + 9..]
                .split(',')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect();
            codes.sort();
            out.insert(u32::try_from(i + 1).expect("line fits"), codes);
        }
    }
    out
}

fn check_family(family: &str, prefix: &str, rules: usize) {
    let files = fixtures(family);
    assert!(
        files.len() >= rules,
        "{family}: one fixture per rule at least"
    );
    let mut failures = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    for path in &files {
        let source = std::fs::read_to_string(path).expect("fixture reads");
        let report = codequal_analyzer::analyze_source(&source);
        assert!(
            report.syntax_error.is_none(),
            "{}: syntax error",
            path.display()
        );
        let mut got: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for f in report
            .findings
            .iter()
            .filter(|f| f.code.starts_with(prefix))
        {
            got.entry(f.span.line).or_default().push(f.code.clone());
            covered.insert(f.code.clone());
        }
        got.values_mut().for_each(|v| v.sort());
        let want = expected(&source);
        if got != want {
            failures.push(format!(
                "{}:\n  expected {want:?}\n  got      {got:?}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        covered.len(),
        rules,
        "{family}: every rule is exercised: {covered:?}"
    );
}

#[test]
fn performance_fixtures_match_expectations() {
    check_family("performance", "CQP", 9);
}

#[test]
fn reliability_fixtures_match_expectations() {
    check_family("reliability", "CQR", 11);
}
