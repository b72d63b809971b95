//! `train_qwen train`: the paper's experiment. Composes the codequal reward
//! (format 0.2 + correctness 0.3 + quality 0.5 by default) with the GRPO
//! trainer on `fixtures/problems`.
//!
//! Everything that decides a run is one [`RunConfig`]; it is printed at the
//! start and saved as `train_config.json` in the run directory, which then
//! holds `metrics.jsonl`, `samples/`, `checkpoints/`, the PNG plots and
//! `summary.json`.
//!
//! Two sets of defaults, both documented on [`RunConfig`]:
//! - no `model`: the embedded default. A small Qwen2-architecture model is
//!   built on the spot ([`crate::tiny`]) and trained with settings that fit
//!   20 minutes on 2 CPU cores.
//! - `model` set: a Hugging Face checkpoint, trained with TRL's `GRPOConfig`
//!   defaults ([`TrainerConfig::default`]).
//!
//! A config file holds only what differs from the applicable defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use codequal_grpo::{
    checkpoint, AutoModel, LoadOptions, Message, Metrics, PromptExample, Trainer, TrainerConfig,
    TrainingObserver,
};
use codequal_reward::pipeline::{CodeRewards, RewardConfig, RewardPipeline};
use codequal_reward::problems::{Problem, ProblemSet, Split};
use codequal_reward::prompt::PromptTemplate;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use tch::{Device, Kind};

use crate::tiny::{self, TinyModelConfig};

/// The name of the saved configuration in a run directory.
pub const CONFIG_FILE: &str = "train_config.json";

/// Every setting of a training run.
///
/// | field | embedded default | with `model` |
/// | --- | --- | --- |
/// | `model` | none: build the tiny model | the checkpoint directory |
/// | `tiny` | [`TinyModelConfig::default`] | unused |
/// | `device`, `dtype` | `cpu`, `f32` | same |
/// | `problems` | `fixtures/problems` | same |
/// | `prompt` | [`PromptTemplate::default`] | same |
/// | `reward` | [`RewardConfig::default`]: 0.2 / 0.3 / 0.5, quality scaled by pass rate | same |
/// | `sandbox` | [`RunConfig::embedded_sandbox`] | [`codequal_sandbox::Config::default`] |
/// | `trainer` | [`RunConfig::embedded_trainer`] | [`TrainerConfig::default`] (TRL's) |
/// | `eval_split` | `validation` | same |
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    /// A Hugging Face checkpoint directory to train; `None` (the default)
    /// builds and caches the embedded tiny model.
    pub model: Option<PathBuf>,
    /// The embedded model's recipe (used when `model` is `None`).
    pub tiny: TinyModelConfig,
    /// `cpu`, `cuda` or `cuda:N` (default `cpu`).
    pub device: String,
    /// `f32`, `bf16` or `f16` (default `f32`).
    pub dtype: String,
    /// The problem set (default the workspace's `fixtures/problems`).
    pub problems: PathBuf,
    /// How a problem becomes a chat (default system prompt asking for one
    /// ```python block).
    pub prompt: PromptTemplate,
    /// The reward (weights, guard, analyzer mode).
    pub reward: RewardConfig,
    /// The sandbox the tests run in.
    pub sandbox: codequal_sandbox::Config,
    /// The GRPO loop.
    pub trainer: TrainerConfig,
    /// The problems evaluated every `trainer.eval_every` steps (default the
    /// held-out `validation` split).
    pub eval_split: Split,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            model: None,
            tiny: TinyModelConfig::default(),
            device: "cpu".to_owned(),
            dtype: "f32".to_owned(),
            problems: codequal_reward::problems::default_dir(),
            prompt: PromptTemplate::default(),
            reward: RewardConfig::default(),
            sandbox: Self::embedded_sandbox(),
            trainer: Self::embedded_trainer(),
            eval_split: Split::Validation,
        }
    }
}

