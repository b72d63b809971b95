//! The port of radon's `HalsteadVisitor`.

use std::collections::HashSet;

use super::{FunctionHalstead, Halstead, HalsteadReport};
use crate::metrics::complexity::walk::Node;
use crate::parse::ast::{self, Constant, Expr, Ranged, Stmt};

/// An operand's value, compared the way a Python set compares radon's
/// `(context, value)` pairs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Value<'a> {
    /// A name's identifier, an attribute's name or a `str` constant: all
    /// Python `str`, so `x`, `a.x` and `"x"` are equal.
    Str(&'a str),
    /// A `str` constant holding a lone surrogate (`'\ud800'`), which a
    /// Rust string cannot hold: the parser replaces it with U+FFFD, so the
    /// literal's source text stands for the value.
    Lossy(&'a str),
    /// A `bytes` constant.
    Bytes(&'a [u8]),
    /// A real number (bool, int or float, or a complex with no imaginary
    /// part) that a float represents exactly: the float's bits, with -0.0
    /// folded into 0.0. Python's `1 == 1.0 == True == 1+0j`.
    Real(u64),
    /// An integer no float equals, in decimal.
    BigInt(String),
    /// A complex number with an imaginary part: (real, imag) bits.
    Complex(u64, u64),
    /// `None`.
    None,
    /// `...`.
    Ellipsis,
    /// Any other expression: equal only to itself (Python compares the node
    /// objects by identity). Keyed by the node's address.
    Node(usize),
}

fn real(f: f64) -> Value<'static> {
    Value::Real(if f == 0.0 { 0.0f64 } else { f }.to_bits())
}

fn constant_value<'a>(c: &'a Constant, node: &'a Expr, source: &'a str) -> Value<'a> {
    match c {
        Constant::None => Value::None,
        Constant::Ellipsis => Value::Ellipsis,
        Constant::Bool(b) => real(if *b { 1.0 } else { 0.0 }),
        Constant::Str(s) if s.contains('\u{fffd}') => {
            let range = node.range();
            let text = source
                .get(usize::from(range.start())..usize::from(range.end()))
                .unwrap_or(s);
            if text.contains("\\ud") || text.contains("\\uD") {
                Value::Lossy(text)
            } else {
                Value::Str(s)
            }
        }
        Constant::Str(s) => Value::Str(s),
        Constant::Bytes(b) => Value::Bytes(b),
        Constant::Int(i) => {
            let digits = i.to_string();
            match digits.parse::<f64>() {
                // Exact when the float prints back as the same integer
                // (Rust prints floats exactly with a fixed precision).
                Ok(f) if f.is_finite() && format!("{f:.0}") == digits => real(f),
                _ => Value::BigInt(digits),
            }
        }
        Constant::Float(f) => real(*f),
        Constant::Complex { real: re, imag } => {
            if *imag == 0.0 {
                real(*re)
            } else {
                let fold = |f: f64| if f == 0.0 { 0.0f64 } else { f }.to_bits();
                Value::Complex(fold(*re), fold(*imag))
            }
        }
        Constant::Tuple(_) => Value::Node(node as *const Expr as usize),
    }
}

/// radon's `getattr(operand, types.get(name, ""), operand)`.
fn operand_value<'a>(e: &'a Expr, source: &'a str) -> Value<'a> {
    match e {
        Expr::Name(n) => Value::Str(n.id.as_str()),
        Expr::Attribute(a) => Value::Str(a.attr.as_str()),
        Expr::Constant(c) => constant_value(&c.value, e, source),
        _ => Value::Node(e as *const Expr as usize),
    }
}

/// Counts of one visitor.
#[derive(Debug)]
struct Counts<'a> {
    /// The module's source, for [`Value::Lossy`].
    source: &'a str,
    operators: u32,
    operands: u32,
    operators_seen: HashSet<&'static str>,
    operands_seen: HashSet<(Option<&'a str>, Value<'a>)>,
}

impl<'a> Counts<'a> {
    fn new(source: &'a str) -> Self {
        Self {
            source,
            operators: 0,
            operands: 0,
            operators_seen: HashSet::new(),
            operands_seen: HashSet::new(),
        }
    }

    fn merge(&mut self, other: &Counts<'a>) {
        self.operators += other.operators;
        self.operands += other.operands;
        self.operators_seen
            .extend(other.operators_seen.iter().copied());
        self.operands_seen
            .extend(other.operands_seen.iter().cloned());
    }

    fn operator(&mut self, name: &'static str) {
        self.operators += 1;
        self.operators_seen.insert(name);
    }

    fn operand(&mut self, context: Option<&'a str>, e: &'a Expr) {
        self.operands += 1;
        self.operands_seen
            .insert((context, operand_value(e, self.source)));
    }

    fn report(&self) -> Halstead {
        let n = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Halstead::from_counts(
            n(self.operators_seen.len()),
            n(self.operands_seen.len()),
            self.operators,
            self.operands,
        )
    }
}

