//! Cyclomatic complexity per block, as `radon cc` 6.0.1 computes it.
//!
//! A port of radon's `ComplexityVisitor` (radon/visitors.py) and of the
//! helpers in radon/complexity.py (`cc_rank`, `sorted_results`,
//! `add_inner_blocks`, `average_complexity`):
//!
//! - a function starts at 1 and counts only its own body: nested functions
//!   become its closures and add nothing; classes inside a function vanish;
//! - +1 for `if`/`elif`, ternaries, `for`/`async for`/`while` (+1 more for a
//!   loop `else`), each handler of a plain `try` (+1 for its `else`), each
//!   comprehension clause and its `if`s, each `assert`; a boolean operator
//!   adds its operand count minus one; a `match` adds its case count, minus
//!   one when a case pattern is a bare capture or `_`;
//! - decorators, defaults, annotations and base classes are never visited;
//! - a class is 1 + its own decisions + the sum of its methods (`real`), and
//!   reports `real` when it has no methods, else
//!   `int(real / methods) + (methods > 1)`.
//!
//! ```
//! use codequal_analyzer::metrics::complexity::{self, ComplexityOptions, Rank};
//!
//! let src = "def f(a, b):\n    if a and b:\n        return 1\n    return 2\n";
//! let report = complexity::analyze_source(src, &ComplexityOptions::default()).unwrap();
//! assert_eq!(report.blocks[0].name, "f");
//! assert_eq!(report.blocks[0].complexity, 3);
//! assert_eq!(report.blocks[0].rank(), Rank::A);
//! ```

mod visitor;
pub(crate) mod walk;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::parse::{self, ast, ParsedSource, SyntaxError};

/// Cyclomatic complexity of a module: its blocks and totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplexityReport {
    /// radon's `ComplexityVisitor.blocks`: the module's functions first
    /// (those not inside another function or class, in source order), then
    /// each class followed by its methods. Closures sit inside their
    /// function, inner classes inside their class.
    pub blocks: Vec<Block>,
    /// Complexity of the module-level code itself: 1 + its decision points
    /// outside any function or class (radon's `visitor.complexity`).
    pub module_complexity: u32,
}

/// Which of radon's block kinds a [`Block`] is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// A function outside any class (or a closure), letter `F`.
    #[default]
    Function,
    /// A function defined in a class body, letter `M`.
    Method,
    /// A class, letter `C`.
    Class,
}

impl BlockKind {
    /// The letter radon prints for the kind: `F`, `M` or `C`.
    pub fn letter(self) -> char {
        match self {
            BlockKind::Function => 'F',
            BlockKind::Method => 'M',
            BlockKind::Class => 'C',
        }
    }

    /// The `type` radon's JSON gives the kind: `function`, `method`, `class`.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockKind::Function => "function",
            BlockKind::Method => "method",
            BlockKind::Class => "class",
        }
    }
}

/// A function, method or class with its complexity: radon's `Function` and
/// `Class` namedtuples in one type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    /// Function, method or class.
    pub kind: BlockKind,
    /// Name (without the class; see [`Block::fullname`]). Closures and inner
    /// classes get a dotted name only through [`add_inner_blocks`].
    pub name: String,
    /// Line of the `def`/`async`/`class` keyword (not of a decorator).
    pub lineno: u32,
    /// Column of that keyword, in UTF-8 bytes.
    pub col_offset: u32,
    /// radon's end line: for a function, the largest start line of any node
    /// in its last statement (or its own line); for a class, the largest
    /// such line over its whole body and its methods' end lines.
    pub endline: u32,
    /// For a method, the name of its class.
    pub classname: Option<String>,
    /// The complexity radon reports: a function's own; for a class the
    /// average formula over its methods (see [`Block::real_complexity`]).
    pub complexity: u32,
    /// For a class, 1 + its own decision points + the sum of its methods'
    /// complexities; for a function, the same as `complexity`.
    pub real_complexity: u32,
    /// Functions defined in this function's body (functions only).
    pub closures: Vec<Block>,
    /// Functions defined in this class's body (classes only).
    pub methods: Vec<Block>,
    /// Classes defined in this class's body (classes only).
    pub inner_classes: Vec<Block>,
}

