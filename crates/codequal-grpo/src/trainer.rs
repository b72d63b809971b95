//! The GRPO training loop: sample G completions per prompt, score them
//! through a [`RewardFunction`], turn rewards into group-relative
//! advantages, and update the policy with the TRL objective
//! ([`crate::loss`]) and AdamW ([`crate::optim`]).
//!
//! One *step* is one generation batch: `prompts_per_step` prompts times
//! `num_generations` completions, split into `gradient_accumulation_steps`
//! micro-batches, optimised `num_iterations` times (one optimizer step per
//! iteration, as TRL with `steps_per_generation == gradient_accumulation_steps`).
//!
//! Outputs in the run directory:
//! - `metrics.jsonl`: one line per step with TRL's metric names (plus
//!   `timing/generate`, `timing/reward` and `timing/update`, the seconds of
//!   each phase), and one line per evaluation (`eval/*` keys);
//! - `samples/step-NNNNNN.jsonl`: sampled completions with their rewards,
//!   advantages and explanations, every `log_completions_every` steps;
//! - `checkpoints/checkpoint-NNNNNN/`: see [`crate::checkpoint`].
//!
//! Determinism: prompts are visited in an order shuffled per epoch from
//! `seed`, and each step's sampling seed is derived from `seed` and the
//! step; nothing uses libtorch's global RNG. So a run resumed from a
//! checkpoint repeats exactly what the uninterrupted run would have done
//! (on CPU, where libtorch's kernels are deterministic), provided the reward
//! function is deterministic.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use codequal_reward_api::advantage::{group_advantages, normalize_then_sum, Aggregation, Scaling};
use codequal_reward_api::{RewardFunction, Rewards};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::checkpoint;
use crate::error::{Error, Result};
use crate::logprobs::{completion_logprobs, completion_logprobs_for_training, LogprobConfig};
use crate::loss::{grpo_loss, LossConfig, LossInputs, LossMetrics};
use crate::models::AutoModel;
use crate::optim::{AdamW, AdamWConfig, LrSchedule};
use crate::sampling::{generate_ids, Sample, SamplingConfig};
use crate::tokenizer::Tokenizer;

/// Everything that decides a training run. Defaults follow TRL's
/// `GRPOConfig` where it has the setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainerConfig {
    /// Completions per prompt, GRPO's G (default 8; at least 2).
    pub num_generations: usize,
    /// Prompts per generation batch (default 4).
    pub prompts_per_step: usize,
    /// Generation batches to train on (default 100).
    pub max_steps: usize,
    /// New tokens per completion at most (default 512).
    pub max_completion_length: usize,
    /// Sampling temperature, also dividing the logits of the loss
    /// (default 1.0; must be positive).
    pub temperature: f64,
    /// Nucleus mass (default 1.0: off).
    pub top_p: f64,
    /// Top-k (default 0: off).
    pub top_k: usize,
    /// The objective (loss type, clipping, KL); its
    /// `max_completion_length` is overwritten with the one above.
    pub loss: LossConfig,
    /// AdamW (learning rate, betas, weight decay, gradient clipping).
    pub optimizer: AdamWConfig,
    /// Learning-rate schedule over optimizer steps (default constant).
    pub schedule: LrSchedule,
    /// Micro-batches per optimizer step (default 1).
    pub gradient_accumulation_steps: usize,
    /// Optimizer steps per generation batch, TRL's mu (default 1).
    pub num_iterations: usize,
    /// Exclude completions that hit `max_completion_length` from the loss
    /// (default false).
    pub mask_truncated_completions: bool,
    /// Advantage scaling (default by group std).
    pub scale_rewards: Scaling,
    /// How several rewards become one advantage (default weighted sum,
    /// then group normalisation).
    pub aggregation: Aggregation,
    /// Weights of the individual rewards for `normalize_then_sum` (default
    /// empty: all 1; `sum_then_normalize` uses the reward's composite).
    pub reward_weights: Vec<f64>,
    /// Completion positions per vocabulary projection (default 128).
    pub logprob_chunk_size: usize,
    /// Evaluate every N steps, and at the start and the end; 0 disables
    /// (default 10).
    pub eval_every: usize,
    /// Held-out prompts per evaluation; 0 means all (default 0).
    pub eval_prompts: usize,
    /// Evaluation sampling temperature; 0 is greedy (default 0.0).
    pub eval_temperature: f64,
    /// Checkpoint every N steps and at the end; 0 only at the end
    /// (default 10).
    pub save_every: usize,
    /// Checkpoints kept (default 3).
    pub keep_last: usize,
    /// Save sampled completions every N steps; 0 disables (default 10).
    pub log_completions_every: usize,
    /// Seed of the prompt order and of sampling (default 0).
    pub seed: u64,
}

