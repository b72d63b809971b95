//! Properties that need no reference: the KV cache changes nothing, padding
//! changes nothing, sampling is reproducible, log-probs agree with the
//! forward pass and carry gradients, and the chunk-recomputing training path
//! gives plain autograd's gradients. Run on random checkpoints that this
//! crate writes itself.

mod common;

use codequal_grpo::{
    completion_logprobs, completion_logprobs_for_training, generate_ids, models::attention_bias,
    AutoModel, LogprobConfig, SamplingConfig,
};
use common::{load, max_abs_diff, tiny_config, write_tiny_checkpoint};
use tch::{Kind, Tensor};

const ARCHS: [(&str, bool); 4] = [
    ("qwen2", true),
    ("qwen2", false),
    ("llama", true),
    ("olmo2", false),
];

#[test]
fn cached_decoding_equals_a_full_forward() {
    for (arch, tied) in ARCHS {
        let dir = tempfile::tempdir().expect("tempdir");
        write_tiny_checkpoint(dir.path(), &tiny_config(arch, tied));
        let model = load(dir.path());
        let ids: Vec<i64> = (0..20).map(|i| (i * 7 + 3) % 50).collect();
        let t = ids.len() as i64;
        let input = Tensor::from_slice(&ids).view([1, t]);
        let full = tch::no_grad(|| model.forward(&input, &input.ones_like()).expect("forward"));
        let mut cache = model.new_cache();
        let mut steps = Vec::new();
        tch::no_grad(|| {
            // Prefill 5 tokens, then one at a time.
            let prefill = 5;
            let mask = Tensor::ones([1, t], (Kind::Int64, tch::Device::Cpu));
            let pos = Tensor::arange(t, (Kind::Int64, tch::Device::Cpu)).view([1, t]);
            let h = model.forward_hidden(
                &input.narrow(1, 0, prefill),
                &pos.narrow(1, 0, prefill),
                &attention_bias(&mask.narrow(1, 0, prefill), 0, prefill),
                Some(&mut cache),
            );
            steps.push(model.lm_head(&h));
            for i in prefill..t {
                let h = model.forward_hidden(
                    &input.narrow(1, i, 1),
                    &pos.narrow(1, i, 1),
                    &attention_bias(&mask.narrow(1, 0, i + 1), i, 1),
                    Some(&mut cache),
                );
                steps.push(model.lm_head(&h));
            }
        });
        let cached = Tensor::cat(&steps, 1);
        let diff = max_abs_diff(&full, &cached);
        eprintln!("{arch} tied={tied}: cached vs full max |diff| = {diff:.2e}");
        assert!(diff < 1e-4, "{arch}: {diff}");
    }
}

#[test]
fn left_padding_changes_nothing() {
    for (arch, tied) in ARCHS {
        let dir = tempfile::tempdir().expect("tempdir");
        write_tiny_checkpoint(dir.path(), &tiny_config(arch, tied));
        let model = load(dir.path());
        let prompt: Vec<i64> = vec![5, 9, 13, 2, 44];
        let alone = generate_ids(&model, std::slice::from_ref(&prompt), &[], 0, &greedy(12))
            .expect("generate");
        let batch =
            generate_ids(&model, &[vec![1; 11], prompt], &[], 0, &greedy(12)).expect("generate");
        assert_eq!(alone[0].token_ids, batch[1].token_ids, "{arch}");
    }
}

fn greedy(max_new_tokens: usize) -> SamplingConfig {
    SamplingConfig {
        temperature: 0.0,
        max_new_tokens,
        ..SamplingConfig::default()
    }
}