impl Block {
    /// The rank of the block's complexity.
    pub fn rank(&self) -> Rank {
        Rank::of(f64::from(self.complexity))
    }

    /// `Class.method` for a method, otherwise the name.
    pub fn fullname(&self) -> String {
        match &self.classname {
            Some(class) if self.kind != BlockKind::Class => format!("{class}.{}", self.name),
            _ => self.name.clone(),
        }
    }

    /// The dictionary radon's `cc --json` prints for this block
    /// (`radon.cli.tools.cc_to_dict`): `type`, `rank`, `name`, `lineno`,
    /// `col_offset`, `endline`, `complexity`, then `classname` for methods,
    /// `closures` for functions and `methods` for classes, recursively.
    pub fn radon_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!(self.kind.as_str()));
        m.insert("rank".into(), json!(self.rank().letter().to_string()));
        m.insert("name".into(), json!(self.name));
        m.insert("lineno".into(), json!(self.lineno));
        m.insert("col_offset".into(), json!(self.col_offset));
        m.insert("endline".into(), json!(self.endline));
        m.insert("complexity".into(), json!(self.complexity));
        match self.kind {
            BlockKind::Class => {
                let methods: Vec<Value> = self.methods.iter().map(Block::radon_json).collect();
                m.insert("methods".into(), Value::Array(methods));
            }
            BlockKind::Function | BlockKind::Method => {
                if let Some(class) = &self.classname {
                    m.insert("classname".into(), json!(class));
                }
                let closures: Vec<Value> = self.closures.iter().map(Block::radon_json).collect();
                m.insert("closures".into(), Value::Array(closures));
            }
        }
        Value::Object(m)
    }
}

impl ComplexityReport {
    /// The module's functions (not methods, not closures).
    pub fn functions(&self) -> impl Iterator<Item = &Block> {
        self.blocks.iter().filter(|b| b.kind == BlockKind::Function)
    }

    /// The module's classes (not inner classes).
    pub fn classes(&self) -> impl Iterator<Item = &Block> {
        self.blocks.iter().filter(|b| b.kind == BlockKind::Class)
    }

    /// radon's `ComplexityVisitor.total_complexity`, the `G` of the
    /// maintainability index (`radon.metrics.mi_parameters`): the module's
    /// own complexity plus, for each function, its complexity minus one and,
    /// for each class, its real complexity minus one. Closures and inner
    /// classes do not count.
    pub fn total_complexity(&self) -> u32 {
        let functions: u32 = self
            .functions()
            .map(|f| f.complexity.saturating_sub(1))
            .sum();
        let classes: u32 = self
            .classes()
            .map(|c| c.real_complexity.saturating_sub(1))
            .sum();
        self.module_complexity + functions + classes
    }

    /// The blocks as `radon cc` lists them: with closures and inner classes
    /// added when `show_closures` is set, then sorted by `order`.
    pub fn sorted_blocks(&self, order: Order, show_closures: bool) -> Vec<Block> {
        let blocks = if show_closures {
            add_inner_blocks(&self.blocks)
        } else {
            self.blocks.clone()
        };
        sorted_results(blocks, order)
    }

    /// Mean complexity of [`ComplexityReport::blocks`] (0 when there are
    /// none), as radon's `average_complexity`.
    pub fn average_complexity(&self) -> f64 {
        average_complexity(&self.blocks)
    }
}

/// radon's complexity ranks: A (1-5) to F (41+).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum Rank {
    /// 0-5: low risk, simple block.
    #[default]
    A,
    /// 6-10: low risk, well structured block.
    B,
    /// 11-20: moderate risk.
    C,
    /// 21-30: more than moderate risk.
    D,
    /// 31-40: high risk.
    E,
    /// 41 and above: very high risk.
    F,
}

