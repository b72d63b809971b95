//! `cargo xtask bench-analyzer [--quick] [--json]`: times `codequal` against
//! the reference tools side by side, in one run, over the same files.
//!
//! Workloads:
//! - `single`: one typical module (`textwrap.py`), every tool's process
//!   start-up included, as the paper's library pays it per snippet;
//! - `tree`: the CPython standard library the machine has (`--quick`: every
//!   8th file), for codequal, radon, pyflakes and ruff. A few stdlib files
//!   take radon raw and mi minutes each, so the whole tree runs long;
//!   `--quick` is the figure docs/performance.md quotes;
//! - `rules-tree`: every 8th stdlib file, for
//!   codequal against bandit and pylint (pylint is far too slow for the
//!   whole tree in a benchmark);
//! - `completions`: the dataset's reference solutions of 30-80 lines (a
//!   typical completion), one process per snippet for every tool, as the
//!   paper's library runs them, on a sample of [`COMPLETION_SAMPLE`].
//!
//! `--exclude FRAGMENT` (repeatable) leaves out stdlib files whose path
//! contains it. Each command is run `--repeat` times (default 20 for the
//! single file, 1 otherwise), in rounds that take every command of a
//! workload in turn, and its fastest run is kept. Also prints codequal's
//! in-process split (parse, radon metrics and pyflakes, rules, score) per
//! workload, and per typical completion.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::python_env::{PythonEnv, RequirementSet};