impl RunConfig {
    /// The embedded default's trainer: TRL's defaults (4 prompts x 8
    /// completions per step, DAPO loss, no KL, constant learning rate)
    /// except
    /// - `max_steps` 120: with the 24 problems of the tiny model an epoch is
    ///   6 steps, so each fifth of the run (the summary compares the first
    ///   and the last) sees every problem exactly 4 times;
    /// - `temperature` 0.5: the warmed-up tiny model writes its programs
    ///   token by token, and at 1.0 a 200-token program almost never comes
    ///   out whole (measured: correctness 0.02 at 1.0, 0.6 at 0.7, 0.87 at
    ///   0.5);
    /// - `max_completion_length` 320 (the selected references fit);
    /// - learning rate 3e-5 (a 1M-parameter model trained from scratch,
    ///   not a pretrained 3B one: TRL's 1e-6 does not move it; 1e-4 and
    ///   above made it worse than not training at all, see
    ///   `docs/results.md`);
    /// - `eval_every` 20;
    /// - `save_every` 1: a checkpoint of the tiny model takes milliseconds,
    ///   so a crash loses at most the step in flight.
    pub fn embedded_trainer() -> TrainerConfig {
        let mut t = TrainerConfig {
            max_steps: 120,
            temperature: 0.5,
            max_completion_length: 320,
            eval_every: 20,
            save_every: 1,
            ..TrainerConfig::default()
        };
        t.optimizer.learning_rate = 3e-5;
        t
    }

    /// The embedded default's sandbox: the defaults with tighter time
    /// limits (2 CPU-seconds and 4 s wall per case, 8 CPU-seconds per
    /// program, instead of 5, 5 and 30). A policy of a million parameters writes the odd endless loop,
    /// and on 2 cores one such program would stall a step for a minute; the
    /// references run their cases in well under a second.
    pub fn embedded_sandbox() -> codequal_sandbox::Config {
        codequal_sandbox::Config {
            case_wall_time_s: 4.0,
            case_cpu_time_s: 2,
            program_wall_time_s: 16.0,
            program_cpu_time_s: 8.0,
            ..codequal_sandbox::Config::default()
        }
    }

    /// The defaults for training the checkpoint at `model`: TRL's trainer
    /// and the sandbox's own defaults, everything else as the embedded
    /// default.
    pub fn for_checkpoint(model: PathBuf) -> Self {
        Self {
            model: Some(model),
            trainer: TrainerConfig::default(),
            sandbox: codequal_sandbox::Config::default(),
            ..Self::default()
        }
    }

    /// Reads a config file (JSON) holding only what differs from the
    /// defaults that apply to it (a `model` key selects the checkpoint
    /// defaults).
    pub fn from_file(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let overrides: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        if !overrides.is_object() {
            bail!("{}: a config file holds one JSON object", path.display());
        }
        let base = match overrides.get("model").and_then(|m| m.as_str()) {
            Some(m) => Self::for_checkpoint(PathBuf::from(m)),
            None => Self::default(),
        };
        let mut value = serde_json::to_value(&base)?;
        merge(&mut value, overrides);
        serde_json::from_value(value).with_context(|| format!("{}: invalid config", path.display()))
    }

    /// Rejects what cannot run, before anything is built or loaded.
    pub fn validate(&self) -> Result<()> {
        parse_device(&self.device)?;
        parse_dtype(&self.dtype)?;
        self.reward
            .weights
            .validate()
            .context("invalid reward weights")?;
        self.trainer.validate().context("invalid trainer config")?;
        if let Some(m) = &self.model {
            if !m.join("config.json").is_file() {
                bail!(
                    "--model {}: not a Hugging Face checkpoint directory (no config.json)",
                    m.display()
                );
            }
        }
        Ok(())
    }
}

/// Recursively overwrites `base` with `overrides` (objects merge, anything
/// else replaces).
fn merge(base: &mut serde_json::Value, overrides: serde_json::Value) {
    match (base, overrides) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) if slot.is_object() && v.is_object() => merge(slot, v),
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

pub fn parse_device(s: &str) -> Result<Device> {
    match s {
        "cpu" => Ok(Device::Cpu),
        "cuda" => Ok(Device::Cuda(0)),
        other => match other.strip_prefix("cuda:").map(str::parse) {
            Some(Ok(n)) => Ok(Device::Cuda(n)),
            _ => bail!("unknown device `{other}` (cpu, cuda, cuda:N)"),
        },
    }
}

pub fn parse_dtype(s: &str) -> Result<Kind> {
    match s {
        "f32" => Ok(Kind::Float),
        "bf16" => Ok(Kind::BFloat16),
        "f16" => Ok(Kind::Half),
        other => bail!("unknown dtype `{other}` (f32, bf16, f16)"),
    }
}

