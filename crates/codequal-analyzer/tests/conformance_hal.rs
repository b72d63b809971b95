//! Halstead metrics against radon 6.0.1 (`radon hal`).
//!
//! Three layers:
//! - `fixture_expectations`: the cases in `fixtures/analyzer/radon_hal/`
//!   (radon's own test suite, rewritten, plus corners read from radon) with
//!   the numbers radon's suite asserts. Runs everywhere.
//! - `fixtures_match_radon`: every fixture case through radon's `h_visit`,
//!   every figure compared to the last bit and with Python's int/float type
//!   (radon's zero cases are the int `0`), and through `radon hal --json -f`
//!   (whose JSON is the same with or without `-f`).
//! - `stdlib_matches_radon`: `radon hal --json` over the CPython standard
//!   library against [`HalsteadReport::radon_json`].

mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use codequal_analyzer::metrics::halstead::{self, Halstead, HalsteadReport};
use rayon::prelude::*;
use serde_json::Value;
use support::{cpython_rejects, run_chunked, stdlib_files, Agreement, Reference};

/// One `# case:` of a fixture file.
#[derive(Debug, Clone)]
struct Case {
    /// `file: case name`.
    name: String,
    /// `key=value` pairs of its `# expect:` lines.
    expect: BTreeMap<String, String>,
    /// The code.
    code: String,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/analyzer/radon_hal")
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

fn analyze(case: &Case) -> HalsteadReport {
    halstead::analyze_source(&case.code)
        .unwrap_or_else(|e| panic!("{}: does not parse: {e:?}", case.name))
}

/// The twelve figures in radon's order.
fn figures(h: &Halstead) -> [f64; 12] {
    [
        f64::from(h.distinct_operators),
        f64::from(h.distinct_operands),
        f64::from(h.total_operators),
        f64::from(h.total_operands),
        f64::from(h.vocabulary),
        f64::from(h.length),
        h.calculated_length,
        h.volume,
        h.difficulty,
        h.effort,
        h.time,
        h.bugs,
    ]
}

/// Compares figures the way radon's suite does (to about 1e-9 here).
fn close(want: &str, got: &[f64]) -> bool {
    let want: Vec<f64> = want.split(',').filter_map(|x| x.parse().ok()).collect();
    want.len() == got.len()
        && want
            .iter()
            .zip(got)
            .all(|(w, g)| (w - g).abs() <= 1e-9 * w.abs().max(1.0))
}

#[test]
fn fixture_expectations() {
    let mut failures = Vec::new();
    let cases = cases(&fixture_dir());
    for case in &cases {
        let report = analyze(case);
        let t = &report.total;
        for (key, want) in &case.expect {
            let ok = match key.as_str() {
                "counts" => {
                    let got = format!(
                        "{},{},{},{}",
                        t.total_operators,
                        t.total_operands,
                        t.distinct_operators,
                        t.distinct_operands
                    );
                    &got == want
                }
                "functions" => {
                    let names: Vec<&str> =
                        report.functions.iter().map(|f| f.name.as_str()).collect();
                    names.join(",") == *want
                }
                "total" => close(want, &figures(t)),
                other => match other.strip_prefix("function:") {
                    Some(name) => report
                        .functions
                        .iter()
                        .find(|f| f.name == name)
                        .is_some_and(|f| close(want, &figures(&f.metrics))),
                    None => panic!("{}: unknown expectation key {other}", case.name),
                },
            };
            if !ok {
                failures.push(format!(
                    "{}: {key}: expected {want}, got {report:?}",
                    case.name
                ));
            }
        }
    }
    println!("radon hal fixtures: {} cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Prints, per file, radon's `h_visit` with every figure as its Python
/// `repr` (so that floats compare to the last bit and `0` differs from
/// `0.0`).
const RADON_HAL_SCRIPT: &str = r#"
import json, sys
from radon.metrics import h_visit
out = {}
for path in sys.argv[1:]:
    h = h_visit(open(path, encoding="utf-8").read())
    out[path] = {
        "total": [repr(x) for x in h.total],
        "functions": [[name, [repr(x) for x in r]] for name, r in h.functions],
    }
print(json.dumps(out))
"#;

/// Our figures as Python would print them: radon's int zero cases as `0`.
fn reprs(h: &Halstead) -> Vec<String> {
    let json = h.radon_json();
    let keys = [
        "h1",
        "h2",
        "N1",
        "N2",
        "vocabulary",
        "length",
        "calculated_length",
        "volume",
        "difficulty",
        "effort",
        "time",
        "bugs",
    ];
    keys.iter()
        .map(|k| match json.get(*k) {
            Some(Value::Number(n)) if n.is_f64() => python_float(n.as_f64().unwrap_or(f64::NAN)),
            Some(v) => v.to_string(),
            None => "missing".to_owned(),
        })
        .collect()
}

/// Python's `repr(float)` for the values Halstead figures take.
fn python_float(f: f64) -> String {
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.unsigned_abs());
    }
    if exp < 0 {
        return format!(
            "{sign}0.{}{digits}",
            "0".repeat(exp.unsigned_abs() as usize - 1)
        );
    }
    let point = exp as usize + 1;
    if digits.len() <= point {
        format!("{sign}{digits}{}.0", "0".repeat(point - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    }
}

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
    let Some(reference) = Reference::find("radon hal fixtures", &["radon", "python"]) else {
        return;
    };
    let cases = cases(&fixture_dir());
    let dir = scratch("radon_hal");
    let mut files = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let path = dir.join(format!("case_{i:03}.py"));
        std::fs::write(&path, &case.code).expect("write case");
        files.push(path);
    }
    let out = reference
        .command("python")
        .arg("-c")
        .arg(RADON_HAL_SCRIPT)
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
    let cli = reference
        .command("radon")
        .args(["hal", "--json", "-f"])
        .args(&files)
        .output()
        .expect("radon runs");
    let cli: HashMap<String, Value> =
        serde_json::from_slice(&cli.stdout).expect("radon hal prints JSON");

    let mut failures = Vec::new();
    for (case, path) in cases.iter().zip(&files) {
        let key = path.display().to_string();
        let ours = analyze(case);
        let ours_api = serde_json::json!({
            "total": reprs(&ours.total),
            "functions": ours.functions.iter().map(|f| serde_json::json!([f.name, reprs(&f.metrics)])).collect::<Vec<_>>(),
        });
        if radon[&key] != ours_api {
            failures.push(format!(
                "{} (h_visit):\n  radon: {}\n  ours:  {ours_api}",
                case.name, radon[&key]
            ));
        }
        if !json_close(&cli[&key], &ours.radon_json()) {
            failures.push(format!(
                "{} (hal --json -f):\n  radon: {}\n  ours:  {}",
                case.name,
                cli[&key],
                ours.radon_json()
            ));
        }
    }
    let agreement = Agreement {
        metric: "radon hal fixture cases identical".into(),
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

/// JSON equality with floats compared to a few ulps: serde_json's default
/// float parsing is not always correctly rounded, so radon's exact output
/// can read back one ulp off. (The `h_visit` comparison above is exact.)
/// Python's int/float distinction is kept.
fn json_close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.is_f64(), y.is_f64()) {
            (false, false) => x == y,
            (true, true) => {
                let (x, y) = (
                    x.as_f64().unwrap_or(f64::NAN),
                    y.as_f64().unwrap_or(f64::NAN),
                );
                (x - y).abs() <= 4.0 * f64::EPSILON * x.abs().max(y.abs())
            }
            _ => false,
        },
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_close(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| json_close(v, w))
        }
        _ => a == b,
    }
}

