//! Cyclomatic complexity against radon 6.0.1 (`radon cc`).
//!
//! Three layers:
//! - `fixture_expectations`: the cases in `fixtures/analyzer/radon_cc/`
//!   (radon's own test suite, rewritten, plus corners read from radon) with
//!   the numbers radon's suite asserts. Runs everywhere.
//! - `fixtures_match_radon`: every fixture case through radon's Python API,
//!   compared field by field (block dicts as `cc --json` prints them, with
//!   and without `--show-closures` and `--no-assert`, and the module totals
//!   that feed the maintainability index).
//! - `stdlib_matches_radon`: `radon cc --json --show-closures` over the
//!   CPython standard library against [`ComplexityReport::sorted_blocks`].

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use codequal_analyzer::metrics::complexity::{
    self, add_inner_blocks, Block, ComplexityOptions, ComplexityReport, Order,
};
use rayon::prelude::*;
use serde_json::Value;
use support::{cpython_rejects, run_chunked, stdlib_files, Agreement, Reference};

/// One `# case:` of a fixture file.
#[derive(Debug, Clone)]
struct Case {
    /// `file: case name`.
    name: String,
    /// `key=value` pairs of its `# expect:` lines (a bare key maps to "").
    expect: BTreeMap<String, String>,
    /// The code, lines counted from its first line.
    code: String,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/analyzer/radon_cc")
}

/// Splits every fixture file of `dir` into its cases.
fn cases(dir: &Path) -> Vec<Case> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("fixture directory")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("fixture reads");
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut current: Option<(Case, Vec<&str>)> = None;
        for line in text.split('\n') {
            if let Some(name) = line.strip_prefix("# case:") {
                out.extend(current.take().map(finish));
                let case = Case {
                    name: format!("{file}: {}", name.trim()),
                    expect: BTreeMap::new(),
                    code: String::new(),
                };
                current = Some((case, Vec::new()));
            } else if let Some((case, code)) = &mut current {
                match line.strip_prefix("# expect:") {
                    Some(expect) if code.is_empty() => {
                        for item in expect.split_whitespace() {
                            let (k, v) = item.split_once('=').unwrap_or((item, ""));
                            case.expect.insert(k.to_owned(), v.to_owned());
                        }
                    }
                    _ => code.push(line),
                }
            }
        }
        out.extend(current.take().map(finish));
    }
    assert!(!out.is_empty(), "no fixture cases in {}", dir.display());
    out
}

fn finish((mut case, mut code): (Case, Vec<&str>)) -> Case {
    while code.last().is_some_and(|l| l.trim().is_empty()) {
        code.pop();
    }
    case.code = code.join("\n") + "\n";
    case
}

fn options(case: &Case) -> ComplexityOptions {
    ComplexityOptions {
        no_assert: case.expect.contains_key("no_assert"),
    }
}

fn analyze(case: &Case, options: &ComplexityOptions) -> ComplexityReport {
    complexity::analyze_source(&case.code, options)
        .unwrap_or_else(|e| panic!("{}: does not parse: {e:?}", case.name))
}

/// `letter:fullname@lineno:col-endline=complexity`, as the fixtures write
/// blocks.
fn describe(b: &Block) -> String {
    format!(
        "{}:{}@{}:{}-{}={}",
        b.kind.letter(),
        b.fullname(),
        b.lineno,
        b.col_offset,
        b.endline,
        b.complexity
    )
}

fn join<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// What our analysis gives for one expectation key.
fn actual(case: &Case, report: &ComplexityReport, key: &str) -> Option<String> {
    let functions: Vec<&Block> = report.functions().collect();
    let first_class = report.classes().next();
    Some(match key {
        "no_assert" => return None,
        "module" => report.module_complexity.to_string(),
        "functions" => join(functions.iter().map(|f| f.complexity)),
        "methods" => join(first_class?.methods.iter().map(|m| m.complexity)),
        "class_real" => first_class?.real_complexity.to_string(),
        "closures" => join(
            functions
                .first()?
                .closures
                .iter()
                .map(|c| format!("{}:{}", c.name, c.complexity)),
        ),
        "functions_complexity" => functions
            .iter()
            .map(|f| f.complexity - 1)
            .sum::<u32>()
            .to_string(),
        "classes_complexity" => report
            .classes()
            .map(|c| c.real_complexity - 1)
            .sum::<u32>()
            .to_string(),
        "total" => report.total_complexity().to_string(),
        "block_count" => report.blocks.len().to_string(),
        "inner_added" => (add_inner_blocks(&report.blocks).len() - report.blocks.len()).to_string(),
        "inner_has" => {
            let want = case.expect.get(key)?;
            let found = add_inner_blocks(&report.blocks)
                .iter()
                .any(|b| &b.name == want);
            if found {
                want.clone()
            } else {
                "(absent)".to_owned()
            }
        }
        "blocks" => join(
            report
                .sorted_blocks(Order::Score, true)
                .iter()
                .map(describe),
        ),
        other => panic!("{}: unknown expectation key {other}", case.name),
    })
}