#[test]
fn sampling_is_reproducible_and_stops_at_eos() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tiny_checkpoint(dir.path(), &tiny_config("qwen2", true));
    let model = load(dir.path());
    let cfg = SamplingConfig {
        temperature: 1.0,
        top_p: 0.9,
        top_k: 20,
        max_new_tokens: 16,
        num_samples: 4,
        seed: 5,
    };
    let prompts = [vec![3, 4, 5], vec![7, 8]];
    let eos = [0, 1, 2, 3, 4, 5, 6, 7];
    let a = generate_ids(&model, &prompts, &eos, 0, &cfg).expect("generate");
    let b = generate_ids(&model, &prompts, &eos, 0, &cfg).expect("generate");
    assert_eq!(a, b);
    assert_eq!(a.len(), 8);
    assert!(
        a.iter().any(|s| s.token_ids != a[0].token_ids),
        "samples differ"
    );
    for s in &a {
        let ended = s.token_ids.last().is_some_and(|t| eos.contains(t));
        assert_eq!(s.finished, ended);
        assert!(s.finished || s.token_ids.len() == 16);
        assert!(!s.token_ids[..s.token_ids.len() - 1]
            .iter()
            .any(|t| eos.contains(t)));
    }
    let c = generate_ids(
        &model,
        &prompts,
        &eos,
        0,
        &SamplingConfig { seed: 6, ..cfg },
    )
    .expect("generate");
    assert_ne!(a, c);
}

#[test]
fn logprobs_match_the_forward_pass_and_carry_gradients() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tiny_checkpoint(dir.path(), &tiny_config("llama", false));
    let model = load(dir.path());
    let prompts = vec![vec![4, 5, 6, 7], vec![9]];
    let completions = vec![vec![10, 11], vec![12, 13, 14]];
    let cfg = LogprobConfig {
        temperature: 0.7,
        chunk_size: 2,
        ..Default::default()
    };
    let out = completion_logprobs(&model, &prompts, &completions, 0, &cfg).expect("logprobs");
    assert_eq!(out.logprobs.size(), [2, 3]);
    // The reference: one unpadded forward per sequence.
    for (b, (p, c)) in prompts.iter().zip(&completions).enumerate() {
        let seq: Vec<i64> = p.iter().chain(c).copied().collect();
        let input = Tensor::from_slice(&seq).view([1, seq.len() as i64]);
        let logits = tch::no_grad(|| model.forward(&input, &input.ones_like()).expect("forward"));
        let lp = (logits / 0.7).log_softmax(-1, Kind::Float);
        for (j, &tok) in c.iter().enumerate() {
            let want = lp.double_value(&[0, (p.len() + j - 1) as i64, tok]);
            let have = out.logprobs.double_value(&[b as i64, j as i64]);
            assert!((want - have).abs() < 1e-5, "{b} {j}: {want} vs {have}");
        }
    }
    assert_eq!(out.mask.double_value(&[0, 2]), 0.0);
    let loss = -(out.logprobs.sum(Kind::Float));
    loss.backward();
    let grads: f64 = model
        .vs
        .trainable_variables()
        .iter()
        .map(|v| v.grad().abs().sum(Kind::Float).double_value(&[]))
        .sum();
    assert!(grads > 0.0);
}

#[test]
fn bf16_runs_close_to_f32() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tiny_checkpoint(dir.path(), &tiny_config("qwen2", true));
    let f32_model = load(dir.path());
    let bf16 = codequal_grpo::AutoModel::load(
        dir.path(),
        codequal_grpo::LoadOptions {
            kind: Kind::BFloat16,
            ..Default::default()
        },
    )
    .expect("load bf16");
    let input = Tensor::from_slice(&[1i64, 2, 3, 4]).view([1, 4]);
    let a = tch::no_grad(|| f32_model.forward(&input, &input.ones_like()).expect("f32"));
    let b = tch::no_grad(|| bf16.forward(&input, &input.ones_like()).expect("bf16"));
    assert_eq!(b.kind(), Kind::BFloat16);
    let diff = max_abs_diff(&a, &b.to_kind(Kind::Float));
    assert!(diff < 0.5, "{diff}");
}

