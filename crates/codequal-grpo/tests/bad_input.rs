//! Wrong or incomplete checkpoints, unsupported architectures and prompts
//! longer than the context give clear errors, never panics.

mod common;

use codequal_grpo::{generate_ids, AutoModel, Error, LoadOptions, SamplingConfig, Tokenizer};
use common::{random_vars, tiny_config, write_tiny_checkpoint};
use tch::Tensor;

fn load_err(dir: &std::path::Path) -> Error {
    AutoModel::load(dir, LoadOptions::default()).expect_err("loads a bad checkpoint")
}

#[test]
fn missing_directory_or_config_is_a_checkpoint_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = load_err(&dir.path().join("nope"));
    assert!(matches!(err, Error::Checkpoint { .. }), "{err}");
    assert!(err.to_string().contains("config.json"), "{err}");
}

#[test]
fn config_without_weights_is_a_checkpoint_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("config.json"),
        tiny_config("qwen2", true).to_string(),
    )
    .expect("write");
    let err = load_err(dir.path());
    assert!(err.to_string().contains("model.safetensors"), "{err}");
}

#[test]
fn malformed_config_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("config.json"), "{\"vocab_size\": \"many\"").expect("write");
    let err = load_err(dir.path());
    assert!(matches!(err, Error::Json { .. }), "{err}");
}

#[test]
fn unsupported_architecture_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("config.json"),
        tiny_config("mamba", true).to_string(),
    )
    .expect("write");
    let err = load_err(dir.path());
    assert!(
        matches!(err, Error::UnsupportedArchitecture(ref a) if a == "mamba"),
        "{err}"
    );
}

#[test]
fn missing_tensor_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tiny_config("qwen2", false);
    std::fs::write(dir.path().join("config.json"), config.to_string()).expect("write");
    let vars: Vec<(String, Tensor)> = random_vars(dir.path())
        .into_iter()
        .filter(|(name, _)| name != "model.layers.1.self_attn.k_proj.bias")
        .collect();
    Tensor::write_safetensors(&vars, dir.path().join("model.safetensors")).expect("write");
    let err = load_err(dir.path());
    assert!(
        matches!(err, Error::MissingTensor { ref name, .. } if name == "model.layers.1.self_attn.k_proj.bias"),
        "{err}"
    );
}

#[test]
fn mis_shaped_tensor_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tiny_config("llama", true);
    std::fs::write(dir.path().join("config.json"), config.to_string()).expect("write");
    let vars: Vec<(String, Tensor)> = random_vars(dir.path())
        .into_iter()
        .map(|(name, t)| {
            if name == "model.layers.0.mlp.up_proj.weight" {
                (name, t.narrow(0, 0, 10))
            } else {
                (name, t)
            }
        })
        .collect();
    Tensor::write_safetensors(&vars, dir.path().join("model.safetensors")).expect("write");
    let err = load_err(dir.path());
    assert!(
        matches!(err, Error::TensorShape { ref name, .. } if name == "model.layers.0.mlp.up_proj.weight"),
        "{err}"
    );
}

#[test]
fn missing_shard_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("config.json"),
        tiny_config("qwen2", true).to_string(),
    )
    .expect("write");
    let index = serde_json::json!({"weight_map": {"model.norm.weight": "model-00002-of-00002.safetensors"}});
    std::fs::write(
        dir.path().join("model.safetensors.index.json"),
        index.to_string(),
    )
    .expect("write");
    let err = load_err(dir.path());
    assert!(
        err.to_string().contains("model-00002-of-00002.safetensors"),
        "{err}"
    );
}

#[test]
fn prompt_longer_than_the_context_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_tiny_checkpoint(dir.path(), &tiny_config("qwen2", true));
    let model = AutoModel::load(dir.path(), LoadOptions::default()).expect("load");
    let cfg = SamplingConfig {
        max_new_tokens: 8,
        ..SamplingConfig::default()
    };
    let err = generate_ids(&model, &[vec![1; 60]], &[], 0, &cfg).expect_err("too long");
    assert!(
        matches!(err, Error::ContextExceeded { prompt_len: 60, .. }),
        "{err}"
    );
    let err = generate_ids(&model, &[vec![1, 2, 999]], &[], 0, &cfg).expect_err("bad id");
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    let err = generate_ids(&model, &[vec![]], &[], 0, &cfg).expect_err("empty");
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
}

#[test]
fn missing_tokenizer_is_a_checkpoint_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = Tokenizer::load(dir.path()).expect_err("no tokenizer");
    assert!(err.to_string().contains("tokenizer.json"), "{err}");
}

#[test]
fn raise_exception_in_a_template_is_an_error() {
    let err = codequal_grpo::tokenizer::render_chat_template(
        "{{ raise_exception('only user messages') }}",
        &[],
        true,
        None,
        None,
    )
    .expect_err("raises");
    assert!(err.to_string().contains("only user messages"), "{err}");
}
