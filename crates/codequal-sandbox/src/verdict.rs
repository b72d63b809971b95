//! Verdicts: what happened to each case, and to the program as a whole.

use serde::{Deserialize, Serialize};

use crate::isolation::Layer;

/// The outcome of one test case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The case passed.
    Passed,
    /// The program ran but the result was wrong (or missing, or not plain
    /// data); `reason` is a short human-readable explanation.
    Failed {
        /// Why, in a few words.
        reason: String,
    },
    /// The program raised an exception the case did not expect (a syntax
    /// error in the program is reported here too).
    Error {
        /// The exception's class name, e.g. `ZeroDivisionError`.
        exception: String,
        /// `str(exception)`, shortened.
        message: String,
    },
    /// The case ran out of wall-clock or CPU time (or the program's budget
    /// ran out before the case could run).
    Timeout,
    /// The case ran out of memory (`MemoryError` under the address-space
    /// limit, or the worker's memory cgroup).
    MemoryLimit,
    /// The case wrote more than the output limit.
    OutputLimit,
    /// The process died from a signal or exited without a verdict in a way
    /// that is not one of the above.
    Crashed {
        /// The signal, when it was killed by one.
        signal: Option<i32>,
        /// What went wrong, in a few words.
        detail: String,
    },
}

impl Verdict {
    /// Whether this verdict counts as a pass.
    pub fn is_pass(&self) -> bool {
        matches!(self, Self::Passed)
    }

    /// A short stable name: `passed`, `failed`, `error`, `timeout`,
    /// `memory_limit`, `output_limit`, `crashed`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed { .. } => "failed",
            Self::Error { .. } => "error",
            Self::Timeout => "timeout",
            Self::MemoryLimit => "memory_limit",
            Self::OutputLimit => "output_limit",
            Self::Crashed { .. } => "crashed",
        }
    }

    pub(crate) fn failed(reason: impl Into<String>) -> Self {
        Self::Failed {
            reason: reason.into(),
        }
    }
}

/// One case's verdict with what it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The verdict.
    pub verdict: Verdict,
    /// Wall-clock seconds of the case's process (0 when it never ran).
    pub wall_s: f64,
    /// CPU seconds of the case's process.
    pub cpu_s: f64,
    /// Bytes it wrote to stdout and stderr.
    pub output_bytes: u64,
    /// Whether the verdict was computed in the parent (call cases) or
    /// reported by test code inside the candidate's process (assert cases,
    /// which a hostile candidate can fake).
    pub compared_in_parent: bool,
    /// Set when the harness's audit hook saw the candidate run code nobody
    /// read (`exec`/`compile` from its own frames, a module imported from
    /// outside the installation, `ctypes`, a process spawn, frame or heap
    /// introspection): what it saw first. Correctness is unaffected; the
    /// reward uses it to deny quality to a facade (`docs/sandbox.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamic_code: Option<String>,
    /// What a call case returned, when it returned plain data (for
    /// diagnostics; not serialised).
    #[serde(skip)]
    pub returned: Option<crate::PyValue>,
}

/// All cases of one program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramResult {
    /// One result per case, in suite order.
    pub cases: Vec<CaseResult>,
    /// Isolation layers that were missing when this program ran (empty
    /// when the sandbox ran with every layer).
    pub missing_layers: Vec<Layer>,
    /// Wall-clock seconds for the whole program, worker start included.
    pub wall_s: f64,
}

impl ProgramResult {
    /// How many cases passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.verdict.is_pass()).count()
    }

    /// How many cases there are.
    pub fn total(&self) -> usize {
        self.cases.len()
    }

    /// Fraction of cases passed (0 for an empty suite).
    pub fn pass_fraction(&self) -> f64 {
        if self.cases.is_empty() {
            0.0
        } else {
            self.passed() as f64 / self.cases.len() as f64
        }
    }

    /// Whether every case passed (and there is at least one).
    pub fn all_passed(&self) -> bool {
        !self.cases.is_empty() && self.passed() == self.cases.len()
    }

    /// The most telling verdict kind for a summary: `passed` when all
    /// passed, otherwise the kind of the first case that did not pass.
    pub fn status(&self) -> &'static str {
        self.cases.iter().find(|c| !c.verdict.is_pass()).map_or(
            if self.cases.is_empty() {
                "empty"
            } else {
                "passed"
            },
            |c| c.verdict.kind(),
        )
    }
}