/// Every variable's gradient, by name, then zeroed.
fn take_grads(model: &AutoModel) -> Vec<(String, Tensor)> {
    let mut out: Vec<(String, Tensor)> = model
        .vs
        .variables()
        .into_iter()
        .map(|(name, v)| {
            let g = v.grad();
            let g = if g.defined() {
                g.copy()
            } else {
                v.zeros_like()
            };
            (name, g)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, mut v) in model.vs.variables() {
        let g = v.grad();
        if g.defined() {
            v.zero_grad();
        }
    }
    out
}

#[test]
fn training_logprobs_give_plain_autograds_gradients() {
    // Lengths that leave a partial last chunk, padding on both sides, and a
    // loss that is not linear in the log-probs (as GRPO's ratio is not).
    let prompts = vec![vec![4, 5, 6, 7], vec![9], vec![3, 8]];
    let completions = vec![vec![10, 11], vec![12, 13, 14, 15, 16], vec![17, 18, 19]];
    let weights = Tensor::from_slice(&[0.3f32, -1.2, 0.7]).unsqueeze(1);
    let loss_of = |lp: &Tensor| {
        (lp.exp() * &weights).sum(Kind::Float) - lp.pow_tensor_scalar(2).mean(Kind::Float)
    };
    for (model_type, tied) in ARCHS {
        let dir = tempfile::tempdir().expect("tempdir");
        write_tiny_checkpoint(dir.path(), &tiny_config(model_type, tied));
        let model = load(dir.path());
        for chunk_size in [1, 2, 128] {
            let cfg = LogprobConfig {
                temperature: 0.8,
                chunk_size,
                compute_entropy: true,
            };
            let plain =
                completion_logprobs(&model, &prompts, &completions, 0, &cfg).expect("plain");
            loss_of(&plain.logprobs).backward();
            let want = take_grads(&model);

            let out = completion_logprobs_for_training(&model, &prompts, &completions, 0, &cfg)
                .expect("training");
            assert!(out.logprobs.requires_grad());
            assert!(max_abs_diff(&out.logprobs, &plain.logprobs.detach()) < 1e-6);
            assert_eq!(max_abs_diff(&out.mask, &plain.mask), 0.0);
            let (a, b) = (out.entropy.as_ref(), plain.entropy.as_ref());
            assert!(max_abs_diff(a.expect("entropy"), b.expect("entropy")) < 1e-5);
            loss_of(&out.logprobs).backward();
            out.backward(&model).expect("backward");
            let have = take_grads(&model);

            assert_eq!(want.len(), have.len());
            let mut nonzero = 0;
            for ((name, w), (_, h)) in want.iter().zip(&have) {
                let scale = w.abs().max().double_value(&[]).max(1e-6);
                let diff = max_abs_diff(w, h);
                assert!(
                    diff <= 1e-5 * scale.max(1.0),
                    "{model_type} tied={tied} chunk {chunk_size}: {name} differs by {diff} (scale {scale})"
                );
                if scale > 1e-6 {
                    nonzero += 1;
                }
            }
            // Every variable (head and embeddings included) got a gradient.
            assert_eq!(nonzero, want.len(), "{model_type} tied={tied}");
        }
    }
}

#[test]
fn training_logprobs_backward_is_a_no_op_without_a_loss() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tiny_checkpoint(dir.path(), &tiny_config("qwen2", true));
    let model = load(dir.path());
    let out = completion_logprobs_for_training(
        &model,
        &[vec![4, 5]],
        &[vec![6, 7, 8]],
        0,
        &LogprobConfig::default(),
    )
    .expect("training");
    out.backward(&model).expect("no gradient yet is fine");
    assert!(take_grads(&model)
        .iter()
        .all(|(_, g)| g.abs().sum(Kind::Float).double_value(&[]) == 0.0));
    // Empty completions: nothing to project, nothing to carry.
    let empty = completion_logprobs_for_training(
        &model,
        &[vec![4]],
        &[vec![]],
        0,
        &LogprobConfig::default(),
    )
    .expect("empty");
    assert_eq!(empty.logprobs.size(), [1, 0]);
    empty.backward(&model).expect("empty backward");
}
