//! Size and shape of a module, measured from its tree and tokens: the
//! continuous signals and the guards of the `codequal` score.

use std::collections::HashMap;

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
    s.sloc = parsed
        .source
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
        .try_into()
        .unwrap_or(u32::MAX);
    let comments = parsed
        .tokens
        .iter()
        .filter(|t| matches!(t.tok, Tok::Comment(_)))
        .count();
    s.comment_lines = s
        .comment_lines
        .saturating_add(comments.try_into().unwrap_or(u32::MAX));
    s.duplicated_fraction = duplicated_fraction(parsed.source);
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

fn is_stub(body: &[Stmt]) -> bool {
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

/// Fraction of significant lines inside a repeated pair of consecutive
/// significant lines (whitespace-insensitive).
fn duplicated_fraction(source: &str) -> f64 {
    let lines: Vec<String> = source
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| l.len() >= 12 && !l.starts_with('#'))
        .collect();
    if lines.len() < 4 {
        return 0.0;
    }
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for w in lines.windows(2) {
        *seen.entry((w[0].as_str(), w[1].as_str())).or_insert(0) += 1;
    }
    let mut dup = vec![false; lines.len()];
    for (i, w) in lines.windows(2).enumerate() {
        if seen
            .get(&(w[0].as_str(), w[1].as_str()))
            .copied()
            .unwrap_or(0)
            > 1
        {
            dup[i] = true;
            dup[i + 1] = true;
        }
    }
    dup.iter().filter(|&&d| d).count() as f64 / lines.len() as f64
}
