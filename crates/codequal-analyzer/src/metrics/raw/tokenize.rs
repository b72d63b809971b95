//! A port of CPython 3.11's pure-Python `tokenize` loop, reduced to what
//! radon's raw metrics look at.
//!
//! radon does not use the parser's tokens: it re-tokenizes each group of
//! stripped source lines with `tokenize.generate_tokens` and retries with
//! one more line whenever that raises `TokenError` or yields an
//! `ERRORTOKEN`. The outcome hinges on `tokenize`'s quirks (its regexes, its
//! line-at-a-time string continuation, its `\w`), so they are reproduced
//! here rather than approximated with rustpython's lexer.
//!
//! Every line radon feeds in has been stripped of surrounding whitespace, so
//! no line starts with whitespace: `tokenize` can never emit `INDENT` or
//! `DEDENT` nor raise `IndentationError` here, and that part of the loop is
//! left out.
//!
//! The tokenizer is incremental: [`LineTokenizer::push_line`] feeds a line
//! followed by `\n` (a line that is not the last of the buffer), and
//! [`LineTokenizer::finish`] evaluates, without consuming the state, the
//! buffer whose last line (fed without `\n`) is the given one. Re-tokenizing
//! a growing buffer from scratch, as radon does, gives the same tokens
//! because `tokenize` reads the buffer strictly line by line.

use super::python_alnum::WORD_RANGES;

/// The token classes radon's raw metrics distinguish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// `COMMENT`.
    Comment,
    /// `NL` (a newline that does not end a logical line).
    Nl,
    /// `NEWLINE`, including the implicit one at the end of the input.
    Newline,
    /// `STRING`.
    String,
    /// `OP` `:`.
    Colon,
    /// `OP` `;`.
    Semicolon,
    /// Any other `NAME`, `NUMBER` or `OP`.
    Other,
    /// `ENDMARKER`.
    EndMarker,
}

/// One token: its class and the buffer rows (1-based) it starts and ends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token {
    /// Its class.
    pub kind: Kind,
    /// Row of its first character.
    pub start_row: u32,
    /// Row of its last character.
    pub end_row: u32,
}

/// A string left open at the end of a line (`contstr` in `tokenize`).
#[derive(Debug, Clone, Copy)]
struct OpenString {
    quote: u8,
    triple: bool,
    /// Single-quoted strings only continue over a backslash-newline.
    needcont: bool,
    start_row: u32,
}

/// What feeding the rest of a buffer found.
#[derive(Debug)]
pub(super) enum Finish {
    /// `tokenize` raised `TokenError` (EOF inside a string or a bracket or
    /// after a backslash).
    TokenError,
    /// Tokenization completed; `error_token` says whether an `ERRORTOKEN`
    /// was produced anywhere in the buffer.
    Done {
        /// The tokens after the persistent ones (the last line's and the
        /// end-of-input ones).
        tail: Vec<Token>,
        /// Whether any `ERRORTOKEN` was produced.
        error_token: bool,
    },
}

/// The scanner state between lines, and the tokens of the lines pushed so
/// far.
#[derive(Debug, Default)]
pub(super) struct LineTokenizer {
    state: State,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, Copy, Default)]
struct State {
    lnum: u32,
    parenlev: i64,
    continued: bool,
    open: Option<OpenString>,
    error_token: bool,
}

impl LineTokenizer {
    /// The tokens of the lines pushed so far.
    pub(super) fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// Feeds `line` followed by a newline.
    pub(super) fn push_line(&mut self, line: &str) {
        let mut text = String::with_capacity(line.len() + 1);
        text.push_str(line);
        text.push('\n');
        // A line that ends in a newline is never end of input, so this
        // cannot raise `TokenError`.
        let _ = self.state.line(&text, &mut self.tokens);
    }

