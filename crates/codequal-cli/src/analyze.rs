//! `codequal analyze`: every metric and finding of the analyzer, as JSON, or
//! a timing summary that separates parsing from the metrics.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use codequal_analyzer::{analyze_source, collect_python_files, parse, read_python_source};
use rayon::prelude::*;

/// Arguments of `analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// Print one JSON report per file, one per line.
    #[arg(long)]
    pub json: bool,
    /// Instead of reports, print how long parsing alone and the whole
    /// analysis took (in-process, files read beforehand), as JSON.
    #[arg(long)]
    pub timings: bool,
    /// Only what radon and pyflakes compute (raw, cc, Halstead, MI, unused
    /// imports and variables) and the score: no rule families.
    #[arg(long)]
    pub metrics_only: bool,
    /// Repeat the timed work this many times and keep the fastest run.
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(args: &AnalyzeArgs) -> Result<ExitCode> {
    let files = collect_python_files(&args.paths)?;
    let sources: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|p| read_python_source(&p).map(|s| (p, s)))
        .collect::<Result<_, _>>()?;
    if args.timings {
        return timings(&sources, args.repeat.max(1));
    }
    let config = if args.metrics_only {
        codequal_analyzer::Config {
            select: Vec::new(),
            ..codequal_analyzer::Config::default()
        }
    } else {
        codequal_analyzer::Config::default()
    };
    let analyze =
        |(path, src): &(PathBuf, String)| codequal_analyzer::analyze_source_at(src, path, &config);
    // One file: no thread pool to start.
    let reports: Vec<_> = if sources.len() == 1 {
        sources.iter().map(analyze).collect()
    } else {
        sources.par_iter().map(analyze).collect()
    };
    let mut out = std::io::stdout().lock();
    for r in &reports {
        if args.json {
            serde_json::to_writer(&mut out, r)?;
            std::io::Write::write_all(&mut out, b"\n")?;
        } else {
            let path = r.path.as_deref().unwrap_or("-");
            for f in &r.findings {
                std::io::Write::write_all(
                    &mut out,
                    format!(
                        "{path}:{}:{}: {} {}\n",
                        f.span.line,
                        f.span.column + 1,
                        f.code,
                        f.message
                    )
                    .as_bytes(),
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn timings(sources: &[(PathBuf, String)], repeat: usize) -> Result<ExitCode> {
    let bytes: usize = sources.iter().map(|(_, s)| s.len()).sum();
    let best = |f: &dyn Fn()| -> Duration {
        (0..repeat)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let parse_1 = best(&|| {
        for (_, s) in sources {
            std::hint::black_box(parse::parse(s));
        }
    });
    let all_1 = best(&|| {
        for (_, s) in sources {
            std::hint::black_box(analyze_source(s));
        }
    });
    let no_rules = codequal_analyzer::Config {
        select: Vec::new(),
        ..codequal_analyzer::Config::default()
    };
    let without_rules_1 = best(&|| {
        for (_, s) in sources {
            std::hint::black_box(codequal_analyzer::analyze_source_with(s, &no_rules));
        }
    });
    // The score alone, on inputs prepared beforehand.
    let prepared: Vec<_> = sources
        .iter()
        .map(|(_, s)| {
            let parsed = parse::parse(s);
            let report = analyze_source(s);
            (parsed, report)
        })
        .collect();
    let score_cfg = codequal_analyzer::score::ScoreConfig::default();
    let score_1 = best(&|| {
        for (parsed, report) in &prepared {
            let input = codequal_analyzer::score::ScoreInput {
                parsed,
                suite: parsed.suite.as_deref(),
                findings: &report.findings,
                complexity: report.complexity.as_ref(),
                halstead: report.halstead.as_ref(),
            };
            std::hint::black_box(codequal_analyzer::score::score(&input, &score_cfg));
        }
    });
    let all_par = best(&|| {
        sources.par_iter().for_each(|(_, s)| {
            std::hint::black_box(analyze_source(s));
        });
    });
    // radon's metrics and pyflakes alone: the analysis without rules, less
    // parsing and the score (which `analyze_source_with` also computes).
    let core_1 = without_rules_1
        .saturating_sub(parse_1)
        .saturating_sub(score_1);
    let summary = serde_json::json!({
        "files": sources.len(),
        "bytes": bytes,
        "threads": rayon::current_num_threads(),
        "parse_s": parse_1.as_secs_f64(),
        "analyze_s": all_1.as_secs_f64(),
        "metrics_s": all_1.saturating_sub(parse_1).as_secs_f64(),
        "metrics_over_parse": all_1.saturating_sub(parse_1).as_secs_f64() / parse_1.as_secs_f64().max(1e-12),
        "core_metrics_s": core_1.as_secs_f64(),
        "core_metrics_over_parse": core_1.as_secs_f64() / parse_1.as_secs_f64().max(1e-12),
        "analyze_parallel_s": all_par.as_secs_f64(),
        "rules_s": all_1.saturating_sub(without_rules_1).as_secs_f64(),
        "score_s": score_1.as_secs_f64(),
        "rules_and_score_over_parse": (all_1.saturating_sub(without_rules_1) + score_1).as_secs_f64() / parse_1.as_secs_f64().max(1e-12),
    });
    println!("{summary}");
    Ok(ExitCode::SUCCESS)
}
