//! Conformance of the GRPO loss, its gradients and the optimizer with TRL
//! 1.16.0 (pinned in xtask/requirements/trl.txt). The expected values come
//! from TRL's own code, run by `tests/golden/make_trl_goldens.py`:
//!
//! - `loss` cases: `GRPOTrainer.compute_loss` on hand-built batches of the
//!   tiny Qwen2 models (every loss type with and without KL, ratio 1 and
//!   ratio != 1 with asymmetric clipping, gradient accumulation 2,
//!   steps_per_generation != accumulation, tied and untied embeddings). We
//!   recompute the log-probs with [`completion_logprobs`] and the loss with
//!   [`grpo_loss`], backpropagate, and compare the loss of every
//!   micro-batch, the gradient of every parameter and the metrics TRL logs.
//! - `train` cases: `GRPOTrainer.train()` for 3-4 optimizer steps with only
//!   the generation replaced by fixed completions. We replay the same
//!   micro-batches (see [`training_steps_match_trl`]) and compare grad_norm,
//!   the clipped gradients, the learning rate and every weight after every
//!   step.
//!
//! Without the goldens the tests print that they did not run, unless
//! `CODEQUAL_REQUIRE_REFERENCE=1` (`cargo xtask test`), which fails them.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use codequal_grpo::loss::masked_mean;
use codequal_grpo::optim::decays;
use codequal_grpo::{
    completion_logprobs, grpo_loss, AdamW, AdamWConfig, AutoModel, LogprobConfig, LossConfig,
    LossInputs, LossOutput, LossType, LrSchedule, ScheduleKind,
};
use common::{load, max_abs_diff, trl_golden_dir};
use serde::Deserialize;
use tch::{Kind, Tensor};

/// Loss of a micro-batch: |ours - TRL| <= LOSS_TOL * max(1, |TRL|).
const LOSS_TOL: f64 = 1e-5;
/// Largest absolute difference of any gradient entry.
const GRAD_TOL: f64 = 1e-5;
/// Logged metrics (means over tokens, clip fractions, KL, entropy).
const METRIC_TOL: f64 = 1e-5;
/// grad_norm before clipping, relative.
const GRAD_NORM_REL_TOL: f64 = 1e-5;
/// Largest absolute difference of any weight after our AdamW step on TRL's
/// gradients.
const WEIGHT_TOL: f64 = 1e-6;
/// Free run (our gradients, our AdamW): largest weight difference as a
/// fraction of the peak learning rate.
const FREE_RUN_TOL: f64 = 0.25;

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Case {
    Loss(LossCase),
    Train(Box<TrainCase>),
}

#[derive(Deserialize)]
struct Objective {
    model: String,
    loss_type: LossType,
    beta: f64,
    epsilon_low: f64,
    epsilon_high: f64,
    max_completion_length: usize,
    temperature: f64,
    gradient_accumulation_steps: usize,
    steps_per_generation: usize,
    pad_id: i64,
}

#[derive(Deserialize)]
struct LossCase {
    #[serde(flatten)]
    objective: Objective,
    micro_batches: Vec<MicroBatch>,
    grads: String,
}

#[derive(Deserialize)]
struct TrainCase {
    #[serde(flatten)]
    objective: Objective,
    /// Each generation batch's micro-batches, as TRL shuffled and split it.
    generations: Vec<Vec<MicroBatch>>,
    /// Per optimizer step, the (generation, micro-batch) pairs it used.
    schedule: Vec<Vec<(usize, usize)>>,
    /// TRL computed old log-probs at generation time (`num_iterations > 1`);
    /// otherwise the ratio is 1.
    old_logps_at_generation: bool,
    optimizer: String,
    learning_rate: f64,
    adam_beta1: f64,
    adam_beta2: f64,
    adam_epsilon: f64,
    weight_decay: f64,
    decayed_parameters: Vec<String>,
    max_grad_norm: f64,
    lr_scheduler_type: String,
    warmup_steps: usize,
    steps: usize,
    grad_norm: Vec<f64>,
    logged_learning_rate: Vec<f64>,
    /// Gradients each step used (after clipping), per step.
    grads: Vec<String>,
    /// Weights after each step.
    weights: Vec<String>,
}