impl Rank {
    /// radon's `cc_rank`: `ceil(cc / 10)` (at least 1), minus one when
    /// `cc <= 5`, capped at F. Fractional averages round up the band (5.5 is
    /// B, 10.5 is C). radon rejects negative values; they rank A here.
    pub fn of(cc: f64) -> Rank {
        let ceil = (cc / 10.0).ceil();
        let base = if ceil == 0.0 || ceil.is_nan() {
            1.0
        } else {
            ceil
        };
        let index = base - if 5.0 - cc < 0.0 { 0.0 } else { 1.0 };
        match index {
            i if i < 1.0 => Rank::A,
            i if i < 2.0 => Rank::B,
            i if i < 3.0 => Rank::C,
            i if i < 4.0 => Rank::D,
            i if i < 5.0 => Rank::E,
            _ => Rank::F,
        }
    }

    /// The rank's letter.
    pub fn letter(self) -> char {
        match self {
            Rank::A => 'A',
            Rank::B => 'B',
            Rank::C => 'C',
            Rank::D => 'D',
            Rank::E => 'E',
            Rank::F => 'F',
        }
    }

    /// Parses a letter (either case), as radon's `-n/-x` options take them.
    pub fn from_letter(letter: &str) -> Option<Rank> {
        match letter.to_ascii_uppercase().as_str() {
            "A" => Some(Rank::A),
            "B" => Some(Rank::B),
            "C" => Some(Rank::C),
            "D" => Some(Rank::D),
            "E" => Some(Rank::E),
            "F" => Some(Rank::F),
            _ => None,
        }
    }
}

impl std::fmt::Display for Rank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.letter())
    }
}

/// radon's `cc_rank` (see [`Rank::of`]).
pub fn cc_rank(cc: f64) -> Rank {
    Rank::of(cc)
}

/// How `radon cc` orders blocks (`-o/--order`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Order {
    /// Highest complexity first (the default).
    #[default]
    Score,
    /// By line number.
    Lines,
    /// By name.
    Alpha,
}

/// radon's `sorted_results`: a stable sort by `order`.
pub fn sorted_results(mut blocks: Vec<Block>, order: Order) -> Vec<Block> {
    match order {
        Order::Score => blocks.sort_by_key(|b| std::cmp::Reverse(b.complexity)),
        Order::Lines => blocks.sort_by_key(|b| b.lineno),
        // Python compares str by code point, which is the order of UTF-8
        // bytes.
        Order::Alpha => blocks.sort_by(|a, b| a.name.cmp(&b.name)),
    }
    blocks
}

/// radon's `average_complexity`: the mean of the blocks' complexities, 0
/// for no blocks.
pub fn average_complexity(blocks: &[Block]) -> f64 {
    if blocks.is_empty() {
        return 0.0;
    }
    let sum: f64 = blocks.iter().map(|b| f64::from(b.complexity)).sum();
    sum / blocks.len() as f64
}

/// radon's `add_inner_blocks` (`cc --show-closures`): every closure and
/// inner class becomes a block of its own, named `outer.inner`; the
/// methods of a renamed inner class are added with that dotted class name.
/// The result is in radon's (reversed, work-list) order.
pub fn add_inner_blocks(blocks: &[Block]) -> Vec<Block> {
    let mut out = Vec::with_capacity(blocks.len());
    let mut work: Vec<Block> = blocks.to_vec();
    while let Some(block) = work.pop() {
        for inner in block.closures.iter().chain(&block.inner_classes) {
            let mut named = inner.clone();
            named.name = format!("{}.{}", block.name, inner.name);
            let methods: Vec<Block> = named
                .methods
                .iter()
                .map(|m| Block {
                    classname: Some(named.name.clone()),
                    ..m.clone()
                })
                .collect();
            work.push(named);
            work.extend(methods);
        }
        out.push(block);
    }
    out
}

