//! Size and shape of a module, measured from its tree and tokens: the
//! continuous signals and the guards of the `codequal` score.

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use crate::parse::ast::{self, Constant, Expr, Stmt};
use crate::parse::{ParsedSource, Tok};

/// What the `codequal` score measures about a module besides findings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CodeStats {
    /// Logical lines, counted from the tree: one per statement plus one per
    /// `else`, `finally` and `except` clause (close to radon's LLOC).
    pub lloc: u32,
    /// Statements that do something: everything except docstrings, `pass`,
    /// `...`, imports and `from __future__`.
    pub effective_statements: u32,
    /// Functions and methods (closures included).
    pub functions: u32,
    /// Functions whose body is a stub: only a docstring, `pass`, `...`,
    /// `raise NotImplementedError` or `return <constant>`.
    pub stub_functions: u32,
    /// Functions, methods and classes with a docstring.
    pub documented: u32,
    /// Functions, methods and classes.
    pub definitions: u32,
    /// Logical lines of the longest function.
    pub longest_function: u32,
    /// Deepest nesting of `if`/`for`/`while`/`try`/`with`/`match` blocks
    /// inside one function (or the module).
    pub max_nesting: u32,
    /// Deepest nesting of loops (comprehension `for` clauses included)
    /// inside one function (or the module).
    pub max_loop_depth: u32,
    /// Source lines that are not blank.
    pub sloc: u32,
    /// Comment tokens plus docstring lines.
    pub comment_lines: u32,
    /// Fraction of significant source lines (at least 12 characters after
    /// stripping, not a comment) that belong to a repeated pair of
    /// consecutive significant lines.
    pub duplicated_fraction: f64,
}

/// Measures a parsed module.
pub fn measure(parsed: &ParsedSource<'_>, suite: &[Stmt]) -> CodeStats {
    let mut s = CodeStats::default();
    let mut w = Walker { stats: &mut s };
    let lloc = w.body(suite, 0, 0);
    s.lloc = lloc;
    let (non_blank, duplicated) = lines_and_duplication(parsed.source);
    s.sloc = non_blank.try_into().unwrap_or(u32::MAX);
    let comments = parsed
        .tokens
        .iter()
        .filter(|t| matches!(t.tok, Tok::Comment(_)))
        .count();
    s.comment_lines = s
        .comment_lines
        .saturating_add(comments.try_into().unwrap_or(u32::MAX));
    s.duplicated_fraction = duplicated;
    s
}

struct Walker<'s> {
    stats: &'s mut CodeStats,
}