    /// Tokenizes the rest of the buffer: `last` (without a newline), then
    /// end of input. The persistent state is left as it was.
    pub(super) fn finish(&self, last: &str) -> Finish {
        let mut state = self.state;
        let mut tail = Vec::new();
        // `readline` returns '' for an empty last line: that is end of
        // input, and the previous line (which ended in a newline) is the
        // `last_line` that decides the implicit NEWLINE.
        let ended = if last.is_empty() {
            state.line("", &mut tail)
        } else {
            match state.line(last, &mut tail) {
                LineEnd::Continue => state.line("", &mut tail),
                end => end,
            }
        };
        match ended {
            LineEnd::TokenError => Finish::TokenError,
            LineEnd::Continue | LineEnd::Eof => {
                let last_line_open = !last.is_empty() && !last.starts_with('#');
                if last_line_open {
                    tail.push(Token {
                        kind: Kind::Newline,
                        start_row: state.lnum.saturating_sub(1),
                        end_row: state.lnum.saturating_sub(1),
                    });
                }
                tail.push(Token {
                    kind: Kind::EndMarker,
                    start_row: state.lnum,
                    end_row: state.lnum,
                });
                Finish::Done {
                    tail,
                    error_token: state.error_token,
                }
            }
        }
    }
}

enum LineEnd {
    /// The line was consumed; read the next one.
    Continue,
    /// End of input reached normally.
    Eof,
    /// `TokenError` at end of input.
    TokenError,
}

impl State {
    /// One iteration of `tokenize`'s outer loop. `line` is what `readline`
    /// returned: it ends in `\n` unless it is the last line; `""` is end of
    /// input.
    fn line(&mut self, line: &str, out: &mut Vec<Token>) -> LineEnd {
        self.lnum += 1;
        let bytes = line.as_bytes();
        let max = bytes.len();
        let mut pos = 0usize;

        if let Some(open) = self.open {
            if line.is_empty() {
                return LineEnd::TokenError;
            }
            match end_of_string(bytes, 0, open.quote, open.triple) {
                Some(end) => {
                    pos = end;
                    out.push(Token {
                        kind: Kind::String,
                        start_row: open.start_row,
                        end_row: self.lnum,
                    });
                    self.open = None;
                }
                None if open.needcont && !line.ends_with("\\\n") => {
                    self.error_token = true;
                    self.open = None;
                    return LineEnd::Continue;
                }
                None => return LineEnd::Continue,
            }
        } else if self.parenlev == 0 && !self.continued {
            if line.is_empty() {
                return LineEnd::Eof;
            }
            // Lines are stripped: no indentation to measure.
            match bytes[0] {
                b'#' => {
                    out.push(self.token(Kind::Comment));
                    out.push(self.token(Kind::Nl));
                    return LineEnd::Continue;
                }
                b'\r' | b'\n' => {
                    out.push(self.token(Kind::Nl));
                    return LineEnd::Continue;
                }
                _ => {}
            }
        } else {
            if line.is_empty() {
                return LineEnd::TokenError;
            }
            self.continued = false;
        }

        while pos < max {
            let Some(m) = pseudo_token(line, pos) else {
                self.error_token = true;
                pos += char_len(bytes[pos]);
                continue;
            };
            let (start, end) = (m.start, m.end);
            pos = end;
            if start == end {
                continue;
            }
            let initial = bytes[start];
            match m.kind {
                Pseudo::Newline => {
                    let kind = if self.parenlev > 0 {
                        Kind::Nl
                    } else {
                        Kind::Newline
                    };
                    out.push(self.token(kind));
                }
                Pseudo::Comment => out.push(self.token(Kind::Comment)),
                Pseudo::Triple { quote } => match end_of_string(bytes, pos, quote, true) {
                    Some(end) => {
                        pos = end;
                        out.push(self.token(Kind::String));
                    }
                    None => {
                        self.open = Some(OpenString {
                            quote,
                            triple: true,
                            needcont: false,
                            start_row: self.lnum,
                        });
                        break;
                    }
                },
                Pseudo::String { quote, continued } => {
                    if continued {
                        self.open = Some(OpenString {
                            quote,
                            triple: false,
                            needcont: true,
                            start_row: self.lnum,
                        });
                        break;
                    }
                    out.push(self.token(Kind::String));
                }
                Pseudo::Continuation => self.continued = true,
                Pseudo::Word => out.push(self.token(Kind::Other)),
                Pseudo::Operator => {
                    match initial {
                        b'(' | b'[' | b'{' => self.parenlev += 1,
                        b')' | b']' | b'}' => self.parenlev -= 1,
                        _ => {}
                    }
                    let kind = match &line[start..end] {
                        ":" => Kind::Colon,
                        ";" => Kind::Semicolon,
                        _ => Kind::Other,
                    };
                    out.push(self.token(kind));
                }
            }
        }
        LineEnd::Continue
    }

