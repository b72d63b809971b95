//! The one module that knows which Python parser the analyzer uses.
//!
//! Everything else in the crate sees [`ParsedSource`]: the token stream
//! (comments included), the statement list and a [`LineIndex`] to turn byte
//! offsets into CPython-style positions. The AST types are re-exported as
//! [`ast`]; swapping rustpython-parser for another parser means providing the
//! same shapes here.
//!
//! Lexing happens once; the parser consumes the same tokens, and the raw
//! metrics read them too.
//!
//! CPython's own limits are applied before the tree is built: more than 200
//! nested brackets ("too many nested parentheses"), more than 100 indentation
//! levels ("too many levels of indentation") and expressions nested deeper
//! than [`MAX_AST_DEPTH`] are syntax errors, as they are for `ast.parse`.
//! This also keeps every recursive walk in the crate bounded.

pub use rustpython_parser::ast;
pub use rustpython_parser::text_size::{TextRange, TextSize};
pub use rustpython_parser::Tok;

use rustpython_parser::lexer::lex;
use rustpython_parser::Mode;
use serde::{Deserialize, Serialize};

/// CPython's tokenizer limit on nested brackets (`MAXLEVEL`).
pub const MAX_BRACKET_DEPTH: usize = 200;
/// CPython's tokenizer limit on indentation levels (`MAXINDENT`).
pub const MAX_INDENT_DEPTH: usize = 100;
/// Deepest expression/statement nesting accepted. CPython 3.11 fails with
/// "maximum recursion depth exceeded during ast construction" somewhat above
/// this on default settings; deeper trees are reported the same way.
pub const MAX_AST_DEPTH: usize = 1000;

/// One lexical token with its byte range in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What the token is. Payloads are not kept: names, numbers, strings
    /// and comments carry empty values (the parser has the real ones); the
    /// token's text is `&source[range]` ([`ParsedSource::text`]).
    pub tok: Tok,
    /// Byte range in the source.
    pub range: TextRange,
}

/// The token kind without its payload (no allocation).
fn kind_only(tok: &Tok) -> Tok {
    match tok {
        Tok::Name { .. } => Tok::Name {
            name: String::new(),
        },
        Tok::Int { .. } => Tok::Int {
            value: ast::bigint::BigInt::from(0u8),
        },
        Tok::String {
            kind,
            triple_quoted,
            ..
        } => Tok::String {
            value: String::new(),
            kind: *kind,
            triple_quoted: *triple_quoted,
        },
        Tok::Comment(_) => Tok::Comment(String::new()),
        other => other.clone(),
    }
}

/// A Python syntax error, located the way CPython reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyntaxError {
    /// Human-readable message, e.g. `invalid syntax`.
    pub message: String,
    /// 1-based line.
    pub line: u32,
    /// 0-based column in UTF-8 bytes (CPython's `col_offset`).
    pub column: u32,
}

/// Converts byte offsets into 1-based lines and 0-based byte columns.
///
/// Lines end at `\n`, `\r\n` or a lone `\r`, as in CPython's tokenizer.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    /// Indexes the line starts of `source`.
    pub fn new(source: &str) -> Self {
        let bytes = source.as_bytes();
        let mut starts = vec![0u32];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(to_u32(i + 1)),
                b'\r' => {
                    if bytes.get(i + 1) == Some(&b'\n') {
                        i += 1;
                    }
                    starts.push(to_u32(i + 1));
                }
                _ => {}
            }
            i += 1;
        }
        Self { starts }
    }

    /// 1-based line containing `offset`.
    pub fn line(&self, offset: TextSize) -> u32 {
        let offset = u32::from(offset);
        let idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        to_u32(idx + 1)
    }

    /// (1-based line, 0-based byte column) of `offset`.
    pub fn location(&self, offset: TextSize) -> (u32, u32) {
        let line = self.line(offset);
        let start = self.starts[(line - 1) as usize];
        (line, u32::from(offset) - start)
    }

    /// Number of lines as the index counts them (a trailing newline opens
    /// an empty last line).
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the index has no lines (never: an empty source has one).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A lexed and parsed Python module.
#[derive(Debug)]
pub struct ParsedSource<'a> {
    /// The source text.
    pub source: &'a str,
    /// Every token, comments and non-logical newlines included. Empty when
    /// lexing failed; then `error` is set.
    pub tokens: Vec<Token>,
    /// The module's statements, `None` on a syntax error.
    pub suite: Option<Vec<ast::Stmt>>,
    /// The first syntax error, if any.
    pub error: Option<SyntaxError>,
    /// Line index of `source`.
    pub lines: LineIndex,
    /// Upper bound on the nesting depth of any tree built from this source,
    /// used to size the stack for recursive walks.
    pub depth_bound: usize,
}