#[derive(Deserialize)]
struct MicroBatch {
    prompts: Vec<Vec<i64>>,
    completions: Vec<Vec<i64>>,
    advantages: Vec<f32>,
    num_items_in_batch: f64,
    /// The loss TRL returned (loss cases).
    loss: Option<f64>,
    /// What TRL appended to `_metrics["train"]` (loss cases).
    metrics: Option<HashMap<String, f64>>,
    /// safetensors with `trl_logps`, `old_logps`, `ref_logps` as present.
    tensors: Option<String>,
}

impl Objective {
    fn loss_config(&self) -> LossConfig {
        LossConfig {
            loss_type: self.loss_type,
            epsilon_low: self.epsilon_low,
            epsilon_high: self.epsilon_high,
            beta: self.beta,
            max_completion_length: self.max_completion_length,
            log_ratio_clamp: None,
        }
    }

    fn logprob_config(&self) -> LogprobConfig {
        LogprobConfig {
            temperature: self.temperature,
            chunk_size: 3,
            compute_entropy: true,
        }
    }
}

fn read_tensors(dir: &Path, file: Option<&str>) -> BTreeMap<String, Tensor> {
    let Some(file) = file else {
        return BTreeMap::new();
    };
    Tensor::read_safetensors(dir.join(file))
        .expect("read safetensors")
        .into_iter()
        .collect()
}

/// `[B, C_golden]` -> `[B, c]`: TRL pads completions to the batch's width;
/// ours are as wide as the longest completion (past it everything is masked).
fn narrow_to(t: &Tensor, c: i64) -> Tensor {
    t.narrow(1, 0, c).to_kind(Kind::Float)
}

/// One micro-batch through our log-probs and loss, backpropagated.
struct Forward {
    out: LossOutput,
    /// Our log-probs (detached).
    logprobs: Tensor,
    /// Masked mean of our entropies (TRL's `entropy` metric).
    entropy: f64,
}

fn logprobs(
    model: &AutoModel,
    obj: &Objective,
    mb: &MicroBatch,
) -> codequal_grpo::CompletionLogprobs {
    completion_logprobs(
        model,
        &mb.prompts,
        &mb.completions,
        obj.pad_id,
        &obj.logprob_config(),
    )
    .expect("log-probs")
}

fn forward(
    model: &AutoModel,
    obj: &Objective,
    mb: &MicroBatch,
    old: Option<&Tensor>,
    reference: Option<&Tensor>,
) -> Forward {
    let lp = logprobs(model, obj, mb);
    let c = lp.logprobs.size()[1];
    let old = old.map(|t| narrow_to(t, c));
    let reference = reference.map(|t| narrow_to(t, c));
    let advantages = Tensor::from_slice(&mb.advantages);
    let inputs = LossInputs {
        logprobs: &lp.logprobs,
        old_logprobs: old.as_ref(),
        ref_logprobs: reference.as_ref(),
        advantages: &advantages,
        mask: &lp.mask,
        num_items_in_batch: mb.num_items_in_batch,
        gradient_accumulation_steps: obj.gradient_accumulation_steps,
        steps_per_generation: obj.steps_per_generation,
    };
    let out = grpo_loss(&inputs, &obj.loss_config()).expect("loss");
    out.loss.backward();
    let entropy = masked_mean(lp.entropy.as_ref().expect("entropy"), &lp.mask);
    Forward {
        out,
        logprobs: lp.logprobs.detach(),
        entropy,
    }
}

/// Largest difference of two `[B, C]` log-prob tensors over ours' width.
fn logprob_diff(ours: &Tensor, golden: Option<&Tensor>) -> f64 {
    golden.map_or(0.0, |g| max_abs_diff(ours, &narrow_to(g, ours.size()[1])))
}

