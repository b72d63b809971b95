//! `codequal analyze`: every metric and finding of the analyzer, as JSON, or
//! a timing summary that separates parsing from the metrics.

use std::io::Write as _;
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
    // Each file's output is rendered on the worker that analysed it, then
    // written in order through one buffer.
    let outputs = crate::par_map(&sources, |(path, src)| -> Result<Vec<u8>> {
        let r = codequal_analyzer::analyze_source_at(src, path, &config);
        let mut out = Vec::new();
        if args.json {
            serde_json::to_writer(&mut out, &r)?;
            out.push(b'\n');
        } else {
            let path = path.display();
            for f in &r.findings {
                writeln!(
                    out,
                    "{path}:{}:{}: {} {}",
                    f.span.line,
                    f.span.column + 1,
                    f.code,
                    f.message
                )?;
            }
        }
        Ok(out)
    });
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    for o in outputs {
        out.write_all(&o?)?;
    }
    out.flush()?;
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
    let all_1 = best(&|| {
        for (_, s) in sources {
            std::hint::black_box(analyze_source(s));
        }
    });
    let all_par = best(&|| {
        sources.par_iter().for_each(|(_, s)| {
            std::hint::black_box(analyze_source(s));
        });
    });
    // Each phase timed by itself, file by file, in the order the analysis
    // runs them; the fastest of the repeats per phase.
    let config = codequal_analyzer::Config::default();
    let mut phases = Phases::max();
    for _ in 0..repeat {
        let mut run = Phases::default();
        for (_, s) in sources {
            run.add(&time_phases(s, &config));
        }
        phases.keep_min(&run);
    }
    let over_parse = |d: Duration| d.as_secs_f64() / phases.parse.as_secs_f64().max(1e-12);
    let on_top = phases.metrics + phases.rules + phases.score;
    let summary = serde_json::json!({
        "files": sources.len(),
        "bytes": bytes,
        "threads": rayon::current_num_threads(),
        "parse_s": phases.parse.as_secs_f64(),
        "analyze_s": all_1.as_secs_f64(),
        "metrics_s": on_top.as_secs_f64(),
        "metrics_over_parse": over_parse(on_top),
        "core_metrics_s": phases.metrics.as_secs_f64(),
        "core_metrics_over_parse": over_parse(phases.metrics),
        "analyze_parallel_s": all_par.as_secs_f64(),
        "rules_s": phases.rules.as_secs_f64(),
        "score_s": phases.score.as_secs_f64(),
        "rules_and_score_over_parse": over_parse(phases.rules + phases.score),
    });
    println!("{summary}");
    Ok(ExitCode::SUCCESS)
}

/// Time spent in each phase of the analysis.
#[derive(Debug, Default, Clone, Copy)]
struct Phases {
    /// Lexing and parsing.
    parse: Duration,
    /// What radon and pyflakes compute: raw metrics, cyclomatic complexity,
    /// Halstead, the maintainability index, unused imports and variables.
    metrics: Duration,
    /// Every rule family.
    rules: Duration,
    /// The quality score.
    score: Duration,
}

impl Phases {
    fn max() -> Self {
        Self {
            parse: Duration::MAX,
            metrics: Duration::MAX,
            rules: Duration::MAX,
            score: Duration::MAX,
        }
    }

    fn add(&mut self, other: &Self) {
        self.parse += other.parse;
        self.metrics += other.metrics;
        self.rules += other.rules;
        self.score += other.score;
    }

    fn keep_min(&mut self, other: &Self) {
        self.parse = self.parse.min(other.parse);
        self.metrics = self.metrics.min(other.metrics);
        self.rules = self.rules.min(other.rules);
        self.score = self.score.min(other.score);
    }
}

/// Runs the analysis of one source phase by phase, timing each. The phases
/// are those of the library's `build_report`, in its order.
fn time_phases(source: &str, config: &codequal_analyzer::Config) -> Phases {
    use codequal_analyzer::{metrics, pyflakes, rules, score};
    let mut phases = Phases::default();
    let t = Instant::now();
    let parsed = std::hint::black_box(parse::parse(source));
    phases.parse = t.elapsed();
    let Some(suite) = parsed.suite.as_deref() else {
        return phases;
    };
    // The walks recurse: the same stack and depth guard as the analysis.
    parse::with_stack_for(parsed.depth_bound, || {
        if parse::nesting_depth(suite, parse::MAX_AST_DEPTH) > parse::MAX_AST_DEPTH {
            return;
        }
        let t = Instant::now();
        let raw = metrics::raw::analyze(&parsed);
        let complexity = metrics::complexity::analyze(&parsed, suite);
        let halstead = metrics::halstead::analyze(&parsed, suite);
        let mi = raw.map(|raw| metrics::maintainability::of_module(&complexity, &halstead, &raw));
        let mut findings = pyflakes::unused(&parsed, suite);
        std::hint::black_box(&mi);
        phases.metrics = t.elapsed();
        let t = Instant::now();
        findings.extend(rules::Checker::new(&parsed, suite, config).run(suite));
        phases.rules = t.elapsed();
        let t = Instant::now();
        std::hint::black_box(score::score(
            &score::ScoreInput {
                parsed: &parsed,
                suite: Some(suite),
                findings: &findings,
                complexity: Some(&complexity),
                halstead: Some(&halstead),
            },
            &config.score,
        ));
        phases.score = t.elapsed();
    });
    phases
}
