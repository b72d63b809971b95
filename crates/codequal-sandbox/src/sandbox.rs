//! The [`Sandbox`]: a pool of fork servers and the judge of their output.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Deserialize as _;
use serde_json::{json, Value as Json};

use crate::fork_server::{CaseHeader, ForkServer, RawOutcome, WorkerTemplate};
use crate::isolation::{self, IsolationReport, Layer};
use crate::suite::{CallCase, Expectation, Op, TestCase, TestSuite};
use crate::value::{Comparison, PyValue, MAX_VALUE_DEPTH};
use crate::{CaseResult, Config, Error, MissingLayerPolicy, Mode, ProgramResult, Result, Verdict};

static SANDBOX_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Runs candidate programs against test suites, isolated.
///
/// Create one per process (or per configuration) and share it: it holds
/// warm workers and is `Sync`. Dropping it kills every worker and removes
/// its temporary directory.
#[derive(Debug)]
pub struct Sandbox {
    template: WorkerTemplate,
    report: IsolationReport,
    idle: Mutex<Vec<ForkServer>>,
    pool: rayon::ThreadPool,
}

/// What the configured interpreter says about itself.
struct PythonInfo {
    executable: PathBuf,
    version: String,
    prefixes: Vec<PathBuf>,
}

fn inspect_python(python: &Path) -> Result<PythonInfo> {
    let err = |e: std::io::Error| Error::Python {
        path: python.to_owned(),
        source: e,
    };
    let out = Command::new(python)
        .args([
            "-I",
            "-S",
            "-c",
            "import sys; print(sys.executable); print(sys.prefix); print(sys.base_prefix); \
             print(sys.exec_prefix); print(sys.base_exec_prefix); print(sys.version.split()[0])",
        ])
        .output()
        .map_err(err)?;
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    if !out.status.success() || lines.len() < 6 {
        return Err(err(std::io::Error::other(format!(
            "interpreter self-inspection failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))));
    }
    let executable = std::fs::canonicalize(lines[0]).map_err(err)?;
    let mut prefixes: Vec<PathBuf> = lines[1..5].iter().map(PathBuf::from).collect();
    if let Some(dir) = executable.parent().and_then(Path::parent) {
        prefixes.push(dir.to_owned());
    }
    prefixes.sort();
    prefixes.dedup();
    Ok(PythonInfo {
        executable,
        version: lines[5].to_owned(),
        prefixes,
    })
}

impl Sandbox {
    /// Resolves the interpreter, probes the isolation layers and prepares
    /// (but does not yet start) the workers.
    ///
    /// Fails with [`Error::LayersMissing`] when a layer is refused and
    /// `config.on_missing_layer` is [`MissingLayerPolicy::Refuse`].
    pub fn new(config: Config) -> Result<Self> {
        config.validate()?;
        let python = inspect_python(&config.python)?;
        let base = config.temp_root.clone().unwrap_or_else(std::env::temp_dir);
        let temp_dir = base.join(format!(
            "codequal-sandbox-{}-{}",
            std::process::id(),
            SANDBOX_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&temp_dir).map_err(|e| Error::Io {
            path: temp_dir.clone(),
            source: e,
        })?;
        let seccomp = isolation::seccomp_filter();
        let probe_dir = temp_dir.join("probe");
        let layers = std::fs::create_dir(&probe_dir)
            .map(|()| isolation::probe(&probe_dir, &seccomp))
            .map_err(Error::HostIo);
        let _ = std::fs::remove_dir(&probe_dir);
        let layers = match layers {
            Ok(l) => l,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&temp_dir);
                return Err(e);
            }
        };
        let layers = layers
            .into_iter()
            .map(|mut s| {
                if s.available && config.disabled_layers.contains(&s.layer) {
                    s.available = false;
                    s.detail = format!("disabled by configuration ({})", s.detail);
                }
                s
            })
            .collect();
        let report = IsolationReport {
            layers,
            host_is_root: isolation::host_is_root(),
            python_executable: python.executable.clone(),
            python_version: python.version,
        };
        let missing = report.missing();
        if !missing.is_empty() && config.on_missing_layer == MissingLayerPolicy::Refuse {
            let _ = std::fs::remove_dir_all(&temp_dir);
            return Err(Error::LayersMissing { missing });
        }
        let mut read_only = python.prefixes;
        read_only.extend(config.extra_read_only_paths.iter().cloned());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(config.workers)
            .thread_name(|i| format!("sandbox-{i}"))
            .build()
            .map_err(|e| Error::Config(format!("thread pool: {e}")))?;
        let template = WorkerTemplate {
            python: python.executable,
            read_only,
            temp_dir,
            layers: Layer::ALL.into_iter().filter(|l| report.has(*l)).collect(),
            seccomp,
            host_is_root: report.host_is_root,
            config,
        };
        Ok(Self {
            template,
            report,
            idle: Mutex::new(Vec::new()),
            pool,
        })
    }

    /// Which isolation layers are in force.
    pub fn report(&self) -> &IsolationReport {
        &self.report
    }

    /// The configuration this sandbox runs with.
    pub fn config(&self) -> &Config {
        &self.template.config
    }

    /// Starts `n` warm workers now (otherwise they start on first use).
    pub fn warm_up(&self, n: usize) -> Result<()> {
        let servers = (0..n)
            .map(|_| ForkServer::spawn(&self.template, &self.template.config.preload))
            .collect::<Result<Vec<_>>>()?;
        self.lock_idle().extend(servers);
        Ok(())
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<ForkServer>> {
        // A panic while holding the lock leaves only a list of workers
        // behind, which stays valid.
        self.idle.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `source` against `suite` and judges every case.
    ///
    /// `Err` only for infrastructure failures (a worker that cannot start);
    /// whatever the program does is in the verdicts.
    pub fn run(&self, source: &str, suite: &TestSuite) -> Result<ProgramResult> {
        let started = Instant::now();
        let cases = match self.template.config.mode {
            Mode::ForkServer => self.run_fork_server(source, suite)?,
            Mode::FreshInterpreter => self.run_fresh(source, suite)?,
        };
        Ok(ProgramResult {
            cases,
            missing_layers: self.report.missing(),
            wall_s: started.elapsed().as_secs_f64(),
        })
    }

    /// Runs many programs in parallel on up to `config.workers` workers;
    /// results are in input order.
    pub fn run_many(&self, jobs: &[(&str, &TestSuite)]) -> Vec<Result<ProgramResult>> {
        self.pool.install(|| {
            jobs.par_iter()
                .map(|(src, suite)| self.run(src, suite))
                .collect()
        })
    }

    fn program_deadline(&self) -> Instant {
        Instant::now() + Duration::from_secs_f64(self.template.config.program_wall_time_s)
    }

    fn run_fork_server(&self, source: &str, suite: &TestSuite) -> Result<Vec<CaseResult>> {
        let cfg = &self.template.config;
        let reused = if cfg.reuse_workers {
            self.lock_idle().pop()
        } else {
            None
        };
        let reused_flag = reused.is_some();
        let mut server = match reused {
            Some(s) => s,
            None => ForkServer::spawn(&self.template, &cfg.preload)?,
        };
        let was_reused = reused_flag;
        let request = program_request(source, suite, &suite.cases);
        let mut raw = server.run_program(&request, suite.cases.len(), cfg, self.program_deadline());
        if server.setup_failed && was_reused {
            // The reused worker could not prepare a work dir, before any of
            // this program ran: that is not the program's fault, so it gets
            // a fresh worker once.
            server = ForkServer::spawn(&self.template, &cfg.preload)?;
            raw = server.run_program(&request, suite.cases.len(), cfg, self.program_deadline());
        }
        let results = judge_all(suite, &suite.cases, raw, cfg);
        if cfg.reuse_workers && !server.broken {
            let mut idle = self.lock_idle();
            if idle.len() < cfg.workers {
                idle.push(server);
            }
        }
        Ok(results)
    }

    fn run_fresh(&self, source: &str, suite: &TestSuite) -> Result<Vec<CaseResult>> {
        let cfg = &self.template.config;
        let deadline = self.program_deadline();
        let mut results = Vec::with_capacity(suite.cases.len());
        for case in &suite.cases {
            let cases = std::slice::from_ref(case);
            if Instant::now() >= deadline {
                results.extend(judge_all(
                    suite,
                    cases,
                    vec![RawOutcome::ProgramTimeout],
                    cfg,
                ));
                continue;
            }
            let mut server = ForkServer::spawn(&self.template, &[])?;
            let request = program_request(source, suite, cases);
            let raw = server.run_program(&request, 1, cfg, deadline);
            results.extend(judge_all(suite, cases, raw, cfg));
        }
        Ok(results)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.lock_idle().clear();
        let _ = std::fs::remove_dir_all(&self.template.temp_dir);
    }
}

fn kwargs_wire(kwargs: &[(String, PyValue)]) -> Json {
    PyValue::Dict(
        kwargs
            .iter()
            .map(|(k, v)| (PyValue::Str(k.clone()), v.clone()))
            .collect(),
    )
    .to_wire()
}

fn args_wire(args: &[PyValue]) -> Json {
    PyValue::List(args.to_vec()).to_wire()
}

/// The request sent to a worker. Expected values are not part of it.
fn program_request(source: &str, suite: &TestSuite, cases: &[TestCase]) -> Json {
    let cases: Vec<Json> = cases
        .iter()
        .map(|case| match case {
            TestCase::Call(c) => json!({
                "kind": "call",
                "fn": c.function.as_deref().unwrap_or(&suite.entry_point),
                "args": args_wire(&c.args),
                "kwargs": kwargs_wire(&c.kwargs),
                "args_py": c.args_py,
                "materialize": c.materialize,
                "post": c.post.map(|p| p.name()),
            }),
            TestCase::Ops(seq) => json!({
                "kind": "ops",
                "class": suite.entry_point,
                "ops": seq.ops.iter().map(|op| match op {
                    Op::New { args, kwargs, args_py } => json!({
                        "op": "new", "args": args_wire(args), "kwargs": kwargs_wire(kwargs), "args_py": args_py,
                    }),
                    Op::Call { method, args, kwargs, args_py, materialize, .. } => json!({
                        "op": "call", "method": method, "args": args_wire(args),
                        "kwargs": kwargs_wire(kwargs), "args_py": args_py, "materialize": materialize,
                    }),
                    Op::Get { attr, .. } => json!({"op": "get", "attr": attr}),
                }).collect::<Vec<_>>(),
            }),
            TestCase::Assert(a) => json!({"kind": "code", "code": a.code}),
        })
        .collect();
    json!({"source": source, "setup": suite.setup, "cases": cases})
}

fn judge_all(
    suite: &TestSuite,
    cases: &[TestCase],
    raw: Vec<RawOutcome>,
    cfg: &Config,
) -> Vec<CaseResult> {
    let _ = suite;
    cases
        .iter()
        .zip(raw)
        .map(|(case, outcome)| judge(case, outcome, cfg))
        .collect()
}

fn exception_verdict(rec: &Json) -> Verdict {
    let name = rec.get("exc").and_then(Json::as_str).unwrap_or("Exception");
    if name == "MemoryError" {
        return Verdict::MemoryLimit;
    }
    Verdict::Error {
        exception: name.chars().take(100).collect(),
        message: rec
            .get("msg")
            .and_then(Json::as_str)
            .unwrap_or("")
            .chars()
            .take(300)
            .collect(),
    }
}

fn judge(case: &TestCase, outcome: RawOutcome, cfg: &Config) -> CaseResult {
    let in_parent = !matches!(case, TestCase::Assert(_));
    let result = |verdict, header: Option<&CaseHeader>| CaseResult {
        verdict,
        wall_s: header.map_or(0.0, |h| h.wall_s),
        cpu_s: header.map_or(0.0, |h| h.cpu_s),
        output_bytes: header.map_or(0, |h| h.output_bytes),
        compared_in_parent: in_parent,
        dynamic_code: None,
        returned: None,
    };
    let (header, record) = match outcome {
        RawOutcome::Ran { header, record } => (header, record),
        RawOutcome::CompileError(rec) => return result(exception_verdict(&rec), None),
        RawOutcome::ProgramTimeout => return result(Verdict::Timeout, None),
        RawOutcome::WorkerLost(why) => {
            return result(
                Verdict::Crashed {
                    signal: None,
                    detail: format!(
                        "sandbox worker lost: {}",
                        why.chars().take(200).collect::<String>()
                    ),
                },
                None,
            )
        }
    };
    let (parsed, dynamic_code, no_result) = parse_frames(&record);
    let returned = match (case, &parsed) {
        (TestCase::Call(_), Some(rec)) => rec.get("v").and_then(PyValue::from_wire),
        _ => None,
    };
    let verdict = match header.status.as_str() {
        "timeout" | "program_cpu" => Verdict::Timeout,
        "output_limit" => Verdict::OutputLimit,
        "record_limit" => Verdict::failed("result record larger than the record limit"),
        "test_compile_error" => Verdict::failed(format!(
            "test code does not compile: {}",
            header
                .detail
                .as_ref()
                .and_then(|d| d.get("msg"))
                .and_then(Json::as_str)
                .unwrap_or("")
        )),
        _ => match &parsed {
            Some(rec) => judge_record(case, rec),
            None => no_record_verdict(&header, no_result, cfg),
        },
    };
    CaseResult {
        returned,
        dynamic_code,
        ..result(verdict, Some(&header))
    }
}

/// A case's record descriptor carries at most one result frame, after any
/// number of `{"dynamic": why}` frames the harness's audit hook wrote the
/// moment it saw code nobody read. Returns the result (`None` when there
/// is none or the bytes are not exactly well-formed frames: a candidate
/// that writes its own frames cannot add a second result), the first
/// dynamic-code report, and whether the descriptor held no result bytes
/// at all.
fn parse_frames(record: &[u8]) -> (Option<Json>, Option<String>, bool) {
    let mut rest = record;
    let mut dynamic: Option<String> = None;
    let mut results: Vec<Json> = Vec::new();
    let mut malformed = false;
    while !rest.is_empty() {
        let Some((head, body)) = rest.split_first_chunk::<4>() else {
            malformed = true;
            break;
        };
        let n = u32::from_be_bytes(*head) as usize;
        if body.len() < n {
            malformed = true;
            break;
        }
        let (frame, tail) = body.split_at(n);
        rest = tail;
        let Some(json) = parse_frame(frame) else {
            malformed = true;
            break;
        };
        let report = json
            .as_object()
            .filter(|o| o.len() == 1)
            .and_then(|o| o.get("dynamic"))
            .and_then(Json::as_str);
        match report {
            Some(why) => {
                dynamic.get_or_insert_with(|| why.chars().take(300).collect());
            }
            None => results.push(json),
        }
    }
    if malformed || results.len() > 1 {
        return (None, dynamic, false);
    }
    let no_result = results.is_empty();
    (results.pop(), dynamic, no_result)
}

/// Deepest JSON nesting a frame may have: a value nests up to
/// [`MAX_VALUE_DEPTH`] levels, each at most two JSON levels (a tuple is
/// `{"t": [...]}`), inside a few levels of frame.
const MAX_FRAME_DEPTH: usize = 2 * MAX_VALUE_DEPTH + 8;

/// One frame's JSON. serde_json's own limit (128 levels) is below what the
/// worker sends for a value nested [`MAX_VALUE_DEPTH`] deep, so the frame's
/// depth is measured first, without recursion, and the parse then runs
/// without serde_json's limit: a frame is bounded, whatever the candidate
/// wrote into it.
fn parse_frame(frame: &[u8]) -> Option<Json> {
    if json_depth(frame) > MAX_FRAME_DEPTH {
        return None;
    }
    let mut de = serde_json::Deserializer::from_slice(frame);
    de.disable_recursion_limit();
    let json = Json::deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(json)
}

/// The deepest bracket nesting of JSON text (strings skipped); an
/// unbalanced text is caught by the parse itself.
fn json_depth(text: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in text {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn no_record_verdict(header: &CaseHeader, empty: bool, cfg: &Config) -> Verdict {
    let code = header.exit_code;
    if code < 0 {
        let signal = (-code) as i32;
        if signal == libc::SIGXCPU
            || (signal == libc::SIGKILL && header.cpu_s >= cfg.case_cpu_time_s as f64)
        {
            return Verdict::Timeout;
        }
        return Verdict::Crashed {
            signal: Some(signal),
            detail: format!("killed by signal {signal}"),
        };
    }
    if empty {
        Verdict::failed(format!("no result record (exit status {code})"))
    } else {
        Verdict::failed("malformed result record")
    }
}

fn step_value(rec: &Json) -> Result<PyValue, Verdict> {
    if let Some(v) = rec.get("v") {
        return PyValue::from_wire(v).ok_or_else(|| Verdict::failed("malformed result value"));
    }
    if let Some(msg) = rec.get("unser").and_then(Json::as_str) {
        return Err(Verdict::failed(format!(
            "result is not plain data: {}",
            msg.chars().take(200).collect::<String>()
        )));
    }
    if rec.get("exc").is_some() {
        return Err(exception_verdict(rec));
    }
    Err(Verdict::failed("malformed result record"))
}

/// Python's builtin exception classes (3.8 to 3.13). The harness reports
/// a class under its bare name only when it *is* that builtin (identity,
/// checked against references taken before the candidate ran); every other
/// class comes as `module.qualname`.
const BUILTIN_EXCEPTIONS: &[&str] = &[
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BaseException",
    "BaseExceptionGroup",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "BytesWarning",
    "ChildProcessError",
    "ConnectionAbortedError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "DeprecationWarning",
    "EOFError",
    "EncodingWarning",
    "EnvironmentError",
    "Exception",
    "ExceptionGroup",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "FutureWarning",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "ImportWarning",
    "IndentationError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "NotADirectoryError",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PendingDeprecationWarning",
    "PermissionError",
    "ProcessLookupError",
    "PythonFinalizationError",
    "RecursionError",
    "ReferenceError",
    "ResourceWarning",
    "RuntimeError",
    "RuntimeWarning",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SyntaxWarning",
    "SystemError",
    "SystemExit",
    "TabError",
    "TimeoutError",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "UnicodeTranslateError",
    "UnicodeWarning",
    "UserWarning",
    "ValueError",
    "Warning",
    "ZeroDivisionError",
];

/// Whether the raised exception is an instance of the class `name`.
///
/// A builtin name matches only the builtin class itself: a candidate's
/// `type("ValueError", (Exception,), {})` arrives as
/// `__candidate__.ValueError` and matches nothing builtin. Other names
/// (exception classes the problem asks the candidate to define, such as
/// `InsufficientFundsError`) match a class of that name, or a dotted
/// `module.qualname` given in full.
///
/// A builtin name is looked up in the chain of the first builtin class of
/// the exception's MRO (the record's `base`), not in the whole MRO: `class
/// E(ValueError, TypeError, KeyError)` is a `ValueError` here and passes no
/// `raises TypeError` case, so one class cannot pass every `raises` case
/// whatever type each asks for. Python's own `except TypeError` would catch
/// it; the cases ask what the answer raises, and this one raises a
/// `ValueError` dressed as everything.
fn raised_matches(rec: &Json, name: &str) -> bool {
    let builtin = BUILTIN_EXCEPTIONS.contains(&name);
    if builtin {
        if let Some(base) = rec
            .get("base")
            .and_then(Json::as_array)
            .filter(|b| !b.is_empty())
        {
            return base
                .iter()
                .filter_map(Json::as_str)
                .any(|class| class == name);
        }
    }
    rec.get("mro").and_then(Json::as_array).is_some_and(|mro| {
        mro.iter().filter_map(Json::as_str).any(|class| {
            class == name
                || (!builtin
                    && !name.contains('.')
                    && class.rsplit('.').next() == Some(name)
                    && class.contains('.'))
        })
    })
}

/// Judges one call's outcome record against an expectation.
fn judge_step(rec: &Json, expect: &Expectation, comparison: &Comparison) -> Verdict {
    match expect {
        Expectation::Raises(name) => {
            if rec.get("exc").is_some() {
                if raised_matches(rec, name) {
                    return Verdict::Passed;
                }
                let got = rec.get("exc").and_then(Json::as_str).unwrap_or("?");
                if got == "MemoryError" {
                    return Verdict::MemoryLimit;
                }
                return Verdict::failed(format!("expected {name} to be raised, got {got}"));
            }
            match step_value(rec) {
                Ok(v) => Verdict::failed(format!(
                    "expected {name} to be raised, returned {}",
                    v.short_repr(80)
                )),
                Err(v) => v,
            }
        }
        Expectation::Value(expected) => match step_value(rec) {
            Ok(actual) if comparison.matches(&actual, expected) => Verdict::Passed,
            Ok(actual) => Verdict::failed(format!(
                "expected {}, got {}",
                expected.short_repr(80),
                actual.short_repr(80)
            )),
            Err(v) => v,
        },
        Expectation::Truthy | Expectation::Falsy => match step_value(rec) {
            Ok(actual) if actual.is_truthy() == matches!(expect, Expectation::Truthy) => {
                Verdict::Passed
            }
            Ok(actual) => Verdict::failed(format!(
                "expected a {} value, got {}",
                if matches!(expect, Expectation::Truthy) {
                    "true"
                } else {
                    "false"
                },
                actual.short_repr(80)
            )),
            Err(v) => v,
        },
    }
}

fn judge_record(case: &TestCase, rec: &Json) -> Verdict {
    match case {
        TestCase::Call(CallCase {
            expect, comparison, ..
        }) => judge_step(rec, expect, comparison),
        TestCase::Ops(seq) => {
            if rec.get("exc").is_some() {
                return exception_verdict(rec);
            }
            let Some(steps) = rec.get("steps").and_then(Json::as_array) else {
                return Verdict::failed("malformed result record");
            };
            for (i, op) in seq.ops.iter().enumerate() {
                let Some(step) = steps.get(i) else {
                    return Verdict::failed(format!("operation {i} did not run"));
                };
                let verdict = match op {
                    Op::New { .. } => match step.get("exc") {
                        Some(_) => exception_verdict(step),
                        None => Verdict::Passed,
                    },
                    Op::Call {
                        expect, comparison, ..
                    }
                    | Op::Get {
                        expect, comparison, ..
                    } => match expect {
                        Some(e) => judge_step(step, e, comparison),
                        None if step.get("exc").is_some() => exception_verdict(step),
                        None => Verdict::Passed,
                    },
                };
                if !verdict.is_pass() {
                    return match verdict {
                        Verdict::Failed { reason } => {
                            Verdict::failed(format!("operation {i}: {reason}"))
                        }
                        other => other,
                    };
                }
            }
            Verdict::Passed
        }
        TestCase::Assert(_) => {
            if let Some(err) = rec.get("test_compile_error") {
                Verdict::failed(format!(
                    "test code does not compile: {}",
                    err.get("msg")
                        .and_then(Json::as_str)
                        .unwrap_or("")
                        .chars()
                        .take(200)
                        .collect::<String>()
                ))
            } else if rec.get("ok") == Some(&Json::Bool(true)) {
                Verdict::Passed
            } else if let Some(msg) = rec.get("assert").and_then(Json::as_str) {
                Verdict::failed(if msg.is_empty() {
                    "assertion failed".to_owned()
                } else {
                    format!(
                        "assertion failed: {}",
                        msg.chars().take(200).collect::<String>()
                    )
                })
            } else if rec.get("exc").is_some() {
                exception_verdict(rec)
            } else {
                Verdict::failed("malformed result record")
            }
        }
    }
}