impl Default for TrainerConfig {
    fn default() -> Self {
        Self {
            num_generations: 8,
            prompts_per_step: 4,
            max_steps: 100,
            max_completion_length: 512,
            temperature: 1.0,
            top_p: 1.0,
            top_k: 0,
            loss: LossConfig::default(),
            optimizer: AdamWConfig::default(),
            schedule: LrSchedule::default(),
            gradient_accumulation_steps: 1,
            num_iterations: 1,
            mask_truncated_completions: false,
            scale_rewards: Scaling::Group,
            aggregation: Aggregation::SumThenNormalize,
            reward_weights: Vec::new(),
            logprob_chunk_size: 128,
            eval_every: 10,
            eval_prompts: 0,
            eval_temperature: 0.0,
            save_every: 10,
            keep_last: 3,
            log_completions_every: 10,
            seed: 0,
        }
    }
}

impl TrainerConfig {
    /// Rejects configurations the loop cannot run, with the reason.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidInput(m));
        if self.num_generations < 2 {
            return bad(format!(
                "num_generations is {}; GRPO needs at least 2 completions per prompt to compare",
                self.num_generations
            ));
        }
        if self.prompts_per_step == 0 || self.max_steps == 0 {
            return bad("prompts_per_step and max_steps must be positive".into());
        }
        if self.max_completion_length == 0 {
            return bad("max_completion_length must be positive".into());
        }
        if !(self.temperature > 0.0 && self.temperature.is_finite()) {
            return bad(format!(
                "temperature {} must be positive (the loss divides logits by it)",
                self.temperature
            ));
        }
        if self.gradient_accumulation_steps == 0 || self.num_iterations == 0 {
            return bad("gradient_accumulation_steps and num_iterations must be positive".into());
        }
        if self.gradient_accumulation_steps > self.prompts_per_step * self.num_generations {
            return bad(format!(
                "gradient_accumulation_steps {} exceeds the {} completions of a step",
                self.gradient_accumulation_steps,
                self.prompts_per_step * self.num_generations
            ));
        }
        if self.logprob_chunk_size == 0 {
            return bad("logprob_chunk_size must be positive".into());
        }
        if self.reward_weights.iter().any(|w| !w.is_finite()) {
            return bad("reward_weights must be finite".into());
        }
        self.loss.validate()?;
        self.optimizer.validate()
    }

    /// Optimizer steps of the whole run.
    pub fn total_optimizer_steps(&self) -> usize {
        self.max_steps * self.num_iterations
    }
}

/// One prompt: the id the reward function knows it by, and its tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptExample {
    /// Identifier passed to the reward function (e.g. a problem id).
    pub id: String,
    /// The prompt's token ids (chat template applied).
    pub prompt_ids: Vec<i64>,
}

/// What the loop needs to continue exactly; saved in every checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainerState {
    /// Steps completed.
    pub step: usize,
    /// Prompts consumed so far (the position in the shuffled stream).
    pub data_position: usize,
    /// The run's seed (prompt order and sampling seeds derive from it).
    pub seed: u64,
    /// Prompt and completion tokens seen (TRL's `num_tokens`).
    pub num_tokens: u64,
    /// Steps skipped because the loss or gradients were not finite.
    pub skipped_steps: usize,
}

/// Metrics of one step or evaluation, by TRL's names.
pub type Metrics = BTreeMap<String, f64>;

/// Hooks a binary implements to show progress (libraries never print).
pub trait TrainingObserver {
    /// Before the first step: total steps and the step the run starts at.
    fn on_start(&self, _total_steps: usize, _start_step: usize) {}
    /// After a step.
    fn on_step(&self, _step: usize, _metrics: &Metrics) {}
    /// After an evaluation.
    fn on_eval(&self, _step: usize, _metrics: &Metrics) {}
    /// After a checkpoint was written.
    fn on_checkpoint(&self, _step: usize, _path: &Path) {}
    /// Something worth telling (a skipped step, a phase starting).
    fn on_message(&self, _message: &str) {}
}

/// An observer that ignores everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl TrainingObserver for Silent {}