    fn token(&self, kind: Kind) -> Token {
        Token {
            kind,
            start_row: self.lnum,
            end_row: self.lnum,
        }
    }
}

/// Which alternative of `tokenize.PseudoToken` matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pseudo {
    /// `\r?\n`.
    Newline,
    /// `#[^\r\n]*`.
    Comment,
    /// A string prefix and `'''` or `"""`.
    Triple { quote: u8 },
    /// A single-quoted string, complete or (`continued`) ending in a
    /// backslash-newline.
    String { quote: u8, continued: bool },
    /// A backslash-newline.
    Continuation,
    /// A number or `\w+`.
    Word,
    /// One of `token.EXACT_TOKEN_TYPES`.
    Operator,
}

#[derive(Debug, Clone, Copy)]
struct PseudoMatch {
    start: usize,
    end: usize,
    kind: Pseudo,
}

/// `tokenize`'s operators (`token.EXACT_TOKEN_TYPES` of 3.11), longest
/// first so that the first match is the one Python's reverse-sorted
/// alternation finds.
#[cfg(test)]
const OPERATORS: &[&str] = &[
    "**=", "...", "//=", "<<=", ">>=", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
    ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|=", "%", "&", "(", ")", "*", "+", ",", "-",
    ".", "/", ":", ";", "<", "=", ">", "@", "[", "]", "^", "{", "|", "}", "~",
];

/// Length of the longest of `tokenize`'s operators (`token.EXACT_TOKEN_TYPES`
/// of 3.11) that `rest` starts with: the one Python's reverse-sorted
/// alternation finds.
fn operator_len(rest: &[u8]) -> Option<usize> {
    let at = |i: usize| rest.get(i).copied();
    let len = match at(0)? {
        // `**=`, `//=`, `<<=`, `>>=`; `**`, `//`, `<<`, `>>`; `*=`, `/=`,
        // `<=`, `>=`; and the single characters.
        c @ (b'*' | b'/' | b'<' | b'>') => {
            if at(1) == Some(c) {
                if at(2) == Some(b'=') {
                    3
                } else {
                    2
                }
            } else if at(1) == Some(b'=') {
                2
            } else {
                1
            }
        }
        b'.' => {
            if at(1) == Some(b'.') && at(2) == Some(b'.') {
                3
            } else {
                1
            }
        }
        b'-' => {
            if matches!(at(1), Some(b'=' | b'>')) {
                2
            } else {
                1
            }
        }
        b'!' if at(1) == Some(b'=') => 2,
        b'%' | b'&' | b'+' | b':' | b'=' | b'@' | b'^' | b'|' => {
            if at(1) == Some(b'=') {
                2
            } else {
                1
            }
        }
        b'(' | b')' | b',' | b';' | b'[' | b']' | b'{' | b'}' | b'~' => 1,
        _ => return None,
    };
    Some(len)
}

