//! `codequal pyflakes`: pyflakes 4.1.0's message lines for unused imports and
//! unused variables.
//!
//! Output matches `pyflakes PATH...` filtered to those two messages:
//! `path:line:column: message` on stdout (column 1-based), per file in
//! pyflakes' order (by line, then in report order). Files are taken in
//! sorted order (pyflakes follows `os.walk`'s directory order). Syntax
//! errors go to stderr as `path:line:column: message`, without pyflakes'
//! source excerpt; the messages are the parser's, not CPython's. The exit
//! status is 1 when anything was reported, as with pyflakes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use codequal_analyzer::pyflakes;

/// Arguments of `pyflakes`.
#[derive(Debug, clap::Args)]
pub struct PyflakesArgs {
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// What one file produced: stdout lines and stderr lines.
#[derive(Debug, Default)]
struct FileOutput {
    warnings: Vec<String>,
    errors: Vec<String>,
}

/// Runs the command.
pub fn run(args: &PyflakesArgs) -> anyhow::Result<ExitCode> {
    let files = codequal_analyzer::collect_python_files(&args.paths)?;
    let outputs = check_all(&files);
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let mut count = 0usize;
    for out in &outputs {
        for line in &out.warnings {
            writeln!(stdout, "{line}")?;
        }
        for line in &out.errors {
            writeln!(stderr, "{line}")?;
        }
        count += out.warnings.len() + out.errors.len();
    }
    stdout.flush()?;
    Ok(if count > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Checks every file on all cores; results keep the input order.
fn check_all(files: &[PathBuf]) -> Vec<FileOutput> {
    let slots: Vec<Mutex<FileOutput>> = files.iter().map(|_| Mutex::default()).collect();
    let next = AtomicUsize::new(0);
    let jobs = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                let out = check_file(path);
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = out;
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect()
}

fn check_file(path: &Path) -> FileOutput {
    let shown = path.display().to_string();
    let mut out = FileOutput::default();
    let source = match codequal_analyzer::read_python_source(path) {
        Ok(source) => source,
        Err(e) => {
            out.errors.push(format!("{shown}: {e}"));
            return out;
        }
    };
    let check = pyflakes::check_source(&source);
    if let Some(e) = &check.syntax_error {
        out.errors.push(format!(
            "{shown}:{}:{}: {}",
            e.line.max(1),
            e.column + 1,
            e.message
        ));
    }
    out.warnings = check
        .findings
        .iter()
        .map(|f| pyflakes::format_message(&shown, f))
        .collect();
    out
}
