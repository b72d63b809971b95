//! Evaluating samples on public benchmarks and on our dataset: loaders,
//! the unbiased pass@k estimator, and [`evaluate`].
//!
//! This is the library behind `codequal eval --dataset humaneval|mbpp|codequal
//! --problems FILE --samples FILE|canonical`; the command is a thin layer
//! over [`load_problems`], [`load_samples`] (or [`canonical_samples`]) and
//! [`evaluate`].
//!
//! Programs are built the way each benchmark defines them: HumanEval runs
//! `prompt + completion`; MBPP and our dataset run the completion alone.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::{Error, Result, Sandbox, TestSuite};

/// Which benchmark a problems file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    /// HumanEval JSONL (optionally gzipped): `task_id`, `prompt`,
    /// `canonical_solution`, `test`, `entry_point`.
    HumanEval,
    /// MBPP: the sanitized JSON array (`prompt`, `code`, `test_imports`,
    /// `test_list`) or the original JSONL (`text`, `code`,
    /// `test_setup_code`, `test_list`); recognised by content.
    Mbpp,
    /// Our dataset: a directory of `<category>/<id>.json` records
    /// (fixtures/problems/SCHEMA.md).
    Codequal,
}

impl std::str::FromStr for Dataset {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "humaneval" => Ok(Self::HumanEval),
            "mbpp" => Ok(Self::Mbpp),
            "codequal" => Ok(Self::Codequal),
            other => Err(Error::Config(format!(
                "unknown dataset {other:?} (humaneval, mbpp, codequal)"
            ))),
        }
    }
}

/// One benchmark problem, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The benchmark's id (`HumanEval/0`, `2` for MBPP, `graphs-03`).
    pub task_id: String,
    /// Text prepended to a completion to form the program (HumanEval's
    /// prompt; empty elsewhere).
    pub program_prefix: String,
    /// The reference program (prefix included).
    pub canonical_program: String,
    /// The tests.
    pub suite: TestSuite,
}

impl Problem {
    /// The program to run for `completion`.
    pub fn program(&self, completion: &str) -> String {
        format!("{}{}", self.program_prefix, completion)
    }
}

/// One generated completion to score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The problem it answers.
    pub task_id: String,
    /// The completion text (for HumanEval, the continuation of the prompt).
    pub completion: String,
}

/// The verdict for one sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleResult {
    /// The problem.
    pub task_id: String,
    /// Cases passed.
    pub passed: usize,
    /// Cases in the suite.
    pub total: usize,
    /// `passed` when every case passed, else the first failing case's
    /// verdict kind (`failed`, `error`, `timeout`, ...), or `unknown_task`.
    pub status: String,
}

impl SampleResult {
    /// Whether the sample solves the problem (all cases pass).
    pub fn solved(&self) -> bool {
        self.total > 0 && self.passed == self.total
    }
}

/// Aggregates over all samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalSummary {
    /// Samples scored.
    pub samples: usize,
    /// Distinct problems with at least one sample.
    pub problems: usize,
    /// Samples that solved their problem.
    pub solved: usize,
    /// Mean fraction of cases passed per sample.
    pub mean_case_fraction: f64,
    /// Unbiased pass@k for each requested k (problems with fewer than k
    /// samples are left out of that k's mean).
    pub pass_at_k: BTreeMap<usize, f64>,
    /// How many samples ended with each status.
    pub statuses: BTreeMap<String, usize>,
}

/// Everything [`evaluate`] returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// One result per sample, in input order.
    pub results: Vec<SampleResult>,
    /// The aggregates.
    pub summary: EvalSummary,
}

fn read_text(path: &Path) -> Result<String> {
    let io = |e| Error::Io {
        path: path.to_owned(),
        source: e,
    };
    let bytes = std::fs::read(path).map_err(io)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .map_err(io)?;
        Ok(text)
    } else {
        String::from_utf8(bytes)
            .map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
    }
}

fn bad(path: &Path, line: usize, message: impl Into<String>) -> Error {
    Error::Dataset {
        path: path.to_owned(),
        line,
        message: message.into(),
    }
}