impl ParsedSource<'_> {
    /// The source text of a token (a comment includes its `#`).
    pub fn text(&self, token: &Token) -> &str {
        let (start, end) = (token.range.start().to_usize(), token.range.end().to_usize());
        self.source.get(start..end).unwrap_or("")
    }

    /// Whether lexing got through the whole file.
    pub fn lexed(&self) -> bool {
        !self.tokens.is_empty() || self.source.is_empty()
    }
}

/// Lexes and parses `source`. Never panics and never fails: a syntax error
/// is part of the result.
pub fn parse(source: &str) -> ParsedSource<'_> {
    let lines = LineIndex::new(source);
    let mut tokens = Vec::with_capacity(source.len() / 4);
    // The lexer's tokens, payloads included, move into the parser; the kept
    // copies carry none, so no token is cloned with its text.
    let mut for_parser = Vec::with_capacity(source.len() / 4);
    let mut error = None;
    let mut limits = TokenLimits::default();
    for item in lex(source, Mode::Module) {
        match item {
            Ok((tok, range)) => {
                let token = Token {
                    tok: kind_only(&tok),
                    range,
                };
                // Checked while lexing, so a pathological input stops at
                // the first violation instead of being lexed in full.
                if let Err(e) = limits.feed(&token, &lines) {
                    error = Some(e);
                    tokens.clear();
                    break;
                }
                tokens.push(token);
                // The parser skips comments and non-logical newlines.
                if !matches!(tok, Tok::Comment(_) | Tok::NonLogicalNewline) {
                    for_parser.push((tok, range));
                }
            }
            Err(e) => {
                let (line, column) = lines.location(e.location);
                error = Some(SyntaxError {
                    message: e.error.to_string(),
                    line,
                    column,
                });
                tokens.clear();
                break;
            }
        }
    }
    let depth_bound = if error.is_none() {
        limits.depth_bound()
    } else {
        0
    };
    let mut suite = None;
    if error.is_none() {
        let stream = for_parser.into_iter().map(Ok);
        // The generated LR parser is iterative, but its reduce function has
        // a very large frame in debug builds: guarantee it room.
        let red_zone = if cfg!(debug_assertions) {
            2 << 20
        } else {
            512 << 10
        };
        let parsed = stacker::maybe_grow(red_zone, red_zone, || {
            rustpython_parser::parse_tokens(stream, Mode::Module, "<unknown>")
        });
        match parsed {
            Ok(ast::Mod::Module(m)) => suite = Some(m.body),
            Ok(_) => {
                error = Some(SyntaxError {
                    message: "unexpected parse mode".to_owned(),
                    line: 1,
                    column: 0,
                })
            }
            Err(e) => {
                let (line, column) = lines.location(e.offset);
                error = Some(SyntaxError {
                    message: parse_error_message(&e.error),
                    line,
                    column,
                });
            }
        }
    }
    ParsedSource {
        source,
        tokens,
        suite,
        error,
        lines,
        depth_bound,
    }
}

fn parse_error_message(e: &rustpython_parser::ParseErrorType) -> String {
    use rustpython_parser::ParseErrorType as E;
    match e {
        E::Eof => "unexpected EOF while parsing".to_owned(),
        E::Lexical(l) => l.to_string(),
        _ => "invalid syntax".to_owned(),
    }
}

/// CPython's bracket and indentation limits, applied token by token, and
/// the data for an upper bound on tree depth.
#[derive(Debug, Default)]
struct TokenLimits {
    brackets: usize,
    indents: usize,
    max_indents: usize,
    logical_start: Option<u32>,
    longest_logical: u32,
    last_end: u32,
}

