//! `codequal radon hal`: radon 6.0.1's `hal` command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codequal_analyzer::metrics::halstead::{self, HalsteadReport};
use serde_json::{Map, Value};

use super::cc::{
    error_json, par_map, python_float, python_json, radon_files, read_source, syntax_error_text,
    write_output,
};

/// Arguments of `radon hal`.
#[derive(Debug, clap::Args)]
pub struct HalArgs {
    /// Print JSON in radon's shape (the same with or without `-f`: radon's
    /// JSON always has the total and the functions).
    #[arg(short = 'j', long)]
    pub json: bool,
    /// Report each function instead of the whole file.
    #[arg(short = 'f', long)]
    pub functions: bool,
    /// Exclude files whose path matches one of these comma-separated globs.
    #[arg(short = 'e', long)]
    pub exclude: Option<String>,
    /// Skip directories whose name matches one of these comma-separated
    /// globs (hidden directories are always skipped).
    #[arg(short = 'i', long)]
    pub ignore: Option<String>,
    /// Write the output to this file instead of standard output.
    #[arg(short = 'O', long)]
    pub output_file: Option<PathBuf>,
    /// Files or directories (searched recursively for Python files).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(args: &HalArgs) -> anyhow::Result<ExitCode> {
    let files = radon_files(&args.paths, args.exclude.as_deref(), args.ignore.as_deref());
    let results: Vec<Result<HalsteadReport, String>> = par_map(&files, |name| {
        let source = read_source(Path::new(name))?;
        halstead::analyze_source(&source).map_err(syntax_error_text)
    });
    let text = if args.json {
        let mut out = Map::new();
        for (name, result) in files.iter().zip(&results) {
            let value = match result {
                Ok(report) => report.radon_json(),
                Err(e) => error_json(e),
            };
            out.insert(name.clone(), value);
        }
        python_json(&Value::Object(out)) + "\n"
    } else {
        terminal_output(&files, &results, args.functions)
    };
    write_output(args.output_file.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

/// radon's `HCHarvester.to_terminal`. (radon itself crashes on a file it
/// cannot parse here; this prints the error the way `cc` does.)
fn terminal_output(
    files: &[String],
    results: &[Result<HalsteadReport, String>],
    by_function: bool,
) -> String {
    let mut out = String::new();
    for (name, result) in files.iter().zip(results) {
        out.push_str(&format!("{name}:\n"));
        let report = match result {
            Ok(r) => r,
            Err(e) => {
                out.push_str(&format!("    ERROR: {e}\n"));
                continue;
            }
        };
        if by_function {
            for f in &report.functions {
                out.push_str(&format!("    {}:\n", f.name));
                push_report(&mut out, &f.metrics.radon_json(), 2);
            }
        } else {
            push_report(&mut out, &report.total.radon_json(), 1);
        }
    }
    out
}

fn push_report(out: &mut String, report: &Value, indent: usize) {
    let pad = "    ".repeat(indent);
    for key in [
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
    ] {
        let value = match report.get(key) {
            Some(Value::Number(n)) if n.is_f64() => python_float(n.as_f64().unwrap_or(0.0)),
            Some(v) => v.to_string(),
            None => String::new(),
        };
        out.push_str(&format!("{pad}{key}: {value}\n"));
    }
}