const INT_FIELDS: [&str; 6] = ["h1", "h2", "N1", "N2", "vocabulary", "length"];
const FLOAT_FIELDS: [&str; 6] = [
    "calculated_length",
    "volume",
    "difficulty",
    "effort",
    "time",
    "bugs",
];

fn num(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

/// Whether two report dicts agree: integers exactly, floats within `rel`.
fn report_agrees(radon: &Value, ours: &Value, rel: f64) -> bool {
    INT_FIELDS.iter().all(|k| radon.get(*k) == ours.get(*k))
        && FLOAT_FIELDS
            .iter()
            .all(|k| match (num(radon, k), num(ours, k)) {
                (Some(a), Some(b)) => (a - b).abs() <= rel * a.abs().max(b.abs()),
                _ => false,
            })
}

#[test]
fn stdlib_matches_radon() {
    let Some(reference) = Reference::find("radon hal stdlib", &["radon", "python"]) else {
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
        "radon hal stdlib: {} files, {} rejected by CPython and left out",
        all.len(),
        rejects.len()
    );
    let chunks = run_chunked(
        || {
            let mut c = reference.command("radon");
            c.args(["hal", "--json"]);
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
    let ours: Vec<Result<Value, String>> = files
        .par_iter()
        .map(|f| {
            let source = codequal_analyzer::read_python_source(f).map_err(|e| e.to_string())?;
            let report = halstead::analyze_source(&source)
                .map_err(|e| format!("{} (line {})", e.message, e.line))?;
            Ok(report.radon_json())
        })
        .collect();

    let agreement = |metric: &str| Agreement {
        metric: metric.into(),
        agree: 0,
        total: 0,
        target: 0.99,
    };
    let mut volume = agreement("radon hal volume (1e-9 relative)");
    let mut counts = agreement("radon hal h1 h2 N1 N2 exact");
    let mut total = agreement("radon hal all total fields (1e-12)");
    let mut functions = agreement("radon hal functions, all fields (1e-12)");
    let mut unreadable = Vec::new();
    let mut examples = Vec::new();
    for (file, ours) in files.iter().zip(&ours) {
        let name = file.display().to_string();
        let Some(theirs) = radon.get(&name) else {
            panic!("radon printed nothing for {name}");
        };
        if let Some(e) = theirs.get("error") {
            // radon reads files as strict UTF-8 and hands ast.parse a str.
            unreadable.push(format!("{name}: {e}"));
            continue;
        }
        let theirs_fns = theirs
            .get("functions")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for stat in [&mut volume, &mut counts, &mut total] {
            stat.total += 1;
        }
        functions.total += theirs_fns.len();
        let ours = match ours {
            Ok(v) => v,
            Err(e) => {
                if examples.len() < 10 {
                    examples.push(format!("{name}: we fail to parse: {e}"));
                }
                continue;
            }
        };
        let (rt, ot) = (&theirs["total"], &ours["total"]);
        let volume_ok = match (num(rt, "volume"), num(ot, "volume")) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
            _ => false,
        };
        let counts_ok = ["h1", "h2", "N1", "N2"]
            .iter()
            .all(|k| rt.get(*k) == ot.get(*k));
        let total_ok = report_agrees(rt, ot, 1e-12);
        volume.agree += usize::from(volume_ok);
        counts.agree += usize::from(counts_ok);
        total.agree += usize::from(total_ok);
        let ours_fns = ours
            .get("functions")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut fn_diffs = Vec::new();
        for (fname, r) in &theirs_fns {
            match ours_fns.get(fname) {
                Some(o) if report_agrees(r, o, 1e-12) => functions.agree += 1,
                _ => fn_diffs.push(fname.clone()),
            }
        }
        let extra: Vec<&String> = ours_fns
            .keys()
            .filter(|k| !theirs_fns.contains_key(*k))
            .collect();
        functions.total += extra.len();
        if (!total_ok || !fn_diffs.is_empty() || !extra.is_empty()) && examples.len() < 10 {
            let pick = |v: &Value| {
                ["h1", "h2", "N1", "N2"]
                    .iter()
                    .map(|k| v.get(*k).cloned().unwrap_or(Value::Null))
                    .collect::<Vec<_>>()
            };
            examples.push(format!(
                "{name}: total radon {:?} ours {:?}; functions differing {fn_diffs:?}; ours only {extra:?}",
                pick(rt),
                pick(ot)
            ));
        }
    }
    println!(
        "radon hal stdlib: {} files radon cannot read (left out):",
        unreadable.len()
    );
    for u in &unreadable {
        println!("  {u}");
    }
    for e in &examples {
        println!("disagreement: {e}");
    }
    for stat in [&volume, &counts, &total, &functions] {
        stat.print();
    }
    for stat in [&volume, &counts, &total, &functions] {
        assert!(stat.met(), "{} below target", stat.metric);
    }
}
