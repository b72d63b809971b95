//! The training problems: typed records loaded from
//! `fixtures/problems/<category>/<id>.json` (schema:
//! `fixtures/problems/SCHEMA.md`, described in `docs/dataset.md`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Which part of the fixed split a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// Used for training (160 problems).
    Train,
    /// Held out for evaluation (40 problems).
    Validation,
}

/// Whether the entry point is a function or a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Cases call a function.
    Function,
    /// Cases are operation sequences on an instance.
    Class,
}

/// One problem with its tests and its two reference solutions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// `<category>-NN`.
    pub id: String,
    /// One of the 25 category slugs.
    pub category: String,
    /// Short title.
    pub title: String,
    /// Train or validation.
    pub split: Split,
    /// The task in plain English, ending with the signature.
    pub prompt: String,
    /// Function or class name the tests call.
    pub entry_point: String,
    /// Function or class problem.
    pub kind: ProblemKind,
    /// Test cases in the sandbox's JSON form (see
    /// `codequal_sandbox::TestSuite::from_json_tests`).
    pub tests: serde_json::Value,
    /// An idiomatic, efficient solution.
    pub clean_solution: String,
    /// A correct solution that carries the problem's quality trap.
    pub flawed_solution: String,
    /// What is wrong with the flawed solution, in one sentence.
    pub trap: String,
    /// Kinds of trap (e.g. `quadratic-membership`).
    pub trap_tags: Vec<String>,
}

impl Problem {
    /// The problem's test suite, ready for the sandbox.
    pub fn suite(&self) -> Result<codequal_sandbox::TestSuite> {
        codequal_sandbox::TestSuite::from_json_tests(&self.entry_point, &self.tests).map_err(|e| {
            Error::InvalidProblem {
                path: PathBuf::from(format!("{}/{}.json", self.category, self.id)),
                message: format!("tests: {e}"),
            }
        })
    }

    /// Names the tests use from outside the solution: the entry point and,
    /// for class problems, every method a case calls (sorted, unique).
    pub fn names_used_by_tests(&self) -> Vec<String> {
        let mut names = vec![self.entry_point.clone()];
        for case in self.tests.as_array().into_iter().flatten() {
            for op in case["ops"].as_array().into_iter().flatten() {
                if let Some(method) = op["method"].as_str() {
                    names.push(method.to_owned());
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// Logical lines of the clean reference solution (radon's lloc), the
    /// expected size of an answer; `None` when it does not parse.
    pub fn reference_lloc(&self) -> Option<u32> {
        codequal_analyzer::metrics::raw::analyze_source(&self.clean_solution)
            .ok()
            .map(|raw| raw.lloc)
            .filter(|&lloc| lloc > 0)
    }

    /// Number of test cases.
    pub fn case_count(&self) -> usize {
        self.tests.as_array().map_or(0, Vec::len)
    }
}

/// All problems, sorted by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProblemSet {
    problems: Vec<Problem>,
}

impl ProblemSet {
    /// Loads every `*.json` under `dir` (one level of category folders).
    /// A file whose `id` or `category` does not match its path is an error.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| Error::Io { path, source }
        };
        let mut files: Vec<PathBuf> = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            if path.is_dir() {
                for f in std::fs::read_dir(&path).map_err(io(&path))? {
                    let f = f.map_err(io(&path))?.path();
                    if f.extension().is_some_and(|e| e == "json") {
                        files.push(f);
                    }
                }
            }
        }
        files.sort();
        let mut problems = Vec::with_capacity(files.len());
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(io(&f))?;
            let p: Problem = serde_json::from_str(&text).map_err(|e| Error::InvalidProblem {
                path: f.clone(),
                message: e.to_string(),
            })?;
            let stem = f
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let folder = f
                .parent()
                .and_then(Path::file_name)
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if p.id != stem || p.category != folder {
                return Err(Error::InvalidProblem {
                    path: f,
                    message: format!(
                        "id `{}` / category `{}` do not match the file's path",
                        p.id, p.category
                    ),
                });
            }
            problems.push(p);
        }
        problems.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Self { problems })
    }

    /// Every problem, sorted by id.
    pub fn all(&self) -> &[Problem] {
        &self.problems
    }

    /// The problems of one split.
    pub fn split(&self, split: Split) -> Vec<&Problem> {
        self.problems.iter().filter(|p| p.split == split).collect()
    }

    /// A problem by id.
    pub fn get(&self, id: &str) -> Option<&Problem> {
        self.problems.iter().find(|p| p.id == id)
    }

    /// Problems per category.
    pub fn by_category(&self) -> BTreeMap<&str, Vec<&Problem>> {
        let mut out: BTreeMap<&str, Vec<&Problem>> = BTreeMap::new();
        for p in &self.problems {
            out.entry(p.category.as_str()).or_default().push(p);
        }
        out
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.problems.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The project's problem directory (`fixtures/problems` in the workspace).
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/problems")
}
