//! Run untrusted Python programs against test suites, isolated, and judge
//! every case.
//!
//! A [`Sandbox`] keeps warm, single-threaded Python workers ("fork
//! servers"), each inside its own Linux namespaces with a uid of its own,
//! rlimits, a seccomp filter and cgroups. A worker imports the common
//! standard library once, compiles each candidate once and forks one child
//! per test case. Children send back only what the candidate returned, as
//! plain typed data on a dedicated pipe; the expected values stay in this
//! process, which compares them. See `docs/sandbox.md` for the threat
//! model and measured costs.
//!
//! ```no_run
//! use codequal_sandbox::{Config, Sandbox, TestSuite, Verdict};
//!
//! let sandbox = Sandbox::new(Config::default())?;
//! let tests = serde_json::json!([
//!     { "args": [2, 3], "expected": 5 },
//!     { "args": [-1, 1], "expected": 0 },
//! ]);
//! let suite = TestSuite::from_json_tests("add", &tests)?;
//! let result = sandbox.run("def add(a, b):\n    return a + b\n", &suite)?;
//! assert_eq!(result.passed(), 2);
//! assert!(matches!(result.cases[0].verdict, Verdict::Passed));
//!
//! // MBPP-style asserts: `f(LITERALS) == LITERAL` is compared here, in the parent.
//! let suite = TestSuite::from_asserts("add", None, &["assert add(1, 1) == 2".to_owned()]);
//! assert_eq!(sandbox.run("def add(a, b): return a - b", &suite)?.passed(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The example is `no_run` only because doctests may run where namespaces
//! are unavailable; the same calls run in `tests/`.

pub mod assert_conversion;
mod config;
mod error;
pub mod eval;
mod fork_server;
mod isolation;
mod sandbox;
mod suite;
pub mod value;
mod verdict;

pub use config::{Config, MissingLayerPolicy, Mode, DEFAULT_PRELOAD};
pub use error::{Error, Result};
pub use isolation::{IsolationReport, Layer, LayerStatus};
pub use sandbox::Sandbox;
pub use suite::{AssertCase, CallCase, Expectation, Op, OpSequence, PostCall, TestCase, TestSuite};
pub use value::{Comparison, PyValue, Semantics, Tolerance};
pub use verdict::{CaseResult, ProgramResult, Verdict};
