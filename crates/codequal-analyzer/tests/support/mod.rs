//! Shared plumbing for the differential (conformance) tests.
//!
//! The expected values always come from the pinned reference tools, run by
//! the test itself. Under `cargo xtask test` (`CODEQUAL_REQUIRE_REFERENCE=1`)
//! a missing tool fails the test; under plain `cargo test` the test says it
//! did not run and passes.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether the reference tools must be present.
pub fn required() -> bool {
    std::env::var("CODEQUAL_REQUIRE_REFERENCE").is_ok_and(|v| v == "1")
}

/// The pinned reference-tool environment.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The venv directory.
    pub venv: PathBuf,
}

impl Reference {
    /// Finds the venv (`CODEQUAL_PYTHON_VENV`, else `~/.cache/codequal/venv`)
    /// with every tool in `tools`. Returns `None` (after saying so) when it is
    /// missing and not required; panics when it is required.
    pub fn find(test: &str, tools: &[&str]) -> Option<Self> {
        let venv = std::env::var_os("CODEQUAL_PYTHON_VENV")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/codequal/venv"))
            });
        let missing: Vec<&str> = match &venv {
            Some(v) => tools
                .iter()
                .copied()
                .filter(|t| !v.join("bin").join(t).exists())
                .collect(),
            None => tools.to_vec(),
        };
        if missing.is_empty() {
            return venv.map(|venv| Self { venv });
        }
        let why = format!("reference tool(s) {missing:?} not found (run `cargo xtask setup`)");
        assert!(!required(), "{test}: {why}");
        println!("conformance {test}: DID NOT RUN: {why}");
        None
    }

    /// Path of a tool in the venv.
    pub fn bin(&self, tool: &str) -> PathBuf {
        self.venv.join("bin").join(tool)
    }

    /// A command for a tool in the venv, with a clean, predictable environment.
    pub fn command(&self, tool: &str) -> Command {
        let mut c = Command::new(self.bin(tool));
        c.env("PYTHONHASHSEED", "0")
            .env("PYTHONDONTWRITEBYTECODE", "1");
        c
    }
}

/// The corpus the differential tests compare on, sorted: the CPython
/// standard library the machine has (without site-packages), or, when
/// `CODEQUAL_CONFORMANCE_ROOT` is set, every `*.py` under the
/// colon-separated directories it names (another code base, to check that
/// agreement is not a property of the standard library alone).
/// `CODEQUAL_CONFORMANCE_SAMPLE=N` keeps every N-th file (for quick local
/// runs; CI uses all of them).
pub fn stdlib_files() -> Vec<PathBuf> {
    let roots: Vec<PathBuf> = match std::env::var_os("CODEQUAL_CONFORMANCE_ROOT") {
        Some(dirs) if !dirs.is_empty() => std::env::split_paths(&dirs).collect(),
        _ => {
            let out = Command::new("python3")
                .args([
                    "-c",
                    "import sysconfig; print(sysconfig.get_paths()['stdlib'])",
                ])
                .output()
                .expect("python3 runs");
            vec![PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())]
        }
    };
    let mut files = Vec::new();
    for root in &roots {
        assert!(
            root.is_dir(),
            "conformance corpus {} is not a directory",
            root.display()
        );
        walk(root, &mut files);
    }
    files.sort();
    files.dedup();
    let step = std::env::var("CODEQUAL_CONFORMANCE_SAMPLE")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1);
    files.into_iter().step_by(step).collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if p.file_name()
                .is_some_and(|n| n == "site-packages" || n == "__pycache__")
            {
                continue;
            }
            walk(&p, out);
        } else if ft.is_file() && p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

/// Files that CPython (the reference venv's interpreter) refuses to compile.
/// They are excluded from conformance figures and counted.
pub fn cpython_rejects(reference: &Reference, files: &[PathBuf]) -> BTreeSet<PathBuf> {
    let script = r#"
import sys, ast, warnings
warnings.simplefilter("ignore")
for line in sys.stdin:
    p = line.rstrip("\n")
    try:
        with open(p, "rb") as f:
            ast.parse(f.read(), p)
    except BaseException:
        print(p)
"#;
    let input: String = files.iter().map(|f| format!("{}\n", f.display())).collect();
    let out = pipe(reference.command("python").args(["-c", script]), &input);
    out.lines().map(PathBuf::from).collect()
}

/// Runs `cmd` with `input` on stdin and returns stdout (stderr is inherited).
pub fn pipe(cmd: &mut Command, input: &str) -> String {
    use std::io::Write;
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("reference tool starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("reference tool runs");
    writer.join().expect("writer").expect("write stdin");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `cmd` over `files` in chunks on all cores and returns each chunk's
/// stdout, in order. The reference tools are single-threaded.
pub fn run_chunked(make: impl Fn() -> Command + Sync, files: &[PathBuf]) -> Vec<String> {
    let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = files.len().div_ceil(jobs * 4).max(1);
    let chunks: Vec<&[PathBuf]> = files.chunks(chunk).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<Option<String>> = vec![None; chunks.len()];
    let slots: Vec<std::sync::Mutex<Option<String>>> = results
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(files) = chunks.get(i) else { break };
                let out = make()
                    .args(files.iter())
                    .output()
                    .expect("reference tool runs");
                *slots[i].lock().expect("slot") =
                    Some(String::from_utf8_lossy(&out.stdout).into_owned());
            });
        }
    });
    for (r, s) in results.iter_mut().zip(slots) {
        *r = s.into_inner().expect("slot");
    }
    results.into_iter().map(Option::unwrap_or_default).collect()
}

