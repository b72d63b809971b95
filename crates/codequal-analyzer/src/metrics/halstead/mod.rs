//! Halstead metrics per module and per function, as `radon hal` 6.0.1
//! computes them.
//!
//! A port of radon's `HalsteadVisitor` (radon/visitors.py) and
//! `halstead_visitor_report` (radon/metrics.py). Only five node kinds count:
//! binary operations (1 operator, 2 operands), unary operations (1, 1),
//! boolean operations (1 operator, one operand per value), augmented
//! assignments (1, 2) and comparisons (one operator per comparator,
//! comparators + 1 operands). An operator is identified by its kind (`Add`,
//! `USub`, `And`, `Lt`, ...); the `+` of `a + b` and of `a += b` are the same
//! operator. An operand is identified by the name of the function it is in
//! (none at module level) and its value: a name's identifier, an
//! attribute's attribute name or a constant's value with Python's equality
//! (`1`, `1.0` and `True` are one operand, and so are the name `x` and the
//! string `"x"`); any other operand (a call, a subscript, ...) is always
//! distinct.
//!
//! Function bodies are visited in the function's own context; decorators,
//! defaults and annotations of functions are not visited at all. The
//! per-function reports cover the functions radon's module visitor reaches
//! directly: top-level functions, methods, and functions nested in
//! statements, but not functions nested in functions (those count inside
//! their enclosing function).
//!
//! ```
//! use codequal_analyzer::metrics::halstead;
//!
//! let report = halstead::analyze_source("a = b * c\n").unwrap();
//! assert_eq!(report.total.distinct_operators, 1);
//! assert_eq!(report.total.distinct_operands, 2);
//! assert_eq!(report.total.volume, 3.0 * 3f64.ln() / 2f64.ln());
//! ```

mod visitor;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::parse::{ast, ParsedSource, SyntaxError};

/// Halstead metrics of a module and of each of its functions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HalsteadReport {
    /// Module total (every function included).
    pub total: Halstead,
    /// One report per function radon lists, in source order. Names may
    /// repeat (radon's JSON keeps the last one of each name).
    pub functions: Vec<FunctionHalstead>,
}

/// The Halstead metrics of one function.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionHalstead {
    /// The function's name (no class prefix).
    pub name: String,
    /// Its metrics, nested functions included.
    pub metrics: Halstead,
}

/// The Halstead figures of one scope (radon's `HalsteadReport`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Halstead {
    /// h1: distinct operators.
    #[serde(rename = "h1")]
    pub distinct_operators: u32,
    /// h2: distinct operands.
    #[serde(rename = "h2")]
    pub distinct_operands: u32,
    /// N1: total operators.
    #[serde(rename = "N1")]
    pub total_operators: u32,
    /// N2: total operands.
    #[serde(rename = "N2")]
    pub total_operands: u32,
    /// h = h1 + h2.
    pub vocabulary: u32,
    /// N = N1 + N2.
    pub length: u32,
    /// h1 log2 h1 + h2 log2 h2 (0 unless both h1 and h2 are positive).
    pub calculated_length: f64,
    /// V = N log2 h (0 when h is 0).
    pub volume: f64,
    /// D = h1 N2 / (2 h2) (0 when h2 is 0).
    pub difficulty: f64,
    /// E = D V.
    pub effort: f64,
    /// T = E / 18 (seconds).
    pub time: f64,
    /// B = V / 3000 (estimated bugs).
    pub bugs: f64,
}

/// Python's `math.log(x, 2)`: `log(x) / log(2)`, which is not always
/// `log2(x)` to the last bit.
fn log2(x: u32) -> f64 {
    f64::from(x).ln() / 2f64.ln()
}

