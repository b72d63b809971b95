//! Differential test against pyflakes 4.1.0 over the CPython standard
//! library: every unused-import and unused-variable message pyflakes prints
//! versus ours, compared as multisets of (file, line, message).
//!
//! Precision (how many of ours pyflakes also prints) and recall (how many
//! of pyflakes' we print) must both reach 99%. Files CPython refuses to
//! parse are excluded and counted. Remaining differences are described in
//! `docs/conformance/pyflakes.md`.

mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use codequal_analyzer::pyflakes;
use rayon::prelude::*;
use support::{Agreement, Reference};

/// (file, line, message) -> (count, columns seen).
type Messages = BTreeMap<(PathBuf, u32, String), Vec<u32>>;

fn theirs(reference: &Reference, files: &[PathBuf]) -> Messages {
    let outputs = support::run_chunked(|| reference.command("pyflakes"), files);
    let mut out = Messages::new();
    for line in outputs.iter().flat_map(|o| o.lines()) {
        let mut parts = line.splitn(4, ':');
        let (Some(path), Some(row), Some(col), Some(message)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let message = message.trim_start();
        let (Ok(row), Ok(col)) = (row.parse::<u32>(), col.parse::<u32>()) else {
            continue;
        };
        if support::is_pyflakes_unused_message(message) {
            out.entry((PathBuf::from(path), row, message.to_owned()))
                .or_default()
                .push(col);
        }
    }
    out
}

fn ours(files: &[PathBuf]) -> (Messages, Vec<PathBuf>) {
    let per_file: Vec<(PathBuf, Option<pyflakes::Check>)> = files
        .par_iter()
        .map(|path| {
            let check = codequal_analyzer::read_python_source(path)
                .ok()
                .map(|source| pyflakes::check_source(&source));
            (path.clone(), check)
        })
        .collect();
    let mut out = Messages::new();
    let mut unparsed = Vec::new();
    for (path, check) in per_file {
        let Some(check) = check.filter(|c| c.syntax_error.is_none()) else {
            unparsed.push(path);
            continue;
        };
        for f in check.findings {
            out.entry((path.clone(), f.span.line, f.message))
                .or_default()
                .push(f.span.column + 1);
        }
    }
    (out, unparsed)
}

fn count(m: &Messages) -> usize {
    m.values().map(Vec::len).sum()
}

/// Messages in `a` beyond those in `b`, with their multiplicity.
fn excess<'m>(a: &'m Messages, b: &Messages) -> Vec<(&'m (PathBuf, u32, String), usize)> {
    a.iter()
        .filter_map(|(k, cols)| {
            let other = b.get(k).map_or(0, Vec::len);
            (cols.len() > other).then(|| (k, cols.len() - other))
        })
        .collect()
}

#[test]
fn stdlib_unused_imports_and_variables_match_pyflakes() {
    let Some(reference) = Reference::find("pyflakes stdlib", &["pyflakes", "python"]) else {
        return;
    };
    let all = support::stdlib_files();
    let rejects = support::cpython_rejects(&reference, &all);
    let files: Vec<PathBuf> = all
        .iter()
        .filter(|f| !rejects.contains(*f))
        .cloned()
        .collect();
    println!(
        "pyflakes stdlib: {} files, {} excluded because CPython rejects them",
        files.len(),
        rejects.len()
    );
    let theirs = theirs(&reference, &files);
    let (ours, unparsed) = ours(&files);
    if !unparsed.is_empty() {
        println!(
            "pyflakes stdlib: {} files CPython accepts but our parser does not (their messages count as misses), e.g. {}",
            unparsed.len(),
            unparsed[0].display()
        );
    }
    let missed = excess(&theirs, &ours);
    let extra = excess(&ours, &theirs);
    let missed_n: usize = missed.iter().map(|(_, n)| n).sum();
    let extra_n: usize = extra.iter().map(|(_, n)| n).sum();
    let true_positives = count(&ours) - extra_n;
    let precision = Agreement {
        metric: "pyflakes precision".to_owned(),
        agree: true_positives,
        total: count(&ours),
        target: 0.99,
    };
    let recall = Agreement {
        metric: "pyflakes recall".to_owned(),
        agree: count(&theirs) - missed_n,
        total: count(&theirs),
        target: 0.99,
    };
    // Columns of the messages both print on the same line.
    let (mut same_column, mut compared) = (0, 0);
    for (k, cols) in &ours {
        if let Some(their_cols) = theirs.get(k) {
            let mut a = cols.clone();
            let mut b = their_cols.clone();
            a.sort_unstable();
            b.sort_unstable();
            compared += a.len().min(b.len());
            same_column += a.iter().zip(&b).filter(|(x, y)| x == y).count();
        }
    }
    let columns = Agreement {
        metric: "pyflakes columns exact".to_owned(),
        agree: same_column,
        total: compared,
        target: 0.99,
    };
    precision.print();
    recall.print();
    columns.print();
    for ((path, line, message), n) in missed.iter().take(10) {
        println!("  missed ({n}x): {}:{line}: {message}", path.display());
    }
    for ((path, line, message), n) in extra.iter().take(10) {
        println!("  extra  ({n}x): {}:{line}: {message}", path.display());
    }
    assert!(
        precision.met() && recall.met() && columns.met(),
        "pyflakes conformance below target"
    );
}