/// Visits a module: the total and one report per function the module
/// visitor reaches.
pub(super) fn module(source: &str, suite: &[Stmt]) -> HalsteadReport {
    let mut total = Counts::new(source);
    let mut functions = Vec::new();
    for s in suite {
        visit(Node::Stmt(s), None, &mut total, Some(&mut functions));
    }
    HalsteadReport {
        total: total.report(),
        functions: functions
            .into_iter()
            .map(|(name, counts): (&str, Counts<'_>)| FunctionHalstead {
                name: name.to_owned(),
                metrics: counts.report(),
            })
            .collect(),
    }
}

/// Visits `node` in `context`. `functions` is set only for radon's
/// module-level visitor, whose functions are reported one by one.
fn visit<'a>(
    node: Node<'a>,
    context: Option<&'a str>,
    counts: &mut Counts<'a>,
    mut functions: Option<&mut Vec<(&'a str, Counts<'a>)>>,
) {
    let body = match node {
        Node::Stmt(Stmt::FunctionDef(f)) => Some((f.name.as_str(), &f.body)),
        Node::Stmt(Stmt::AsyncFunctionDef(f)) => Some((f.name.as_str(), &f.body)),
        _ => None,
    };
    if let Some((name, body)) = body {
        // Only the body is visited, in the function's own context.
        match functions {
            Some(functions) => {
                let mut own = Counts::new(counts.source);
                for s in body {
                    visit(Node::Stmt(s), Some(name), &mut own, None);
                }
                counts.merge(&own);
                functions.push((name, own));
            }
            None => {
                for s in body {
                    visit(Node::Stmt(s), Some(name), counts, None);
                }
            }
        }
        return;
    }
    match node {
        Node::Expr(Expr::BinOp(b)) => {
            counts.operator(operator_name(b.op));
            counts.operand(context, &b.left);
            counts.operand(context, &b.right);
        }
        Node::Expr(Expr::UnaryOp(u)) => {
            counts.operator(unary_name(u.op));
            counts.operand(context, &u.operand);
        }
        Node::Expr(Expr::BoolOp(b)) => {
            counts.operator(match b.op {
                ast::BoolOp::And => "And",
                ast::BoolOp::Or => "Or",
            });
            for v in &b.values {
                counts.operand(context, v);
            }
        }
        Node::Stmt(Stmt::AugAssign(a)) => {
            counts.operator(operator_name(a.op));
            counts.operand(context, &a.target);
            counts.operand(context, &a.value);
        }
        Node::Expr(Expr::Compare(c)) => {
            for op in &c.ops {
                counts.operator(cmp_name(*op));
            }
            for e in c.comparators.iter().chain(std::iter::once(&*c.left)) {
                counts.operand(context, e);
            }
        }
        _ => {}
    }
    node.for_each_child(&mut |child| visit(child, context, counts, functions.as_deref_mut()));
}

fn operator_name(op: ast::Operator) -> &'static str {
    use ast::Operator as O;
    match op {
        O::Add => "Add",
        O::Sub => "Sub",
        O::Mult => "Mult",
        O::MatMult => "MatMult",
        O::Div => "Div",
        O::Mod => "Mod",
        O::Pow => "Pow",
        O::LShift => "LShift",
        O::RShift => "RShift",
        O::BitOr => "BitOr",
        O::BitXor => "BitXor",
        O::BitAnd => "BitAnd",
        O::FloorDiv => "FloorDiv",
    }
}

fn unary_name(op: ast::UnaryOp) -> &'static str {
    use ast::UnaryOp as U;
    match op {
        U::Invert => "Invert",
        U::Not => "Not",
        U::UAdd => "UAdd",
        U::USub => "USub",
    }
}

fn cmp_name(op: ast::CmpOp) -> &'static str {
    use ast::CmpOp as C;
    match op {
        C::Eq => "Eq",
        C::NotEq => "NotEq",
        C::Lt => "Lt",
        C::LtE => "LtE",
        C::Gt => "Gt",
        C::GtE => "GtE",
        C::Is => "Is",
        C::IsNot => "IsNot",
        C::In => "In",
        C::NotIn => "NotIn",
    }
}

#[cfg(test)]
mod tests {
    use super::super::analyze_source;

    fn counts(src: &str) -> (u32, u32, u32, u32) {
        let t = analyze_source(src).expect("parses").total;
        (
            t.total_operators,
            t.total_operands,
            t.distinct_operators,
            t.distinct_operands,
        )
    }

    #[test]
    fn numbers_compare_like_python() {
        // 1, 1.0, True and 1+0j are one operand; 2**53 + 1 is not a float.
        assert_eq!(
            counts("a = x + 1\nb = x + 1.0\nc = x + True\nd = x + (0j + 1)\n").3,
            4
        );
        assert_eq!(
            counts("a = x + 9007199254740993\nb = x + 9007199254740992.0\n").3,
            3
        );
        assert_eq!(counts("a = x + 0\nb = x - -0.0\nc = x * False\n").3, 3);
    }

    #[test]
    fn names_attributes_and_strings_share_values() {
        // `x`, `o.x` and "x" are one operand; each call is distinct.
        assert_eq!(counts("a = x + o.x\nb = 'x' + f()\nc = x + f()\n").3, 3);
    }

    #[test]
    fn lone_surrogates_stay_distinct() {
        // Both literals decode to U+FFFD U+FFFD in Rust; Python keeps them apart.
        assert_eq!(counts("a = '\\ud800\\udc01' < '\\ud900\\udc01'\n").3, 2);
    }
}