/// Our metrics under TRL's names.
fn our_metrics(f: &Forward) -> Vec<(&'static str, Option<f64>)> {
    let m = &f.out.metrics;
    vec![
        ("kl", m.kl),
        ("entropy", Some(f.entropy)),
        ("clip_ratio/low_mean", Some(m.clip_ratio_low_mean)),
        ("clip_ratio/low_min", Some(m.clip_ratio_low_min)),
        ("clip_ratio/high_mean", Some(m.clip_ratio_high_mean)),
        ("clip_ratio/high_max", Some(m.clip_ratio_high_max)),
        ("clip_ratio/region_mean", Some(m.clip_ratio_region_mean)),
    ]
}

/// Largest difference over the metrics TRL logged; every metric TRL logged
/// must be one we report, and the other way round.
fn metric_diff(case: &str, ours: &[(&str, Option<f64>)], trl: &HashMap<String, f64>) -> f64 {
    let mut worst = 0.0f64;
    for (name, value) in ours {
        match (value, trl.get(*name)) {
            (Some(a), Some(b)) => {
                let d = (a - b).abs();
                assert!(
                    d <= METRIC_TOL,
                    "{case}: metric {name}: ours {a}, TRL {b} (|diff| {d:.3e})"
                );
                worst = worst.max(d);
            }
            (None, None) => {}
            (a, b) => panic!("{case}: metric {name}: ours {a:?}, TRL {b:?}"),
        }
    }
    for name in trl.keys() {
        assert!(
            ours.iter().any(|(n, _)| n == name),
            "{case}: TRL logged {name}, which we do not compare"
        );
    }
    worst
}

fn case_dirs(root: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .expect("read TRL golden dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("case.json").is_file())
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, p)
        })
        .collect();
    dirs.sort();
    dirs
}

fn read_case(dir: &Path) -> Case {
    let text = std::fs::read_to_string(dir.join("case.json")).expect("read case.json");
    serde_json::from_str(&text).expect("parse case.json")
}

#[test]
fn grpo_loss_and_gradients_match_trl() {
    let Some(root) = trl_golden_dir("grpo_loss_and_gradients_match_trl") else {
        return;
    };
    let models = root.parent().expect("golden root");
    eprintln!("GRPO loss vs TRL 1.16.0 (loss summed over micro-batches; |diff| are maxima)");
    eprintln!(
        "{:<24} {:>13} {:>13} {:>9} {:>9} {:>9} {:>9} {:>9}  worst parameter",
        "case", "loss ours", "loss TRL", "loss", "grad", "max|grad|", "logprob", "metrics"
    );
    let mut cases = 0;
    let mut seen = Vec::new();
    let mut clipped_both_ways = Vec::new();
    for (name, dir) in case_dirs(&root) {
        let Case::Loss(case) = read_case(&dir) else {
            continue;
        };
        let obj = &case.objective;
        seen.push((obj.loss_type, obj.beta != 0.0));
        let model = load(&models.join(&obj.model));
        let mut loss_diff = 0.0f64;
        let mut metric = 0.0f64;
        let mut logprob = 0.0f64;
        let (mut ours_total, mut trl_total) = (0.0, 0.0);
        for mb in &case.micro_batches {
            let tensors = read_tensors(&dir, mb.tensors.as_deref());
            let f = forward(
                &model,
                obj,
                mb,
                tensors.get("old_logps"),
                tensors.get("ref_logps"),
            );
            let ours = f.out.loss.double_value(&[]);
            let trl = mb.loss.expect("loss case without a loss");
            let d = (ours - trl).abs();
            assert!(
                d <= LOSS_TOL * trl.abs().max(1.0),
                "{name}: loss ours {ours}, TRL {trl} (|diff| {d:.3e})"
            );
            loss_diff = loss_diff.max(d);
            ours_total += ours;
            trl_total += trl;
            logprob = logprob.max(logprob_diff(&f.logprobs, tensors.get("trl_logps")));
            let trl_metrics = mb.metrics.as_ref().expect("loss case without metrics");
            metric = metric.max(metric_diff(&name, &our_metrics(&f), trl_metrics));
            let positive = |key: &str| trl_metrics.get(key).is_some_and(|v| *v > 0.0);
            if positive("clip_ratio/low_mean") && positive("clip_ratio/high_mean") {
                clipped_both_ways.push(obj.loss_type);
            }
        }
        let golden = read_tensors(&dir, Some(&case.grads));
        let vars: BTreeMap<String, Tensor> = model.vs.variables().into_iter().collect();
        assert_eq!(
            vars.keys().collect::<Vec<_>>(),
            golden.keys().collect::<Vec<_>>(),
            "{name}: parameters with a gradient"
        );
        let mut grad_diff = 0.0f64;
        let mut grad_scale = 0.0f64;
        let mut worst_param = String::new();
        for (param, want) in &golden {
            let have = vars[param].grad();
            assert!(have.defined(), "{name}: no gradient for {param}");
            let d = max_abs_diff(&have, want);
            if d > grad_diff {
                grad_diff = d;
                worst_param.clone_from(param);
            }
            grad_scale = grad_scale.max(want.abs().max().double_value(&[]));
        }
        eprintln!(
            "{name:<24} {ours_total:>+13.8} {trl_total:>+13.8} {loss_diff:>9.2e} {grad_diff:>9.2e} {grad_scale:>9.2e} {logprob:>9.2e} {metric:>9.2e}  {worst_param}"
        );
        assert!(
            grad_diff <= GRAD_TOL,
            "{name}: gradient of {worst_param} differs by {grad_diff:.3e} (largest |grad| {grad_scale:.3e})"
        );
        cases += 1;
    }
    eprintln!("{cases} cases within tolerance");
    for loss_type in [
        LossType::Grpo,
        LossType::Bnpo,
        LossType::DrGrpo,
        LossType::Dapo,
    ] {
        for kl in [false, true] {
            assert!(
                seen.contains(&(loss_type, kl)),
                "no TRL case for {loss_type:?} with KL {kl}"
            );
        }
        assert!(
            clipped_both_ways.contains(&loss_type),
            "no TRL case for {loss_type:?} with tokens clipped on both sides"
        );
    }
}

