//! Finding the code in a model's completion.
//!
//! Rules, in order:
//! 1. An optional reasoning section comes first: `<think>...</think>` (or
//!    `<reasoning>...</reasoning>`). Fences inside it are ignored. An opened
//!    tag that never closes makes the reasoning run to the end: there is then
//!    no answer.
//! 2. A fence is a line that starts (after up to three spaces) with three or
//!    more backticks, or three or more tildes (CommonMark); the text after
//!    them on the opening line is the info string (a backtick fence's info
//!    string holds no backtick). The fence closes at the next line that
//!    starts with at least as many of the same character and has nothing
//!    else on it. An indented opening fence (a block inside a list item)
//!    has that much indentation removed from each of its code lines, as
//!    CommonMark does.
//! 3. Python blocks are those whose info string is `python`, `py`,
//!    `python3` or `Python` (case-insensitive). If there are several, the
//!    **last** Python block is the answer (models often draft, then correct)
//!    — with [`extract_code_for`], the last one that defines the entry point
//!    the tests call (`def NAME` or `class NAME` at the start of a line), so
//!    that a usage example after the solution (`print(solve(3))`) is not
//!    taken for it; when no block defines it, the last Python block.
//!    If there is no Python block, the last block without an info string is
//!    taken (by the same entry-point rule); blocks tagged with another
//!    language never are.
//! 4. An unterminated fence (the completion ends inside it, typically because
//!    generation was truncated) still yields its code, flagged
//!    `terminated == false`.
//! 5. Text after the chosen block is allowed but recorded
//!    (`prose_after`), so the format reward can ask for nothing after it.

use serde::{Deserialize, Serialize};

/// What [`extract_code`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extraction {
    /// The chosen block's code, if any.
    pub code: Option<String>,
    /// Number of fenced blocks outside the reasoning section.
    pub blocks: usize,
    /// Number of those that are Python blocks.
    pub python_blocks: usize,
    /// Whether the chosen block's fence was closed.
    pub terminated: bool,
    /// The reasoning text, if a reasoning section was present.
    pub reasoning: Option<String>,
    /// Whether a reasoning tag was opened and never closed (or closed
    /// without being opened).
    pub unbalanced_reasoning: bool,
    /// Whether non-blank text follows the chosen block.
    pub prose_after: bool,
}

const REASONING_TAGS: [(&str, &str); 2] =
    [("<think>", "</think>"), ("<reasoning>", "</reasoning>")];

/// Splits off the reasoning section; returns (reasoning, answer, unbalanced).
fn split_reasoning(text: &str) -> (Option<String>, &str, bool) {
    for (open, close) in REASONING_TAGS {
        let opens = text.matches(open).count();
        let closes = text.matches(close).count();
        if opens == 0 && closes == 0 {
            continue;
        }
        if opens != 1 || closes != 1 {
            // Several or unmatched tags: take up to the last close if any.
            return match text.rfind(close) {
                Some(end) if opens > 0 => {
                    let start = text.find(open).map_or(0, |s| s + open.len()).min(end);
                    (
                        Some(text[start..end].to_owned()),
                        &text[end + close.len()..],
                        true,
                    )
                }
                _ => (None, if closes == 0 { "" } else { text }, true),
            };
        }
        let (Some(s), Some(e)) = (text.find(open), text.find(close)) else {
            return (None, text, true);
        };
        if e < s {
            return (None, text, true);
        }
        return (
            Some(text[s + open.len()..e].to_owned()),
            &text[e + close.len()..],
            false,
        );
    }
    (None, text, false)
}

#[derive(Debug)]
struct Block {
    info: String,
    code: String,
    terminated: bool,
    /// Byte offset in the answer just past the block.
    end: usize,
}

/// A fence line: its indentation, fence character, run length and the
/// rest of the line (trimmed).
struct Fence<'a> {
    indent: usize,
    ch: char,
    len: usize,
    rest: &'a str,
}

fn fence(line: &str) -> Option<Fence<'_>> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let ch = rest.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let len = rest.len() - rest.trim_start_matches(ch).len();
    (len >= 3).then(|| Fence {
        indent,
        ch,
        len,
        rest: rest[len..].trim(),
    })
}

/// An open fence while its block is read.
struct Open {
    indent: usize,
    ch: char,
    len: usize,
    info: String,
    code: String,
}

