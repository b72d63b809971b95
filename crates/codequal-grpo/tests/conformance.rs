//! Conformance with Hugging Face transformers (pinned in
//! xtask/requirements/hf.txt): tiny random models and their outputs written
//! by `tests/golden/make_tiny_models.py`. Logits of a left-padded batch
//! within 1e-4 (f32), greedy generation of 32 tokens identical, log-probs
//! within 1e-4, chat templates and encodings identical.

mod common;

use std::path::Path;

use codequal_grpo::{
    completion_logprobs, generate_ids, LogprobConfig, Message, SamplingConfig, Tokenizer,
};
use common::{golden_dir, load};
use serde::Deserialize;
use tch::Tensor;

const MODELS: [&str; 5] = [
    "qwen2_tied",
    "qwen2_untied",
    "qwen2_sharded",
    "llama3",
    "olmo2",
];

#[derive(Deserialize)]
struct Golden {
    prompts: Vec<Vec<i64>>,
    pad_id: i64,
    logits: Vec<Vec<Vec<f32>>>,
    greedy: Vec<Vec<i64>>,
    completion: Vec<i64>,
    temperature: f64,
    logprobs: Vec<f32>,
}

fn read_golden(dir: &Path) -> Golden {
    // The sharded copy has the untied model's outputs.
    let file = if dir.ends_with("qwen2_sharded") {
        dir.with_file_name("qwen2_untied").join("golden.json")
    } else {
        dir.join("golden.json")
    };
    let text = std::fs::read_to_string(&file).expect("read golden");
    serde_json::from_str(&text).expect("parse golden")
}

fn padded(g: &Golden) -> (Tensor, Tensor) {
    let width = g.prompts.iter().map(Vec::len).max().unwrap_or(0);
    let mut ids = Vec::new();
    let mut mask = Vec::new();
    for p in &g.prompts {
        ids.extend(std::iter::repeat_n(g.pad_id, width - p.len()).chain(p.iter().copied()));
        mask.extend(
            std::iter::repeat_n(0i64, width - p.len()).chain(std::iter::repeat_n(1, p.len())),
        );
    }
    let shape = [g.prompts.len() as i64, width as i64];
    (
        Tensor::from_slice(&ids).view(shape),
        Tensor::from_slice(&mask).view(shape),
    )
}

#[test]
fn logits_of_a_padded_batch_match_transformers() {
    let Some(root) = golden_dir("logits_of_a_padded_batch_match_transformers") else {
        return;
    };
    for name in MODELS {
        let dir = root.join(name);
        let g = read_golden(&dir);
        let model = load(&dir);
        let (ids, mask) = padded(&g);
        let logits = tch::no_grad(|| model.forward(&ids, &mask).expect("forward"));
        let width = ids.size()[1];
        let mut worst = 0.0f64;
        for (b, (p, want)) in g.prompts.iter().zip(&g.logits).enumerate() {
            let n = p.len() as i64;
            let have = logits.get(b as i64).narrow(0, width - n, n);
            let want = Tensor::from_slice2(want);
            worst = worst.max(common::max_abs_diff(&have, &want));
        }
        eprintln!("conformance {name}: logits max |diff| vs transformers = {worst:.2e}");
        assert!(worst < 1e-4, "{name}: {worst}");
    }
}

#[test]
fn greedy_generation_matches_transformers() {
    let Some(root) = golden_dir("greedy_generation_matches_transformers") else {
        return;
    };
    for name in MODELS {
        let dir = root.join(name);
        let g = read_golden(&dir);
        let model = load(&dir);
        let cfg = SamplingConfig {
            temperature: 0.0,
            max_new_tokens: 32,
            ..SamplingConfig::default()
        };
        let out = generate_ids(&model, &g.prompts, &[], g.pad_id, &cfg).expect("generate");
        for (b, (have, want)) in out.iter().zip(&g.greedy).enumerate() {
            assert_eq!(&have.token_ids, want, "{name} row {b}");
            assert!(!have.finished);
        }
        eprintln!(
            "conformance {name}: greedy 32 tokens x {} prompts identical",
            g.prompts.len()
        );
    }
}

#[test]
fn logprobs_match_transformers() {
    let Some(root) = golden_dir("logprobs_match_transformers") else {
        return;
    };
    for name in MODELS {
        let dir = root.join(name);
        let g = read_golden(&dir);
        let model = load(&dir);
        let cfg = LogprobConfig {
            temperature: g.temperature,
            chunk_size: 3,
            ..Default::default()
        };
        let out = tch::no_grad(|| {
            completion_logprobs(
                &model,
                &g.prompts[..1],
                std::slice::from_ref(&g.completion),
                g.pad_id,
                &cfg,
            )
        })
        .expect("logprobs");
        let diff = common::max_abs_diff(&out.logprobs.view([-1]), &Tensor::from_slice(&g.logprobs));
        eprintln!("conformance {name}: log-probs max |diff| = {diff:.2e}");
        assert!(diff < 1e-4, "{name}: {diff}");
    }
}

#[derive(Deserialize)]
struct TokGolden {
    chat: Vec<ChatCase>,
    encode: Vec<EncodeCase>,
}

#[derive(Deserialize)]
struct ChatCase {
    messages: Vec<Message>,
    text: String,
    ids: Vec<i64>,
}

#[derive(Deserialize)]
struct EncodeCase {
    text: String,
    ids: Vec<i64>,
}

#[test]
fn tokenizer_and_chat_template_match_transformers() {
    let Some(root) = golden_dir("tokenizer_and_chat_template_match_transformers") else {
        return;
    };
    let dir = root.join("qwen2_tied");
    let tok = Tokenizer::load(&dir).expect("tokenizer");
    let text = std::fs::read_to_string(root.join("tokenizer/golden.json")).expect("read");
    let g: TokGolden = serde_json::from_str(&text).expect("parse");
    for case in &g.chat {
        assert_eq!(
            tok.apply_chat_template(&case.messages, true)
                .expect("render"),
            case.text
        );
        assert_eq!(tok.chat_prompt_ids(&case.messages).expect("ids"), case.ids);
    }
    for case in &g.encode {
        assert_eq!(
            tok.encode(&case.text).expect("encode"),
            case.ids,
            "{:?}",
            case.text
        );
        assert_eq!(tok.decode(&case.ids, false).expect("decode"), case.text);
    }
    assert_eq!(tok.eos_token_ids().len(), 2);
    eprintln!(
        "conformance tokenizer: {} chat templates, {} encodings identical",
        g.chat.len(),
        g.encode.len()
    );
}