fn schedule(kind: &str, warmup_steps: usize) -> LrSchedule {
    let kind = match kind {
        "cosine" => ScheduleKind::Cosine,
        "constant" | "constant_with_warmup" => ScheduleKind::Constant,
        other => panic!("scheduler {other} not compared"),
    };
    LrSchedule {
        kind,
        warmup_steps,
        min_lr_rate: 0.0,
    }
}

/// A model and our optimizer over it.
struct Replica {
    model: AutoModel,
    opt: AdamW,
}

impl Replica {
    fn new(dir: &Path, config: AdamWConfig) -> Self {
        let model = load(dir);
        let opt = AdamW::new(model.vs.variables(), config).expect("adamw");
        Self { model, opt }
    }

    fn vars(&self) -> HashMap<String, Tensor> {
        self.model.vs.variables()
    }

    /// Largest difference of our weights (or gradients) from `golden`, and
    /// the parameter where it is.
    fn diff(&self, golden: &BTreeMap<String, Tensor>, grads: bool) -> (f64, String) {
        let vars = self.vars();
        let mut worst = (0.0f64, String::new());
        for (param, want) in golden {
            let have = if grads {
                vars[param].grad()
            } else {
                vars[param].shallow_clone()
            };
            assert!(have.defined(), "no gradient for {param}");
            let d = max_abs_diff(&have, want);
            if d > worst.0 {
                worst = (d, param.clone());
            }
        }
        worst
    }

    /// Sets the weights to `golden` (teacher forcing).
    fn set_weights(&self, golden: &BTreeMap<String, Tensor>) {
        let vars = self.vars();
        tch::no_grad(|| {
            for (param, want) in golden {
                let mut var = vars[param].shallow_clone();
                var.copy_(want);
            }
        });
    }

    /// Makes the gradients exactly `golden`: the gradient of
    /// sum(param * golden) with respect to param is golden.
    fn set_grads(&mut self, golden: &BTreeMap<String, Tensor>) {
        self.opt.zero_grad();
        let vars = self.vars();
        let surrogate = golden
            .iter()
            .map(|(param, g)| (&vars[param] * g).sum(Kind::Float))
            .fold(
                Tensor::zeros([], (Kind::Float, tch::Device::Cpu)),
                |a, b| a + b,
            );
        surrogate.backward();
    }
}