/// One completion as saved under `samples/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SampleRecord {
    /// The step it was sampled at.
    pub step: usize,
    /// The prompt's id.
    pub prompt_id: String,
    /// The completion text.
    pub completion: String,
    /// Completion tokens.
    pub length: usize,
    /// Whether it ended with EOS.
    pub finished: bool,
    /// The rewards by name.
    pub rewards: BTreeMap<String, Option<f64>>,
    /// The composite reward.
    pub reward: Option<f64>,
    /// The advantage it was trained with.
    pub advantage: f64,
    /// Why (from the reward function).
    pub explanation: Option<serde_json::Value>,
}

/// The GRPO trainer over a policy, an optional frozen reference, and a
/// reward function.
pub struct Trainer<'a> {
    config: TrainerConfig,
    policy: AutoModel,
    reference: Option<AutoModel>,
    tokenizer: &'a Tokenizer,
    reward: &'a dyn RewardFunction,
    train: Vec<PromptExample>,
    eval: Vec<PromptExample>,
    optimizer: AdamW,
    state: TrainerState,
    out_dir: PathBuf,
    source_dir: PathBuf,
}

impl std::fmt::Debug for Trainer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trainer")
            .field("config", &self.config)
            .field("state", &self.state)
            .field("out_dir", &self.out_dir)
            .finish_non_exhaustive()
    }
}

