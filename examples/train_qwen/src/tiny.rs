//! The embedded default policy: a small Qwen2-architecture model of the
//! project's own, built on a machine with nothing downloaded.
//!
//! 1. A byte-level BPE tokenizer is trained (tokenizers crate) on the
//!    training problems' chat prompts and reference answers.
//! 2. A Qwen2 model with HF weight names is initialised at random (normal
//!    0.02, norms at 1, biases at 0: transformers' `_init_weights`).
//! 3. A short supervised warm-up teaches it to answer the training prompts
//!    with the references wrapped as ```python blocks, so the policy writes
//!    parseable Python before GRPO starts. Both the clean and the flawed
//!    reference of each problem are used: the policy starts out writing
//!    either, and GRPO has a quality difference to find.
//!
//! The result is an ordinary HF checkpoint directory (config.json,
//! generation_config.json, tokenizer.json, tokenizer_config.json,
//! model.safetensors), cached under a key of everything that decides it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use codequal_grpo::{completion_logprobs, AdamW, AdamWConfig, LogprobConfig};
use codequal_reward::problems::Problem;
use codequal_reward::prompt::PromptTemplate;
use serde::{Deserialize, Serialize};
use tch::{Device, Kind};
use tokenizers::models::bpe::{BpeTrainerBuilder, BPE};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, DecoderWrapper, ModelWrapper, PreTokenizerWrapper, TokenizerImpl};

/// The chat template of the tiny model (Qwen's, without tools).
pub const CHAT_TEMPLATE: &str = "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

/// Shape and warm-up of the embedded model. Defaults fit the 20-minute
/// budget on 2 CPU cores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TinyModelConfig {
    /// BPE vocabulary size (default 2048).
    pub vocab_size: usize,
    /// Hidden size (default 128).
    pub hidden_size: usize,
    /// MLP size (default 384).
    pub intermediate_size: usize,
    /// Decoder layers (default 4).
    pub num_hidden_layers: usize,
    /// Query heads (default 4).
    pub num_attention_heads: usize,
    /// Key/value heads (default 2: GQA as in Qwen2.5).
    pub num_key_value_heads: usize,
    /// Context (default 1024).
    pub max_position_embeddings: usize,
    /// Supervised warm-up optimizer steps (default 300).
    pub sft_steps: usize,
    /// Sequences per warm-up step (default 8).
    pub sft_batch: usize,
    /// Warm-up learning rate (default 3e-3).
    pub sft_learning_rate: f64,
    /// Seed of the initialisation and the warm-up order (default 0).
    pub seed: u64,
    /// Training problems the embedded run learns and trains on: those with
    /// the shortest references (default 24; 0: all 160). A model of a
    /// million parameters can learn two dozen programs in a short warm-up,
    /// not 320.
    pub train_problems: usize,
}

impl Default for TinyModelConfig {
    fn default() -> Self {
        Self {
            vocab_size: 2048,
            hidden_size: 128,
            intermediate_size: 384,
            num_hidden_layers: 4,
            num_attention_heads: 4,
            num_key_value_heads: 2,
            max_position_embeddings: 1024,
            sft_steps: 300,
            sft_batch: 8,
            sft_learning_rate: 3e-3,
            seed: 0,
            train_problems: 24,
        }
    }
}

/// The `n` problems of `train` with the shortest references (the longer of
/// the clean and the flawed solution), ties broken by id.
pub fn select_problems<'p>(train: &[&'p Problem], n: usize) -> Vec<&'p Problem> {
    let mut sorted: Vec<&Problem> = train.to_vec();
    sorted.sort_by(|a, b| {
        let len = |p: &Problem| p.clean_solution.len().max(p.flawed_solution.len());
        len(a).cmp(&len(b)).then_with(|| a.id.cmp(&b.id))
    });
    sorted.truncate(n);
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    sorted
}

/// The warm-up examples of one problem: its chat prompt (rendered with the
/// tiny model's template) answered by the clean and by the flawed
/// reference, each as a ```python block.
pub fn examples(problem: &Problem, template: &PromptTemplate) -> Result<Vec<Example>> {
    let messages: Vec<codequal_grpo::Message> = template
        .messages(problem)
        .into_iter()
        .map(|m| codequal_grpo::Message::new(m.role, m.content))
        .collect();
    let prompt =
        codequal_grpo::tokenizer::render_chat_template(CHAT_TEMPLATE, &messages, true, None, None)?;
    Ok([&problem.clean_solution, &problem.flawed_solution]
        .into_iter()
        .map(|code| Example {
            prompt: prompt.clone(),
            answer: format!("```python\n{}```", ensure_newline(code)),
        })
        .collect())
}

fn ensure_newline(code: &str) -> String {
    if code.ends_with('\n') {
        code.to_owned()
    } else {
        format!("{code}\n")
    }
}