/// Old log-probs of a generation's micro-batches, computed with `model` the
/// first time the generation is used (TRL computes them at generation time).
fn ensure_old_logps(
    old: &mut BTreeMap<(usize, usize), Tensor>,
    model: &AutoModel,
    case: &TrainCase,
    dir: &Path,
    g: usize,
) -> f64 {
    let mut diff = 0.0f64;
    if !case.old_logps_at_generation || old.keys().any(|&(h, _)| h == g) {
        return diff;
    }
    for (k, mb) in case.generations[g].iter().enumerate() {
        let lp = tch::no_grad(|| logprobs(model, &case.objective, mb)).logprobs;
        let tensors = read_tensors(dir, mb.tensors.as_deref());
        diff = diff.max(logprob_diff(&lp, tensors.get("old_logps")));
        old.insert((g, k), lp);
    }
    diff
}

/// Our loss over one optimizer step's micro-batches, backpropagated into
/// `model`; returns the largest reference log-prob difference from TRL's.
fn accumulate_step(
    model: &AutoModel,
    reference: Option<&AutoModel>,
    old: &mut BTreeMap<(usize, usize), Tensor>,
    case: &TrainCase,
    dir: &Path,
    step: usize,
) -> (f64, f64) {
    let obj = &case.objective;
    let (mut ref_diff, mut old_diff) = (0.0f64, 0.0f64);
    for &(g, part) in &case.schedule[step] {
        old_diff = old_diff.max(ensure_old_logps(old, model, case, dir, g));
        let mb = &case.generations[g][part];
        let tensors = read_tensors(dir, mb.tensors.as_deref());
        // Our reference log-probs (the initial weights), checked against
        // those of TRL's reference model.
        let reference_lp = reference.map(|r| tch::no_grad(|| logprobs(r, obj, mb)).logprobs);
        if let Some(lp) = &reference_lp {
            ref_diff = ref_diff.max(logprob_diff(lp, tensors.get("ref_logps")));
        }
        forward(model, obj, mb, old.get(&(g, part)), reference_lp.as_ref());
    }
    (ref_diff, old_diff)
}