/// SplitMix64 finaliser: decorrelates seeds derived from (seed, index).
fn mix(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The prompt order of `epoch`: a Fisher-Yates shuffle seeded by the run's
/// seed and the epoch.
fn epoch_order(n: usize, seed: u64, epoch: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut s = mix(seed, epoch.wrapping_add(0x5eed));
    for i in (1..n).rev() {
        s = mix(s, i as u64);
        let j = (s % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Mean and Bessel-corrected std of the present values (NaN when empty).
fn mean_std(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.into_iter().collect();
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    codequal_reward_api::advantage::mean_std(v)
}

impl<'a> Trainer<'a> {
    /// A trainer writing into `out_dir`. `source_dir` is the checkpoint
    /// directory the policy came from (its config and tokenizer files are
    /// copied into every checkpoint). When `config.loss.beta != 0`,
    /// `reference` must be the frozen initial model.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: TrainerConfig,
        policy: AutoModel,
        reference: Option<AutoModel>,
        tokenizer: &'a Tokenizer,
        reward: &'a dyn RewardFunction,
        train: Vec<PromptExample>,
        eval: Vec<PromptExample>,
        out_dir: impl Into<PathBuf>,
    ) -> Result<Self> {
        let mut config = config;
        config.loss.max_completion_length = config.max_completion_length;
        config.validate()?;
        if train.is_empty() {
            return Err(Error::InvalidInput(
                "the training set has no prompts".into(),
            ));
        }
        if let Some(p) = train.iter().chain(&eval).find(|p| p.prompt_ids.is_empty()) {
            return Err(Error::InvalidInput(format!("prompt `{}` is empty", p.id)));
        }
        let context = policy.config.max_position_embeddings;
        if let Some(p) = train
            .iter()
            .chain(&eval)
            .find(|p| p.prompt_ids.len() + config.max_completion_length > context)
        {
            return Err(Error::ContextExceeded {
                prompt_len: p.prompt_ids.len(),
                max_new_tokens: config.max_completion_length,
                context,
            });
        }
        if config.loss.beta != 0.0 && reference.is_none() {
            return Err(Error::InvalidInput(
                "beta != 0 needs a reference model".into(),
            ));
        }
        let names = reward.names();
        if config.aggregation == Aggregation::NormalizeThenSum
            && !config.reward_weights.is_empty()
            && config.reward_weights.len() != names.len()
        {
            return Err(Error::InvalidInput(format!(
                "{} reward_weights for {} rewards ({names:?})",
                config.reward_weights.len(),
                names.len()
            )));
        }
        // With beta = 0 no reference model is kept.
        let mut reference = if config.loss.beta == 0.0 {
            None
        } else {
            reference
        };
        if let Some(r) = &mut reference {
            r.vs.freeze();
        }
        let optimizer = AdamW::new(policy.vs.variables(), config.optimizer.clone())?;
        let source_dir = policy.dir.clone();
        let state = TrainerState {
            seed: config.seed,
            ..Default::default()
        };
        Ok(Self {
            config,
            policy,
            reference,
            tokenizer,
            reward,
            train,
            eval,
            optimizer,
            state,
            out_dir: out_dir.into(),
            source_dir,
        })
    }

    /// Continues from `checkpoint_dir`: restores the optimizer state and
    /// the trainer state (the policy must have been loaded from the same
    /// checkpoint), and cuts `metrics.jsonl` back to the checkpoint's step
    /// so the file reads as if the run had never stopped.
    pub fn resume_from(&mut self, checkpoint_dir: &Path) -> Result<()> {
        let state: TrainerState = checkpoint::read_state(checkpoint_dir)?;
        let opt = checkpoint_dir.join("optimizer.safetensors");
        self.optimizer.load(&opt)?;
        self.state = state;
        truncate_metrics(&self.out_dir.join("metrics.jsonl"), self.state.step)?;
        Ok(())
    }

    /// The current state.
    pub fn state(&self) -> &TrainerState {
        &self.state
    }

    /// The resolved configuration.
    pub fn config(&self) -> &TrainerConfig {
        &self.config
    }

    /// The policy being trained.
    pub fn policy(&self) -> &AutoModel {
        &self.policy
    }

    /// The source checkpoint directory (tokenizer and config files).
    pub fn source_dir(&self) -> &Path {
        &self.source_dir
    }

    /// Runs until `max_steps`, evaluating and checkpointing as configured.
    /// Returns the metrics of every step and evaluation run now.
    pub fn train(&mut self, observer: &dyn TrainingObserver) -> Result<Vec<Metrics>> {
        fs::create_dir_all(&self.out_dir).map_err(io(&self.out_dir))?;
        let metrics_path = self.out_dir.join("metrics.jsonl");
        let mut log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&metrics_path)
            .map_err(io(&metrics_path))?;
        let mut history = Vec::new();
        let max = self.config.max_steps;
        observer.on_start(max, self.state.step);
        let eval_on = self.config.eval_every > 0 && !self.eval.is_empty();
        if eval_on && self.state.step == 0 {
            let m = self.evaluate()?;
            write_metrics(&mut log, &metrics_path, 0, &m)?;
            observer.on_eval(0, &m);
            history.push(m);
        }
        while self.state.step < max {
            let m = self.step(observer)?;
            let step = self.state.step;
            write_metrics(&mut log, &metrics_path, step, &m)?;
            observer.on_step(step, &m);
            history.push(m);
            if eval_on && (step % self.config.eval_every == 0 || step == max) {
                let m = self.evaluate()?;
                write_metrics(&mut log, &metrics_path, step, &m)?;
                observer.on_eval(step, &m);
                history.push(m);
            }
            let every = self.config.save_every;
            if (every > 0 && step % every == 0) || step == max {
                let path = self.save_checkpoint()?;
                observer.on_checkpoint(step, &path);
            }
        }
        Ok(history)
    }

    /// Writes a checkpoint of the current state; returns its directory.
    pub fn save_checkpoint(&self) -> Result<PathBuf> {
        checkpoint::save(
            &self.out_dir.join("checkpoints"),
            self.state.step,
            &self.policy.vs,
            &self.source_dir,
            Some(&self.optimizer),
            &self.state,
            self.config.keep_last,
        )
    }

    fn next_prompts(&mut self) -> Vec<PromptExample> {
        let n = self.train.len();
        let mut out = Vec::with_capacity(self.config.prompts_per_step);
        let mut order_epoch = u64::MAX;
        let mut order = Vec::new();
        for _ in 0..self.config.prompts_per_step {
            let pos = self.state.data_position;
            let epoch = (pos / n) as u64;
            if epoch != order_epoch {
                order = epoch_order(n, self.state.seed, epoch);
                order_epoch = epoch;
            }
            out.push(self.train[order[pos % n]].clone());
            self.state.data_position += 1;
        }
        out
    }

    fn sample(
        &self,
        prompts: &[PromptExample],
        g: usize,
        temperature: f64,
        seed: u64,
    ) -> Result<Vec<Sample>> {
        let cfg = SamplingConfig {
            temperature,
            top_p: self.config.top_p,
            top_k: self.config.top_k,
            max_new_tokens: self.config.max_completion_length,
            num_samples: g,
            seed,
        };
        let ids: Vec<Vec<i64>> = prompts.iter().map(|p| p.prompt_ids.clone()).collect();
        let mut samples = tch::no_grad(|| {
            generate_ids(
                &self.policy,
                &ids,
                self.tokenizer.eos_token_ids(),
                self.tokenizer.pad_token_id(),
                &cfg,
            )
        })?;
        for s in &mut samples {
            s.text = self.tokenizer.decode(&s.token_ids, true)?;
        }
        Ok(samples)
    }

    fn score(&self, prompt_ids: &[String], samples: &[Sample]) -> Result<Vec<Rewards>> {
        let texts: Vec<String> = samples.iter().map(|s| s.text.clone()).collect();
        let rewards = self
            .reward
            .score(prompt_ids, &texts)
            .map_err(|e| Error::Reward(e.to_string()))?;
        if rewards.len() != samples.len() {
            return Err(Error::Reward(format!(
                "the reward function returned {} results for {} completions",
                rewards.len(),
                samples.len()
            )));
        }
        Ok(rewards)
    }

    /// One generation batch: sample, score, update. Returns its metrics.
    pub fn step(&mut self, observer: &dyn TrainingObserver) -> Result<Metrics> {
        let started = Instant::now();
        let cfg = self.config.clone();
        let g = cfg.num_generations;
        let step_index = self.state.step;
        let prompts = self.next_prompts();
        let samples = self.sample(
            &prompts,
            g,
            cfg.temperature,
            mix(self.state.seed, step_index as u64),
        )?;
        let generated = Instant::now();
        let prompt_ids: Vec<String> = samples
            .iter()
            .map(|s| prompts[s.prompt_index].id.clone())
            .collect();
        let rewards = self.score(&prompt_ids, &samples)?;
        let scored = Instant::now();
        let names = self.reward.names();

        let advantages = match cfg.aggregation {
            Aggregation::SumThenNormalize => {
                let composite: Vec<Option<f64>> = rewards.iter().map(|r| r.composite).collect();
                group_advantages(&composite, g, cfg.scale_rewards)
            }
            Aggregation::NormalizeThenSum => {
                let per: Vec<Vec<Option<f64>>> = rewards.iter().map(|r| r.values.clone()).collect();
                let weights = if cfg.reward_weights.is_empty() {
                    vec![1.0; names.len()]
                } else {
                    cfg.reward_weights.clone()
                };
                normalize_then_sum(&per, &weights, g)
            }
        };

        let mut m = Metrics::new();
        reward_metrics(&mut m, &names, &rewards, g, "");
        length_metrics(&mut m, &samples, "completions/");
        let prompt_tokens: usize = samples
            .iter()
            .map(|s| prompts[s.prompt_index].prompt_ids.len())
            .sum();
        let completion_tokens: usize = samples.iter().map(|s| s.token_ids.len()).sum();
        self.state.num_tokens += (prompt_tokens + completion_tokens) as u64;

        // Tensors of the whole generation batch.
        let device = self.policy.device();
        let all_prompts: Vec<Vec<i64>> = samples
            .iter()
            .map(|s| prompts[s.prompt_index].prompt_ids.clone())
            .collect();
        let all_completions: Vec<Vec<i64>> = samples.iter().map(|s| s.token_ids.clone()).collect();
        let keep: Vec<f32> = samples
            .iter()
            .map(|s| {
                if cfg.mask_truncated_completions && !s.finished {
                    0.0
                } else {
                    1.0
                }
            })
            .collect();
        let pad = self.tokenizer.pad_token_id();
        let lp_cfg = LogprobConfig {
            temperature: cfg.temperature,
            chunk_size: cfg.logprob_chunk_size,
            compute_entropy: false,
        };
        let b = samples.len();
        let ga = cfg.gradient_accumulation_steps;
        let micro: Vec<(usize, usize)> = (0..ga)
            .map(|i| (i * b / ga, (i + 1) * b / ga))
            .filter(|(s, e)| e > s)
            .collect();
        let active_total: f64 = samples
            .iter()
            .zip(&keep)
            .map(|(s, k)| s.token_ids.len() as f64 * f64::from(*k))
            .sum();

        // Old (num_iterations > 1) and reference log-probs, per micro-batch.
        let fixed = |model: &AutoModel| -> Result<Vec<Tensor>> {
            micro
                .iter()
                .map(|&(s, e)| {
                    tch::no_grad(|| {
                        completion_logprobs(
                            model,
                            &all_prompts[s..e],
                            &all_completions[s..e],
                            pad,
                            &lp_cfg,
                        )
                        .map(|o| o.logprobs)
                    })
                })
                .collect()
        };
        let old = if cfg.num_iterations > 1 {
            Some(fixed(&self.policy)?)
        } else {
            None
        };
        let reference = match &self.reference {
            Some(r) => Some(fixed(r)?),
            None => None,
        };

        let mut loss_metrics: Vec<LossMetrics> = Vec::new();
        let mut entropy_sum = 0.0;
        let mut entropy_count = 0.0;
        let mut grad_norms = Vec::new();
        let mut lr_used = 0.0;
        let mut skipped = false;
        for _iteration in 0..cfg.num_iterations {
            self.optimizer.zero_grad();
            let mut finite = true;
            for (k, &(s, e)) in micro.iter().enumerate() {
                // Memory for the head projection is bounded by the chunk:
                // the loss backpropagates into the log-probs, then `out.backward`
                // recomputes the projection a chunk at a time.
                let out = completion_logprobs_for_training(
                    &self.policy,
                    &all_prompts[s..e],
                    &all_completions[s..e],
                    pad,
                    &LogprobConfig {
                        compute_entropy: true,
                        ..lp_cfg.clone()
                    },
                )?;
                let keep_t = Tensor::from_slice(&keep[s..e])
                    .to_device(device)
                    .unsqueeze(1);
                let mask = &out.mask * keep_t;
                if let Some(entropy) = &out.entropy {
                    entropy_sum += (entropy * &mask).sum(Kind::Float).double_value(&[]);
                    entropy_count += mask.sum(Kind::Float).double_value(&[]);
                }
                let adv: Vec<f32> = advantages[s..e].iter().map(|a| *a as f32).collect();
                let adv = Tensor::from_slice(&adv).to_device(device);
                let inputs = LossInputs {
                    logprobs: &out.logprobs,
                    old_logprobs: old.as_ref().map(|o| &o[k]),
                    ref_logprobs: reference.as_ref().map(|r| &r[k]),
                    advantages: &adv,
                    mask: &mask,
                    num_items_in_batch: active_total,
                    gradient_accumulation_steps: micro.len(),
                    steps_per_generation: micro.len(),
                };
                let loss = grpo_loss(&inputs, &cfg.loss)?;
                if !loss.is_finite() {
                    finite = false;
                    loss_metrics.push(loss.metrics);
                    break;
                }
                if loss.loss.requires_grad() {
                    loss.loss.backward();
                    out.backward(&self.policy)?;
                }
                loss_metrics.push(loss.metrics);
            }
            let norm = if finite {
                self.optimizer.clip_grad_norm()
            } else {
                f64::NAN
            };
            if !norm.is_finite() {
                // A non-finite loss or gradient would poison the weights and
                // the moments: skip the update and say so.
                self.optimizer.zero_grad();
                skipped = true;
                observer.on_message(&format!(
                    "step {}: non-finite loss or gradient, update skipped",
                    step_index + 1
                ));
                break;
            }
            grad_norms.push(norm);
            let opt_step = self.optimizer.step_count() as usize;
            lr_used = cfg.optimizer.learning_rate
                * cfg.schedule.factor(opt_step, cfg.total_optimizer_steps());
            self.optimizer.step(lr_used);
        }
        self.optimizer.zero_grad();
        if skipped {
            self.state.skipped_steps += 1;
        }

        let mean_of = |f: &dyn Fn(&LossMetrics) -> f64| -> f64 {
            let v: Vec<f64> = loss_metrics.iter().map(f).filter(|x| !x.is_nan()).collect();
            if v.is_empty() {
                f64::NAN
            } else {
                v.iter().sum::<f64>() / v.len() as f64
            }
        };
        m.insert("loss".into(), mean_of(&|l| l.policy_loss));
        if cfg.loss.beta != 0.0 {
            m.insert("kl".into(), mean_of(&|l| l.kl.unwrap_or(f64::NAN)));
        }
        m.insert("entropy".into(), entropy_sum / entropy_count.max(1.0));
        m.insert(
            "clip_ratio/low_mean".into(),
            mean_of(&|l| l.clip_ratio_low_mean),
        );
        m.insert(
            "clip_ratio/low_min".into(),
            mean_of(&|l| l.clip_ratio_low_min),
        );
        m.insert(
            "clip_ratio/high_mean".into(),
            mean_of(&|l| l.clip_ratio_high_mean),
        );
        m.insert(
            "clip_ratio/high_max".into(),
            mean_of(&|l| l.clip_ratio_high_max),
        );
        m.insert(
            "clip_ratio/region_mean".into(),
            mean_of(&|l| l.clip_ratio_region_mean),
        );
        m.insert(
            "grad_norm".into(),
            grad_norms.iter().sum::<f64>() / grad_norms.len().max(1) as f64,
        );
        m.insert("learning_rate".into(), lr_used);
        m.insert("num_tokens".into(), self.state.num_tokens as f64);
        m.insert("skipped".into(), if skipped { 1.0 } else { 0.0 });

        self.state.step += 1;
        m.insert("step_time".into(), started.elapsed().as_secs_f64());
        m.insert(
            "timing/generate".into(),
            (generated - started).as_secs_f64(),
        );
        m.insert("timing/reward".into(), (scored - generated).as_secs_f64());
        m.insert("timing/update".into(), scored.elapsed().as_secs_f64());

        let every = cfg.log_completions_every;
        if every > 0 && (self.state.step % every == 0 || self.state.step == 1) {
            self.write_samples(&samples, &prompt_ids, &rewards, &advantages, &names)?;
        }
        Ok(m)
    }

    fn write_samples(
        &self,
        samples: &[Sample],
        prompt_ids: &[String],
        rewards: &[Rewards],
        advantages: &[f64],
        names: &[String],
    ) -> Result<()> {
        let dir = self.out_dir.join("samples");
        fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(format!("step-{:06}.jsonl", self.state.step));
        let mut text = String::new();
        for (((s, id), r), a) in samples.iter().zip(prompt_ids).zip(rewards).zip(advantages) {
            let record = SampleRecord {
                step: self.state.step,
                prompt_id: id.clone(),
                completion: s.text.clone(),
                length: s.token_ids.len(),
                finished: s.finished,
                rewards: names
                    .iter()
                    .cloned()
                    .zip(r.values.iter().copied())
                    .collect(),
                reward: r.composite,
                advantage: *a,
                explanation: r.explanation.clone(),
            };
            let line = serde_json::to_string(&record).map_err(|e| Error::Json {
                path: path.clone(),
                source: e,
            })?;
            text.push_str(&line);
            text.push('\n');
        }
        fs::write(&path, text).map_err(io(&path))
    }

    /// Scores one completion per held-out prompt (at `eval_temperature`):
    /// `eval/reward`, `eval/<reward name>` means, `eval/pass_rate` (the
    /// fraction whose `correctness` reward is 1, when there is one),
    /// `eval/mean_length` and `eval/terminated_ratio`.
    pub fn evaluate(&self) -> Result<Metrics> {
        let n = match self.config.eval_prompts {
            0 => self.eval.len(),
            k => k.min(self.eval.len()),
        };
        let prompts = &self.eval[..n];
        let mut m = Metrics::new();
        if prompts.is_empty() {
            return Ok(m);
        }
        let seed = mix(self.state.seed ^ 0xe7a1, self.state.step as u64);
        let samples = self.sample(prompts, 1, self.config.eval_temperature, seed)?;
        let ids: Vec<String> = samples
            .iter()
            .map(|s| prompts[s.prompt_index].id.clone())
            .collect();
        let rewards = self.score(&ids, &samples)?;
        let names = self.reward.names();
        let (mean, _) = mean_std(rewards.iter().filter_map(|r| r.composite));
        m.insert("eval/reward".into(), mean);
        for (k, name) in names.iter().enumerate() {
            let (mean, _) = mean_std(
                rewards
                    .iter()
                    .filter_map(|r| r.values.get(k).copied().flatten()),
            );
            m.insert(format!("eval/{name}"), mean);
            if name == "correctness" {
                let passed = rewards
                    .iter()
                    .filter(|r| r.values.get(k).copied().flatten() == Some(1.0))
                    .count();
                m.insert(
                    "eval/pass_rate".into(),
                    passed as f64 / rewards.len() as f64,
                );
            }
        }
        let lengths: Vec<f64> = samples.iter().map(|s| s.token_ids.len() as f64).collect();
        m.insert(
            "eval/mean_length".into(),
            lengths.iter().sum::<f64>() / lengths.len() as f64,
        );
        m.insert(
            "eval/terminated_ratio".into(),
            samples.iter().filter(|s| s.finished).count() as f64 / samples.len() as f64,
        );
        Ok(m)
    }
}

/// `reward`, `reward_std`, `frac_reward_zero_std` and `rewards/<name>/{mean,std}`.
fn reward_metrics(m: &mut Metrics, names: &[String], rewards: &[Rewards], g: usize, prefix: &str) {
    for (k, name) in names.iter().enumerate() {
        let (mean, std) = mean_std(
            rewards
                .iter()
                .filter_map(|r| r.values.get(k).copied().flatten()),
        );
        m.insert(format!("{prefix}rewards/{name}/mean"), mean);
        m.insert(format!("{prefix}rewards/{name}/std"), std);
    }
    let mut group_means = Vec::new();
    let mut group_stds = Vec::new();
    for group in rewards.chunks(g.max(1)) {
        let (mean, std) = mean_std(group.iter().filter_map(|r| r.composite));
        if !mean.is_nan() {
            group_means.push(mean);
            group_stds.push(std);
        }
    }
    let avg = |v: &[f64]| {
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    m.insert(format!("{prefix}reward"), avg(&group_means));
    m.insert(format!("{prefix}reward_std"), avg(&group_stds));
    let zero = group_stds.iter().filter(|s| s.abs() < 1e-8).count() as f64;
    m.insert(
        format!("{prefix}frac_reward_zero_std"),
        zero / group_stds.len().max(1) as f64,
    );
}

/// TRL's `completions/*` length metrics.
fn length_metrics(m: &mut Metrics, samples: &[Sample], prefix: &str) {
    let stats = |v: &[f64]| -> (f64, f64, f64) {
        if v.is_empty() {
            return (0.0, 0.0, 0.0);
        }
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (mean, min, max)
    };
    let all: Vec<f64> = samples.iter().map(|s| s.token_ids.len() as f64).collect();
    let terminated: Vec<f64> = samples
        .iter()
        .filter(|s| s.finished)
        .map(|s| s.token_ids.len() as f64)
        .collect();
    let (mean, min, max) = stats(&all);
    m.insert(format!("{prefix}mean_length"), mean);
    m.insert(format!("{prefix}min_length"), min);
    m.insert(format!("{prefix}max_length"), max);
    let (mean, min, max) = stats(&terminated);
    m.insert(format!("{prefix}mean_terminated_length"), mean);
    m.insert(format!("{prefix}min_terminated_length"), min);
    m.insert(format!("{prefix}max_terminated_length"), max);
    m.insert(
        format!("{prefix}clipped_ratio"),
        1.0 - terminated.len() as f64 / samples.len().max(1) as f64,
    );
}

/// Appends one metrics line (non-finite values as null) and flushes it.
fn write_metrics(log: &mut fs::File, path: &Path, step: usize, m: &Metrics) -> Result<()> {
    let mut obj = serde_json::Map::new();
    obj.insert("step".into(), step.into());
    for (k, v) in m {
        let value = if v.is_finite() {
            serde_json::Value::from(*v)
        } else {
            serde_json::Value::Null
        };
        obj.insert(k.clone(), value);
    }
    let line = serde_json::Value::Object(obj).to_string();
    writeln!(log, "{line}")
        .and_then(|()| log.flush())
        .map_err(io(path))
}

/// Keeps the lines of `metrics.jsonl` with `step <= step` (dropping a
/// truncated last line), atomically.
fn truncate_metrics(path: &Path, step: usize) -> Result<()> {
    let Ok(text) = fs::read_to_string(path) else {
        return Ok(());
    };
    let mut kept = String::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if v.get("step")
            .and_then(serde_json::Value::as_u64)
            .is_some_and(|s| s as usize <= step)
        {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    let tmp = path.with_extension("jsonl.tmp");
    fs::write(&tmp, kept).map_err(io(&tmp))?;
    fs::rename(&tmp, path).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_orders_are_permutations_that_differ() {
        let a = epoch_order(10, 7, 0);
        let b = epoch_order(10, 7, 1);
        let mut s = a.clone();
        s.sort_unstable();
        assert_eq!(s, (0..10).collect::<Vec<_>>());
        assert_ne!(a, b);
        assert_eq!(a, epoch_order(10, 7, 0));
    }

    #[test]
    fn config_rejects_single_generation() {
        let cfg = TrainerConfig {
            num_generations: 1,
            ..Default::default()
        };
        let err = cfg.validate().expect_err("G = 1");
        assert!(err.to_string().contains("at least 2"), "{err}");
    }

    #[test]
    fn metrics_truncation_keeps_earlier_steps() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("metrics.jsonl");
        fs::write(
            &path,
            "{\"step\":1,\"reward\":0.1}\n{\"step\":2}\n{\"step\":3}\n{\"step\":4,\"rew",
        )
        .expect("write");
        truncate_metrics(&path, 2).expect("truncate");
        let text = fs::read_to_string(&path).expect("read");
        assert_eq!(text, "{\"step\":1,\"reward\":0.1}\n{\"step\":2}\n");
    }
}