/// `line` without up to `n` leading spaces.
fn dedent(line: &str, n: usize) -> &str {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    &line[spaces.min(n)..]
}

fn blocks(answer: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    let mut offset = 0;
    for line in answer.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        offset += line.len();
        match &mut open {
            None => {
                if let Some(f) = fence(content) {
                    if f.ch == '~' || !f.rest.contains('`') {
                        open = Some(Open {
                            indent: f.indent,
                            ch: f.ch,
                            len: f.len,
                            info: f.rest.to_owned(),
                            code: String::new(),
                        });
                    }
                }
            }
            Some(o) => match fence(content) {
                Some(f) if f.ch == o.ch && f.len >= o.len && f.rest.is_empty() => {
                    out.push(Block {
                        info: std::mem::take(&mut o.info),
                        code: std::mem::take(&mut o.code),
                        terminated: true,
                        end: offset,
                    });
                    open = None;
                }
                _ => o.code.push_str(dedent(line, o.indent)),
            },
        }
    }
    if let Some(Open { info, code, .. }) = open {
        out.push(Block {
            info,
            code,
            terminated: false,
            end: answer.len(),
        });
    }
    out
}

fn is_python(info: &str) -> bool {
    let lang = info
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(lang.as_str(), "python" | "py" | "python3")
}

/// Whether `code` defines `name` at the start of a line (`def name(`,
/// `async def name(`, `class name:` or `class name(`), at any indentation.
fn defines(code: &str, name: &str) -> bool {
    code.lines().any(|line| {
        let line = line.trim_start();
        let line = line.strip_prefix("async ").map_or(line, str::trim_start);
        let rest = line
            .strip_prefix("def ")
            .or_else(|| line.strip_prefix("class "))
            .map(str::trim_start);
        rest.and_then(|r| r.strip_prefix(name))
            .is_some_and(|after| after.trim_start().starts_with(['(', ':']))
    })
}

/// Extracts the answer code from a completion (see the module docs): the
/// last Python block.
pub fn extract_code(completion: &str) -> Extraction {
    extract_code_for(completion, None)
}

/// Extracts the answer code from a completion whose tests call
/// `entry_point` (see the module docs): the last Python block that defines
/// it, else the last Python block.
pub fn extract_code_for(completion: &str, entry_point: Option<&str>) -> Extraction {
    // A leading byte-order mark costs the format reward (it is a hidden
    // character) but must not hide the first fence, and so correctness.
    let completion = completion.strip_prefix('\u{FEFF}').unwrap_or(completion);
    let (reasoning, answer, unbalanced) = split_reasoning(completion);
    let found = blocks(answer);
    let python_blocks = found.iter().filter(|b| is_python(&b.info)).count();
    let pick = |wanted: &dyn Fn(&Block) -> bool| {
        let mut candidates = found.iter().rev().filter(|b| wanted(b)).peekable();
        let last = candidates.peek().copied();
        let defining = entry_point
            .filter(|e| !e.is_empty())
            .and_then(|e| candidates.find(|b| defines(&b.code, e)));
        defining.or(last)
    };
    let chosen = pick(&|b| is_python(&b.info)).or_else(|| pick(&|b| b.info.is_empty()));
    let (code, terminated, prose_after) = match chosen {
        Some(b) => (
            Some(b.code.clone()),
            b.terminated,
            !answer.get(b.end..).unwrap_or("").trim().is_empty(),
        ),
        None => (None, false, false),
    };
    Extraction {
        code,
        blocks: found.len(),
        python_blocks,
        terminated,
        reasoning,
        unbalanced_reasoning: unbalanced,
        prose_after,
    }
}