fn docstring(body: &[Stmt]) -> Option<&str> {
    match body.first() {
        Some(Stmt::Expr(e)) => match &*e.value {
            Expr::Constant(c) => match &c.value {
                Constant::Str(s) => Some(s.as_str()),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// Whether a function body is a stub for the score's stub guard: after an
/// optional docstring, only `pass`, constant expressions, `return` of
/// nothing, a constant or an empty list/dict, and `raise
/// NotImplementedError`.
pub fn is_stub(body: &[Stmt]) -> bool {
    let rest = if docstring(body).is_some() {
        &body[1..]
    } else {
        body
    };
    rest.iter().all(|s| match s {
        Stmt::Pass(_) => true,
        Stmt::Expr(e) => matches!(&*e.value, Expr::Constant(_)),
        Stmt::Return(r) => match r.value.as_deref() {
            None | Some(Expr::Constant(_)) => true,
            Some(Expr::List(l)) => l.elts.is_empty(),
            Some(Expr::Dict(d)) => d.keys.is_empty(),
            _ => false,
        },
        Stmt::Raise(r) => r.exc.as_deref().is_some_and(|e| {
            let f = match e {
                Expr::Call(c) => &*c.func,
                other => other,
            };
            matches!(f, Expr::Name(n) if n.id.as_str() == "NotImplementedError")
        }),
        _ => false,
    })
}

fn comp_depth(e: &Expr) -> u32 {
    // Deepest chain of comprehension `for` clauses in an expression.
    let mut best = 0;
    let gens = |g: &[ast::Comprehension]| u32::try_from(g.len()).unwrap_or(u32::MAX);
    match e {
        Expr::ListComp(c) => best = best.max(gens(&c.generators) + comp_depth(&c.elt)),
        Expr::SetComp(c) => best = best.max(gens(&c.generators) + comp_depth(&c.elt)),
        Expr::GeneratorExp(c) => best = best.max(gens(&c.generators) + comp_depth(&c.elt)),
        Expr::DictComp(c) => best = best.max(gens(&c.generators) + comp_depth(&c.value)),
        Expr::Call(c) => {
            for a in &c.args {
                best = best.max(comp_depth(a));
            }
        }
        Expr::BinOp(b) => best = comp_depth(&b.left).max(comp_depth(&b.right)),
        _ => {}
    }
    best
}

impl Walker<'_> {
    /// `nesting`: open blocks in the current function; `loops`: open loops.
    fn body(&mut self, body: &[Stmt], nesting: u32, loops: u32) -> u32 {
        let mut lloc = 0;
        for s in body {
            lloc += self.stmt(s, nesting, loops);
        }
        lloc
    }

    fn note_depth(&mut self, nesting: u32, loops: u32) {
        self.stats.max_nesting = self.stats.max_nesting.max(nesting);
        self.stats.max_loop_depth = self.stats.max_loop_depth.max(loops);
    }

    fn stmt(&mut self, s: &Stmt, nesting: u32, loops: u32) -> u32 {
        // Recursion is bounded: the parser rejects trees deeper than
        // MAX_AST_DEPTH and the analyzer sizes the stack for it.
        let mut lloc = 1;
        let effective = match s {
            Stmt::Pass(_) | Stmt::Import(_) | Stmt::ImportFrom(_) => false,
            Stmt::Expr(e) => !matches!(&*e.value, Expr::Constant(_)),
            _ => true,
        };
        if effective {
            self.stats.effective_statements += 1;
        }
        for e in crate::rules::name_facts::stmt_exprs(s) {
            self.note_depth(nesting, loops + comp_depth(e));
        }
        match s {
            Stmt::FunctionDef(f) => lloc += self.function(&f.body),
            Stmt::AsyncFunctionDef(f) => lloc += self.function(&f.body),
            Stmt::ClassDef(c) => {
                self.stats.definitions += 1;
                if docstring(&c.body).is_some() {
                    self.stats.documented += 1;
                }
                lloc += self.body(&c.body, 0, 0);
            }
            Stmt::For(f) => {
                self.note_depth(nesting + 1, loops + 1);
                lloc += self.body(&f.body, nesting + 1, loops + 1);
                lloc += self.clause(&f.orelse, nesting + 1, loops);
            }
            Stmt::AsyncFor(f) => {
                self.note_depth(nesting + 1, loops + 1);
                lloc += self.body(&f.body, nesting + 1, loops + 1);
                lloc += self.clause(&f.orelse, nesting + 1, loops);
            }
            Stmt::While(w) => {
                self.note_depth(nesting + 1, loops + 1);
                lloc += self.body(&w.body, nesting + 1, loops + 1);
                lloc += self.clause(&w.orelse, nesting + 1, loops);
            }
            Stmt::If(i) => {
                self.note_depth(nesting + 1, loops);
                lloc += self.body(&i.body, nesting + 1, loops);
                // `elif` is an `If` in `orelse`: same level, counted by itself.
                match &i.orelse[..] {
                    [Stmt::If(_)] => lloc += self.body(&i.orelse, nesting, loops),
                    other => lloc += self.clause(other, nesting + 1, loops),
                }
            }
            Stmt::With(w) => {
                self.note_depth(nesting + 1, loops);
                lloc += self.body(&w.body, nesting + 1, loops);
            }
            Stmt::AsyncWith(w) => {
                self.note_depth(nesting + 1, loops);
                lloc += self.body(&w.body, nesting + 1, loops);
            }
            Stmt::Try(t) => {
                lloc += self.try_(
                    &t.body,
                    &t.handlers,
                    &t.orelse,
                    &t.finalbody,
                    nesting,
                    loops,
                )
            }
            Stmt::TryStar(t) => {
                lloc += self.try_(
                    &t.body,
                    &t.handlers,
                    &t.orelse,
                    &t.finalbody,
                    nesting,
                    loops,
                )
            }
            Stmt::Match(m) => {
                self.note_depth(nesting + 1, loops);
                for c in &m.cases {
                    lloc += 1 + self.body(&c.body, nesting + 1, loops);
                }
            }
            _ => {}
        }
        lloc
    }

    fn clause(&mut self, body: &[Stmt], nesting: u32, loops: u32) -> u32 {
        if body.is_empty() {
            0
        } else {
            1 + self.body(body, nesting, loops)
        }
    }

    fn try_(
        &mut self,
        body: &[Stmt],
        handlers: &[ast::ExceptHandler],
        orelse: &[Stmt],
        finalbody: &[Stmt],
        nesting: u32,
        loops: u32,
    ) -> u32 {
        self.note_depth(nesting + 1, loops);
        let mut lloc = self.body(body, nesting + 1, loops);
        for h in handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            lloc += 1 + self.body(&h.body, nesting + 1, loops);
        }
        lloc += self.clause(orelse, nesting + 1, loops);
        lloc += self.clause(finalbody, nesting + 1, loops);
        lloc
    }

    fn function(&mut self, body: &[Stmt]) -> u32 {
        self.stats.functions += 1;
        self.stats.definitions += 1;
        if let Some(doc) = docstring(body) {
            self.stats.documented += 1;
            let lines = u32::try_from(doc.lines().count()).unwrap_or(u32::MAX);
            self.stats.comment_lines = self.stats.comment_lines.saturating_add(lines);
        }
        if is_stub(body) {
            self.stats.stub_functions += 1;
        }
        let lloc = self.body(body, 0, 0);
        self.stats.longest_function = self.stats.longest_function.max(lloc);
        lloc
    }
}

/// Source lines that are not blank, and the fraction of significant lines
/// inside a repeated pair of consecutive significant lines
/// (whitespace-insensitive).
fn lines_and_duplication(source: &str) -> (usize, f64) {
    // Every significant line, its words joined by one space, kept in one
    // buffer: one allocation for the module rather than two per line.
    let mut text: Vec<u8> = Vec::with_capacity(source.len());
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut non_blank = 0;
    // `str::lines` also drops a `\r` before the `\n`; it is whitespace here.
    for line in source.split('\n') {
        let start = text.len();
        normalize_whitespace(line, &mut text);
        let normalized = &text[start..];
        if !normalized.is_empty() {
            non_blank += 1;
        }
        if normalized.len() >= 12 && normalized[0] != b'#' {
            lines.push((start, text.len()));
        } else {
            text.truncate(start);
        }
    }
    if lines.len() < 4 {
        return (non_blank, 0.0);
    }
    let line = |i: usize| &text[lines[i].0..lines[i].1];
    let mut seen: FxHashMap<(&[u8], &[u8]), u32> = FxHashMap::default();
    seen.reserve(lines.len());
    for i in 0..lines.len() - 1 {
        *seen.entry((line(i), line(i + 1))).or_insert(0) += 1;
    }
    let mut dup = vec![false; lines.len()];
    for i in 0..lines.len() - 1 {
        if seen.get(&(line(i), line(i + 1))).copied().unwrap_or(0) > 1 {
            dup[i] = true;
            dup[i + 1] = true;
        }
    }
    let fraction = dup.iter().filter(|&&d| d).count() as f64 / lines.len() as f64;
    (non_blank, fraction)
}

/// Appends `line`'s whitespace-separated words (Unicode `White_Space`, as
/// `str::split_whitespace`) joined by single spaces.
fn normalize_whitespace(line: &str, out: &mut Vec<u8>) {
    let start = out.len();
    if line.is_ascii() {
        let mut gap = false;
        for &b in line.as_bytes() {
            // The ASCII members of `White_Space`.
            if matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
                gap = true;
            } else {
                if gap && out.len() > start {
                    out.push(b' ');
                }
                gap = false;
                out.push(b);
            }
        }
    } else {
        for (i, word) in line.split_whitespace().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(word.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::lines_and_duplication;

    fn duplicated_fraction(source: &str) -> f64 {
        lines_and_duplication(source).1
    }

    #[test]
    fn repeated_pairs_count_whitespace_insensitively() {
        let src = "alpha_value = compute(1)\nbeta_value = compute(2)\n\
                   gamma_value = compute(3)\nalpha_value  =  compute(1)\n\
                   \tbeta_value = compute(2)\n# a comment line here\n";
        // Five significant lines; the first pair repeats (lines 1-2 and 4-5).
        assert!((duplicated_fraction(src) - 4.0 / 5.0).abs() < 1e-12);
        let distinct = "a_long_name = 1\nb_long_name = 2\nc_long_name = 3\nd_long_name = 4\n";
        assert_eq!(duplicated_fraction(distinct), 0.0);
        assert_eq!(duplicated_fraction("short\n"), 0.0);
    }

    /// The definition, written plainly: one owned string per line.
    fn plain(source: &str) -> f64 {
        let lines: Vec<String> = source
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| l.len() >= 12 && !l.starts_with('#'))
            .collect();
        if lines.len() < 4 {
            return 0.0;
        }
        let pairs: Vec<(&str, &str)> = lines
            .windows(2)
            .map(|w| (w[0].as_str(), w[1].as_str()))
            .collect();
        let mut dup = vec![false; lines.len()];
        for (i, p) in pairs.iter().enumerate() {
            if pairs.iter().filter(|q| *q == p).count() > 1 {
                dup[i] = true;
                dup[i + 1] = true;
            }
        }
        dup.iter().filter(|&&d| d).count() as f64 / lines.len() as f64
    }

    proptest::proptest! {
        #[test]
        fn matches_the_plain_definition(
            lines in proptest::collection::vec(
                proptest::sample::select(vec![
                    "x = compute(1, 2)", "  x  =  compute(1,  2)", "y = compute(3, 4)",
                    "# comment line, long", "short", "", "\t\treturn total_value",
                    "z\u{a0}= compute(5, 6)", "return total_value\r", "\x0b\x0c ", "\u{2003}",
                    "a\rb = compute(7, 8)", "  y = compute(3,\t4)  ",
                ]),
                0..40,
            )
        ) {
            let src = lines.join("\n");
            let sloc = src.lines().filter(|l| !l.trim().is_empty()).count();
            proptest::prop_assert_eq!(lines_and_duplication(&src), (sloc, plain(&src)));
        }
    }
}