/// Three replays of each `trainer.train()` case, step by step:
///
/// - gradients: our model set to TRL's weights before the step, our loss
///   backpropagated and clipped: grad_norm and every clipped gradient
///   against TRL's;
/// - optimizer: our AdamW fed TRL's clipped gradients: learning rate and
///   every weight after the step against TRL's;
/// - free run: our gradients and our AdamW from the start, as our trainer
///   would run. Adam's first steps move each weight by about
///   lr * g / (|g| + eps), which amplifies gradient differences of 1e-7
///   where |g| is tiny, so the free run gets a bound relative to the rate.
#[test]
fn training_steps_match_trl() {
    let Some(root) = trl_golden_dir("training_steps_match_trl") else {
        return;
    };
    let models = root.parent().expect("golden root");
    eprintln!("Training steps vs TRL 1.16.0 / transformers Trainer");
    eprintln!(
        "{:<26} {:>4} {:>11} {:>11} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "case",
        "step",
        "gnorm ours",
        "gnorm TRL",
        "rel",
        "grad",
        "lr",
        "adamw",
        "free",
        "ref lp",
        "old lp"
    );
    let mut steps = 0;
    for (name, dir) in case_dirs(&root) {
        let Case::Train(case) = read_case(&dir) else {
            continue;
        };
        let obj = &case.objective;
        assert_eq!(case.optimizer, "AdamW", "{name}");
        assert_eq!(case.weights.len(), case.steps, "{name}: snapshots");
        assert_eq!(case.grads.len(), case.steps, "{name}: snapshots");
        let model_dir = models.join(&obj.model);
        let config = AdamWConfig {
            learning_rate: case.learning_rate,
            beta1: case.adam_beta1,
            beta2: case.adam_beta2,
            eps: case.adam_epsilon,
            weight_decay: case.weight_decay,
            max_grad_norm: Some(case.max_grad_norm),
        };
        let mut forced = Replica::new(&model_dir, config.clone());
        let mut optimizer = Replica::new(
            &model_dir,
            AdamWConfig {
                max_grad_norm: None,
                ..config.clone()
            },
        );
        let mut free = Replica::new(&model_dir, config);
        let reference = (obj.beta != 0.0).then(|| load(&model_dir));

        // Which parameters are decayed is transformers' rule
        // (Trainer.get_decay_parameter_names); ours must pick the same.
        // (transformers lists a tied `lm_head.weight` as well: the same
        // tensor as `model.embed_tokens.weight`, which we hold once.)
        let vars = free.vars();
        let mut ours_decayed: Vec<&String> = vars.keys().filter(|n| decays(n)).collect();
        ours_decayed.sort();
        let trl_decayed: Vec<&String> = case
            .decayed_parameters
            .iter()
            .filter(|n| vars.contains_key(*n))
            .collect();
        assert_eq!(
            ours_decayed, trl_decayed,
            "{name}: parameters with weight decay"
        );

        let sched = schedule(&case.lr_scheduler_type, case.warmup_steps);
        let mut forced_old = BTreeMap::new();
        let mut free_old = BTreeMap::new();
        for step in 0..case.steps {
            let trl_grads = read_tensors(&dir, Some(&case.grads[step]));
            let trl_weights = read_tensors(&dir, Some(&case.weights[step]));
            let lr = case.learning_rate * sched.factor(step, case.steps);
            let trl_lr = case.logged_learning_rate[step];
            assert!(
                (lr - trl_lr).abs() <= 1e-12 * trl_lr.abs().max(1.0),
                "{name} step {step}: learning rate ours {lr}, TRL {trl_lr}"
            );

            // Gradients at TRL's weights.
            if step > 0 {
                forced.set_weights(&read_tensors(&dir, Some(&case.weights[step - 1])));
            }
            forced.opt.zero_grad();
            let (ref_diff, old_diff) = accumulate_step(
                &forced.model,
                reference.as_ref(),
                &mut forced_old,
                &case,
                &dir,
                step,
            );
            let norm = forced.opt.clip_grad_norm();
            let trl_norm = case.grad_norm[step];
            let norm_rel = (norm - trl_norm).abs() / trl_norm.abs().max(1e-12);
            let (grad_diff, grad_param) = forced.diff(&trl_grads, true);

            // AdamW on TRL's gradients.
            optimizer.set_grads(&trl_grads);
            optimizer.opt.step(lr);
            let (opt_diff, opt_param) = optimizer.diff(&trl_weights, false);

            // Free run.
            free.opt.zero_grad();
            accumulate_step(
                &free.model,
                reference.as_ref(),
                &mut free_old,
                &case,
                &dir,
                step,
            );
            free.opt.clip_grad_norm();
            free.opt.step(lr);
            let (free_diff, _) = free.diff(&trl_weights, false);

            eprintln!(
                "{name:<26} {step:>4} {norm:>11.6} {trl_norm:>11.6} {norm_rel:>8.1e} {grad_diff:>8.1e} {lr:>8.1e} {opt_diff:>8.1e} {free_diff:>8.1e} {ref_diff:>8.1e} {old_diff:>8.1e}"
            );
            assert!(
                norm_rel <= GRAD_NORM_REL_TOL,
                "{name} step {step}: grad_norm ours {norm}, TRL {trl_norm}"
            );
            assert!(
                grad_diff <= GRAD_TOL,
                "{name} step {step}: clipped gradient of {grad_param} differs by {grad_diff:.3e}"
            );
            assert!(
                opt_diff <= WEIGHT_TOL,
                "{name} step {step}: AdamW on TRL's gradients: {opt_param} differs by {opt_diff:.3e}"
            );
            assert!(
                free_diff <= FREE_RUN_TOL * case.learning_rate,
                "{name} step {step}: free run differs by {free_diff:.3e} (lr {})",
                case.learning_rate
            );
            steps += 1;
        }
    }
    eprintln!("{steps} training steps within tolerance");
    assert!(steps > 0, "no TRL train cases");
}