/// Every character that zeroes the format reward, as inclusive ranges with
/// what they are. This is the one list; `docs/rewards.md` describes it.
///
/// They change how text *looks* without changing what it does, or the
/// reverse: bidirectional controls (the "Trojan Source" attack,
/// CVE-2021-42574), zero-width and other invisible characters, characters
/// that render as blank but count as letters (the Hangul fillers are valid
/// in Python identifiers: `ㅤ = 1`), line separators that editors break on
/// and Python does not, and control characters (an escape sequence can
/// rewrite a terminal; CPython rejects a NUL in source). Code that needs one
/// can spell it as an escape (`"\u200b"`).
///
/// The list holds every character of Unicode's `Cf` (format) category as of
/// Unicode 15.1, and beyond it: C0 and C1 controls other than tab, line
/// feed, carriage return and form feed; the combining grapheme joiner; the
/// Hangul and Khmer fillers; variation selectors; the tag block (reserved
/// code points included); and the line and paragraph separators.
pub const HIDDEN_CHARS: &[(char, char, &str)] = &[
    (
        '\u{0000}',
        '\u{0008}',
        "C0 control (NUL, BEL, backspace, ...)",
    ),
    ('\u{000B}', '\u{000B}', "C0 control (vertical tab)"),
    ('\u{000E}', '\u{001F}', "C0 control (ESC, ...)"),
    ('\u{007F}', '\u{009F}', "DEL or C1 control (NEL, CSI, ...)"),
    ('\u{00AD}', '\u{00AD}', "soft hyphen"),
    ('\u{034F}', '\u{034F}', "combining grapheme joiner"),
    ('\u{0600}', '\u{0605}', "Arabic number signs (Cf)"),
    ('\u{061C}', '\u{061C}', "Arabic letter mark (bidi)"),
    ('\u{06DD}', '\u{06DD}', "Arabic end of ayah (Cf)"),
    ('\u{070F}', '\u{070F}', "Syriac abbreviation mark (Cf)"),
    (
        '\u{0890}',
        '\u{0891}',
        "Arabic pound and piastre marks (Cf)",
    ),
    ('\u{08E2}', '\u{08E2}', "Arabic disputed end of ayah (Cf)"),
    (
        '\u{115F}',
        '\u{1160}',
        "Hangul choseong and jungseong fillers",
    ),
    ('\u{17B4}', '\u{17B5}', "Khmer inherent vowels (invisible)"),
    ('\u{180E}', '\u{180E}', "Mongolian vowel separator"),
    (
        '\u{200B}',
        '\u{200F}',
        "zero-width space or joiner, LRM, RLM",
    ),
    ('\u{2028}', '\u{2029}', "line or paragraph separator"),
    ('\u{202A}', '\u{202E}', "bidi embedding or override"),
    ('\u{2060}', '\u{2064}', "word joiner or invisible operator"),
    ('\u{2066}', '\u{2069}', "bidi isolate"),
    ('\u{206A}', '\u{206F}', "deprecated format control (Cf)"),
    ('\u{3164}', '\u{3164}', "Hangul filler"),
    ('\u{FE00}', '\u{FE0F}', "variation selector"),
    ('\u{FEFF}', '\u{FEFF}', "zero-width no-break space (BOM)"),
    ('\u{FFA0}', '\u{FFA0}', "halfwidth Hangul filler"),
    ('\u{FFF9}', '\u{FFFB}', "interlinear annotation control"),
    ('\u{110BD}', '\u{110BD}', "Kaithi number sign (Cf)"),
    ('\u{110CD}', '\u{110CD}', "Kaithi number sign above (Cf)"),
    (
        '\u{13430}',
        '\u{1343F}',
        "Egyptian hieroglyph format control (Cf)",
    ),
    ('\u{1BCA0}', '\u{1BCA3}', "shorthand format control (Cf)"),
    (
        '\u{1D173}',
        '\u{1D17A}',
        "musical symbol format control (Cf)",
    ),
    ('\u{E0000}', '\u{E007F}', "tag character"),
    ('\u{E0100}', '\u{E01EF}', "variation selector supplement"),
];

/// What a hidden character is ([`HIDDEN_CHARS`]), or `None` for an ordinary
/// one.
pub fn hidden_char_kind(c: char) -> Option<&'static str> {
    // Printable ASCII and the allowed whitespace are by far the commonest.
    if matches!(c, ' '..='~' | '\t' | '\n' | '\r' | '\u{000C}') {
        return None;
    }
    HIDDEN_CHARS
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&c))
        .map(|(_, _, what)| *what)
}