/// The cache of built models: `$CODEQUAL_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/codequal`, else `~/.cache/codequal`; models go in its
/// `models/` folder.
pub fn cache_dir() -> Result<PathBuf> {
    let base = if let Some(d) = std::env::var_os("CODEQUAL_CACHE_DIR") {
        PathBuf::from(d)
    } else if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        PathBuf::from(d).join("codequal")
    } else if let Some(h) = std::env::var_os("HOME") {
        PathBuf::from(h).join(".cache").join("codequal")
    } else {
        bail!("no cache directory: set CODEQUAL_CACHE_DIR or HOME");
    };
    Ok(base.join("models"))
}

/// The run directory used when `--out` is not given:
/// `runs/train-qwen-YYYYMMDD-HHMMSS` under the current directory (UTC).
pub fn default_run_dir() -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    PathBuf::from("runs").join(format!(
        "train-qwen-{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// What `train` reports at the end.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The run directory.
    pub run_dir: PathBuf,
    /// Steps in `metrics.jsonl`.
    pub steps: usize,
    /// Steps averaged at each end (a fifth of the steps, at least 1).
    pub window: usize,
    /// Per metric: mean over the first and the last `window` steps.
    pub train: BTreeMap<String, (f64, f64)>,
    /// Per eval metric: the first and the last evaluation.
    pub eval: BTreeMap<String, (f64, f64)>,
    /// The newest checkpoint.
    pub checkpoint: Option<PathBuf>,
    /// The PNG plots written.
    pub plots: Vec<PathBuf>,
}

/// The step metrics compared in the summary, with their labels.
pub const SUMMARY_METRICS: &[(&str, &str)] = &[
    ("reward", "reward"),
    ("rewards/format/mean", "format"),
    ("rewards/correctness/mean", "correctness"),
    ("rewards/quality/mean", "quality"),
    ("completions/mean_length", "length"),
];

/// Reads `metrics.jsonl` and compares the first and the last fifth of the
/// steps (and the first and last evaluation).
pub fn summarize(run_dir: &Path) -> Result<Summary> {
    let path = run_dir.join("metrics.jsonl");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut steps: Vec<serde_json::Map<String, serde_json::Value>> = Vec::new();
    let mut evals: Vec<serde_json::Map<String, serde_json::Value>> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{} line {}", path.display(), i + 1))?;
        let serde_json::Value::Object(map) = v else {
            continue;
        };
        if map.keys().any(|k| k.starts_with("eval/")) {
            evals.push(map);
        } else {
            steps.push(map);
        }
    }
    let window = (steps.len() / 5).max(1);
    let mean = |rows: &[serde_json::Map<String, serde_json::Value>], key: &str| -> f64 {
        let v: Vec<f64> = rows
            .iter()
            .filter_map(|r| r.get(key).and_then(serde_json::Value::as_f64))
            .filter(|x| x.is_finite())
            .collect();
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let mut train = BTreeMap::new();
    if !steps.is_empty() {
        let first = &steps[..window.min(steps.len())];
        let last = &steps[steps.len().saturating_sub(window)..];
        for (key, _) in SUMMARY_METRICS {
            train.insert((*key).to_owned(), (mean(first, key), mean(last, key)));
        }
    }
    let mut eval = BTreeMap::new();
    if let (Some(first), Some(last)) = (evals.first(), evals.last()) {
        for key in first.keys().filter(|k| k.starts_with("eval/")) {
            let get = |r: &serde_json::Map<String, serde_json::Value>| {
                r.get(key)
                    .and_then(serde_json::Value::as_f64)
                    .unwrap_or(f64::NAN)
            };
            eval.insert(key.clone(), (get(first), get(last)));
        }
    }
    Ok(Summary {
        run_dir: run_dir.to_path_buf(),
        steps: steps.len(),
        window,
        train,
        eval,
        checkpoint: checkpoint::latest(&run_dir.join("checkpoints"))?,
        plots: Vec::new(),
    })
}

/// The summary as a table for people.
pub fn summary_table(s: &Summary) -> String {
    let mut out = format!(
        "{:<22} {:>12} {:>12} {:>9}\n",
        "metric",
        format!("first {}", s.window),
        format!("last {}", s.window),
        "change"
    );
    for (key, label) in SUMMARY_METRICS {
        if let Some((a, b)) = s.train.get(*key) {
            out.push_str(&format!(
                "{label:<22} {a:>12.4} {b:>12.4} {:>+9.4}\n",
                b - a
            ));
        }
    }
    for (key, (a, b)) in &s.eval {
        out.push_str(&format!("{key:<22} {a:>12.4} {b:>12.4} {:>+9.4}\n", b - a));
    }
    out
}

/// Shows training on a progress bar (stderr), with the live figures.
struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn new() -> Self {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{prefix} [{elapsed_precise}] {wide_bar} {pos}/{len} (eta {eta}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix("grpo");
        Self { bar }
    }
}

fn get(m: &Metrics, key: &str) -> f64 {
    m.get(key).copied().unwrap_or(f64::NAN)
}

impl TrainingObserver for Progress {
    fn on_start(&self, total: usize, start: usize) {
        self.bar.set_length(total as u64);
        self.bar.set_position(start as u64);
        self.bar.reset_eta();
    }

    fn on_step(&self, step: usize, m: &Metrics) {
        self.bar.set_position(step as u64);
        self.bar.set_message(format!(
            "reward {:.3} fmt {:.2} corr {:.2} qual {:.3} len {:.0} {:.1}s/step",
            get(m, "reward"),
            get(m, "rewards/format/mean"),
            get(m, "rewards/correctness/mean"),
            get(m, "rewards/quality/mean"),
            get(m, "completions/mean_length"),
            get(m, "step_time"),
        ));
    }

    fn on_eval(&self, step: usize, m: &Metrics) {
        self.bar.println(format!(
            "eval @ step {step}: reward {:.3} pass rate {:.3} quality {:.3} length {:.0}",
            get(m, "eval/reward"),
            get(m, "eval/pass_rate"),
            get(m, "eval/quality"),
            get(m, "eval/mean_length"),
        ));
    }

    fn on_checkpoint(&self, _step: usize, path: &Path) {
        self.bar.println(format!("checkpoint {}", path.display()));
    }

    fn on_message(&self, message: &str) {
        self.bar.println(message);
    }
}

/// Where a run starts: fresh (`None`; refused when `out` already holds a
/// run), or from the newest checkpoint of `out`.
fn prepare_run_dir(out: &Path, config: &RunConfig, resume: bool) -> Result<Option<PathBuf>> {
    let saved = out.join(CONFIG_FILE);
    let ckpts = out.join("checkpoints");
    if resume {
        if !saved.is_file() {
            bail!(
                "--resume: {} holds no run ({} is missing)",
                out.display(),
                CONFIG_FILE
            );
        }
        let previous: RunConfig = serde_json::from_str(&std::fs::read_to_string(&saved)?)
            .with_context(|| format!("reading {}", saved.display()))?;
        if &previous != config {
            let a = serde_json::to_value(&previous)?;
            let b = serde_json::to_value(config)?;
            bail!(
                "--resume: the settings differ from the run's own {} ({}); resume with the same options, or start a new run with another --out",
                saved.display(),
                differing_keys(&a, &b, "").join(", ")
            );
        }
        return Ok(checkpoint::latest(&ckpts)?);
    }
    if saved.exists() || ckpts.exists() || out.join("metrics.jsonl").exists() {
        bail!(
            "{} already holds a run; pass --resume to continue it, or choose another --out",
            out.display()
        );
    }
    Ok(None)
}

/// Creates the run directory of a new run and saves its config; called
/// once the model has loaded, so a bad model leaves nothing behind.
fn init_run_dir(out: &Path, config: &RunConfig) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    write_atomic(&out.join(CONFIG_FILE), &serde_json::to_vec_pretty(config)?)
}