#[derive(Debug)]
struct Options {
    quick: bool,
    json: bool,
    repeat_single: usize,
    repeat_tree: usize,
    /// Stdlib paths containing any of these are left out.
    exclude: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut o = Options {
        quick: false,
        json: false,
        // Best of 20: a 5-10 ms process on this VM varies by a third from
        // run to run, and best of 5 still showed it.
        repeat_single: 20,
        repeat_tree: 1,
        exclude: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--json" => o.json = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--exclude" => o.exclude.push(
                it.next()
                    .context("--exclude needs a path fragment")?
                    .clone(),
            ),
            "--repeat" => {
                let n: usize = it.next().context("--repeat needs a number")?.parse()?;
                o.repeat_single = n.max(1);
                o.repeat_tree = n.max(1);
            }
            other => bail!("bench-analyzer: unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    Ok(o)
}

const USAGE: &str =
    "usage: cargo xtask bench-analyzer [--quick] [--json] [--repeat N] [--exclude PATH-FRAGMENT]...

  --quick      every 8th stdlib file for the tree (default: all of them)
  --json       one JSON object instead of the table
  --repeat N   best of N runs per command (default: 20 for the single file, 1 for trees)
  --exclude F  leave out stdlib files whose path contains F (repeatable)";

/// Completions timed one process per snippet (every tool), at most this many.
const COMPLETION_SAMPLE: usize = 16;

/// The pylint symbols codequal implements: the design family's rules (their
/// names are pylint's symbols) and unused-import, which pyflakes' F401
/// stands for.
fn pylint_symbols() -> String {
    let mut symbols: Vec<&str> = codequal_analyzer::rules::all_rules()
        .filter(|r| r.family == codequal_analyzer::rules::Family::Design)
        .map(|r| r.name)
        .collect();
    symbols.push("unused-import");
    symbols.join(",")
}

/// Builds the command line for a list of files.
type CommandFor = Box<dyn Fn(&[PathBuf]) -> Command>;

/// A reference or codequal command to time.
struct Tool {
    name: &'static str,
    /// Which group the tool belongs to in the summary ratios.
    group: Group,
    make: CommandFor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// Everything: metrics, pyflakes, every rule family, the score.
    Codequal,
    /// `--metrics-only`: what radon and pyflakes compute (and the score).
    CodequalMetrics,
    RadonPyflakes,
    Ruff,
    BanditPylint,
}

impl Group {
    fn key(self) -> &'static str {
        match self {
            Group::Codequal => "codequal",
            Group::CodequalMetrics => "codequal_metrics_only",
            Group::RadonPyflakes => "radon_pyflakes",
            Group::Ruff => "ruff",
            Group::BanditPylint => "bandit_pylint",
        }
    }
}

/// One timed workload: which files, how, and which groups run on it.
struct Workload {
    name: &'static str,
    files: Vec<PathBuf>,
    /// One process per file (summed) instead of one process for all.
    per_file: bool,
    repeat: usize,
    groups: &'static [Group],
}

/// Runs the benchmark.
pub fn run(args: &[String]) -> Result<()> {
    let opts = parse_args(args)?;
    let env = PythonEnv::ensure(&[RequirementSet::REFERENCE_TOOLS])?;
    let root = crate::project_root();
    eprintln!("bench-analyzer: building codequal (release)");
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--quiet", "-p", "codequal-cli"])
        .current_dir(&root)
        .status()?;
    if !status.success() {
        bail!("building codequal failed");
    }
    let codequal = root.join("target/release/codequal");
    let all: Vec<PathBuf> = stdlib_files(&env)?
        .into_iter()
        .filter(|p| {
            let p = p.to_string_lossy();
            !opts.exclude.iter().any(|x| p.contains(x.as_str()))
        })
        .collect();
    let tree: Vec<PathBuf> = if opts.quick {
        all.iter().step_by(8).cloned().collect()
    } else {
        all.clone()
    };
    let rules_tree: Vec<PathBuf> = all.iter().step_by(8).cloned().collect();
    let single = pick_single(&all)?;
    let completions_dir = root.join("target/bench-analyzer/completions");
    let completions = write_completions(&root.join("fixtures/problems"), &completions_dir)?;
    let sample: Vec<PathBuf> = completions
        .iter()
        .step_by((completions.len() / COMPLETION_SAMPLE).max(1))
        .take(COMPLETION_SAMPLE)
        .cloned()
        .collect();

    let bin = env.bin();
    let py_tool = |name: &'static str, group: Group, args: &'static [&'static str]| Tool {
        name,
        group,
        make: {
            let exe = bin.join(args[0]);
            Box::new(move |files: &[PathBuf]| {
                let mut c = Command::new(&exe);
                c.args(&args[1..]).args(files);
                c
            })
        },
    };
    let cq = codequal.clone();
    let cq1 = codequal.clone();
    let cqm = codequal.clone();
    let pylint = bin.join("pylint");
    let enable = format!("--enable={}", pylint_symbols());
    let tools = vec![
        Tool {
            name: "codequal analyze (everything, 2 threads)",
            group: Group::Codequal,
            make: Box::new(move |files| {
                let mut c = Command::new(&cq);
                c.args(["analyze", "--json"]).args(files);
                c
            }),
        },
        Tool {
            name: "codequal analyze (everything, 1 thread)",
            group: Group::Codequal,
            make: Box::new(move |files| {
                let mut c = Command::new(&cq1);
                c.env("RAYON_NUM_THREADS", "1")
                    .args(["analyze", "--json"])
                    .args(files);
                c
            }),
        },
        Tool {
            name: "codequal analyze --metrics-only (2 threads)",
            group: Group::CodequalMetrics,
            make: Box::new(move |files| {
                let mut c = Command::new(&cqm);
                c.args(["analyze", "--json", "--metrics-only"]).args(files);
                c
            }),
        },
        py_tool("radon cc -j", Group::RadonPyflakes, &["radon", "cc", "-j"]),
        py_tool(
            "radon raw -j",
            Group::RadonPyflakes,
            &["radon", "raw", "-j"],
        ),
        py_tool("radon mi -j", Group::RadonPyflakes, &["radon", "mi", "-j"]),
        py_tool(
            "radon hal -j",
            Group::RadonPyflakes,
            &["radon", "hal", "-j"],
        ),
        py_tool("pyflakes", Group::RadonPyflakes, &["pyflakes"]),
        py_tool(
            "ruff check C901,F401,F841",
            Group::Ruff,
            &[
                "ruff",
                "check",
                "--no-cache",
                "--isolated",
                "--select",
                "C901,F401,F841",
                "--exit-zero",
            ],
        ),
        py_tool(
            "bandit -f json",
            Group::BanditPylint,
            &["bandit", "-f", "json", "-q"],
        ),
        Tool {
            name: "pylint (design family + unused-import)",
            group: Group::BanditPylint,
            make: Box::new(move |files| {
                let mut c = Command::new(&pylint);
                c.args([
                    "--output-format=json",
                    "--disable=all",
                    enable.as_str(),
                    "--jobs=1",
                    "--persistent=n",
                    "--score=n",
                    "--exit-zero",
                ])
                .args(files);
                c
            }),
        },
    ];

    use Group::{BanditPylint, Codequal, CodequalMetrics, RadonPyflakes, Ruff};
    let workloads = [
        Workload {
            name: "single",
            files: vec![single.clone()],
            per_file: false,
            repeat: opts.repeat_single,
            groups: &[Codequal, CodequalMetrics, RadonPyflakes, Ruff, BanditPylint],
        },
        Workload {
            name: "tree",
            files: tree.clone(),
            per_file: false,
            repeat: opts.repeat_tree,
            groups: &[Codequal, CodequalMetrics, RadonPyflakes, Ruff],
        },
        Workload {
            name: "rules-tree",
            files: rules_tree.clone(),
            per_file: false,
            repeat: opts.repeat_tree,
            groups: &[Codequal, BanditPylint],
        },
        Workload {
            name: "completions",
            files: sample.clone(),
            per_file: true,
            repeat: opts.repeat_tree,
            groups: &[Codequal, CodequalMetrics, RadonPyflakes, Ruff, BanditPylint],
        },
    ];

    // Rounds: every tool of a workload runs once per round, in turn, and
    // keeps its fastest round. This VM's speed drifts over seconds; taking
    // all of one tool's repeats back to back let one slow phase land on a
    // single tool.
    let mut rows = Vec::new();
    for w in &workloads {
        let in_workload: Vec<&Tool> = tools
            .iter()
            .filter(|t| w.groups.contains(&t.group))
            .collect();
        let units: Vec<Vec<PathBuf>> = if w.per_file {
            w.files.iter().map(|f| vec![f.clone()]).collect()
        } else {
            vec![w.files.clone()]
        };
        // best[tool][unit]
        let mut best = vec![vec![Duration::MAX; units.len()]; in_workload.len()];
        for round in 0..w.repeat {
            for (ti, tool) in in_workload.iter().enumerate() {
                if round == 0 {
                    eprintln!(
                        "bench-analyzer: {} ({} files{}, best of {}): {}",
                        w.name,
                        w.files.len(),
                        if w.per_file { ", a process each" } else { "" },
                        w.repeat,
                        tool.name
                    );
                }
                for (ui, unit) in units.iter().enumerate() {
                    let t = time_once(&*tool.make, unit)?;
                    best[ti][ui] = best[ti][ui].min(t);
                }
            }
        }
        for (ti, tool) in in_workload.iter().enumerate() {
            let t: Duration = best[ti].iter().sum();
            rows.push((w.name, tool.name, tool.group, t));
        }
    }

    // In-process split: parse vs metrics vs rules and score (release build,
    // one thread).
    let split = |set: &[PathBuf], repeat: usize| -> Result<serde_json::Value> {
        let out = Command::new(&codequal)
            .args(["analyze", "--timings", "--repeat", &repeat.to_string()])
            .args(set)
            .output()?;
        if !out.status.success() {
            bail!(
                "codequal analyze --timings failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(serde_json::from_slice(&out.stdout)?)
    };
    let splits = [
        ("single", split(std::slice::from_ref(&single), 20)?),
        ("tree", split(&tree, 3)?),
        ("rules-tree", split(&rules_tree, 3)?),
        ("completions", split(&completions, 20)?),
    ];

    let total = |workload: &str, group: Group| -> f64 {
        rows.iter()
            .filter(|r| r.0 == workload && r.2 == group)
            .map(|r| r.3.as_secs_f64())
            .sum()
    };
    // The first row of a codequal group in a workload: two threads.
    let cq_time = |workload: &str, group: Group| -> f64 {
        rows.iter()
            .find(|r| r.0 == workload && r.2 == group)
            .map_or(f64::NAN, |r| r.3.as_secs_f64())
    };
    let mut summaries = serde_json::Map::new();
    for w in &workloads {
        let cq = cq_time(w.name, Group::Codequal);
        // Like for like against radon and pyflakes: the metrics-only run.
        let cq_metrics = cq_time(w.name, Group::CodequalMetrics);
        let mut o = serde_json::Map::new();
        o.insert("files".into(), w.files.len().into());
        o.insert("process_per_file".into(), w.per_file.into());
        o.insert("codequal_s".into(), cq.into());
        if w.groups.contains(&Group::CodequalMetrics) {
            o.insert("codequal_metrics_only_s".into(), cq_metrics.into());
        }
        let mut reference_all = 0.0;
        for g in w
            .groups
            .iter()
            .filter(|g| !matches!(g, Group::Codequal | Group::CodequalMetrics))
        {
            let t = total(w.name, *g);
            o.insert(format!("{}_s", g.key()), t.into());
            match g {
                Group::Ruff => {
                    o.insert("codequal_over_ruff".into(), (cq / t).into());
                    o.insert(
                        "codequal_metrics_only_over_ruff".into(),
                        (cq_metrics / t).into(),
                    );
                }
                Group::RadonPyflakes => {
                    o.insert(format!("speedup_vs_{}", g.key()), (t / cq_metrics).into());
                    o.insert(
                        format!("speedup_vs_{}_everything", g.key()),
                        (t / cq).into(),
                    );
                    reference_all += t;
                }
                _ => {
                    o.insert(format!("speedup_vs_{}", g.key()), (t / cq).into());
                    reference_all += t;
                }
            }
        }
        if w.groups.contains(&Group::RadonPyflakes) && w.groups.contains(&Group::BanditPylint) {
            o.insert("reference_all_s".into(), reference_all.into());
            o.insert(
                "speedup_vs_reference_all".into(),
                (reference_all / cq).into(),
            );
        }
        if let Some((_, sp)) = splits.iter().find(|(n, _)| *n == w.name) {
            o.insert("in_process".into(), sp.clone());
        }
        summaries.insert(w.name.into(), serde_json::Value::Object(o));
    }
    let completions_split = &splits[3].1;
    let result = serde_json::json!({
        "single_file": single.display().to_string(),
        "typical_completions": {
            "files": completions.len(),
            "lines": "30-80",
            "in_process": completions_split,
        },
        "rows": rows.iter().map(|(w, n, _, t)| serde_json::json!({"workload": w, "tool": n, "seconds": t.as_secs_f64()})).collect::<Vec<_>>(),
        "workloads": summaries,
    });
    if opts.json {
        println!("{result}");
        return Ok(());
    }
    println!(
        "bench-analyzer: tree {} files; rules-tree {} files; single file {}; completions: {} snippets of 30-80 lines ({} timed a process each)",
        tree.len(),
        rules_tree.len(),
        single.display(),
        completions.len(),
        sample.len()
    );
    println!("{:<12} {:<44} {:>12}", "workload", "command", "seconds");
    for (w, n, _, t) in &rows {
        println!("{w:<12} {n:<44} {:>12.4}", t.as_secs_f64());
    }
    let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap_or(f64::NAN);
    for w in &workloads {
        let s = &result["workloads"][w.name];
        let mut line = format!(
            "{}: codequal everything {:.4} s",
            w.name,
            f(s, "codequal_s")
        );
        if s.get("codequal_metrics_only_s").is_some() {
            line += &format!(", metrics only {:.4} s", f(s, "codequal_metrics_only_s"));
        }
        if s.get("radon_pyflakes_s").is_some() {
            line += &format!(
                " | radon cc+raw+mi+hal + pyflakes {:.3} s -> {:.0}x (metrics only; everything {:.0}x)",
                f(s, "radon_pyflakes_s"),
                f(s, "speedup_vs_radon_pyflakes"),
                f(s, "speedup_vs_radon_pyflakes_everything"),
            );
        }
        for (key, label) in [
            ("bandit_pylint", "bandit + pylint"),
            ("reference_all", "all of those"),
        ] {
            if s.get(format!("{key}_s")).is_some() {
                line += &format!(
                    " | {label} {:.3} s -> {:.0}x (everything)",
                    f(s, &format!("{key}_s")),
                    f(s, &format!("speedup_vs_{key}"))
                );
            }
        }
        if s.get("ruff_s").is_some() {
            line += &format!(
                " | ruff {:.4} s -> codequal takes {:.2}x ruff's time ({:.2}x metrics only)",
                f(s, "ruff_s"),
                f(s, "codequal_over_ruff"),
                f(s, "codequal_metrics_only_over_ruff"),
            );
        }
        println!("{line}");
        let sp = &s["in_process"];
        println!(
            "{}: in-process, 1 thread: parse {:.3} ms, radon metrics + pyflakes {:.3} ms ({:.0}% on top of parsing), rules {:.3} ms + score {:.3} ms ({:.2}x the parse time)",
            w.name,
            1e3 * f(sp, "parse_s"),
            1e3 * f(sp, "core_metrics_s"),
            100.0 * f(sp, "core_metrics_over_parse"),
            1e3 * f(sp, "rules_s"),
            1e3 * f(sp, "score_s"),
            f(sp, "rules_and_score_over_parse"),
        );
    }
    let n = completions.len().max(1) as f64;
    println!(
        "typical completion (mean of {} snippets of 30-80 lines, 1 thread): parse {:.1} us; every rule and the score {:.1} us on top ({:.2}x the parse time, goal <= 1x); everything {:.1} us",
        completions.len(),
        1e6 * f(completions_split, "parse_s") / n,
        1e6 * (f(completions_split, "rules_s") + f(completions_split, "score_s")) / n,
        f(completions_split, "rules_and_score_over_parse"),
        1e6 * (f(completions_split, "analyze_s") + f(completions_split, "score_s")) / n,
    );
    Ok(())
}

/// Writes the dataset's clean and flawed reference solutions of 30-80 lines
/// into `dir`, one file each, and returns them sorted.
fn write_completions(problems: &Path, dir: &Path) -> Result<Vec<PathBuf>> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    let mut jsons = Vec::new();
    for category in
        std::fs::read_dir(problems).with_context(|| format!("reading {}", problems.display()))?
    {
        let category = category?.path();
        if category.is_dir() {
            for f in std::fs::read_dir(&category)? {
                let f = f?.path();
                if f.extension().is_some_and(|e| e == "json") {
                    jsons.push(f);
                }
            }
        }
    }
    jsons.sort();
    let mut out = Vec::new();
    for path in &jsons {
        let problem: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)
            .with_context(|| format!("parsing {}", path.display()))?;
        let id = problem["id"].as_str().unwrap_or("problem");
        for key in ["clean_solution", "flawed_solution"] {
            let Some(code) = problem[key].as_str() else {
                continue;
            };
            let lines = code.lines().count();
            if (30..=80).contains(&lines) {
                let file = dir.join(format!("{id}-{key}.py"));
                std::fs::write(&file, code)?;
                out.push(file);
            }
        }
    }
    if out.is_empty() {
        bail!("no 30-80 line solutions under {}", problems.display());
    }
    Ok(out)
}

fn time_once(make: &dyn Fn(&[PathBuf]) -> Command, files: &[PathBuf]) -> Result<Duration> {
    let mut cmd = make(files);
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let t = Instant::now();
    let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
    let elapsed = t.elapsed();
    // pyflakes exits 1 when it reports anything; only a crash is fatal.
    if status.code().is_none_or(|c| c > 1) {
        bail!("{:?} failed with {status}", cmd.get_program());
    }
    Ok(elapsed)
}

/// The stdlib files CPython accepts (`ast.parse`), without site-packages.
fn stdlib_files(env: &PythonEnv) -> Result<Vec<PathBuf>> {
    let script = r#"
import ast, os, sys, sysconfig, warnings
warnings.simplefilter("ignore")
root = sysconfig.get_paths()["stdlib"]
out = []
for d, dirs, files in os.walk(root):
    dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
    for f in sorted(files):
        if f.endswith(".py"):
            p = os.path.join(d, f)
            try:
                with open(p, "rb") as fh:
                    ast.parse(fh.read())
            except BaseException:
                continue
            out.append(p)
print("\n".join(out))
"#;
    let out = Command::new(env.venv.join("bin/python"))
        .args(["-c", script])
        .output()
        .context("listing the stdlib")?;
    if !out.status.success() {
        bail!("listing the stdlib failed");
    }
    let all: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .collect();
    Ok(all)
}

/// A typical single module: `textwrap.py` if present, else the median-sized file.
fn pick_single(files: &[PathBuf]) -> Result<PathBuf> {
    if let Some(p) = files.iter().find(|p| {
        p.ends_with("textwrap.py")
            && p.parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == "python3.11" || n.to_string_lossy().starts_with("python3"))
    }) {
        return Ok(p.clone());
    }
    let mut sized: Vec<(u64, &PathBuf)> = files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok().map(|m| (m.len(), p)))
        .collect();
    sized.sort();
    sized
        .get(sized.len() / 2)
        .map(|(_, p)| (*p).clone())
        .context("no stdlib files found")
}