/// One warm-up example: the chat prompt text and the answer text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Example {
    /// The prompt as the chat template renders it.
    pub prompt: String,
    /// The answer (a ```python block).
    pub answer: String,
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Builds (or reuses from `cache_root`) the model for `examples`; returns
/// its directory. `progress` receives one line per phase and warm-up loss.
pub fn ensure(
    cache_root: &Path,
    cfg: &TinyModelConfig,
    examples: &[Example],
    progress: &dyn Fn(&str),
) -> Result<PathBuf> {
    if examples.is_empty() {
        bail!("no warm-up examples: the training set is empty");
    }
    let key = fnv(serde_json::to_string(&(cfg, examples, CHAT_TEMPLATE, 1u32))
        .context("hashing the model recipe")?
        .as_bytes());
    let dir = cache_root.join(format!("tiny-qwen2-{key:016x}"));
    if dir.join("model.safetensors").is_file() {
        progress(&format!("reusing cached model {}", dir.display()));
        return Ok(dir);
    }
    let tmp = cache_root.join(format!(".tmp-tiny-qwen2-{key:016x}-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir_all(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    progress("training the BPE tokenizer");
    train_tokenizer(&tmp, cfg, examples)?;
    write_configs(&tmp, cfg)?;
    progress("initialising the model");
    init_weights(&tmp, cfg)?;
    warm_up(&tmp, cfg, examples, progress)?;
    // Another process may have published the same model meanwhile: theirs
    // is identical (same recipe), and may be in use, so keep it.
    if dir.join("model.safetensors").is_file() {
        std::fs::remove_dir_all(&tmp)?;
        return Ok(dir);
    }
    if let Err(e) = std::fs::rename(&tmp, &dir) {
        std::fs::remove_dir_all(&tmp)?;
        if !dir.join("model.safetensors").is_file() {
            return Err(e).with_context(|| format!("publishing {}", dir.display()));
        }
    }
    Ok(dir)
}

fn train_tokenizer(dir: &Path, cfg: &TinyModelConfig, examples: &[Example]) -> Result<()> {
    let corpus = dir.join("corpus.txt");
    let mut text = String::new();
    for e in examples {
        text.push_str(&e.prompt);
        text.push_str(&e.answer);
        text.push('\n');
    }
    std::fs::write(&corpus, text)?;
    let specials: Vec<AddedToken> = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
        .iter()
        .map(|t| AddedToken::from(*t, true))
        .collect();
    let mut trainer: tokenizers::models::TrainerWrapper = BpeTrainerBuilder::new()
        .vocab_size(cfg.vocab_size)
        .min_frequency(2)
        .special_tokens(specials.clone())
        .initial_alphabet(ByteLevel::alphabet().into_iter().collect())
        .show_progress(false)
        .build()
        .into();
    let mut tok: TokenizerImpl<
        ModelWrapper,
        tokenizers::NormalizerWrapper,
        PreTokenizerWrapper,
        tokenizers::PostProcessorWrapper,
        DecoderWrapper,
    > = TokenizerImpl::new(ModelWrapper::BPE(BPE::default()));
    tok.with_normalizer(None::<tokenizers::NormalizerWrapper>)
        .map_err(|e| anyhow::anyhow!("configuring the tokenizer: {e}"))?;
    tok.with_pre_tokenizer(Some(PreTokenizerWrapper::ByteLevel(ByteLevel::new(
        false, true, true,
    ))));
    tok.with_post_processor(None::<tokenizers::PostProcessorWrapper>);
    tok.with_decoder(Some(DecoderWrapper::ByteLevel(ByteLevel::default())));
    let corpus_str = corpus.to_string_lossy().into_owned();
    tok.train_from_files(&mut trainer, vec![corpus_str])
        .map_err(|e| anyhow::anyhow!("training the tokenizer: {e}"))?;
    tok.add_special_tokens(specials)
        .map_err(|e| anyhow::anyhow!("adding special tokens: {e}"))?;
    let tok: tokenizers::Tokenizer = tok.into();
    tok.save(dir.join("tokenizer.json"), false)
        .map_err(|e| anyhow::anyhow!("saving tokenizer.json: {e}"))?;
    std::fs::remove_file(&corpus)?;
    Ok(())
}

fn token_id(tok: &tokenizers::Tokenizer, token: &str) -> Result<i64> {
    tok.token_to_id(token)
        .map(i64::from)
        .with_context(|| format!("tokenizer has no {token}"))
}

fn write_configs(dir: &Path, cfg: &TinyModelConfig) -> Result<()> {
    let tok = tokenizers::Tokenizer::from_file(dir.join("tokenizer.json"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let vocab = tok.get_vocab_size(true);
    let eos = token_id(&tok, "<|im_end|>")?;
    let pad = token_id(&tok, "<|endoftext|>")?;
    let config = serde_json::json!({
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "vocab_size": vocab,
        "hidden_size": cfg.hidden_size,
        "intermediate_size": cfg.intermediate_size,
        "num_hidden_layers": cfg.num_hidden_layers,
        "num_attention_heads": cfg.num_attention_heads,
        "num_key_value_heads": cfg.num_key_value_heads,
        "max_position_embeddings": cfg.max_position_embeddings,
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "tie_word_embeddings": true,
        "hidden_act": "silu",
        "torch_dtype": "float32",
        "bos_token_id": null,
        "eos_token_id": eos,
        "pad_token_id": pad,
    });
    std::fs::write(
        dir.join("config.json"),
        serde_json::to_string_pretty(&config)?,
    )?;
    let generation = serde_json::json!({ "eos_token_id": [eos, pad], "pad_token_id": pad });
    std::fs::write(
        dir.join("generation_config.json"),
        serde_json::to_string_pretty(&generation)?,
    )?;
    let tokenizer_config = serde_json::json!({
        "tokenizer_class": "PreTrainedTokenizerFast",
        "chat_template": CHAT_TEMPLATE,
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "bos_token": null,
        "model_max_length": cfg.max_position_embeddings,
    });
    std::fs::write(
        dir.join("tokenizer_config.json"),
        serde_json::to_string_pretty(&tokenizer_config)?,
    )?;
    Ok(())
}

fn init_weights(dir: &Path, cfg: &TinyModelConfig) -> Result<()> {
    tch::manual_seed(cfg.seed as i64);
    let config = codequal_grpo::Config::from_file(&dir.join("config.json"))?;
    let vs = tch::nn::VarStore::new(Device::Cpu);
    let _model = codequal_grpo::models::qwen2::Model::new(&config, vs.root())?;
    codequal_grpo::models::init_random_weights(&vs, 0.02);
    codequal_grpo::checkpoint::save_weights(&vs, &dir.join("model.safetensors"))?;
    Ok(())
}

fn warm_up(
    dir: &Path,
    cfg: &TinyModelConfig,
    examples: &[Example],
    progress: &dyn Fn(&str),
) -> Result<()> {
    let model = codequal_grpo::AutoModel::load(dir, codequal_grpo::LoadOptions::default())?;
    let tokenizer = codequal_grpo::Tokenizer::load(dir)?;
    let eos = token_id(tokenizer.inner(), "<|im_end|>")?;
    let mut data = Vec::with_capacity(examples.len());
    for e in examples {
        let prompt = tokenizer.encode(&e.prompt)?;
        let mut answer = tokenizer.encode(&e.answer)?;
        answer.push(eos);
        if prompt.len() + answer.len() > cfg.max_position_embeddings {
            continue;
        }
        data.push((prompt, answer));
    }
    if data.is_empty() {
        bail!("every warm-up example exceeds the context");
    }
    let mut opt = AdamW::new(
        model.vs.variables(),
        AdamWConfig {
            learning_rate: cfg.sft_learning_rate,
            weight_decay: 0.0,
            max_grad_norm: Some(1.0),
            ..Default::default()
        },
    )?;
    let lp_cfg = LogprobConfig::default();
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = cfg.seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut cursor = order.len();
    let started = std::time::Instant::now();
    for step in 0..cfg.sft_steps {
        let mut prompts = Vec::new();
        let mut answers = Vec::new();
        for _ in 0..cfg.sft_batch.max(1) {
            if cursor == order.len() {
                for i in (1..order.len()).rev() {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    order.swap(i, (rng % (i as u64 + 1)) as usize);
                }
                cursor = 0;
            }
            let (p, a) = &data[order[cursor]];
            cursor += 1;
            prompts.push(p.clone());
            answers.push(a.clone());
        }
        let out = completion_logprobs(
            &model,
            &prompts,
            &answers,
            tokenizer.pad_token_id(),
            &lp_cfg,
        )?;
        let loss = -(&out.logprobs * &out.mask).sum(Kind::Float) / out.mask.sum(Kind::Float);
        opt.zero_grad();
        loss.backward();
        opt.clip_grad_norm();
        // Cosine decay to 10% over the warm-up.
        let progress_frac = step as f64 / cfg.sft_steps.max(1) as f64;
        let factor = 0.1 + 0.9 * 0.5 * (1.0 + (std::f64::consts::PI * progress_frac).cos());
        opt.step(cfg.sft_learning_rate * factor);
        if step % 25 == 0 || step + 1 == cfg.sft_steps {
            progress(&format!(
                "warm-up step {}/{}: loss {:.3} ({:.0} s)",
                step + 1,
                cfg.sft_steps,
                loss.double_value(&[]),
                started.elapsed().as_secs_f64()
            ));
        }
    }
    codequal_grpo::checkpoint::save_weights(&model.vs, &dir.join("model.safetensors"))?;
    Ok(())
}