impl TokenLimits {
    fn feed(&mut self, t: &Token, lines: &LineIndex) -> Result<(), SyntaxError> {
        let located = |message: &str| {
            let (line, column) = lines.location(t.range.start());
            SyntaxError {
                message: message.to_owned(),
                line,
                column,
            }
        };
        match t.tok {
            Tok::Lpar | Tok::Lsqb | Tok::Lbrace => {
                self.brackets += 1;
                if self.brackets > MAX_BRACKET_DEPTH {
                    return Err(located("too many nested parentheses"));
                }
            }
            Tok::Rpar | Tok::Rsqb | Tok::Rbrace => self.brackets = self.brackets.saturating_sub(1),
            Tok::Indent => {
                self.indents += 1;
                self.max_indents = self.max_indents.max(self.indents);
                if self.indents > MAX_INDENT_DEPTH {
                    return Err(located("too many levels of indentation"));
                }
            }
            Tok::Dedent => self.indents = self.indents.saturating_sub(1),
            _ => {}
        }
        match t.tok {
            Tok::Newline | Tok::EndOfFile => {
                if let Some(start) = self.logical_start.take() {
                    self.longest_logical =
                        self.longest_logical.max(u32::from(t.range.end()) - start);
                }
            }
            Tok::Comment(_) | Tok::NonLogicalNewline | Tok::Indent | Tok::Dedent => {}
            _ => {
                if self.logical_start.is_none() {
                    self.logical_start = Some(u32::from(t.range.start()));
                }
            }
        }
        self.last_end = u32::from(t.range.end());
        Ok(())
    }

    /// Upper bound on tree depth: every node of an expression owns at
    /// least one byte of its logical line (doubled for safety), plus two
    /// levels per indentation level and a margin.
    fn depth_bound(&self) -> usize {
        let open = self
            .logical_start
            .map_or(0, |s| self.last_end.saturating_sub(s));
        let longest = self.longest_logical.max(open) as usize;
        2 * longest + 8 * self.max_indents + 64
    }
}

/// Runs `f` on a stack large enough for the crate's walks over a tree of
/// at most `depth` levels, allocating a fresh stack only when the current
/// one is too small.
///
/// Two budgets: the analyzer's own walks only ever run on trees no deeper
/// than [`MAX_AST_DEPTH`] (deeper ones are rejected first by a walk that
/// stops at the limit), but dropping a rejected tree recurses through all of
/// it, at a much smaller cost per level.
pub fn with_stack_for<R>(depth: usize, f: impl FnOnce() -> R) -> R {
    // Measured with the robustness tests; debug builds use far bigger frames.
    let (walk_per_level, drop_per_level) = if cfg!(debug_assertions) {
        (24 * 1024, 1024)
    } else {
        (4 * 1024, 256)
    };
    const MIN_STACK: usize = 1 << 20;
    let walks = depth.min(MAX_AST_DEPTH + 2).saturating_mul(walk_per_level);
    let drops = depth.saturating_mul(drop_per_level);
    let needed = walks.saturating_add(drops).max(MIN_STACK);
    stacker::maybe_grow(needed, needed, f)
}

/// Nesting depth of a statement list, stopping at `limit` (returns
/// `limit + 1` as soon as the limit is exceeded).
pub fn nesting_depth(suite: &[ast::Stmt], limit: usize) -> usize {
    depth::suite(suite, 1, limit)
}

mod depth {
    use super::ast::{self, Expr, Stmt};

    pub(super) fn suite(body: &[Stmt], d: usize, limit: usize) -> usize {
        let mut max = d;
        for s in body {
            max = max.max(stmt(s, d, limit));
            if max > limit {
                return max;
            }
        }
        max
    }

