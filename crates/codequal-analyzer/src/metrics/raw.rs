//! Raw line metrics, exactly as `radon raw` 6.0.1 computes them
//! (`radon/raw.py`).
//!
//! radon splits the source with `str.splitlines()`, strips every line and
//! walks the lines in chunks: a chunk is the shortest run of lines that
//! Python's `tokenize` accepts (no `TokenError`, no `ERRORTOKEN`). Each
//! chunk is then classified by its tokens:
//!
//! - a lone comment: one single-line comment;
//! - a lone string on one line: one single-line comment too;
//! - a lone string on several lines: its non-empty lines are `multi`, its
//!   empty lines `blank` (any string statement, not only docstrings);
//! - anything else: non-empty lines are `sloc`, empty ones `blank`.
//!
//! `comments` counts every comment token, trailing ones included; `lloc`
//! counts the logical lines of each chunk split on `;` (see
//! [`logical_lines`]). `loc = sloc + blank + multi + single_comments`.
//!
//! If the lines run out before a chunk tokenizes, radon raises
//! `SyntaxError('SyntaxError at line: N')` with N the chunk's first line:
//! [`RawError::Syntax`]. This does not depend on the parser: a module with a
//! syntax error often still has raw metrics, and a module Python accepts
//! can lack them (a `\ufeff` left in the text, `$` in a comment-free line).
//!
//! ```
//! use codequal_analyzer::metrics::raw::{analyze_source, RawMetrics};
//!
//! let m = analyze_source("def f(x):\n    \"\"\"Doc.\n\n    More.\"\"\"\n    return x  # hi\n").unwrap();
//! assert_eq!(
//!     m,
//!     RawMetrics { loc: 5, lloc: 3, sloc: 2, comments: 1, multi: 2, blank: 1, single_comments: 0 }
//! );
//! ```

mod python_alnum;
mod tokenize;

use serde::{Deserialize, Serialize};

use self::tokenize::{Finish, Kind, LineTokenizer, Token};
use crate::parse::ParsedSource;

/// radon's raw metrics of one module (the field order is radon's JSON
/// order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawMetrics {
    /// Lines of code: `sloc + blank + multi + single_comments`.
    pub loc: u32,
    /// Logical lines of code.
    pub lloc: u32,
    /// Source lines of code: non-empty lines of chunks that are not a lone
    /// comment or string.
    pub sloc: u32,
    /// Comment tokens (trailing comments included).
    pub comments: u32,
    /// Non-empty lines of string statements that span several lines.
    pub multi: u32,
    /// Empty (or whitespace-only) lines.
    pub blank: u32,
    /// Lines that hold only a comment, or only a one-line string.
    pub single_comments: u32,
}

/// Why radon cannot compute raw metrics for a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawError {
    /// The lines from `line` (1-based, as radon counts them) to the end do
    /// not tokenize.
    Syntax {
        /// First line of the chunk that never tokenized.
        line: u32,
    },
}

impl std::fmt::Display for RawError {
    /// radon's message, as its JSON output shows it under `"error"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Syntax { line } => write!(f, "SyntaxError at line: {line}"),
        }
    }
}

impl std::error::Error for RawError {}

/// Computes raw metrics of a parsed module; `None` when radon would raise
/// (see [`analyze_source`]).
pub fn analyze(parsed: &ParsedSource<'_>) -> Option<RawMetrics> {
    analyze_source(parsed.source).ok()
}

/// Computes raw metrics of a module's text, as `radon.raw.analyze` does.
///
/// The text is taken as radon receives it: `radon raw` reads files as
/// UTF-8 in text mode, so a byte-order mark stays in the text (and makes
/// the first chunk fail to tokenize) while newlines are already
/// normalised; neither matters for the library's callers, which pass text
/// without a byte-order mark.
pub fn analyze_source(source: &str) -> Result<RawMetrics, RawError> {
    let lines: Vec<&str> = python_splitlines(source).map(python_strip).collect();
    let mut m = RawMetrics::default();
    let mut lineno: u32 = 1;
    let mut i = 0usize;
    while i < lines.len() {
        let first = i;
        let mut tokenizer = LineTokenizer::default();
        let tail = loop {
            if let Finish::Done {
                tail,
                error_token: false,
            } = tokenizer.finish(lines[i])
            {
                break tail;
            }
            if i + 1 >= lines.len() {
                return Err(RawError::Syntax { line: lineno });
            }
            tokenizer.push_line(lines[i]);
            i += 1;
        };
        let chunk = &lines[first..=i];
        let tokens: Vec<Token> = tokenizer.tokens().iter().chain(&tail).copied().collect();
        count_chunk(&mut m, chunk, &tokens);
        lineno = lineno.saturating_add(to_u32(chunk.len()));
        i += 1;
    }
    m.loc = m.sloc + m.blank + m.multi + m.single_comments;
    Ok(m)
}

