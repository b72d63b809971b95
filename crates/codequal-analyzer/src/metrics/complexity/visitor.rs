//! The port of radon's `ComplexityVisitor`.

use super::walk::Node;
use super::{Block, BlockKind, ComplexityOptions, ComplexityReport};
use crate::parse::ast::{self, Ranged, Stmt};
use crate::parse::{LineIndex, TextSize};

/// Visits a module: complexity starts at 1 (radon's `off=True`).
pub(super) fn module(
    lines: &LineIndex,
    suite: &[Stmt],
    options: &ComplexityOptions,
) -> ComplexityReport {
    let mut v = Visitor::new(lines, options.no_assert, None, 1);
    for s in suite {
        v.visit(Node::Stmt(s));
    }
    let mut blocks = v.functions;
    for class in v.classes {
        let methods = class.methods.clone();
        blocks.push(class);
        blocks.extend(methods);
    }
    ComplexityReport {
        blocks,
        module_complexity: v.complexity,
    }
}

/// One `ComplexityVisitor` instance: radon creates a fresh one for every
/// statement of a function or class body.
struct Visitor<'a> {
    lines: &'a LineIndex,
    no_assert: bool,
    /// `Some(class)` when functions found are methods of `class`
    /// (radon's `to_method` and `classname`).
    classname: Option<&'a str>,
    complexity: u32,
    functions: Vec<Block>,
    classes: Vec<Block>,
    /// Largest `lineno` of the nodes visited generically; `None` is
    /// radon's `-inf`.
    max_line: Option<u32>,
}

impl<'a> Visitor<'a> {
    fn new(lines: &'a LineIndex, no_assert: bool, classname: Option<&'a str>, start: u32) -> Self {
        Self {
            lines,
            no_assert,
            classname,
            complexity: start,
            functions: Vec::new(),
            classes: Vec::new(),
            max_line: None,
        }
    }

    fn visit(&mut self, node: Node<'a>) {
        match node {
            Node::Stmt(Stmt::FunctionDef(f)) => {
                self.visit_function(f.name.as_str(), f.start(), &f.body);
            }
            Node::Stmt(Stmt::AsyncFunctionDef(f)) => {
                self.visit_function(f.name.as_str(), f.start(), &f.body);
            }
            Node::Stmt(Stmt::ClassDef(c)) => self.visit_class(c),
            // radon's `visit_Assert` neither recurses nor records the line.
            Node::Stmt(Stmt::Assert(_)) => self.complexity += u32::from(!self.no_assert),
            _ => self.generic_visit(node),
        }
    }

    fn generic_visit(&mut self, node: Node<'a>) {
        if let Some(start) = node.start() {
            let line = self.lines.line(start);
            self.max_line = Some(self.max_line.map_or(line, |m| m.max(line)));
        }
        self.complexity += decisions(node);
        node.for_each_child(&mut |child| self.visit(child));
    }

    fn visit_function(&mut self, name: &'a str, start: TextSize, body: &'a [Stmt]) {
        let mut closures = Vec::new();
        let mut complexity = 1;
        let mut last_max_line = None;
        for child in body {
            let mut v = Visitor::new(self.lines, self.no_assert, None, 0);
            v.visit(Node::Stmt(child));
            closures.extend(v.functions);
            complexity += v.complexity;
            // radon reads `visitor.max_line` after the loop: only the last
            // statement's visitor counts.
            last_max_line = v.max_line;
        }
        let (lineno, col_offset) = self.lines.location(start);
        self.functions.push(Block {
            kind: if self.classname.is_some() {
                BlockKind::Method
            } else {
                BlockKind::Function
            },
            name: name.to_owned(),
            lineno,
            col_offset,
            endline: last_max_line.map_or(lineno, |m| m.max(lineno)),
            classname: self.classname.map(str::to_owned),
            complexity,
            real_complexity: complexity,
            closures,
            methods: Vec::new(),
            inner_classes: Vec::new(),
        });
    }

    fn visit_class(&mut self, class: &'a ast::StmtClassDef) {
        let name = class.name.as_str();
        let (lineno, col_offset) = self.lines.location(class.start());
        let mut methods: Vec<Block> = Vec::new();
        let mut inner_classes = Vec::new();
        let mut real = 1;
        let mut endline = lineno;
        for child in &class.body {
            let mut v = Visitor::new(self.lines, self.no_assert, Some(name), 0);
            v.visit(Node::Stmt(child));
            real += v.complexity + v.functions.iter().map(|f| f.complexity).sum::<u32>();
            if let Some(m) = v.max_line {
                endline = endline.max(m);
            }
            methods.extend(v.functions);
            inner_classes.extend(v.classes);
        }
        endline = methods.iter().map(|m| m.endline).fold(endline, u32::max);
        let complexity = match u32::try_from(methods.len()) {
            Ok(0) => real,
            Ok(n) => real / n + u32::from(n > 1),
            Err(_) => 1,
        };
        self.classes.push(Block {
            kind: BlockKind::Class,
            name: name.to_owned(),
            lineno,
            col_offset,
            endline,
            classname: None,
            complexity,
            real_complexity: real,
            closures: Vec::new(),
            methods,
            inner_classes,
        });
    }
}

/// The decision points a node adds by itself (radon's `generic_visit`).
fn decisions(node: Node<'_>) -> u32 {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    match node {
        // Only a plain `try`: `except*` (TryStar) counts nothing.
        Node::Stmt(Stmt::Try(t)) => count(t.handlers.len()) + u32::from(!t.orelse.is_empty()),
        Node::Stmt(Stmt::If(_)) | Node::Expr(ast::Expr::IfExp(_)) => 1,
        Node::Stmt(Stmt::Match(m)) => {
            // A case whose pattern is a bare capture or `_` (a MatchAs with
            // no sub-pattern) is the `else` of the match.
            let catch_all = m
                .cases
                .iter()
                .any(|c| matches!(&c.pattern, ast::Pattern::MatchAs(p) if p.pattern.is_none()));
            count(m.cases.len()).saturating_sub(u32::from(catch_all))
        }
        Node::Stmt(Stmt::For(f)) => 1 + u32::from(!f.orelse.is_empty()),
        Node::Stmt(Stmt::AsyncFor(f)) => 1 + u32::from(!f.orelse.is_empty()),
        Node::Stmt(Stmt::While(w)) => 1 + u32::from(!w.orelse.is_empty()),
        Node::Expr(ast::Expr::BoolOp(b)) => count(b.values.len()).saturating_sub(1),
        Node::Comprehension(c) => 1 + count(c.ifs.len()),
        _ => 0,
    }
}
