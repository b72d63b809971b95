//! `codequal radon mi`: radon 6.0.1's `mi` command.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codequal_analyzer::metrics::maintainability::{
    self, Maintainability, MiError, MiOptions, MiRank,
};
use serde_json::{Map, Value};

use super::cc::{
    error_json, par_map, python_json, radon_files, read_source, syntax_error_text, write_output,
};

/// Arguments of `radon mi`.
#[derive(Debug, clap::Args)]
pub struct MiArgs {
    /// Print JSON in radon's shape.
    #[arg(short = 'j', long)]
    pub json: bool,
    /// Do not count multi-line strings as comments.
    #[arg(short = 'm', long)]
    pub multi: bool,
    /// Show the index next to the rank.
    #[arg(short = 's', long)]
    pub show: bool,
    /// The minimum rank to display (A-C).
    #[arg(short = 'n', long, default_value = "A", value_parser = parse_rank)]
    pub min: MiRank,
    /// The maximum rank to display (A-C).
    #[arg(short = 'x', long, default_value = "C", value_parser = parse_rank)]
    pub max: MiRank,
    /// Sort the results by index, lowest first.
    #[arg(long)]
    pub sort: bool,
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

fn parse_rank(s: &str) -> Result<MiRank, String> {
    match s.to_ascii_uppercase().as_str() {
        "A" => Ok(MiRank::A),
        "B" => Ok(MiRank::B),
        "C" => Ok(MiRank::C),
        _ => Err(format!("not a rank: {s} (expected A-C)")),
    }
}

/// Runs the command.
pub fn run(args: &MiArgs) -> anyhow::Result<ExitCode> {
    let options = MiOptions {
        multi_as_comments: !args.multi,
    };
    let files = radon_files(&args.paths, args.exclude.as_deref(), args.ignore.as_deref());
    let results: Vec<Result<Maintainability, String>> = par_map(&files, |name| {
        let source = read_source(Path::new(name))?;
        maintainability::analyze_source(&source, options).map_err(|e| match e {
            MiError::Syntax(e) => syntax_error_text(e),
            MiError::Raw(e) => e.to_string(),
        })
    });
    // radon's `filtered_results`: errors always, indexes within min..=max.
    let mut shown: Vec<(&String, &Result<Maintainability, String>)> = files
        .iter()
        .zip(&results)
        .filter(|(_, r)| {
            r.as_ref()
                .map_or(true, |m| args.min <= m.rank && m.rank <= args.max)
        })
        .collect();
    let text = if args.json {
        let mut out = Map::new();
        for (name, result) in &shown {
            let value = match result {
                Ok(m) => {
                    let mut entry = Map::new();
                    entry.insert("mi".into(), Value::from(m.mi));
                    entry.insert("rank".into(), Value::from(m.rank.to_string()));
                    Value::Object(entry)
                }
                Err(e) => error_json(e),
            };
            out.insert((*name).clone(), value);
        }
        python_json(&Value::Object(out)) + "\n"
    } else {
        if args.sort {
            shown.sort_by(|a, b| {
                let key = |r: &Result<Maintainability, String>| {
                    r.as_ref().map_or(f64::NEG_INFINITY, |m| m.mi)
                };
                key(a.1).total_cmp(&key(b.1))
            });
        }
        let mut out = String::new();
        for (name, result) in shown {
            match result {
                Ok(m) if args.show => out.push_str(&format!("{name} - {} ({:.2})\n", m.rank, m.mi)),
                Ok(m) => out.push_str(&format!("{name} - {}\n", m.rank)),
                Err(e) => out.push_str(&format!("{name}\n    ERROR: {e}\n")),
            }
        }
        out
    };
    write_output(args.output_file.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}
