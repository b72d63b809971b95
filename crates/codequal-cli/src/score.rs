//! `codequal score`: the quality score of each file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use codequal_analyzer::score::{QualityScore, ScoreMode};
use codequal_analyzer::{analyze_source_at, collect_python_files, read_python_source};
use serde_json::json;

/// Score formulas selectable on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// The paper's library's formula.
    Pycq,
    /// Ours (size-normalised, non-saturating, guarded).
    Codequal,
}

/// Arguments of `score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// Formula; default: the configuration's (`codequal` unless set).
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// One JSON object per file, one per line: `path`, `overall` and the
    /// four characteristic scores (and the penalties and guards).
    #[arg(long)]
    pub json: bool,
    /// Expected size in logical lines (e.g. the reference solution's), for
    /// the guard against trivially short code.
    #[arg(long)]
    pub expected_lloc: Option<u32>,
    /// Configuration file; default: searched from the first PATH upward.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(args: &ScoreArgs) -> Result<ExitCode> {
    let (mut config, _) = crate::config_file::load(
        args.config.as_deref(),
        args.paths.first().map(PathBuf::as_path),
    )?;
    if let Some(m) = args.mode {
        config.score.mode = match m {
            Mode::Pycq => ScoreMode::Pycq,
            Mode::Codequal => ScoreMode::Codequal,
        };
    }
    if args.expected_lloc.is_some() {
        config.score.expected_lloc = args.expected_lloc;
    }
    let files = collect_python_files(&args.paths)?;
    let scores: Vec<(String, QualityScore)> = crate::par_map(&files, |p| {
        read_python_source(p).map(|src| {
            let r = analyze_source_at(&src, p, &config);
            (p.display().to_string(), r.score.unwrap_or_default())
        })
    })
    .into_iter()
    .collect::<Result<_, _>>()?;
    let mut out = std::io::stdout().lock();
    for (path, s) in &scores {
        let line = if args.json {
            json!({
                "path": path,
                "mode": s.mode,
                "overall": s.overall,
                "maintainability": s.maintainability,
                "security": s.security,
                "performance_efficiency": s.performance_efficiency,
                "reliability": s.reliability,
                "penalties": s.penalties,
                "guards": s.guards,
            })
            .to_string()
        } else {
            format!(
                "{path}: overall {:.4} (maintainability {:.4}, security {:.4}, performance {:.4}, reliability {:.4}){}",
                s.overall,
                s.maintainability,
                s.security,
                s.performance_efficiency,
                s.reliability,
                if s.guards.is_empty() { String::new() } else { format!(" [{}]", s.guards.join("; ")) }
            )
        };
        std::io::Write::write_all(&mut out, format!("{line}\n").as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}