/// The first hidden character of `text` and what it is, except the
/// joiners of a visible emoji: a variation selector (U+FE0E, U+FE0F) or a
/// zero-width joiner (U+200D) right after a pictograph, a skin-tone
/// modifier or another such joiner (`⚠️`, `👨‍👩‍👧`) is part of a glyph
/// the reader sees, not hidden text.
pub fn first_hidden_char(text: &str) -> Option<(char, &'static str)> {
    // Whether a joiner here would continue an emoji: the previous
    // character was a pictograph or a joiner that did.
    let mut after_emoji = false;
    for c in text.chars() {
        let joiner = matches!(c, '\u{FE0E}' | '\u{FE0F}' | '\u{200D}');
        if joiner && after_emoji {
            continue;
        }
        if let Some(what) = hidden_char_kind(c) {
            return Some((c, what));
        }
        after_emoji = is_pictograph(c);
    }
    None
}

/// Characters that render as emoji pictographs (an approximation of
/// Unicode's `Extended_Pictographic`, plus skin-tone modifiers).
fn is_pictograph(c: char) -> bool {
    matches!(c,
        '\u{00A9}' | '\u{00AE}' | '\u{203C}' | '\u{2049}' | '\u{2122}' | '\u{2139}'
        | '\u{2194}'..='\u{21FF}'
        | '\u{2300}'..='\u{23FF}'
        | '\u{24C2}'
        | '\u{25A0}'..='\u{27BF}'
        | '\u{2934}'..='\u{2935}'
        | '\u{2B00}'..='\u{2BFF}'
        | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}'
        | '\u{1F000}'..='\u{1FAFF}')
}

