//! `codequal reward`: scores saved completions offline with the training
//! reward (format, correctness, quality, composite, advantage).
//!
//! A line that cannot be used (not JSON, not valid UTF-8, fields missing,
//! an unknown `task_id`) does not lose the batch: it is reported as its own
//! result (`error`, format 0, no composite, advantage 0, left out of every
//! group) and the other lines are scored. It does not split a group either:
//! the lines of one task on either side of it still form one group. Only a
//! file that cannot be read is an error.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use codequal_reward::pipeline::{CodeRewards, CompletionRewards, RewardConfig, RewardPipeline};
use codequal_reward::problems::ProblemSet;

/// Arguments of `reward`.
#[derive(Debug, clap::Args)]
pub struct RewardArgs {
    /// The problems directory (`fixtures/problems`).
    #[arg(long, default_value = "fixtures/problems")]
    pub problems: PathBuf,
    /// JSONL with `task_id` and `completion` per line. Lines of the same
    /// task that follow each other form one GRPO group.
    #[arg(long)]
    pub completions: PathBuf,
    /// A JSON or TOML file with a `RewardConfig` (weights, guard, scaling...).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print one JSON object per completion (with the explanation).
    #[arg(long)]
    pub json: bool,
}

/// One line of the completions file.
#[derive(Debug, serde::Deserialize)]
struct Line {
    #[serde(deserialize_with = "lossy_string")]
    task_id: String,
    #[serde(deserialize_with = "lossy_string")]
    completion: String,
}

/// Reads a JSON string, accepting lone UTF-16 surrogate escapes
/// (`"\ud800"`, which Python's `json.dumps` writes for unpaired surrogates):
/// serde_json hands such a string over as WTF-8 bytes, and each surrogate
/// becomes U+FFFD.
fn lossy_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Lossy;
    impl serde::de::Visitor<'_> for Lossy {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<String, E> {
            Ok(String::from_utf8_lossy(v).into_owned())
        }
    }
    d.deserialize_bytes(Lossy)
}

/// A line of the completions file, usable or not.
#[derive(Debug, PartialEq)]
enum Entry {
    /// A completion to score.
    Completion {
        /// 1-based line number.
        line: usize,
        task_id: String,
        completion: String,
    },
    /// A line that cannot be scored, and why.
    Bad {
        /// 1-based line number.
        line: usize,
        /// The task, when the line said which.
        task_id: Option<String>,
        error: String,
    },
}

/// Reads the completions, one [`Entry`] per non-blank line. Fails only when
/// the input cannot be read.
fn read_entries(input: impl BufRead, set: &ProblemSet) -> std::io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for (n, bytes) in input.split(b'\n').enumerate() {
        let bytes = bytes?;
        let line = n + 1;
        let Ok(text) = std::str::from_utf8(&bytes) else {
            entries.push(Entry::Bad {
                line,
                task_id: None,
                error: "the line is not valid UTF-8".to_owned(),
            });
            continue;
        };
        if text.trim().is_empty() {
            continue;
        }
        entries.push(match serde_json::from_str::<Line>(text) {
            Err(e) => Entry::Bad {
                line,
                task_id: None,
                error: format!("expected {{\"task_id\", \"completion\"}}: {e}"),
            },
            Ok(l) if set.get(&l.task_id).is_none() => Entry::Bad {
                line,
                error: format!("unknown task_id `{}`", l.task_id),
                task_id: Some(l.task_id),
            },
            Ok(l) => Entry::Completion {
                line,
                task_id: l.task_id,
                completion: l.completion,
            },
        });
    }
    Ok(entries)
}