#[test]
fn fixture_expectations() {
    let mut failures = Vec::new();
    let cases = cases(&fixture_dir());
    for case in &cases {
        let report = analyze(case, &options(case));
        for (key, want) in &case.expect {
            if let Some(got) = actual(case, &report, key) {
                if &got != want {
                    failures.push(format!("{}: {key}: expected {want}, got {got}", case.name));
                }
            }
        }
    }
    println!("radon cc fixtures: {} cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Prints, per file given on the command line, radon's view of it: module
/// complexity and totals, and the block dicts of `cc --json` with and
/// without `--show-closures` and `--no-assert`.
const RADON_CC_SCRIPT: &str = r#"
import json, sys
from radon.visitors import ComplexityVisitor
from radon.complexity import sorted_results, add_inner_blocks
from radon.cli.tools import cc_to_dict
out = {}
for path in sys.argv[1:]:
    code = open(path, encoding="utf-8").read()
    entry = {}
    for no_assert in (False, True):
        v = ComplexityVisitor.from_code(code, no_assert=no_assert)
        entry[str(no_assert)] = {
            "module": v.complexity,
            "total": v.total_complexity,
            "blocks": [cc_to_dict(b) for b in sorted_results(v.blocks)],
            "closures": [cc_to_dict(b) for b in sorted_results(add_inner_blocks(v.blocks))],
        }
    out[path] = entry
print(json.dumps(out))
"#;

fn ours_like_radon_script(report: &ComplexityReport) -> Value {
    let dicts = |blocks: Vec<Block>| Value::Array(blocks.iter().map(Block::radon_json).collect());
    serde_json::json!({
        "module": report.module_complexity,
        "total": report.total_complexity(),
        "blocks": dicts(report.sorted_blocks(Order::Score, false)),
        "closures": dicts(report.sorted_blocks(Order::Score, true)),
    })
}

/// A scratch directory under the target directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/conformance-scratch")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

#[test]
fn fixtures_match_radon() {
    let Some(reference) = Reference::find("radon cc fixtures", &["radon", "python"]) else {
        return;
    };
    let cases = cases(&fixture_dir());
    let dir = scratch("radon_cc");
    let mut files = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let path = dir.join(format!("case_{i:03}.py"));
        std::fs::write(&path, &case.code).expect("write case");
        files.push(path);
    }
    let out = reference
        .command("python")
        .arg("-c")
        .arg(RADON_CC_SCRIPT)
        .args(&files)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "radon script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let radon: HashMap<String, Value> =
        serde_json::from_slice(&out.stdout).expect("radon script prints JSON");
    let mut failures = Vec::new();
    for (case, path) in cases.iter().zip(&files) {
        let theirs = &radon[&path.display().to_string()];
        for no_assert in [false, true] {
            let ours = ours_like_radon_script(&analyze(case, &ComplexityOptions { no_assert }));
            let theirs = &theirs[if no_assert { "True" } else { "False" }];
            if &ours != theirs {
                failures.push(format!(
                    "{} (no_assert={no_assert}):\n  radon: {theirs}\n  ours:  {ours}",
                    case.name
                ));
            }
        }
    }
    let agreement = Agreement {
        metric: "radon cc fixture cases identical".into(),
        agree: cases.len() - failures.len().min(cases.len()),
        total: cases.len(),
        target: 1.0,
    };
    agreement.print();
    assert!(
        failures.is_empty(),
        "{} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The fields `radon cc` prints for a block, for matching blocks one to one.
type BlockKey = (String, Option<String>, String, u64, u64, u64, u64, String);

fn block_key(v: &Value) -> BlockKey {
    let s = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(u64::MAX);
    (
        s("type"),
        v.get("classname")
            .and_then(Value::as_str)
            .map(str::to_owned),
        s("name"),
        n("lineno"),
        n("col_offset"),
        n("endline"),
        n("complexity"),
        s("rank"),
    )
}

/// Matches two block lists as multisets: (matched, radon only, ours only).
fn match_blocks(radon: &[Value], ours: &[Value]) -> (usize, Vec<BlockKey>, Vec<BlockKey>) {
    let mut pool: HashMap<BlockKey, usize> = HashMap::new();
    for b in ours {
        *pool.entry(block_key(b)).or_default() += 1;
    }
    let mut matched = 0;
    let mut radon_only = Vec::new();
    for b in radon {
        let key = block_key(b);
        match pool.get_mut(&key) {
            Some(n) if *n > 0 => {
                *n -= 1;
                matched += 1;
            }
            _ => radon_only.push(key),
        }
    }
    let ours_only = pool
        .into_iter()
        .flat_map(|(k, n)| std::iter::repeat_n(k, n))
        .collect();
    (matched, radon_only, ours_only)
}

#[test]
fn stdlib_matches_radon() {
    let Some(reference) = Reference::find("radon cc stdlib", &["radon", "python"]) else {
        return;
    };
    let all = stdlib_files();
    let rejects = cpython_rejects(&reference, &all);
    let files: Vec<PathBuf> = all
        .iter()
        .filter(|f| !rejects.contains(*f))
        .cloned()
        .collect();
    println!(
        "radon cc stdlib: {} files, {} rejected by CPython and left out",
        all.len(),
        rejects.len()
    );
    let chunks = run_chunked(
        || {
            let mut c = reference.command("radon");
            c.args(["cc", "--json", "--show-closures"]);
            c
        },
        &files,
    );
    let mut radon: HashMap<String, Value> = HashMap::new();
    for chunk in &chunks {
        let map: HashMap<String, Value> =
            serde_json::from_str(chunk.trim()).expect("radon prints JSON");
        radon.extend(map);
    }
    let ours: Vec<Result<Vec<Value>, String>> = files
        .par_iter()
        .map(|f| {
            let source = codequal_analyzer::read_python_source(f).map_err(|e| e.to_string())?;
            let report = complexity::analyze_source(&source, &ComplexityOptions::default())
                .map_err(|e| format!("{} (line {})", e.message, e.line))?;
            Ok(report
                .sorted_blocks(Order::Score, true)
                .iter()
                .map(Block::radon_json)
                .collect())
        })
        .collect();

    let mut blocks = Agreement {
        metric: "radon cc blocks exact".into(),
        agree: 0,
        total: 0,
        target: 0.995,
    };
    let mut identical = Agreement {
        metric: "radon cc files identical JSON".into(),
        agree: 0,
        total: 0,
        target: 0.99,
    };
    let mut unreadable = Vec::new();
    let mut examples = Vec::new();
    for (file, ours) in files.iter().zip(&ours) {
        let name = file.display().to_string();
        let theirs = radon.get(&name);
        if let Some(Value::Object(e)) = theirs {
            // radon reads files as strict UTF-8 and hands ast.parse a str,
            // so it fails on Latin-1 files and on a byte-order mark that
            // CPython itself accepts.
            unreadable.push(format!(
                "{name}: {}",
                e.get("error").unwrap_or(&Value::Null)
            ));
            continue;
        }
        let theirs: &[Value] = theirs.and_then(Value::as_array).map_or(&[], Vec::as_slice);
        let ours: &[Value] = match ours {
            Ok(v) => v,
            Err(e) => {
                blocks.total += theirs.len();
                identical.total += 1;
                if examples.len() < 10 {
                    examples.push(format!("{name}: we fail to parse: {e}"));
                }
                continue;
            }
        };
        let (matched, radon_only, ours_only) = match_blocks(theirs, ours);
        blocks.agree += matched;
        blocks.total += matched + radon_only.len() + ours_only.len();
        identical.total += 1;
        if theirs == ours {
            identical.agree += 1;
        } else if examples.len() < 10 {
            let detail = if radon_only.is_empty() && ours_only.is_empty() {
                "same blocks, different order or nested closures/methods".to_owned()
            } else {
                format!(
                    "radon only {:?}; ours only {:?}",
                    &radon_only[..radon_only.len().min(3)],
                    &ours_only[..ours_only.len().min(3)]
                )
            };
            examples.push(format!("{name}: {detail}"));
        }
    }
    println!(
        "radon cc stdlib: {} files radon cannot read (left out):",
        unreadable.len()
    );
    for u in &unreadable {
        println!("  {u}");
    }
    for e in &examples {
        println!("disagreement: {e}");
    }
    blocks.print();
    identical.print();
    assert!(blocks.met(), "radon cc block agreement below target");
    assert!(identical.met(), "radon cc file agreement below target");
}