/// `tokenize.PseudoToken` matched at `pos`: `[ \f\t]*` then the first
/// alternative that matches. `None` means `tokenize` emits an `ERRORTOKEN`
/// for the character at `pos`.
///
/// Numbers are matched as words: every character a number literal can
/// contain is a word character or an operator, so the split never changes
/// which tokens are strings, comments, colons or semicolons.
fn pseudo_token(line: &str, pos: usize) -> Option<PseudoMatch> {
    let bytes = line.as_bytes();
    let mut p = pos;
    while p < bytes.len() && matches!(bytes[p], b' ' | b'\x0c' | b'\t') {
        p += 1;
    }
    let found = |end: usize, kind: Pseudo| {
        Some(PseudoMatch {
            start: p,
            end,
            kind,
        })
    };
    let Some(&c) = bytes.get(p) else {
        // `\Z`: an empty match at the end of the line.
        return found(p, Pseudo::Word);
    };
    match c {
        b'\\' => {
            return match &bytes[p + 1..] {
                [b'\n', ..] => found(p + 2, Pseudo::Continuation),
                [b'\r', b'\n', ..] => found(p + 3, Pseudo::Continuation),
                _ => None,
            };
        }
        b'#' => {
            let end = bytes[p..]
                .iter()
                .position(|&b| b == b'\r' || b == b'\n')
                .map_or(bytes.len(), |i| p + i);
            return found(end, Pseudo::Comment);
        }
        _ => {}
    }
    // Triple-quoted string start (`PseudoExtras`, before anything else).
    if let Some((quote_at, quote)) = string_start(bytes, p) {
        if bytes.get(quote_at + 1) == Some(&quote) && bytes.get(quote_at + 2) == Some(&quote) {
            return found(quote_at + 3, Pseudo::Triple { quote });
        }
    }
    if c == b'\n' {
        return found(p + 1, Pseudo::Newline);
    }
    if c == b'\r' && bytes.get(p + 1) == Some(&b'\n') {
        return found(p + 2, Pseudo::Newline);
    }
    if let Some(len) = operator_len(&bytes[p..]) {
        return found(p + len, Pseudo::Operator);
    }
    // `ContStr`: a single-quoted string that closes on this line or ends in
    // a backslash-newline.
    if let Some((quote_at, quote)) = string_start(bytes, p) {
        if let Some((end, continued)) = single_quoted_tail(bytes, quote_at + 1, quote) {
            return found(end, Pseudo::String { quote, continued });
        }
    }
    // `\w+`.
    let mut end = p;
    for ch in line[p..].chars() {
        if !is_word(ch) {
            break;
        }
        end += ch.len_utf8();
    }
    if end > p {
        return found(end, Pseudo::Word);
    }
    None
}

/// If a string (optional prefix, then a quote) starts at `p`, the index of
/// the quote and the quote character.
fn string_start(bytes: &[u8], p: usize) -> Option<(usize, u8)> {
    for prefix_len in 0..=2 {
        let &q = bytes.get(p + prefix_len)?;
        if q == b'\'' || q == b'"' {
            return is_string_prefix(&bytes[p..p + prefix_len]).then_some((p + prefix_len, q));
        }
    }
    None
}

/// `tokenize._all_string_prefixes()`: '', b, r, u, f, br, fr in any order
/// and case.
fn is_string_prefix(prefix: &[u8]) -> bool {
    let lower = |i: usize| prefix[i].to_ascii_lowercase();
    match prefix.len() {
        0 => true,
        1 => matches!(lower(0), b'b' | b'r' | b'u' | b'f'),
        2 => matches!(
            (lower(0), lower(1)),
            (b'b', b'r') | (b'r', b'b') | (b'f', b'r') | (b'r', b'f')
        ),
        _ => false,
    }
}

/// `ContStr` after its opening quote: `[^\n'\\]*(?:\\.[^\n'\\]*)*` then the
/// quote or a backslash-newline. Returns the end and whether it ended in a
/// backslash-newline.
fn single_quoted_tail(bytes: &[u8], mut i: usize, quote: u8) -> Option<(usize, bool)> {
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => return None,
            b'\\' => match bytes.get(i + 1) {
                Some(b'\n') => return Some((i + 2, true)),
                Some(b'\r') if bytes.get(i + 2) == Some(&b'\n') => return Some((i + 3, true)),
                // `.` matches anything but a newline.
                Some(&next) => i += 1 + char_len(next),
                None => return None,
            },
            _ if b == quote => return Some((i + 1, false)),
            _ => i += 1,
        }
    }
    None
}