/// Runs the command.
pub fn run(args: &RewardArgs) -> Result<ExitCode> {
    let set = ProblemSet::load(&args.problems)
        .with_context(|| format!("loading {}", args.problems.display()))?;
    let config: RewardConfig = match &args.config {
        None => RewardConfig::default(),
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            if p.extension().is_some_and(|e| e == "toml") {
                toml::from_str(&text).with_context(|| format!("parsing {}", p.display()))?
            } else {
                serde_json::from_str(&text).with_context(|| format!("parsing {}", p.display()))?
            }
        }
    };
    let file = std::fs::File::open(&args.completions)
        .with_context(|| format!("opening {}", args.completions.display()))?;
    let entries = read_entries(BufReader::new(file), &set)
        .with_context(|| format!("reading {}", args.completions.display()))?;
    let mut ids = Vec::new();
    let mut completions = Vec::new();
    for e in &entries {
        if let Entry::Completion {
            task_id,
            completion,
            ..
        } = e
        {
            ids.push(task_id.clone());
            completions.push(completion.clone());
        }
    }
    let rewards = CodeRewards::new(
        RewardPipeline::new(config, codequal_sandbox::Config::default())?,
        &set,
    );
    let mut scored = rewards.score_detailed(&ids, &completions)?.into_iter();
    let fmt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"));
    if !args.json {
        println!(
            "{:<32} {:>7} {:>11} {:>8} {:>9} {:>9}",
            "task_id", "format", "correctness", "quality", "composite", "advantage"
        );
    }
    let mut bad = 0;
    for e in &entries {
        match e {
            Entry::Completion { line, task_id, .. } => {
                let Some(r) = scored.next() else { break };
                print_scored(args.json, *line, task_id, &r, &fmt);
            }
            Entry::Bad {
                line,
                task_id,
                error,
            } => {
                bad += 1;
                if args.json {
                    let obj = serde_json::json!({
                        "line": line,
                        "task_id": task_id,
                        "error": error,
                        "format": 0.0,
                        "correctness": null,
                        "quality": null,
                        "composite": null,
                        "advantage": 0.0,
                    });
                    println!("{obj}");
                } else {
                    let id = task_id.as_deref().unwrap_or("-");
                    println!("{id:<32} line {line}: {error}");
                }
            }
        }
    }
    if bad > 0 {
        eprintln!(
            "codequal: {bad} line(s) of {} could not be scored (reported in place)",
            args.completions.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_scored(
    json: bool,
    line: usize,
    id: &str,
    r: &CompletionRewards,
    fmt: &dyn Fn(Option<f64>) -> String,
) {
    if json {
        let obj = serde_json::json!({
            "line": line,
            "task_id": id,
            "format": r.format,
            "correctness": r.correctness,
            "quality": r.quality,
            "composite": r.composite,
            "advantage": r.advantage,
            "explanation": r.explanation,
        });
        println!("{obj}");
    } else {
        println!(
            "{id:<32} {:>7} {:>11} {:>8} {:>9} {:>9.3}",
            fmt(r.format),
            fmt(r.correctness),
            fmt(r.quality),
            fmt(r.composite),
            r.advantage
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> ProblemSet {
        ProblemSet::load(codequal_reward::problems::default_dir()).expect("problems")
    }

    /// Regression: one line with a lone surrogate escape made the whole
    /// command fail (rc 2) and no result was printed.
    #[test]
    fn a_lone_surrogate_is_decoded_lossily() {
        let input =
            "{\"task_id\": \"searching_sorting-06\", \"completion\": \"x = 1  # \\ud800 lone\"}\n";
        let entries = read_entries(input.as_bytes(), &set()).expect("read");
        assert_eq!(
            entries,
            vec![Entry::Completion {
                line: 1,
                task_id: "searching_sorting-06".to_owned(),
                completion: "x = 1  # \u{FFFD}\u{FFFD}\u{FFFD} lone".to_owned(),
            }]
        );
    }

    /// Regression: a bad line lost the whole batch; now it is reported in
    /// place and the other lines are kept.
    #[test]
    fn each_bad_line_is_its_own_result() {
        let ok = "{\"task_id\": \"searching_sorting-06\", \"completion\": \"ok\"}";
        let input = format!(
            "{ok}\nnot json\n\n{{\"task_id\": \"no-such-task\", \"completion\": \"x\"}}\n{{\"task_id\": \"searching_sorting-06\"}}\n"
        );
        let mut bytes = input.into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\n");
        bytes.extend_from_slice(ok.as_bytes());
        let entries = read_entries(bytes.as_slice(), &set()).expect("read");
        let lines: Vec<(usize, bool)> = entries
            .iter()
            .map(|e| match e {
                Entry::Completion { line, .. } => (*line, true),
                Entry::Bad { line, .. } => (*line, false),
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                (1, true),
                (2, false),
                (4, false),
                (5, false),
                (6, false),
                (7, true)
            ]
        );
        assert!(
            matches!(&entries[2], Entry::Bad { task_id: Some(t), error, .. }
            if t == "no-such-task" && error.contains("unknown task_id"))
        );
    }
}
