//! `train_qwen train` end to end, shortened: a tiny model built on the spot
//! (cached under the target directory), a few GRPO steps with the real
//! reward and sandbox, then the run directory checked: metrics under TRL's
//! names, samples, checkpoints that transformers loads, plots, summary.
//! Also: SIGKILL mid-run and `--resume` ends bit-identical to an
//! uninterrupted run; bad input fails clearly and writes nothing.

// Helpers outside #[test] fns unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_train_qwen");

/// A model and run small enough for seconds per step. `uid_base` keeps
/// the sandboxes of tests running at the same time on distinct uids (a
/// worker's uid is its process-count and kill(-1) domain).
fn small_config(uid_base: u32, extra_trainer: &str) -> String {
    format!(
        r#"{{
  "sandbox": {{"sandbox_uid_base": {uid_base}}},
  "tiny": {{"vocab_size": 400, "hidden_size": 32, "intermediate_size": 64,
            "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1,
            "max_position_embeddings": 1024, "sft_steps": 12, "sft_batch": 4,
            "train_problems": 4}},
  "trainer": {{"prompts_per_step": 2, "num_generations": 2, "max_steps": 4,
               "max_completion_length": 24, "save_every": 1, "keep_last": 2,
               "eval_every": 0, "log_completions_every": 2 {extra_trainer}}}
}}"#
    )
}

fn cache() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("train_qwen-cache")
}

fn command(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env("CODEQUAL_CACHE_DIR", cache());
    cmd
}

fn run(args: &[&str]) -> Output {
    command(args).output().expect("train_qwen starts")
}

/// `train_qwen train --config CONFIG --out OUT EXTRA...`.
fn train_command(config: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut cmd = command(&["train", "--config"]);
    cmd.arg(config).arg("--out").arg(out).args(extra);
    cmd
}

fn train(config: &Path, out: &Path, extra: &[&str]) -> Output {
    train_command(config, out, extra)
        .output()
        .expect("train_qwen starts")
}

fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn metrics(run_dir: &Path) -> Vec<serde_json::Map<String, serde_json::Value>> {
    std::fs::read_to_string(run_dir.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| match serde_json::from_str(l).unwrap() {
            serde_json::Value::Object(m) => m,
            other => panic!("not an object: {other}"),
        })
        .collect()
}