/// Parses JSON Lines, skipping blank lines; `line` numbers are 1-based.
fn json_lines(path: &Path, text: &str) -> Result<Vec<(usize, Json)>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map(|v| (i + 1, v))
                .map_err(|e| bad(path, i + 1, e.to_string()))
        })
        .collect()
}

fn str_field(path: &Path, line: usize, v: &Json, key: &str) -> Result<String> {
    v.get(key)
        .and_then(Json::as_str)
        .map(str::to_owned)
        .ok_or_else(|| bad(path, line, format!("missing string field `{key}`")))
}

/// Task ids may be numbers (MBPP) or strings.
fn id_field(path: &Path, line: usize, v: &Json) -> Result<String> {
    match v.get("task_id") {
        Some(Json::String(s)) => Ok(s.clone()),
        Some(Json::Number(n)) => Ok(n.to_string()),
        _ => Err(bad(path, line, "missing `task_id`")),
    }
}

fn string_list(path: &Path, line: usize, v: &Json, key: &str) -> Result<Vec<String>> {
    match v.get(key) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad(path, line, format!("`{key}` must hold strings")))
            })
            .collect(),
        Some(_) => Err(bad(path, line, format!("`{key}` must be a list"))),
    }
}

/// Loads HumanEval (`.jsonl` or `.jsonl.gz`). Each `check` statement that
/// asserts something is its own case.
pub fn load_humaneval(path: &Path) -> Result<Vec<Problem>> {
    let text = read_text(path)?;
    json_lines(path, &text)?
        .into_iter()
        .map(|(line, v)| {
            let prompt = str_field(path, line, &v, "prompt")?;
            let entry = str_field(path, line, &v, "entry_point")?;
            let test = str_field(path, line, &v, "test")?;
            let solution = str_field(path, line, &v, "canonical_solution")?;
            Ok(Problem {
                task_id: id_field(path, line, &v)?,
                canonical_program: format!("{prompt}{solution}"),
                program_prefix: prompt,
                suite: TestSuite::from_check(entry, &test),
            })
        })
        .collect()
}

/// The function the MBPP asserts call (the first converted call case's
/// function), used as the suite's entry point for reporting.
fn mbpp_entry(suite: &TestSuite) -> String {
    suite
        .cases
        .iter()
        .find_map(|c| match c {
            crate::TestCase::Call(call) => call.function.clone(),
            _ => None,
        })
        .unwrap_or_default()
}

fn mbpp_problem(
    task_id: String,
    code: String,
    setup: Option<String>,
    asserts: &[String],
) -> Problem {
    let mut suite = TestSuite::from_asserts("", setup, asserts);
    suite.entry_point = mbpp_entry(&suite);
    Problem {
        task_id,
        program_prefix: String::new(),
        canonical_program: code,
        suite,
    }
}