/// Whether `c` is one of [`HIDDEN_CHARS`]. Its presence anywhere in a
/// completion zeroes the format reward.
pub fn is_hidden_char(c: char) -> bool {
    hidden_char_kind(c).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_python_block() {
        let e = extract_code("Here:\n```python\ndef f():\n    return 1\n```\n");
        assert_eq!(e.code.as_deref(), Some("def f():\n    return 1\n"));
        assert_eq!(
            (e.blocks, e.python_blocks, e.terminated, e.prose_after),
            (1, 1, true, false)
        );
    }

    #[test]
    fn last_python_block_wins_and_other_languages_are_skipped() {
        let e = extract_code("```python\nx = 1\n```\n```bash\nls\n```\n```py\nx = 2\n```\nDone.");
        assert_eq!(e.code.as_deref(), Some("x = 2\n"));
        assert_eq!((e.blocks, e.python_blocks), (3, 2));
        assert!(e.prose_after);
    }

    #[test]
    fn a_usage_example_after_the_solution_is_not_the_answer() {
        let text = "```python\ndef solve(n):\n    return n + 1\n```\n\nUsage:\n\n```python\nprint(solve(3))\n```\n";
        let e = extract_code_for(text, Some("solve"));
        assert_eq!(e.code.as_deref(), Some("def solve(n):\n    return n + 1\n"));
        assert!(e.prose_after);
        // Without the entry point, or when no block defines it: the last.
        assert_eq!(
            extract_code(text).code.as_deref(),
            Some("print(solve(3))\n")
        );
        let none = extract_code_for(text, Some("other"));
        assert_eq!(none.code.as_deref(), Some("print(solve(3))\n"));
        // A draft and its correction both define it: the correction.
        let drafts = "```python\ndef solve(n):\n    return n\n```\nFixed:\n```python\nasync def solve(n):\n    return n + 1\n```\n";
        let e = extract_code_for(drafts, Some("solve"));
        assert_eq!(
            e.code.as_deref(),
            Some("async def solve(n):\n    return n + 1\n")
        );
        // A longer name is not the entry point.
        assert!(!defines("def solve_all(x):\n", "solve"));
        assert!(defines("class Solve:\n", "Solve"));
        assert!(defines("    def solve (x):\n", "solve"));
    }

    #[test]
    fn tilde_fences_and_indented_fences_follow_commonmark() {
        let tilde = "~~~python\ndef f():\n    return 1\n~~~\n";
        assert_eq!(
            extract_code(tilde).code.as_deref(),
            Some("def f():\n    return 1\n")
        );
        // A backtick line does not close a tilde fence.
        let mixed = "~~~python\nx = 1\n```\ny = 2\n~~~~\n";
        assert_eq!(
            extract_code(mixed).code.as_deref(),
            Some("x = 1\n```\ny = 2\n")
        );
        // A fence inside a list item: its indentation leaves the code.
        let listed = "1. The function:\n\n   ```python\n   def f(x):\n       return x\n   ```\n";
        assert_eq!(
            extract_code(listed).code.as_deref(),
            Some("def f(x):\n    return x\n")
        );
    }

    #[test]
    fn untagged_block_is_a_fallback() {
        let e = extract_code("```\nx = 1\n```");
        assert_eq!(e.code.as_deref(), Some("x = 1\n"));
        assert_eq!(extract_code("```bash\nls\n```").code, None);
    }

    #[test]
    fn unterminated_fence_keeps_its_code() {
        let e = extract_code("```python\ndef f():\n    return");
        assert_eq!(e.code.as_deref(), Some("def f():\n    return"));
        assert!(!e.terminated);
    }

    #[test]
    fn reasoning_fences_are_ignored() {
        let e = extract_code("<think>try ```python\nx=0\n``` no</think>\n```python\nx = 1\n```");
        assert_eq!(e.code.as_deref(), Some("x = 1\n"));
        assert!(e.reasoning.is_some() && !e.unbalanced_reasoning);
        let e = extract_code("<think>never closed ```python\nx = 1\n```");
        assert!(e.unbalanced_reasoning);
        assert_eq!(e.code, None);
    }

    #[test]
    fn longer_fences_close_only_on_matching_length() {
        let e = extract_code("````python\ns = '```'\n```\nstill code\n````\n");
        assert_eq!(e.code.as_deref(), Some("s = '```'\n```\nstill code\n"));
    }

    #[test]
    fn hidden_characters() {
        assert!(is_hidden_char('\u{202E}'));
        assert!(is_hidden_char('\u{200B}'));
        assert!(!is_hidden_char('é'));
        for ok in ['\t', '\n', '\r', '\u{000C}', ' ', 'ㅏ', '\u{00A0}', '€'] {
            assert!(!is_hidden_char(ok), "{ok:?}");
        }
    }

    /// Regression: the list used to hold only bidi controls and a few
    /// zero-width characters; tags, Hangul fillers, separators, variation
    /// selectors and control characters went through.
    #[test]
    fn emoji_joiners_are_visible_glyphs_not_hidden_text() {
        for visible in [
            "careful \u{26A0}\u{FE0F} here",
            "done \u{2714}\u{FE0F}",
            "family \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}",
            "wave \u{1F44B}\u{1F3FD}",
        ] {
            assert_eq!(first_hidden_char(visible), None, "{visible:?}");
        }
        for hidden in [
            "a\u{FE0F}b",
            "x\u{200D}y",
            "\u{200D}```python",
            "ok \u{26A0}\u{FE0F} then \u{200B}",
        ] {
            assert!(first_hidden_char(hidden).is_some(), "{hidden:?}");
        }
    }

    #[test]
    fn a_leading_byte_order_mark_does_not_hide_the_fence() {
        let e = extract_code("\u{FEFF}```python\ndef f():\n    return 1\n```\n");
        assert_eq!(e.code.as_deref(), Some("def f():\n    return 1\n"));
        assert!(e.terminated);
    }

    #[test]
    fn every_invisible_or_control_character_is_hidden() {
        for c in [
            '\u{E0041}',
            '\u{E0001}',
            '\u{E0000}',
            '\u{E007F}',
            '\u{3164}',
            '\u{115F}',
            '\u{1160}',
            '\u{FFA0}',
            '\u{034F}',
            '\u{17B4}',
            '\u{17B5}',
            '\u{206A}',
            '\u{206F}',
            '\u{FFF9}',
            '\u{FFFB}',
            '\u{1D173}',
            '\u{1D17A}',
            '\u{2028}',
            '\u{2029}',
            '\u{0085}',
            '\u{FE00}',
            '\u{FE0F}',
            '\u{E0100}',
            '\u{E01EF}',
            '\u{0000}',
            '\u{001B}',
            '\u{0007}',
            '\u{000B}',
            '\u{007F}',
            '\u{009B}',
            '\u{0600}',
            '\u{06DD}',
            '\u{070F}',
            '\u{08E2}',
            '\u{110BD}',
            '\u{13430}',
            '\u{1BCA0}',
        ] {
            assert!(is_hidden_char(c), "U+{:04X}", u32::from(c));
        }
    }
}