fn differing_keys(a: &serde_json::Value, b: &serde_json::Value, prefix: &str) -> Vec<String> {
    match (a, b) {
        (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .flat_map(|k| {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    match (x.get(k), y.get(k)) {
                        (Some(u), Some(v)) => differing_keys(u, v, &p),
                        _ => vec![p],
                    }
                })
                .collect()
        }
        _ if a == b => Vec::new(),
        _ => vec![prefix.to_owned()],
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Problems of the run: the training ones, and those evaluated.
fn problems(config: &RunConfig) -> Result<(ProblemSet, Vec<String>, Vec<String>)> {
    let set = ProblemSet::load(&config.problems)
        .with_context(|| format!("loading problems from {}", config.problems.display()))?;
    let mut train: Vec<&Problem> = set.split(Split::Train);
    if train.is_empty() {
        bail!(
            "{}: no training problems (the dataset is empty or has no `train` split)",
            config.problems.display()
        );
    }
    if config.model.is_none() && config.tiny.train_problems > 0 {
        train = tiny::select_problems(&train, config.tiny.train_problems);
    }
    let train_ids = train.iter().map(|p| p.id.clone()).collect();
    let eval_ids = if config.trainer.eval_every == 0 {
        Vec::new()
    } else {
        set.split(config.eval_split)
            .iter()
            .map(|p| p.id.clone())
            .collect()
    };
    Ok((set, train_ids, eval_ids))
}

fn chat(template: &PromptTemplate, problem: &Problem) -> Vec<Message> {
    template
        .messages(problem)
        .into_iter()
        .map(|m| Message::new(m.role, m.content))
        .collect()
}

/// Runs (or resumes) training into `out`; returns the summary.
pub fn train(config: &RunConfig, out: &Path, resume: bool) -> Result<Summary> {
    config.validate()?;
    let (set, train_ids, eval_ids) = problems(config)?;
    let device = parse_device(&config.device)?;
    let kind = parse_dtype(&config.dtype)?;
    // Fail on a run directory in use before minutes of model building.
    let start_from = prepare_run_dir(out, config, resume)?;

    let source = match &config.model {
        Some(dir) => dir.clone(),
        None => {
            let mut examples: Vec<tiny::Example> = Vec::new();
            for p in train_ids.iter().filter_map(|id| set.get(id)) {
                examples.extend(tiny::examples(p, &config.prompt)?);
            }
            let cache = cache_dir()?;
            std::fs::create_dir_all(&cache)
                .with_context(|| format!("creating {}", cache.display()))?;
            tiny::ensure(&cache, &config.tiny, &examples, &|line| {
                eprintln!("tiny model: {line}")
            })?
        }
    };
    let options = LoadOptions { device, kind };
    let policy_dir = start_from.clone().unwrap_or_else(|| source.clone());
    let policy = AutoModel::load(&policy_dir, options)
        .with_context(|| format!("loading the policy from {}", policy_dir.display()))?;
    let tokenizer = codequal_grpo::Tokenizer::load(&policy_dir)
        .with_context(|| format!("loading the tokenizer of {}", policy_dir.display()))?;
    if !tokenizer.has_chat_template() {
        bail!(
            "{}: the tokenizer has no chat template (tokenizer_config.json `chat_template`); an instruct checkpoint is needed",
            policy_dir.display()
        );
    }
    let reference = if config.trainer.loss.beta != 0.0 {
        Some(
            AutoModel::load(&source, options)
                .with_context(|| format!("loading the reference model {}", source.display()))?,
        )
    } else {
        None
    };

    let encode = |ids: &[String]| -> Result<Vec<PromptExample>> {
        ids.iter()
            .map(|id| {
                let p = set.get(id).context("problem vanished")?;
                Ok(PromptExample {
                    id: id.clone(),
                    prompt_ids: tokenizer.chat_prompt_ids(&chat(&config.prompt, p))?,
                })
            })
            .collect()
    };
    if !resume {
        init_run_dir(out, config)?;
    }
    let train_prompts = encode(&train_ids)?;
    let mut eval_prompts = encode(&eval_ids)?;
    let context = policy.config.max_position_embeddings;
    let budget = config.trainer.max_completion_length;
    eval_prompts.retain(|p| p.prompt_ids.len() + budget <= context);

    let pipeline = RewardPipeline::new(config.reward.clone(), config.sandbox.clone())
        .context("starting the reward pipeline (sandbox)")?;
    let rewards = CodeRewards::new(pipeline, &set);
    let mut trainer = Trainer::new(
        config.trainer.clone(),
        policy,
        reference,
        &tokenizer,
        &rewards,
        train_prompts,
        eval_prompts,
        out,
    )?;
    if let Some(ckpt) = &start_from {
        trainer
            .resume_from(ckpt)
            .with_context(|| format!("resuming from {}", ckpt.display()))?;
        eprintln!(
            "resuming from {} (step {})",
            ckpt.display(),
            trainer.state().step
        );
    } else if resume {
        // Killed before its first checkpoint: start over, dropping the
        // partial metrics so the file reads as one run.
        let metrics = out.join("metrics.jsonl");
        if metrics.exists() {
            std::fs::remove_file(&metrics)?;
        }
        eprintln!(
            "no checkpoint yet in {}: starting from step 0",
            out.display()
        );
    }
    let progress = Progress::new();
    trainer.train(&progress)?;
    progress.bar.finish();
    drop(trainer);

    let mut summary = summarize(out)?;
    summary.plots = crate::plot::write_plots(out).context("writing the plots")?;
    write_atomic(
        &out.join("summary.json"),
        &serde_json::to_vec_pretty(&summary)?,
    )?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_790), (2026, 12, 3));
    }

    #[test]
    fn config_files_override_only_what_they_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        std::fs::write(
            &path,
            r#"{"trainer": {"max_steps": 7, "optimizer": {"learning_rate": 0.5}}}"#,
        )
        .unwrap();
        let c = RunConfig::from_file(&path).unwrap();
        let mut want = RunConfig::default();
        want.trainer.max_steps = 7;
        want.trainer.optimizer.learning_rate = 0.5;
        assert_eq!(c, want);
        // A `model` selects the checkpoint defaults underneath.
        std::fs::write(&path, r#"{"model": "/m"}"#).unwrap();
        let c = RunConfig::from_file(&path).unwrap();
        assert_eq!(c, RunConfig::for_checkpoint(PathBuf::from("/m")));
        assert_eq!(c.trainer, TrainerConfig::default());
        std::fs::write(&path, r#"{"trainer": {"typo": 1}}"#).unwrap();
        let err = format!("{:#}", RunConfig::from_file(&path).unwrap_err());
        assert!(err.contains("unknown field `typo`"), "{err}");
        std::fs::write(&path, "[1]").unwrap();
        assert!(RunConfig::from_file(&path).is_err());
    }

    #[test]
    fn the_committed_gpu_config_parses() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("configs/qwen2.5-3b-instruct-gpu.json");
        let c = RunConfig::from_file(&path).unwrap();
        assert_eq!(c.dtype, "bf16");
        assert_eq!(c.trainer.schedule.kind, codequal_grpo::ScheduleKind::Cosine);
        assert_eq!(c.sandbox, codequal_sandbox::Config::default());
        c.trainer.validate().unwrap();
    }

    #[test]
    fn differing_keys_name_the_paths() {
        let a = serde_json::json!({"a": {"b": 1, "c": 2}, "d": 3});
        let b = serde_json::json!({"a": {"b": 1, "c": 5}, "d": 3, "e": 0});
        assert_eq!(differing_keys(&a, &b, ""), ["a.c", "e"]);
    }

    #[test]
    fn summary_compares_first_and_last_fifths() {
        let dir = tempfile::tempdir().unwrap();
        let mut lines = vec![r#"{"step": 0, "eval/reward": 0.1}"#.to_owned()];
        for step in 1..=10 {
            lines.push(format!(
                r#"{{"step": {step}, "reward": {}, "rewards/quality/mean": {}}}"#,
                step as f64 / 10.0,
                1.0 - step as f64 / 10.0
            ));
        }
        lines.push(r#"{"step": 10, "eval/reward": 0.3}"#.to_owned());
        std::fs::write(dir.path().join("metrics.jsonl"), lines.join("\n")).unwrap();
        let s = summarize(dir.path()).unwrap();
        assert_eq!((s.steps, s.window), (10, 2));
        let (a, b) = s.train["reward"];
        assert!(
            (a - 0.15).abs() < 1e-12 && (b - 0.95).abs() < 1e-12,
            "{a} {b}"
        );
        let (a, b) = s.train["rewards/quality/mean"];
        assert!(
            (a - 0.85).abs() < 1e-12 && (b - 0.05).abs() < 1e-12,
            "{a} {b}"
        );
        assert!(s.train["rewards/correctness/mean"].0.is_nan());
        assert_eq!(s.eval["eval/reward"], (0.1, 0.3));
        assert!(summary_table(&s).contains("quality"));
    }
}