/// Options of the complexity analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplexityOptions {
    /// Do not count `assert` statements (radon's `--no-assert`). Default:
    /// false (each `assert` adds 1).
    pub no_assert: bool,
}

/// Computes the complexity report of a parsed module with default options.
pub fn analyze(parsed: &ParsedSource<'_>, suite: &[ast::Stmt]) -> ComplexityReport {
    analyze_with(parsed, suite, &ComplexityOptions::default())
}

/// Computes the complexity report of a parsed module.
pub fn analyze_with(
    parsed: &ParsedSource<'_>,
    suite: &[ast::Stmt],
    options: &ComplexityOptions,
) -> ComplexityReport {
    visitor::module(&parsed.lines, suite, options)
}

/// Parses `source` and computes its complexity report; a module that does
/// not parse gives its syntax error.
pub fn analyze_source(
    source: &str,
    options: &ComplexityOptions,
) -> Result<ComplexityReport, SyntaxError> {
    with_module(source, |parsed, suite| analyze_with(parsed, suite, options))
}

/// Parses `source` and runs `f` on it on a large enough stack, applying the
/// same limits as [`crate::analyze_source`].
pub(crate) fn with_module<R: Send>(
    source: &str,
    f: impl FnOnce(&ParsedSource<'_>, &[ast::Stmt]) -> R + Send,
) -> Result<R, SyntaxError> {
    let parsed = parse::parse(source);
    parse::with_stack_for(parsed.depth_bound, move || {
        // The tree is dropped inside, on the large stack.
        let parsed = parsed;
        if let Some(e) = &parsed.error {
            return Err(e.clone());
        }
        let Some(suite) = &parsed.suite else {
            return Err(SyntaxError {
                message: "invalid syntax".to_owned(),
                line: 1,
                column: 0,
            });
        };
        if parse::nesting_depth(suite, parse::MAX_AST_DEPTH) > parse::MAX_AST_DEPTH {
            return Err(SyntaxError {
                message: "too many nested expressions (maximum recursion depth exceeded during ast construction)".to_owned(),
                line: 1,
                column: 0,
            });
        }
        Ok(f(&parsed, suite))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(src: &str) -> ComplexityReport {
        analyze_source(src, &ComplexityOptions::default()).expect("parses")
    }

    #[test]
    fn ranks_follow_radon_bands() {
        let expect = |cc: f64, r: Rank| assert_eq!(Rank::of(cc), r, "cc = {cc}");
        expect(0.0, Rank::A);
        expect(5.0, Rank::A);
        expect(5.5, Rank::B);
        expect(10.0, Rank::B);
        expect(10.5, Rank::C);
        expect(20.0, Rank::C);
        expect(21.0, Rank::D);
        expect(30.0, Rank::D);
        expect(31.0, Rank::E);
        expect(40.0, Rank::E);
        expect(41.0, Rank::F);
        expect(1000.0, Rank::F);
    }

    #[test]
    fn class_complexity_averages_methods() {
        let r = report(
            "class A:\n    def m(self, a):\n        if a: return 1\n        return 2\n    def n(self):\n        return 3\n",
        );
        let class = r.classes().next().expect("class");
        assert_eq!(class.real_complexity, 4);
        assert_eq!(class.complexity, 3);
        assert_eq!(class.methods.len(), 2);
    }

    #[test]
    fn inner_blocks_are_named_with_their_parent() {
        let r = report("class joe1:\n    def doit1(self): pass\n    class joe2:\n        def doit2(self): pass\n");
        let names: Vec<String> = add_inner_blocks(&r.blocks)
            .iter()
            .map(Block::fullname)
            .collect();
        assert!(names.contains(&"joe1.joe2".to_owned()), "{names:?}");
        assert!(names.contains(&"joe1.joe2.doit2".to_owned()), "{names:?}");
    }
}
