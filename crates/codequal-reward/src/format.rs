//! The format reward: is the answer one well-formed Python block whose code
//! parses, with nothing hidden in it?
//!
//! The rule, with its value in [0, 1]:
//!
//! | condition | effect |
//! | --- | --- |
//! | a hidden character anywhere in the completion ([`crate::extract::HIDDEN_CHARS`]) | 0 |
//! | reasoning tags present but unbalanced | 0 |
//! | `require_reasoning` and no reasoning section | 0 |
//! | no code block found (see [`crate::extract`]) | 0 |
//! | the code block is empty or only whitespace | 0 |
//! | otherwise start from | 1 |
//! | the code does not parse (a NUL byte counts as not parsing) | x 0.5 |
//! | the fence is not closed | x 0.5 |
//! | the block is not tagged `python` | x 0.75 |
//! | more than one Python block | x 0.75 |
//! | text after the block | x 0.75 |
//!
//! Hidden characters zero the reward because they are how a policy would
//! make code look different from what it does (Trojan Source, CVE-2021-42574)
//! or sneak past a string check.

use serde::{Deserialize, Serialize};

use crate::extract::{extract_code, first_hidden_char, Extraction};

/// Settings of the format reward.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FormatConfig {
    /// Require a `<think>...</think>` reasoning section (default false).
    pub require_reasoning: bool,
}

/// The format reward and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormatScore {
    /// The reward in [0, 1].
    pub value: f64,
    /// Every rule that lowered it, in words.
    pub reasons: Vec<String>,
}

/// Scores the format of a completion; `parses` tells whether the extracted
/// code parses (the caller has analysed it already).
pub fn format_reward(
    completion: &str,
    extraction: &Extraction,
    parses: bool,
    config: &FormatConfig,
) -> FormatScore {
    let mut reasons = Vec::new();
    let zero = |why: &str| FormatScore {
        value: 0.0,
        reasons: vec![why.to_owned()],
    };
    if let Some((c, what)) = first_hidden_char(completion) {
        return zero(&format!("hidden character U+{:04X} ({what})", u32::from(c)));
    }
    if extraction.unbalanced_reasoning {
        return zero("unbalanced reasoning tags");
    }
    if config.require_reasoning && extraction.reasoning.is_none() {
        return zero("no reasoning section");
    }
    match extraction.code.as_deref() {
        None => return zero("no code block"),
        Some(code) if code.trim().is_empty() => return zero("empty code block"),
        Some(_) => {}
    }
    let mut value = 1.0;
    let mut apply = |cond: bool, factor: f64, why: &str| {
        if cond {
            value *= factor;
            reasons.push(why.to_owned());
        }
    };
    apply(!parses, 0.5, "code does not parse");
    apply(!extraction.terminated, 0.5, "unterminated fence");
    apply(
        extraction.python_blocks == 0,
        0.75,
        "block not tagged python",
    );
    apply(extraction.python_blocks > 1, 0.75, "several python blocks");
    apply(extraction.prose_after, 0.75, "text after the code block");
    FormatScore { value, reasons }
}

/// Whether `code` parses as CPython would accept it: the analyzer's parser,
/// and no NUL byte (CPython rejects "source code string cannot contain null
/// bytes"; the parser reads one as whitespace).
pub fn parses(code: &str) -> bool {
    !code.contains('\0') && codequal_analyzer::parse::parse(code).error.is_none()
}

/// Extracts and scores in one call, parsing the code with [`parses`].
pub fn format_reward_of(completion: &str, config: &FormatConfig) -> FormatScore {
    let e = extract_code(completion);
    let parses = e.code.as_deref().is_some_and(parses);
    format_reward(completion, &e, parses, config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(s: &str) -> f64 {
        format_reward_of(s, &FormatConfig::default()).value
    }

    #[test]
    fn ideal_answer_scores_one() {
        assert_eq!(f("```python\nx = 1\n```"), 1.0);
        assert_eq!(f("<think>easy</think>\n```python\nx = 1\n```\n"), 1.0);
    }

    #[test]
    fn hidden_unicode_scores_zero() {
        assert_eq!(f("```python\nx = 1 \u{202E}\n```"), 0.0);
        assert_eq!(f("\u{200B}```python\nx = 1\n```"), 0.0);
    }

    #[test]
    fn degradations_multiply() {
        assert_eq!(f("```python\nx = = 1\n```"), 0.5);
        assert_eq!(f("```python\nx = 1\n"), 0.5);
        assert_eq!(f("```python\nx = 1\n```\nHope this helps!"), 0.75);
        assert_eq!(f("prose only"), 0.0);
    }

    /// Regression: an empty or blank Python block scored 1.
    #[test]
    fn an_empty_block_scores_zero() {
        assert_eq!(f("```python\n```\n"), 0.0);
        assert_eq!(f("```python\n   \n\t\n```\n"), 0.0);
    }

    /// Regression: a NUL byte in a comment parsed (rustpython reads it as
    /// whitespace) although CPython rejects the source.
    #[test]
    fn a_nul_byte_does_not_parse() {
        assert!(!parses("x = 1  # a\0b\n"));
        assert!(parses("x = 1  # ab\n"));
    }

    #[test]
    fn the_reason_names_the_hidden_character() {
        let r = format_reward_of(
            "```python\nx = 1  # \u{3164}\n```\n",
            &FormatConfig::default(),
        );
        assert_eq!(r.value, 0.0);
        assert_eq!(
            r.reasons,
            vec!["hidden character U+3164 (Hangul filler)".to_owned()]
        );
    }
}