fn count_chunk(m: &mut RawMetrics, chunk: &[&str], tokens: &[Token]) {
    let non_empty = to_u32(chunk.iter().filter(|l| !l.is_empty()).count());
    let empty = to_u32(chunk.len()) - non_empty;
    m.comments += to_u32(tokens.iter().filter(|t| t.kind == Kind::Comment).count());
    let lone = |kind: Kind| {
        tokens.first().is_some_and(|t| t.kind == kind)
            && tokens[1..]
                .iter()
                .all(|t| matches!(t.kind, Kind::EndMarker | Kind::Nl | Kind::Newline))
    };
    if lone(Kind::Comment) {
        m.single_comments += 1;
    } else if lone(Kind::String) {
        let string = tokens[0];
        if string.start_row == string.end_row {
            m.single_comments += 1;
        } else {
            m.multi += non_empty;
            m.blank += empty;
        }
    } else {
        m.sloc += non_empty;
        m.blank += empty;
    }
    m.lloc += logical_lines(tokens);
}

/// Logical lines in one chunk's tokens (radon's `_logical`).
///
/// The tokens are split on `;`; each part counts 0 if it holds nothing but
/// comments and newlines, 1 if it has no `:` or if its last `:` is the
/// token just before the end marker (`if x:`), and 2 otherwise (`if x:
/// return`, but also `d = {a: b}`, `x[1:2]`, `lambda: 0`, `x: int = 1`).
/// Only the last part holds the end marker, so `x[1:]; y` counts 1 + 1.
fn logical_lines(tokens: &[Token]) -> u32 {
    tokens
        .split(|t| t.kind == Kind::Semicolon)
        .map(|part| {
            let processed: Vec<Kind> = part
                .iter()
                .map(|t| t.kind)
                .filter(|k| !matches!(k, Kind::Comment | Kind::Nl | Kind::Newline))
                .collect();
            match processed.iter().rposition(|&k| k == Kind::Colon) {
                Some(at) if processed.len() >= 2 && at == processed.len() - 2 => 1,
                Some(_) => 2,
                None if processed.iter().all(|&k| k == Kind::EndMarker) => 0,
                None => 1,
            }
        })
        .sum()
}

/// Python's `str.splitlines()`: splits on `\n`, `\r\n`, `\r`, `\v`, `\f`,
/// `\x1c`, `\x1d`, `\x1e`, `\x85`, `\u2028` and `\u2029`; a final line
/// break does not open an empty last line.
pub fn python_splitlines(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let bytes = rest.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            // Every break starts with one of these bytes: the ASCII ones,
            // and the lead bytes of U+0085 (C2 85) and U+2028/9 (E2 80 A8/9).
            let brk = match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => 2,
                b'\n' | b'\r' | b'\x0b' | b'\x0c' | b'\x1c' | b'\x1d' | b'\x1e' => 1,
                0xC2 if bytes.get(i + 1) == Some(&0x85) => 2,
                0xE2 if bytes.get(i + 1) == Some(&0x80)
                    && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
                {
                    3
                }
                _ => {
                    i += 1;
                    continue;
                }
            };
            let line = &rest[..i];
            rest = &rest[i + brk..];
            return Some(line);
        }
        let line = rest;
        rest = "";
        Some(line)
    })
}

/// Python's `str.strip()` with no argument: strips the characters for which
/// `str.isspace()` is true.
pub fn python_strip(s: &str) -> &str {
    s.trim_matches(is_python_space)
}