/// `tokenize.endpats` (`Single`, `Double`, `Single3`, `Double3`) matched
/// from `i`: the index just past the closing quote(s), if this line has
/// them.
fn end_of_string(bytes: &[u8], mut i: usize, quote: u8, triple: bool) -> Option<usize> {
    while let Some(&b) = bytes.get(i) {
        if b == b'\\' {
            // `\\.`: a backslash escapes anything but a newline; before a
            // newline (or at the end) the pattern cannot match.
            match bytes.get(i + 1) {
                Some(b'\n') | None => return None,
                Some(&next) => i += 1 + char_len(next),
            }
        } else if b == quote {
            if !triple {
                return Some(i + 1);
            }
            if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                return Some(i + 3);
            }
            i += 1;
        } else {
            i += 1;
        }
    }
    None
}

/// UTF-8 length of the character whose first byte is `b`.
fn char_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Python's `\w` on str patterns: `str.isalnum()` or `_`.
fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    let cp = u32::from(c);
    WORD_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(lines: &[&str]) -> Option<(Vec<Kind>, bool)> {
        let mut t = LineTokenizer::default();
        let (last, init) = lines.split_last()?;
        for l in init {
            t.push_line(l);
        }
        match t.finish(last) {
            Finish::TokenError => None,
            Finish::Done { tail, error_token } => Some((
                t.tokens().iter().chain(&tail).map(|t| t.kind).collect(),
                error_token,
            )),
        }
    }

    /// The longest operator of the table that `rest` starts with.
    fn table_operator_len(rest: &[u8]) -> Option<usize> {
        OPERATORS
            .iter()
            .find(|op| rest.starts_with(op.as_bytes()))
            .map(|op| op.len())
    }

    #[test]
    fn operator_match_is_the_tables_first_match() {
        let alphabet = b"*/<>.=-!%&+:@^|()[]{},;~a 1'";
        for &a in alphabet {
            for &b in alphabet {
                for &c in alphabet {
                    let rest = [a, b, c];
                    for n in 0..=3 {
                        assert_eq!(
                            operator_len(&rest[..n]),
                            table_operator_len(&rest[..n]),
                            "{:?}",
                            String::from_utf8_lossy(&rest[..n])
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn string_prefixes() {
        for p in ["", "b", "R", "u", "F", "bR", "Rb", "fr", "RF"] {
            assert!(is_string_prefix(p.as_bytes()), "{p}");
        }
        for p in ["x", "ub", "bu", "ff", "rr", "bf", "brr"] {
            assert!(!is_string_prefix(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn simple_statement() {
        use Kind::*;
        assert_eq!(
            kinds(&["x = 1"]),
            Some((vec![Other, Other, Other, Newline, EndMarker], false))
        );
    }

    #[test]
    fn comment_line_has_no_implicit_newline() {
        use Kind::*;
        assert_eq!(
            kinds(&["# hi"]),
            Some((vec![Comment, Nl, EndMarker], false))
        );
    }

    #[test]
    fn open_bracket_is_token_error() {
        assert!(kinds(&["x = (1,"]).is_none());
        assert!(kinds(&["x = (1,", "2)"]).is_some());
    }

    #[test]
    fn backslash_at_end_is_error_token() {
        assert_eq!(kinds(&["x = 1 \\"]).map(|k| k.1), Some(true));
        assert_eq!(kinds(&["x = 1 \\", "+ 2"]).map(|k| k.1), Some(false));
    }

    #[test]
    fn triple_quoted_string_spans_lines() {
        use Kind::*;
        assert!(kinds(&["\"\"\"abc"]).is_none());
        assert_eq!(
            kinds(&["\"\"\"abc", "def\"\"\""]),
            Some((vec![String, Newline, EndMarker], false))
        );
    }

    #[test]
    fn unknown_characters_are_error_tokens() {
        assert_eq!(kinds(&["x = $"]).map(|k| k.1), Some(true));
        assert_eq!(kinds(&["x = a!"]).map(|k| k.1), Some(true));
        assert_eq!(kinds(&["x = 'unterminated"]).map(|k| k.1), Some(true));
        assert_eq!(kinds(&["\u{feff}x = 1"]).map(|k| k.1), Some(true));
        assert_eq!(kinds(&["é = 1"]).map(|k| k.1), Some(false));
    }
}