/// One measured agreement figure, printed and kept for the summary.
#[derive(Debug, Clone)]
pub struct Agreement {
    /// What was compared, e.g. `cc blocks exact`.
    pub metric: String,
    /// Items that agree.
    pub agree: usize,
    /// Items compared.
    pub total: usize,
    /// Required fraction.
    pub target: f64,
}

impl Agreement {
    /// The agreeing fraction (1 when nothing was compared).
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.agree as f64 / self.total as f64
        }
    }

    /// Prints the figure and appends it to `target/conformance.tsv`.
    pub fn print(&self) {
        let line = format!(
            "conformance: {:<40} {:>7}/{:<7} = {:.4}% (target {:.2}%)",
            self.metric,
            self.agree,
            self.total,
            100.0 * self.rate(),
            100.0 * self.target
        );
        println!("{line}");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target");
        if std::fs::create_dir_all(&dir).is_ok() {
            use std::io::Write;
            if let Ok(mut f) = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("conformance.tsv"))
            {
                let _ = writeln!(
                    f,
                    "{}\t{}\t{}\t{}",
                    self.metric, self.agree, self.total, self.target
                );
            }
        }
    }

    /// Whether the target is met.
    pub fn met(&self) -> bool {
        self.rate() >= self.target
    }
}

/// Whether a pyflakes message text is one of the two this project
/// implements: `'x' imported but unused` (F401) or `local variable 'x' is
/// assigned to but never used` (F841).
pub fn is_pyflakes_unused_message(message: &str) -> bool {
    message.ends_with(" imported but unused")
        || (message.starts_with("local variable ")
            && message.ends_with(" is assigned to but never used"))
}

/// Reads a file the way radon's harvesters do (`open(path,
/// encoding='utf-8')`): strict UTF-8 with a byte-order mark kept as
/// `\u{feff}`, universal newlines. A file that is not UTF-8 gives Python's
/// `UnicodeDecodeError` message, which radon reports as the file's error.
pub fn read_like_radon(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let at = e.valid_up_to();
        let byte = bytes.get(at).copied().unwrap_or_default();
        match e.error_len() {
            None if bytes.len() - at > 1 => format!(
                "'utf-8' codec can't decode bytes in position {at}-{}: unexpected end of data",
                bytes.len() - 1
            ),
            None => format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {at}: unexpected end of data"),
            Some(_) => {
                let reason = if matches!(byte, 0x80..=0xc1 | 0xf5..=0xff) {
                    "invalid start byte"
                } else {
                    "invalid continuation byte"
                };
                format!("'utf-8' codec can't decode byte 0x{byte:02x} in position {at}: {reason}")
            }
        }
    })?;
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Runs `make()` over `files` in chunks (see [`run_chunked`]) for a radon
/// command that prints one JSON object per run (`radon raw -j`, `radon mi
/// -j`), and merges the objects. Files of a chunk whose output does not
/// parse are missing from the result.
pub fn radon_json_chunked(
    make: impl Fn() -> Command + Sync,
    files: &[PathBuf],
) -> std::collections::HashMap<String, serde_json::Value> {
    let mut merged = std::collections::HashMap::new();
    for out in run_chunked(make, files) {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&out)
        {
            merged.extend(map);
        }
    }
    merged
}

/// Runs radon's own harvester (`RawHarvester` for `"raw"`, `MIHarvester`
/// with the CLI defaults for `"mi"`) on each file separately, in chunks on
/// all cores, and returns what `radon raw -j` / `radon mi -j` print for
/// each file. The code path is the CLI's (same `Config`, same file reading
/// and error entries); running file by file lets a per-file limit of
/// `limit_s` seconds apply: radon re-tokenizes a growing buffer for every
/// line of a multi-line statement, so a module that is one huge literal
/// (`pydoc_data/topics.py`: 15,000 lines) takes hours. Such a file's entry
/// is `{"timeout": limit_s}`.
pub fn radon_harvest(
    reference: &Reference,
    kind: &str,
    files: &[PathBuf],
    limit_s: u32,
) -> std::collections::HashMap<String, serde_json::Value> {
    let script = r#"
import json, signal, sys
from radon.cli import Config
from radon.cli.harvest import MIHarvester, RawHarvester

class Timeout(BaseException):
    pass

def alarm(*_):
    raise Timeout()

signal.signal(signal.SIGALRM, alarm)
kind, limit = sys.argv[1], int(sys.argv[2])
for path in sys.argv[3:]:
    if kind == "raw":
        h = RawHarvester([path], Config(exclude=None, ignore=None, summary=False,
                                        include_ipynb=False, ipynb_cells=False))
    else:
        h = MIHarvester([path], Config(min="A", max="C", multi=True, exclude=None,
                                       ignore=None, show=False, sort=False,
                                       include_ipynb=False, ipynb_cells=False))
    signal.alarm(limit)
    try:
        r = dict(h.results if kind == "raw" else h.filtered_results)
    except Timeout:
        r = {path: {"timeout": limit}}
    finally:
        signal.alarm(0)
    print(json.dumps(r), flush=True)
"#;
    let limit = limit_s.to_string();
    let mut merged = std::collections::HashMap::new();
    for out in run_chunked(
        || {
            let mut c = reference.command("python");
            c.args(["-c", script, kind, &limit]);
            c
        },
        files,
    ) {
        for line in out.lines() {
            if let Ok(serde_json::Value::Object(map)) =
                serde_json::from_str::<serde_json::Value>(line)
            {
                merged.extend(map);
            }
        }
    }
    merged
}