impl Halstead {
    /// The figures from the four counts, with radon's formulas and its
    /// zero cases.
    pub fn from_counts(h1: u32, h2: u32, n1: u32, n2: u32) -> Self {
        let h = h1 + h2;
        let n = n1 + n2;
        let calculated_length = if h1 > 0 && h2 > 0 {
            f64::from(h1) * log2(h1) + f64::from(h2) * log2(h2)
        } else {
            0.0
        };
        let volume = if h != 0 { f64::from(n) * log2(h) } else { 0.0 };
        let difficulty = if h2 != 0 {
            (u64::from(h1) * u64::from(n2)) as f64 / (2 * u64::from(h2)) as f64
        } else {
            0.0
        };
        let effort = difficulty * volume;
        Self {
            distinct_operators: h1,
            distinct_operands: h2,
            total_operators: n1,
            total_operands: n2,
            vocabulary: h,
            length: n,
            calculated_length,
            volume,
            difficulty,
            effort,
            time: effort / 18.0,
            bugs: volume / 3000.0,
        }
    }

    /// The dictionary radon's `hal --json` prints for one report, with
    /// Python's types: radon's zero cases are the integer `0`, not `0.0`.
    pub fn radon_json(&self) -> Value {
        let float_or_zero = |is_float: bool, v: f64| if is_float { json!(v) } else { json!(0) };
        let h1 = self.distinct_operators;
        let h2 = self.distinct_operands;
        let h = self.vocabulary;
        let mut m = Map::new();
        m.insert("h1".into(), json!(h1));
        m.insert("h2".into(), json!(h2));
        m.insert("N1".into(), json!(self.total_operators));
        m.insert("N2".into(), json!(self.total_operands));
        m.insert("vocabulary".into(), json!(h));
        m.insert("length".into(), json!(self.length));
        m.insert(
            "calculated_length".into(),
            float_or_zero(h1 > 0 && h2 > 0, self.calculated_length),
        );
        m.insert("volume".into(), float_or_zero(h != 0, self.volume));
        m.insert("difficulty".into(), float_or_zero(h2 != 0, self.difficulty));
        // int 0 * int 0 stays an int; any float makes a float.
        m.insert("effort".into(), float_or_zero(h != 0, self.effort));
        m.insert("time".into(), json!(self.time));
        m.insert("bugs".into(), json!(self.bugs));
        Value::Object(m)
    }
}

impl HalsteadReport {
    /// The dictionary radon's `hal --json` prints for one file:
    /// `{"total": {...}, "functions": {name: {...}}}`. A repeated function
    /// name keeps its last report, as a Python dict does.
    pub fn radon_json(&self) -> Value {
        let mut functions = Map::new();
        for f in &self.functions {
            functions.insert(f.name.clone(), f.metrics.radon_json());
        }
        json!({ "total": self.total.radon_json(), "functions": functions })
    }
}

/// Computes the Halstead report of a parsed module.
pub fn analyze(parsed: &ParsedSource<'_>, suite: &[ast::Stmt]) -> HalsteadReport {
    visitor::module(parsed.source, suite)
}

/// Parses `source` and computes its Halstead report; a module that does
/// not parse gives its syntax error.
pub fn analyze_source(source: &str) -> Result<HalsteadReport, SyntaxError> {
    super::complexity::with_module(source, analyze)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_cases_are_python_ints() {
        let empty = Halstead::from_counts(0, 0, 0, 0);
        assert_eq!(empty.radon_json()["volume"], json!(0));
        assert_eq!(empty.radon_json()["effort"], json!(0));
        // h = 1: the volume is the float 0.0, the difficulty the int 0.
        let one = Halstead::from_counts(1, 0, 1, 0);
        assert_eq!(one.radon_json()["volume"], json!(0.0));
        assert_eq!(one.radon_json()["difficulty"], json!(0));
        assert_eq!(one.radon_json()["effort"], json!(0.0));
        assert_eq!(one.radon_json()["calculated_length"], json!(0));
    }

    #[test]
    fn log_is_python_math_log_base_two() {
        // math.log(1000, 2) = 9.965784284662087, log2(1000) = 9.965784284662087;
        // math.log(8, 2) == 3.0 exactly on glibc.
        assert_eq!(log2(8), 3.0);
    }
}
