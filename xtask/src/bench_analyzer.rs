//! `cargo xtask bench-analyzer [--quick] [--json]`: times `codequal` against
//! the reference tools side by side, in one run, over the same files.
//!
//! Two workloads: one typical file (every tool's process start-up included,
//! as the paper's library pays it per snippet) and the whole CPython standard
//! library the machine has (`--quick`: every 8th file). Each command is run
//! `--repeat` times (default 3 for the single file, 1 for the tree) and the
//! fastest run is kept. Also prints codequal's in-process split between
//! parsing and metrics, and its time against ruff's.

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
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut o = Options {
        quick: false,
        json: false,
        repeat_single: 5,
        repeat_tree: 1,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--json" => o.json = true,
            "--repeat" => {
                let n: usize = it.next().context("--repeat needs a number")?.parse()?;
                o.repeat_single = n.max(1);
                o.repeat_tree = n.max(1);
            }
            other => bail!(
                "bench-analyzer: unknown argument `{other}` (use --quick, --json, --repeat N)"
            ),
        }
    }
    Ok(o)
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
    Codequal,
    RadonPyflakes,
    Ruff,
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
    let files = stdlib_files(&env, opts.quick)?;
    let single = pick_single(&files)?;
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();

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
    let tools = vec![
        Tool {
            name: "codequal analyze (all metrics, 2 threads)",
            group: Group::Codequal,
            make: Box::new(move |files| {
                let mut c = Command::new(&cq);
                c.args(["analyze", "--json"]).args(files);
                c
            }),
        },
        Tool {
            name: "codequal analyze (all metrics, 1 thread)",
            group: Group::Codequal,
            make: Box::new(move |files| {
                let mut c = Command::new(&cq1);
                c.env("RAYON_NUM_THREADS", "1")
                    .args(["analyze", "--json"])
                    .args(files);
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
    ];

    let mut rows = Vec::new();
    for (workload, set, repeat) in [
        ("single", std::slice::from_ref(&single), opts.repeat_single),
        ("tree", files.as_slice(), opts.repeat_tree),
    ] {
        for tool in &tools {
            eprintln!("bench-analyzer: {workload}: {}", tool.name);
            let t = time_command(&*tool.make, set, repeat)?;
            rows.push((workload, tool.name, tool.group, t));
        }
    }

    // In-process split: parse vs metrics (release build, one thread).
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
    let split_single = split(std::slice::from_ref(&single), 20)?;
    let split_tree = split(&files, 1)?;

    let total = |workload: &str, group: Group| -> f64 {
        rows.iter()
            .filter(|r| r.0 == workload && r.2 == group)
            .map(|r| r.3.as_secs_f64())
            .sum()
    };
    let cq_time = |workload: &str| -> f64 {
        rows.iter()
            .find(|r| r.0 == workload && r.2 == Group::Codequal)
            .map_or(f64::NAN, |r| r.3.as_secs_f64())
    };
    let summary = |workload: &str, split: &serde_json::Value| {
        let cq = cq_time(workload);
        let reference = total(workload, Group::RadonPyflakes);
        let ruff = total(workload, Group::Ruff);
        serde_json::json!({
            "codequal_s": cq,
            "radon_pyflakes_s": reference,
            "ruff_s": ruff,
            "speedup_vs_radon_pyflakes": reference / cq,
            "codequal_over_ruff": cq / ruff,
            "in_process": split,
        })
    };
    let result = serde_json::json!({
        "files": files.len(),
        "bytes": bytes,
        "single_file": single.display().to_string(),
        "rows": rows.iter().map(|(w, n, _, t)| serde_json::json!({"workload": w, "tool": n, "seconds": t.as_secs_f64()})).collect::<Vec<_>>(),
        "single": summary("single", &split_single),
        "tree": summary("tree", &split_tree),
    });
    if opts.json {
        println!("{result}");
        return Ok(());
    }
    println!(
        "bench-analyzer: {} files, {:.1} MB (tree); single file {}",
        files.len(),
        bytes as f64 / 1e6,
        single.display()
    );
    println!("{:<8} {:<44} {:>12}", "workload", "command", "seconds");
    for (w, n, _, t) in &rows {
        println!("{w:<8} {n:<44} {:>12.4}", t.as_secs_f64());
    }
    for (w, split) in [("single", &split_single), ("tree", &split_tree)] {
        let s = &result[w];
        println!(
            "{w}: codequal {:.4} s | radon cc+raw+mi+hal + pyflakes {:.3} s -> {:.0}x faster | ruff {:.4} s -> codequal takes {:.2}x ruff's time",
            s["codequal_s"].as_f64().unwrap_or(f64::NAN),
            s["radon_pyflakes_s"].as_f64().unwrap_or(f64::NAN),
            s["speedup_vs_radon_pyflakes"].as_f64().unwrap_or(f64::NAN),
            s["ruff_s"].as_f64().unwrap_or(f64::NAN),
            s["codequal_over_ruff"].as_f64().unwrap_or(f64::NAN),
        );
        println!(
            "{w}: in-process, 1 thread: parse {:.3} ms, metrics {:.3} ms ({:.0}% on top of parsing)",
            1e3 * split["parse_s"].as_f64().unwrap_or(f64::NAN),
            1e3 * split["metrics_s"].as_f64().unwrap_or(f64::NAN),
            100.0 * split["metrics_over_parse"].as_f64().unwrap_or(f64::NAN),
        );
    }
    Ok(())
}

fn time_command(
    make: &dyn Fn(&[PathBuf]) -> Command,
    files: &[PathBuf],
    repeat: usize,
) -> Result<Duration> {
    let mut best = Duration::MAX;
    for _ in 0..repeat {
        let mut cmd = make(files);
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let t = Instant::now();
        let status = cmd.status().with_context(|| format!("starting {cmd:?}"))?;
        let elapsed = t.elapsed();
        // pyflakes exits 1 when it reports anything; only a crash is fatal.
        if status.code().is_none_or(|c| c > 1) {
            bail!("{:?} failed with {status}", cmd.get_program());
        }
        best = best.min(elapsed);
    }
    Ok(best)
}

/// The stdlib files CPython accepts (`ast.parse`), without site-packages.
fn stdlib_files(env: &PythonEnv, quick: bool) -> Result<Vec<PathBuf>> {
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
    Ok(if quick {
        all.into_iter().step_by(8).collect()
    } else {
        all
    })
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