/// Loads MBPP: the sanitized JSON array or the original JSONL. Each assert
/// is its own case; `test_imports` / `test_setup_code` run first.
pub fn load_mbpp(path: &Path) -> Result<Vec<Problem>> {
    let text = read_text(path)?;
    let records: Vec<(usize, Json)> = if text.trim_start().starts_with('[') {
        let all: Vec<Json> =
            serde_json::from_str(&text).map_err(|e| bad(path, 0, e.to_string()))?;
        all.into_iter()
            .enumerate()
            .map(|(i, v)| (i + 1, v))
            .collect()
    } else {
        json_lines(path, &text)?
    };
    records
        .into_iter()
        .map(|(line, v)| {
            let asserts = string_list(path, line, &v, "test_list")?;
            let setup = if v.get("test_imports").is_some() {
                string_list(path, line, &v, "test_imports")?.join("\n")
            } else {
                v.get("test_setup_code")
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            let setup = (!setup.trim().is_empty()).then_some(setup);
            Ok(mbpp_problem(
                id_field(path, line, &v)?,
                str_field(path, line, &v, "code")?,
                setup,
                &asserts,
            ))
        })
        .collect()
}

/// Loads our dataset: every `*.json` under `dir` (one level of category
/// directories), sorted by id.
pub fn load_codequal(dir: &Path) -> Result<Vec<Problem>> {
    let io = |p: &Path, e| Error::Io {
        path: p.to_owned(),
        source: e,
    };
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let entry = entry.map_err(|e| io(dir, e))?;
        let p = entry.path();
        if p.is_dir() {
            for inner in std::fs::read_dir(&p).map_err(|e| io(&p, e))? {
                let inner = inner.map_err(|e| io(&p, e))?.path();
                if inner.extension().is_some_and(|e| e == "json") {
                    files.push(inner);
                }
            }
        } else if p.extension().is_some_and(|e| e == "json") {
            files.push(p);
        }
    }
    files.sort();
    #[derive(serde::Deserialize)]
    struct Record {
        id: String,
        entry_point: String,
        clean_solution: String,
        tests: Vec<crate::TestCase>,
    }
    let mut problems = files
        .iter()
        .map(|f| {
            // Straight from the text, so dict arguments keep their order.
            let r: Record = serde_json::from_str(&read_text(f)?)
                .map_err(|e| bad(f, e.line(), e.to_string()))?;
            Ok(Problem {
                task_id: r.id,
                program_prefix: String::new(),
                canonical_program: r.clean_solution,
                suite: TestSuite::new(r.entry_point, r.tests),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    problems.sort_by(|a, b| a.task_id.cmp(&b.task_id));
    Ok(problems)
}

/// Loads problems of the given dataset.
pub fn load_problems(dataset: Dataset, path: &Path) -> Result<Vec<Problem>> {
    match dataset {
        Dataset::HumanEval => load_humaneval(path),
        Dataset::Mbpp => load_mbpp(path),
        Dataset::Codequal => load_codequal(path),
    }
}

/// Loads samples JSONL (`task_id`, `completion`; other fields ignored).
pub fn load_samples(path: &Path) -> Result<Vec<Sample>> {
    let text = read_text(path)?;
    json_lines(path, &text)?
        .into_iter()
        .map(|(line, v)| {
            Ok(Sample {
                task_id: id_field(path, line, &v)?,
                completion: str_field(path, line, &v, "completion")?,
            })
        })
        .collect()
}

/// One sample per problem: the reference solution (for HumanEval, the
/// canonical completion without the prompt).
pub fn canonical_samples(problems: &[Problem]) -> Vec<Sample> {
    problems
        .iter()
        .map(|p| Sample {
            task_id: p.task_id.clone(),
            completion: p
                .canonical_program
                .strip_prefix(&p.program_prefix)
                .unwrap_or(&p.canonical_program)
                .to_owned(),
        })
        .collect()
}

/// The unbiased pass@k estimator of Chen et al. (2021):
/// `1 - C(n - c, k) / C(n, k)` for `n` samples of which `c` are correct,
/// computed as a stable product. `k > n` gives `NaN`.
pub fn pass_at_k(n: usize, c: usize, k: usize) -> f64 {
    if k > n || k == 0 {
        return f64::NAN;
    }
    if n - c.min(n) < k {
        return 1.0;
    }
    let c = c.min(n);
    1.0 - ((n - c + 1)..=n).fold(1.0, |acc, i| acc * (1.0 - k as f64 / i as f64))
}

/// Runs every sample against its problem (in parallel, on the sandbox's
/// workers) and aggregates. `ks` lists the k of pass@k to report.
pub fn evaluate(
    sandbox: &Sandbox,
    problems: &[Problem],
    samples: &[Sample],
    ks: &[usize],
) -> Result<EvalReport> {
    let by_id: BTreeMap<&str, &Problem> =
        problems.iter().map(|p| (p.task_id.as_str(), p)).collect();
    let programs: Vec<Option<(String, &TestSuite)>> = samples
        .iter()
        .map(|s| {
            by_id
                .get(s.task_id.as_str())
                .map(|p| (p.program(&s.completion), &p.suite))
        })
        .collect();
    let jobs: Vec<(&str, &TestSuite)> = programs
        .iter()
        .flatten()
        .map(|(src, suite)| (src.as_str(), *suite))
        .collect();
    let mut ran = sandbox.run_many(&jobs).into_iter();
    let mut results = Vec::with_capacity(samples.len());
    for (sample, program) in samples.iter().zip(&programs) {
        let result = match program {
            None => SampleResult {
                task_id: sample.task_id.clone(),
                passed: 0,
                total: 0,
                status: "unknown_task".to_owned(),
            },
            Some(_) => {
                let r = ran
                    .next()
                    .ok_or_else(|| Error::Config("internal: result count mismatch".to_owned()))??;
                SampleResult {
                    task_id: sample.task_id.clone(),
                    passed: r.passed(),
                    total: r.total(),
                    status: r.status().to_owned(),
                }
            }
        };
        results.push(result);
    }
    let summary = summarize(&results, ks);
    Ok(EvalReport { results, summary })
}

fn summarize(results: &[SampleResult], ks: &[usize]) -> EvalSummary {
    let mut per_task: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut statuses = BTreeMap::new();
    let mut fraction_sum = 0.0;
    for r in results {
        let e = per_task.entry(r.task_id.as_str()).or_default();
        e.0 += 1;
        e.1 += usize::from(r.solved());
        *statuses.entry(r.status.clone()).or_insert(0) += 1;
        if r.total > 0 {
            fraction_sum += r.passed as f64 / r.total as f64;
        }
    }
    let pass_at = ks
        .iter()
        .filter_map(|&k| {
            let vals: Vec<f64> = per_task
                .values()
                .filter(|(n, _)| *n >= k)
                .map(|&(n, c)| pass_at_k(n, c, k))
                .collect();
            (!vals.is_empty()).then(|| (k, vals.iter().sum::<f64>() / vals.len() as f64))
        })
        .collect();
    EvalSummary {
        samples: results.len(),
        problems: per_task.len(),
        solved: results.iter().filter(|r| r.solved()).count(),
        mean_case_fraction: if results.is_empty() {
            0.0
        } else {
            fraction_sum / results.len() as f64
        },
        pass_at_k: pass_at,
        statuses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binomial(n: u64, k: u64) -> f64 {
        if k > n {
            return 0.0;
        }
        (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
    }

    #[test]
    fn pass_at_k_matches_the_closed_form() {
        for n in 1..12u64 {
            for c in 0..=n {
                for k in 1..=n {
                    let exact = 1.0 - binomial(n - c, k) / binomial(n, k);
                    let got = pass_at_k(n as usize, c as usize, k as usize);
                    assert!(
                        (got - exact).abs() < 1e-9,
                        "n={n} c={c} k={k}: {got} vs {exact}"
                    );
                }
            }
        }
        assert_eq!(pass_at_k(10, 0, 1), 0.0);
        assert_eq!(pass_at_k(10, 10, 5), 1.0);
        assert!(pass_at_k(3, 1, 4).is_nan());
    }

    #[test]
    fn summary_counts_and_pass_at_k() {
        let r = |id: &str, passed, total| SampleResult {
            task_id: id.into(),
            passed,
            total,
            status: if passed == total { "passed" } else { "failed" }.into(),
        };
        let results = vec![r("a", 3, 3), r("a", 1, 3), r("b", 0, 2), r("b", 0, 2)];
        let s = summarize(&results, &[1, 2]);
        assert_eq!(s.problems, 2);
        assert_eq!(s.solved, 1);
        assert!((s.pass_at_k[&1] - 0.25).abs() < 1e-12);
        assert!((s.pass_at_k[&2] - 0.5).abs() < 1e-12);
        assert_eq!(s.statuses["failed"], 3);
    }

    #[test]
    fn mbpp_original_jsonl_loads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("mbpp.jsonl");
        std::fs::write(
            &path,
            r#"{"text": "add", "code": "def add(a, b):\n    return a + b", "task_id": 7, "test_setup_code": "import math", "test_list": ["assert add(1, 2) == 3", "assert add(0, 0) == 0"], "challenge_test_list": []}"#,
        )
        .expect("write");
        let problems = load_mbpp(&path).expect("loads");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].task_id, "7");
        assert_eq!(problems[0].suite.entry_point, "add");
        assert_eq!(problems[0].suite.setup.as_deref(), Some("import math"));
        assert_eq!(problems[0].suite.strength(), (2, 0));
    }
}