fn is_python_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\x1c'..='\x20'
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lloc(code: &str) -> u32 {
        analyze_source(code).map(|m| m.lloc).unwrap_or(u32::MAX)
    }

    /// radon tests/test_raw.py, LOGICAL_LINES_CASES (each case is a single
    /// chunk, so the module's lloc is `_logical` of it).
    #[test]
    fn logical_lines_cases() {
        let cases: &[(&str, u32)] = &[
            ("", 0),
            ("# most useless comment", 0),
            ("a * b + c", 1),
            ("if a:", 1),
            ("try:", 1),
            ("if a:  # just a comment", 1),
            ("try:  # just a comment", 1),
            ("if a: pass", 2),
            ("if a: continue", 2),
            ("if a: break", 2),
            ("if a: return", 2),
            ("if a: pass  # just a comment", 2),
            ("if a: continue  # just a comment", 2),
            ("if a: break  # just a comment", 2),
            ("if a: return  # just a comment", 2),
            ("42 # a comment", 1),
            ("\"\"\"\nmultiple\n\"\"\"", 1),
            ("# just a comment", 0),
            ("a = 2; b = 43", 2),
            ("a = 1; b = 2;", 2),
            ("a = 2; b = 43; c = 42; d = 3; print(a)", 5),
        ];
        for &(code, expected) in cases {
            assert_eq!(lloc(code), expected, "{code:?}");
        }
    }

    #[test]
    fn colon_not_last_counts_two() {
        assert_eq!(lloc("d = {a: b}"), 2);
        assert_eq!(lloc("x[1:2]"), 2);
        assert_eq!(lloc("x: int = 1"), 2);
        assert_eq!(lloc("f = lambda x: x"), 2);
        assert_eq!(lloc("x = a[1:]; y = 2"), 2);
        assert_eq!(lloc("x = a[1:2]; y = 2"), 3);
    }

    #[test]
    fn splitlines_matches_python() {
        let got: Vec<&str> = python_splitlines("a\r\nb\rc\x0cd\n\ne\u{2028}f\n").collect();
        assert_eq!(got, ["a", "b", "c", "d", "", "e", "f"]);
        assert_eq!(python_splitlines("").count(), 0);
        assert_eq!(python_splitlines("\n").collect::<Vec<_>>(), [""]);
        assert_eq!(python_splitlines("x").collect::<Vec<_>>(), ["x"]);
    }

    /// `str.splitlines()` written per character, as its documentation
    /// states it.
    fn splitlines_per_char(s: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut chars = s.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let is_break = matches!(
                c,
                '\n' | '\r'
                    | '\x0b'
                    | '\x0c'
                    | '\x1c'
                    | '\x1d'
                    | '\x1e'
                    | '\u{85}'
                    | '\u{2028}'
                    | '\u{2029}'
            );
            if is_break {
                out.push(&s[start..i]);
                start = i + c.len_utf8();
                if c == '\r' && chars.peek().map(|p| p.1) == Some('\n') {
                    chars.next();
                    start += 1;
                }
            }
        }
        if start < s.len() {
            out.push(&s[start..]);
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn splitlines_matches_the_per_character_definition(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1e", "\u{85}", "\u{2028}",
                "\u{2029}", "\u{2027}", "\u{a0}", "\u{c5}", "\u{202a}", "\u{20ac}", "é",
            ]), 0..24)
        ) {
            let s = parts.concat();
            proptest::prop_assert_eq!(python_splitlines(&s).collect::<Vec<_>>(), splitlines_per_char(&s));
        }
    }

    #[test]
    fn strip_matches_python() {
        assert_eq!(python_strip("\x0c\t x = 1 \u{a0}\u{3000}"), "x = 1");
        assert_eq!(python_strip("\u{feff}x"), "\u{feff}x");
    }

    #[test]
    fn form_feed_line_is_two_blank_lines() {
        let m = analyze_source("x = 1\n\x0c\ny = 2").ok();
        assert_eq!(
            m.map(|m| (m.loc, m.sloc, m.blank)),
            Some((4, 2, 2)),
            "splitlines breaks on the form feed too"
        );
    }

    #[test]
    fn unclosed_bracket_is_syntax_error_at_chunk_start() {
        assert_eq!(
            analyze_source("x = 1\ny = [1, 2,\n3,\n").err(),
            Some(RawError::Syntax { line: 2 })
        );
        assert_eq!(
            RawError::Syntax { line: 2 }.to_string(),
            "SyntaxError at line: 2"
        );
    }

    #[test]
    fn string_statement_on_one_line_is_single_comment() {
        let m = analyze_source("'''x'''\nx = 1\n").ok();
        assert_eq!(m.map(|m| (m.single_comments, m.sloc)), Some((1, 1)));
    }

    #[test]
    fn backslash_continued_single_quoted_string_is_multi() {
        let m = analyze_source("'abc\\\ndef'\n").ok();
        assert_eq!(m.map(|m| (m.multi, m.lloc)), Some((2, 1)));
    }

    proptest::proptest! {
        /// Any text: no panic, and loc is the sum of its parts.
        #[test]
        fn never_panics_and_loc_adds_up(src in "[a-z0-9 :;#'\"\\()\\[\\]{}=\n\r\t\x0c$!é\u{feff}]{0,200}") {
            if let Ok(m) = analyze_source(&src) {
                proptest::prop_assert_eq!(m.loc, m.sloc + m.blank + m.multi + m.single_comments);
            }
        }
    }
}