    fn exprs<'a>(es: impl IntoIterator<Item = &'a Expr>, d: usize, limit: usize) -> usize {
        let mut max = d;
        for e in es {
            max = max.max(expr(e, d, limit));
            if max > limit {
                return max;
            }
        }
        max
    }

    fn stmt(s: &Stmt, d: usize, limit: usize) -> usize {
        if d > limit {
            return d;
        }
        let n = d + 1;
        use ast::Stmt as S;
        match s {
            S::FunctionDef(f) => suite(&f.body, n, limit)
                .max(exprs(&f.decorator_list, n, limit))
                .max(arguments(&f.args, n, limit)),
            S::AsyncFunctionDef(f) => suite(&f.body, n, limit)
                .max(exprs(&f.decorator_list, n, limit))
                .max(arguments(&f.args, n, limit)),
            S::ClassDef(c) => suite(&c.body, n, limit)
                .max(exprs(&c.bases, n, limit))
                .max(exprs(c.keywords.iter().map(|k| &k.value), n, limit)),
            S::Return(r) => exprs(r.value.as_deref(), n, limit),
            S::Delete(x) => exprs(&x.targets, n, limit),
            S::Assign(x) => exprs(&x.targets, n, limit).max(expr(&x.value, n, limit)),
            S::AugAssign(x) => expr(&x.target, n, limit).max(expr(&x.value, n, limit)),
            S::AnnAssign(x) => expr(&x.target, n, limit)
                .max(expr(&x.annotation, n, limit))
                .max(exprs(x.value.as_deref(), n, limit)),
            S::For(x) => expr(&x.iter, n, limit)
                .max(expr(&x.target, n, limit))
                .max(suite(&x.body, n, limit))
                .max(suite(&x.orelse, n, limit)),
            S::AsyncFor(x) => expr(&x.iter, n, limit)
                .max(expr(&x.target, n, limit))
                .max(suite(&x.body, n, limit))
                .max(suite(&x.orelse, n, limit)),
            S::While(x) => expr(&x.test, n, limit)
                .max(suite(&x.body, n, limit))
                .max(suite(&x.orelse, n, limit)),
            S::If(x) => expr(&x.test, n, limit)
                .max(suite(&x.body, n, limit))
                .max(suite(&x.orelse, n, limit)),
            S::With(x) => suite(&x.body, n, limit).max(exprs(
                x.items.iter().flat_map(|i| {
                    std::iter::once(&i.context_expr).chain(i.optional_vars.as_deref())
                }),
                n,
                limit,
            )),
            S::AsyncWith(x) => suite(&x.body, n, limit).max(exprs(
                x.items.iter().flat_map(|i| {
                    std::iter::once(&i.context_expr).chain(i.optional_vars.as_deref())
                }),
                n,
                limit,
            )),
            S::Match(x) => {
                let mut m = expr(&x.subject, n, limit);
                for c in &x.cases {
                    m = m
                        .max(suite(&c.body, n + 1, limit))
                        .max(exprs(c.guard.as_deref(), n + 1, limit))
                        .max(pattern(&c.pattern, n + 1, limit));
                }
                m
            }
            S::Raise(x) => exprs(
                x.exc.as_deref().into_iter().chain(x.cause.as_deref()),
                n,
                limit,
            ),
            S::Try(x) => try_parts(&x.body, &x.handlers, &x.orelse, &x.finalbody, n, limit),
            S::TryStar(x) => try_parts(&x.body, &x.handlers, &x.orelse, &x.finalbody, n, limit),
            S::Assert(x) => expr(&x.test, n, limit).max(exprs(x.msg.as_deref(), n, limit)),
            S::Expr(x) => expr(&x.value, n, limit),
            S::TypeAlias(x) => expr(&x.value, n, limit),
            _ => n,
        }
    }

    fn try_parts(
        body: &[Stmt],
        handlers: &[ast::ExceptHandler],
        orelse: &[Stmt],
        finalbody: &[Stmt],
        n: usize,
        limit: usize,
    ) -> usize {
        let mut m = suite(body, n, limit)
            .max(suite(orelse, n, limit))
            .max(suite(finalbody, n, limit));
        for h in handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            m = m
                .max(suite(&h.body, n + 1, limit))
                .max(exprs(h.type_.as_deref(), n + 1, limit));
        }
        m
    }

    fn arguments(a: &ast::Arguments, d: usize, limit: usize) -> usize {
        let defaults = a
            .posonlyargs
            .iter()
            .chain(&a.args)
            .chain(&a.kwonlyargs)
            .filter_map(|x| x.default.as_deref());
        exprs(defaults, d, limit)
    }

    fn pattern(p: &ast::Pattern, d: usize, limit: usize) -> usize {
        if d > limit {
            return d;
        }
        let n = d + 1;
        use ast::Pattern as P;
        match p {
            P::MatchValue(x) => expr(&x.value, n, limit),
            P::MatchSequence(x) => x
                .patterns
                .iter()
                .map(|p| pattern(p, n, limit))
                .max()
                .unwrap_or(n),
            P::MatchMapping(x) => exprs(&x.keys, n, limit).max(
                x.patterns
                    .iter()
                    .map(|p| pattern(p, n, limit))
                    .max()
                    .unwrap_or(n),
            ),
            P::MatchClass(x) => expr(&x.cls, n, limit).max(
                x.patterns
                    .iter()
                    .chain(&x.kwd_patterns)
                    .map(|p| pattern(p, n, limit))
                    .max()
                    .unwrap_or(n),
            ),
            P::MatchAs(x) => x.pattern.as_deref().map_or(n, |p| pattern(p, n, limit)),
            P::MatchOr(x) => x
                .patterns
                .iter()
                .map(|p| pattern(p, n, limit))
                .max()
                .unwrap_or(n),
            _ => n,
        }
    }

    fn comprehension(gens: &[ast::Comprehension], n: usize, limit: usize) -> usize {
        let mut m = n;
        for g in gens {
            m = m
                .max(expr(&g.target, n, limit))
                .max(expr(&g.iter, n, limit))
                .max(exprs(&g.ifs, n, limit));
        }
        m
    }

    pub(super) fn expr(e: &Expr, d: usize, limit: usize) -> usize {
        if d > limit {
            return d;
        }
        let n = d + 1;
        use ast::Expr as E;
        match e {
            E::BoolOp(x) => exprs(&x.values, n, limit),
            E::NamedExpr(x) => expr(&x.target, n, limit).max(expr(&x.value, n, limit)),
            E::BinOp(x) => expr(&x.left, n, limit).max(expr(&x.right, n, limit)),
            E::UnaryOp(x) => expr(&x.operand, n, limit),
            E::Lambda(x) => expr(&x.body, n, limit).max(arguments(&x.args, n, limit)),
            E::IfExp(x) => expr(&x.test, n, limit)
                .max(expr(&x.body, n, limit))
                .max(expr(&x.orelse, n, limit)),
            E::Dict(x) => exprs(x.keys.iter().flatten(), n, limit).max(exprs(&x.values, n, limit)),
            E::Set(x) => exprs(&x.elts, n, limit),
            E::ListComp(x) => expr(&x.elt, n, limit).max(comprehension(&x.generators, n, limit)),
            E::SetComp(x) => expr(&x.elt, n, limit).max(comprehension(&x.generators, n, limit)),
            E::DictComp(x) => expr(&x.key, n, limit)
                .max(expr(&x.value, n, limit))
                .max(comprehension(&x.generators, n, limit)),
            E::GeneratorExp(x) => {
                expr(&x.elt, n, limit).max(comprehension(&x.generators, n, limit))
            }
            E::Await(x) => expr(&x.value, n, limit),
            E::Yield(x) => exprs(x.value.as_deref(), n, limit),
            E::YieldFrom(x) => expr(&x.value, n, limit),
            E::Compare(x) => expr(&x.left, n, limit).max(exprs(&x.comparators, n, limit)),
            E::Call(x) => expr(&x.func, n, limit)
                .max(exprs(&x.args, n, limit))
                .max(exprs(x.keywords.iter().map(|k| &k.value), n, limit)),
            E::FormattedValue(x) => {
                expr(&x.value, n, limit).max(exprs(x.format_spec.as_deref(), n, limit))
            }
            E::JoinedStr(x) => exprs(&x.values, n, limit),
            E::Attribute(x) => expr(&x.value, n, limit),
            E::Subscript(x) => expr(&x.value, n, limit).max(expr(&x.slice, n, limit)),
            E::Starred(x) => expr(&x.value, n, limit),
            E::List(x) => exprs(&x.elts, n, limit),
            E::Tuple(x) => exprs(&x.elts, n, limit),
            E::Slice(x) => exprs(
                x.lower
                    .as_deref()
                    .into_iter()
                    .chain(x.upper.as_deref())
                    .chain(x.step.as_deref()),
                n,
                limit,
            ),
            E::Constant(_) | E::Name(_) => n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_simple_module() {
        let p = parse("import os\n\ndef f(x):\n    return x + 1  # hi\n");
        assert!(p.error.is_none());
        assert_eq!(p.suite.as_ref().map(Vec::len), Some(2));
        assert!(p.tokens.iter().any(|t| matches!(t.tok, Tok::Comment(_))));
    }

    #[test]
    fn syntax_error_is_located() {
        let p = parse("x = 1\nx = = 2\ny = 3\n");
        let e = p.error.expect("syntax error");
        assert_eq!(e.line, 2);
        assert!(p.suite.is_none());
    }

    #[test]
    fn bracket_limit_matches_cpython() {
        let src = format!("x = {}1{}\n", "(".repeat(201), ")".repeat(201));
        let e = parse(&src).error.expect("rejected");
        assert_eq!(e.message, "too many nested parentheses");
        let ok = format!("x = {}1{}\n", "(".repeat(200), ")".repeat(200));
        assert!(parse(&ok).error.is_none());
    }

    #[test]
    fn line_index_handles_all_newlines() {
        let idx = LineIndex::new("a\r\nb\rc\nd");
        assert_eq!(idx.location(TextSize::from(0)), (1, 0));
        assert_eq!(idx.location(TextSize::from(3)), (2, 0));
        assert_eq!(idx.location(TextSize::from(5)), (3, 0));
        assert_eq!(idx.location(TextSize::from(7)), (4, 0));
    }
}