fn weights(run_dir: &Path, step: usize) -> Vec<u8> {
    let p = run_dir
        .join("checkpoints")
        .join(format!("checkpoint-{step:06}"))
        .join("model.safetensors");
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn checkpoints(run_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(run_dir.join("checkpoints"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_short_run_writes_everything_a_run_should() {
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(
        tmp.path(),
        "c.json",
        &small_config(2_100_000, r#", "eval_every": 2, "eval_prompts": 2"#),
    );
    let out = tmp.path().join("run");
    let o = train(&config, &out, &["--json"]);
    assert!(o.status.success(), "train failed:\n{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).expect("--json summary");
    assert_eq!(summary["steps"], 4);

    let rows = metrics(&out);
    let steps: Vec<_> = rows
        .iter()
        .filter(|r| !r.keys().any(|k| k.starts_with("eval/")))
        .collect();
    let evals: Vec<_> = rows
        .iter()
        .filter(|r| r.keys().any(|k| k.starts_with("eval/")))
        .collect();
    assert_eq!(steps.len(), 4);
    assert_eq!(evals.len(), 3, "evaluations at steps 0, 2 and 4");
    for key in [
        "reward",
        "reward_std",
        "rewards/format/mean",
        "rewards/correctness/std",
        "rewards/quality/mean",
        "frac_reward_zero_std",
        "entropy",
        "clip_ratio/region_mean",
        "completions/mean_length",
        "completions/clipped_ratio",
        "grad_norm",
        "learning_rate",
        "step_time",
        "num_tokens",
    ] {
        assert!(steps[0].contains_key(key), "metrics.jsonl lacks {key}");
    }
    for key in [
        "eval/reward",
        "eval/pass_rate",
        "eval/quality",
        "eval/mean_length",
    ] {
        assert!(evals[0].contains_key(key), "eval lacks {key}");
    }
    let tokens: Vec<f64> = steps
        .iter()
        .map(|r| r["num_tokens"].as_f64().unwrap())
        .collect();
    assert!(tokens.windows(2).all(|w| w[1] > w[0]), "{tokens:?}");

    // keep_last 2 of the 4 checkpoints, each a complete HF directory.
    assert_eq!(
        checkpoints(&out),
        ["checkpoint-000003", "checkpoint-000004"]
    );
    let last = out.join("checkpoints/checkpoint-000004");
    for f in [
        "config.json",
        "generation_config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "model.safetensors",
        "optimizer.safetensors",
        "trainer_state.json",
    ] {
        assert!(last.join(f).is_file(), "checkpoint lacks {f}");
    }
    assert!(out.join("samples/step-000001.jsonl").is_file());
    assert!(out.join("samples/step-000002.jsonl").is_file());
    assert!(out.join("train_config.json").is_file());
    assert!(out.join("summary.json").is_file());
    for plot in ["rewards.png", "training.png", "eval.png"] {
        let p = out.join("plots").join(plot);
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_eq!(&bytes[1..4], b"PNG");
    }

    // The checkpoint is usable by our own loader...
    let o = run(&[
        "sample",
        "--model",
        last.to_str().unwrap(),
        "--prompt",
        "Write a function.",
        "--chat",
        "--max-new-tokens",
        "8",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // ... and by transformers, as is.
    transformers_loads(&last);

    // The same directory again without --resume: refused, nothing touched.
    let before = std::fs::read(out.join("metrics.jsonl")).unwrap();
    let o = train(&config, &out, &[]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("already holds a run"), "{}", stderr(&o));
    assert_eq!(std::fs::read(out.join("metrics.jsonl")).unwrap(), before);
}

/// Loads the checkpoint with transformers' `AutoModelForCausalLM` and
/// `AutoTokenizer` and compares its logits with ours.
fn transformers_loads(ckpt: &Path) {
    let Some(venv) = std::env::var_os("CODEQUAL_PYTHON_VENV") else {
        assert!(
            std::env::var_os("CODEQUAL_REQUIRE_REFERENCE").is_none(),
            "CODEQUAL_REQUIRE_REFERENCE is set but CODEQUAL_PYTHON_VENV is not"
        );
        eprintln!(
            "transformers check did not run: no CODEQUAL_PYTHON_VENV (cargo xtask test sets it)"
        );
        return;
    };
    let ids = "1,2,3,4,5";
    let ours = run(&[
        "logprobs",
        "--model",
        ckpt.to_str().unwrap(),
        "--prompt-ids",
        "1,2",
        "--completion-ids",
        "3,4,5",
        "--json",
    ]);
    assert!(ours.status.success(), "{}", stderr(&ours));
    let ours: serde_json::Value = serde_json::from_slice(&ours.stdout).unwrap();
    let script = format!(
        r#"
import json, sys, torch
from transformers import AutoModelForCausalLM, AutoTokenizer
path = sys.argv[1]
tok = AutoTokenizer.from_pretrained(path)
assert tok.apply_chat_template([{{"role": "user", "content": "hi"}}], tokenize=False)
model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
ids = torch.tensor([[{ids}]])
with torch.no_grad():
    logp = model(ids).logits.float().log_softmax(-1)
lp = [logp[0, i - 1, ids[0, i]].item() for i in range(2, 5)]
print(json.dumps(lp))
"#
    );
    let py = PathBuf::from(venv).join("bin/python");
    let o = Command::new(&py)
        .arg("-c")
        .arg(script)
        .arg(ckpt)
        .stdin(Stdio::null())
        .output()
        .expect("venv python runs");
    assert!(
        o.status.success(),
        "transformers could not load the checkpoint:\n{}",
        stderr(&o)
    );
    let theirs: Vec<f64> = serde_json::from_slice(&o.stdout).unwrap();
    let ours: Vec<f64> = ours["logprobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(&theirs) {
        assert!(
            (a - b).abs() < 1e-4,
            "ours {ours:?} transformers {theirs:?}"
        );
    }
}

#[test]
fn sigkill_then_resume_ends_with_the_same_weights() {
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), "c.json", &small_config(2_200_000, ""));

    let straight = tmp.path().join("straight");
    let o = train(&config, &straight, &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    let killed = tmp.path().join("killed");
    let mut child = train_command(&config, &killed, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(600);
    while !killed.join("checkpoints/checkpoint-000002").exists() {
        assert!(Instant::now() < deadline, "no checkpoint-000002 in 10 min");
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the run ended ({status}) before it could be killed");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    let survived = checkpoints(&killed);
    assert!(
        survived.iter().any(|c| c == "checkpoint-000002"),
        "{survived:?}"
    );
    assert!(
        !survived.iter().any(|c| c == "checkpoint-000004"),
        "the run finished before the kill: {survived:?}"
    );

    let o = run(&["train", "--resume", "--out", killed.to_str().unwrap()]);
    assert!(o.status.success(), "resume failed:\n{}", stderr(&o));
    assert!(stderr(&o).contains("resuming from"), "{}", stderr(&o));

    assert!(
        weights(&straight, 4) == weights(&killed, 4),
        "the resumed run's final weights differ from the uninterrupted run's"
    );
    // metrics.jsonl reads as one run: each step once, with the same values.
    let strip = |rows: Vec<serde_json::Map<String, serde_json::Value>>| {
        rows.into_iter()
            .map(|mut r| {
                r.retain(|k, _| k != "step_time" && !k.starts_with("timing/"));
                r
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(metrics(&straight)), strip(metrics(&killed)));

    // A resume with different settings is refused.
    let o = run(&[
        "train",
        "--resume",
        "--out",
        killed.to_str().unwrap(),
        "--quality-weight",
        "0",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("reward.weights.quality"),
        "{}",
        stderr(&o)
    );
}

/// Runs `train` expecting a failure whose message contains `needle`, and
/// checks that no run directory was made.
fn refused(args: &[&str], out: &Path, needle: &str) {
    let mut all = vec!["train", "--out", out.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = run(&all);
    assert!(!o.status.success(), "{all:?} succeeded");
    let err = stderr(&o);
    assert!(
        err.contains(needle),
        "{all:?}: expected `{needle}` in:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "{all:?} wrote {}", out.display());
}

#[test]
fn bad_input_fails_clearly_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");

    let missing = tmp.path().join("no-such-model");
    refused(
        &["--model", missing.to_str().unwrap()],
        &out,
        "not a Hugging Face checkpoint directory",
    );

    let broken = tmp.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    std::fs::write(broken.join("config.json"), "{ not json").unwrap();
    refused(&["--model", broken.to_str().unwrap()], &out, "config.json");

    let g1 = write_config(
        tmp.path(),
        "g1.json",
        r#"{"trainer": {"num_generations": 1}}"#,
    );
    refused(
        &["--config", g1.to_str().unwrap()],
        &out,
        "num_generations is 1",
    );

    let zero = write_config(
        tmp.path(),
        "zero.json",
        r#"{"reward": {"weights": {"format": 0, "correctness": 0}}}"#,
    );
    refused(
        &["--config", zero.to_str().unwrap(), "--quality-weight", "0"],
        &out,
        "sum to 0",
    );

    let empty = tmp.path().join("empty-problems");
    std::fs::create_dir(&empty).unwrap();
    let cfg = write_config(
        tmp.path(),
        "empty.json",
        &format!(r#"{{"problems": {}}}"#, serde_json::json!(empty)),
    );
    refused(
        &["--config", cfg.to_str().unwrap()],
        &out,
        "no training problems",
    );

    let unknown = write_config(tmp.path(), "unknown.json", r#"{"trainer": {"lr": 1}}"#);
    refused(
        &["--config", unknown.to_str().unwrap()],
        &out,
        "unknown field",
    );

    refused(&["--device", "tpu"], &out, "unknown device");
}

/// A disk that fills during checkpointing (RLIMIT_FSIZE below the weights'
/// size: writes fail with EFBIG as on a full disk): a clear error naming the
/// file, no half-written checkpoint, and the run directory still resumable.
#[test]
fn a_full_disk_during_checkpointing_corrupts_nothing() {
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), "c.json", &small_config(2_300_000, ""));
    // Build (or reuse) the cached model without the limit.
    let warm = tmp.path().join("warm");
    let o = train(&config, &warm, &["--max-steps", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let weights_len = weights(&warm, 1).len() as u64;

    let out = tmp.path().join("run");
    let mut cmd = train_command(&config, &out, &[]);
    let limit = weights_len / 2;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    assert!(
        !o.status.success(),
        "the run succeeded under a {limit}-byte file limit"
    );
    let err = stderr(&o);
    assert!(err.contains("model.safetensors"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let left: Vec<String> = checkpoints(&out);
    assert!(left.is_empty(), "half-written checkpoints left: {left:?}");

    // The run directory is intact: resuming (without the limit) completes.
    let o = run(&["train", "--resume", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        checkpoints(&out),
        ["checkpoint-000003", "checkpoint-000004"]
    );
}
