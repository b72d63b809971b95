//! Plain Python data as the parent sees it, and how it is compared.
//!
//! A sandboxed child never compares anything: it serialises what the
//! candidate returned as typed JSON (the "wire" form below) and the parent
//! compares it with the expected [`PyValue`] here. Only builtin data types
//! exist on the wire, so an object with a lying `__eq__` cannot take part.
//!
//! Wire form: `null`, booleans, strings, integers within `i64`, finite
//! floats and lists are plain JSON; everything else is a one-key object:
//! `{"t": [..]}` tuple, `{"s": [..]}` set or frozenset, `{"d": [[k, v], ..]}`
//! dict, `{"i": "123.."}` integer beyond `i64`, `{"f": "nan"|"inf"|"-inf"}`,
//! `{"b": "hex"}` bytes, `{"c": [re, im]}` complex.

use std::cmp::Ordering;
use std::fmt::{self, Write as _};

use serde_json::Value as Json;

/// Deepest nesting accepted when reading values (wire or JSON).
pub const MAX_VALUE_DEPTH: usize = 200;

/// A value built only from Python's builtin data types.
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An `int` within `i64`.
    Int(i64),
    /// An `int` outside `i64`, as canonical decimal digits (with a leading
    /// `-` when negative).
    BigInt(String),
    /// A `float`.
    Float(f64),
    /// A `complex`.
    Complex(f64, f64),
    /// A `str`.
    Str(String),
    /// A `bytes`.
    Bytes(Vec<u8>),
    /// A `list`.
    List(Vec<PyValue>),
    /// A `tuple`.
    Tuple(Vec<PyValue>),
    /// A `set` or `frozenset` (Python considers them equal).
    Set(Vec<PyValue>),
    /// A `dict`, in insertion order.
    Dict(Vec<(PyValue, PyValue)>),
}

/// Which equality the comparison follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Semantics {
    /// Python's `==` on builtin data: `(1, 2) != [1, 2]`, `True == 1`,
    /// `1 == 1.0`, `{1, 2} == frozenset({2, 1})`. Used for cases converted
    /// from `assert f(..) == literal`.
    #[default]
    Python,
    /// Our dataset's JSON rules (fixtures/problems/SCHEMA.md): tuples are
    /// lists, booleans are not numbers, `1 == 1.0`, and a returned set or a
    /// dict with non-string keys is not representable (it matches nothing
    /// unless the comparison is unordered, where a set counts as a list).
    Json,
}

/// Absolute and relative tolerance for numbers, as in `math.isclose`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerance {
    /// Relative tolerance.
    pub rel: f64,
    /// Absolute tolerance.
    pub abs: f64,
}

impl Tolerance {
    fn close(&self, a: f64, b: f64) -> bool {
        if a == b {
            return true;
        }
        if !a.is_finite() || !b.is_finite() {
            return false;
        }
        let diff = (a - b).abs();
        diff <= (self.rel * b.abs()).max(self.rel * a.abs()) || diff <= self.abs
    }
}

impl PyValue {
    /// Reads the wire form a sandboxed child produced. `None` when the data
    /// is not well-formed wire data (which makes the case fail).
    pub fn from_wire(json: &Json) -> Option<Self> {
        Self::from_wire_at(json, 0)
    }

    fn from_wire_at(json: &Json, depth: usize) -> Option<Self> {
        if depth > MAX_VALUE_DEPTH {
            return None;
        }
        let list = |v: &Json| -> Option<Vec<PyValue>> {
            v.as_array()?
                .iter()
                .map(|x| Self::from_wire_at(x, depth + 1))
                .collect()
        };
        Some(match json {
            Json::Null => Self::None,
            Json::Bool(b) => Self::Bool(*b),
            Json::String(s) => Self::Str(s.clone()),
            Json::Number(n) => number_from_json(n)?,
            Json::Array(_) => Self::List(list(json)?),
            Json::Object(map) => {
                let (tag, body) = map.iter().next().filter(|_| map.len() == 1)?;
                match tag.as_str() {
                    "t" => Self::Tuple(list(body)?),
                    "s" => Self::Set(list(body)?),
                    "d" => Self::Dict(
                        body.as_array()?
                            .iter()
                            .map(|pair| {
                                let pair = pair.as_array().filter(|p| p.len() == 2)?;
                                Some((
                                    Self::from_wire_at(&pair[0], depth + 1)?,
                                    Self::from_wire_at(&pair[1], depth + 1)?,
                                ))
                            })
                            .collect::<Option<_>>()?,
                    ),
                    "i" => int_from_digits(body.as_str()?)?,
                    "f" => match body.as_str()? {
                        "nan" => Self::Float(f64::NAN),
                        "inf" => Self::Float(f64::INFINITY),
                        "-inf" => Self::Float(f64::NEG_INFINITY),
                        _ => return None,
                    },
                    "b" => Self::Bytes(hex_decode(body.as_str()?)?),
                    "c" => {
                        let parts = body.as_array().filter(|p| p.len() == 2)?;
                        Self::Complex(parts[0].as_f64()?, parts[1].as_f64()?)
                    }
                    _ => return None,
                }
            }
        })
    }

    /// Reads plain JSON as our dataset writes it: arrays are lists, objects
    /// are dicts with string keys, `1` is an int and `1.0` a float.
    pub fn from_json(json: &Json) -> Option<Self> {
        Self::from_json_at(json, 0)
    }

    fn from_json_at(json: &Json, depth: usize) -> Option<Self> {
        if depth > MAX_VALUE_DEPTH {
            return None;
        }
        Some(match json {
            Json::Null => Self::None,
            Json::Bool(b) => Self::Bool(*b),
            Json::String(s) => Self::Str(s.clone()),
            Json::Number(n) => number_from_json(n)?,
            Json::Array(items) => Self::List(
                items
                    .iter()
                    .map(|x| Self::from_json_at(x, depth + 1))
                    .collect::<Option<_>>()?,
            ),
            Json::Object(map) => Self::Dict(
                map.iter()
                    .map(|(k, v)| Some((Self::Str(k.clone()), Self::from_json_at(v, depth + 1)?)))
                    .collect::<Option<_>>()?,
            ),
        })
    }

    /// The wire form, for sending arguments into the sandbox.
    pub fn to_wire(&self) -> Json {
        let list = |items: &[PyValue]| Json::Array(items.iter().map(Self::to_wire).collect());
        let tagged = |tag: &str, body: Json| {
            let mut map = serde_json::Map::new();
            map.insert(tag.to_owned(), body);
            Json::Object(map)
        };
        match self {
            Self::None => Json::Null,
            Self::Bool(b) => Json::Bool(*b),
            Self::Int(i) => Json::from(*i),
            Self::BigInt(digits) => tagged("i", Json::String(digits.clone())),
            Self::Float(f) if f.is_nan() => tagged("f", Json::String("nan".into())),
            Self::Float(f) if f.is_infinite() => tagged(
                "f",
                Json::String(if *f > 0.0 { "inf" } else { "-inf" }.into()),
            ),
            Self::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Self::Complex(re, im) => {
                tagged("c", Json::Array(vec![Json::from(*re), Json::from(*im)]))
            }
            Self::Str(s) => Json::String(s.clone()),
            Self::Bytes(b) => tagged("b", Json::String(hex_encode(b))),
            Self::List(items) => list(items),
            Self::Tuple(items) => tagged("t", list(items)),
            Self::Set(items) => tagged("s", list(items)),
            Self::Dict(pairs) => tagged(
                "d",
                Json::Array(
                    pairs
                        .iter()
                        .map(|(k, v)| Json::Array(vec![k.to_wire(), v.to_wire()]))
                        .collect(),
                ),
            ),
        }
    }

    /// Python truthiness of plain data.
    pub fn is_truthy(&self) -> bool {
        match self {
            Self::None => false,
            Self::Bool(b) => *b,
            Self::Int(i) => *i != 0,
            Self::BigInt(_) => true,
            Self::Float(f) => *f != 0.0,
            Self::Complex(re, im) => *re != 0.0 || *im != 0.0,
            Self::Str(s) => !s.is_empty(),
            Self::Bytes(b) => !b.is_empty(),
            Self::List(v) | Self::Tuple(v) | Self::Set(v) => !v.is_empty(),
            Self::Dict(v) => !v.is_empty(),
        }
    }

    /// A `repr`-like rendering cut to about `max` characters, for reasons.
    pub fn short_repr(&self, max: usize) -> String {
        let mut out = String::new();
        self.write_repr(&mut out, max);
        if out.len() > max {
            let mut cut = max;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push_str("...");
        }
        out
    }

    fn write_repr(&self, out: &mut String, max: usize) {
        if out.len() > max {
            return;
        }
        let seq = |out: &mut String, items: &[PyValue], open: &str, close: &str| {
            out.push_str(open);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if out.len() > max {
                    break;
                }
                item.write_repr(out, max);
            }
            if open == "(" && items.len() == 1 {
                out.push(',');
            }
            out.push_str(close);
        };
        match self {
            Self::None => out.push_str("None"),
            Self::Bool(true) => out.push_str("True"),
            Self::Bool(false) => out.push_str("False"),
            Self::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Self::BigInt(d) => out.push_str(d),
            Self::Float(f) => out.push_str(&float_repr(*f)),
            Self::Complex(re, im) => {
                let _ = write!(out, "({}{:+}j)", float_repr(*re), im);
            }
            Self::Str(s) => {
                let _ = write!(out, "{s:?}");
            }
            Self::Bytes(b) => {
                let _ = write!(out, "b{:?}", String::from_utf8_lossy(b));
            }
            Self::List(v) => seq(out, v, "[", "]"),
            Self::Tuple(v) => seq(out, v, "(", ")"),
            Self::Set(v) if v.is_empty() => out.push_str("set()"),
            Self::Set(v) => seq(out, v, "{", "}"),
            Self::Dict(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if out.len() > max {
                        break;
                    }
                    k.write_repr(out, max);
                    out.push_str(": ");
                    v.write_repr(out, max);
                }
                out.push('}');
            }
        }
    }
}

impl fmt::Display for PyValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.short_repr(usize::MAX / 2))
    }
}

fn float_repr(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f > 0.0 { "inf" } else { "-inf" }.into()
    } else if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

fn number_from_json(n: &serde_json::Number) -> Option<PyValue> {
    if let Some(i) = n.as_i64() {
        Some(PyValue::Int(i))
    } else if let Some(u) = n.as_u64() {
        Some(PyValue::BigInt(u.to_string()))
    } else {
        n.as_f64().map(PyValue::Float)
    }
}

/// Builds an int from decimal digits, `Int` when it fits in `i64`.
pub(crate) fn int_from_digits(digits: &str) -> Option<PyValue> {
    let (neg, body) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits.strip_prefix('+').unwrap_or(digits)),
    };
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let body = body.trim_start_matches('0');
    if body.is_empty() {
        return Some(PyValue::Int(0));
    }
    let canonical = if neg {
        format!("-{body}")
    } else {
        body.to_owned()
    };
    Some(match canonical.parse::<i64>() {
        Ok(i) => PyValue::Int(i),
        Err(_) => PyValue::BigInt(canonical),
    })
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A number as Python's numeric tower sees it, for comparisons.
#[derive(Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

fn as_number(v: &PyValue, sem: Semantics) -> Option<Num> {
    match v {
        PyValue::Bool(b) if sem == Semantics::Python => Some(Num::Int(i128::from(*b))),
        PyValue::Int(i) => Some(Num::Int(i128::from(*i))),
        PyValue::Float(f) => Some(Num::Float(*f)),
        PyValue::BigInt(d) => d
            .parse::<i128>()
            .ok()
            .map(Num::Int)
            .or_else(|| d.parse::<f64>().ok().map(Num::Float)),
        _ => None,
    }
}

fn num_to_f64(n: Num) -> f64 {
    match n {
        Num::Int(i) => i as f64,
        Num::Float(f) => f,
    }
}

fn numbers_equal(a: Num, b: Num, tol: Option<Tolerance>) -> bool {
    if let Some(t) = tol {
        return t.close(num_to_f64(a), num_to_f64(b));
    }
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x == y,
        (Num::Float(x), Num::Float(y)) => x == y,
        (Num::Int(i), Num::Float(f)) | (Num::Float(f), Num::Int(i)) => {
            // Python compares int and float exactly.
            f.is_finite() && f.fract() == 0.0 && f.abs() < 1.7e38 && f as i128 == i
        }
    }
}

/// How two values are compared.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Comparison {
    /// Equality rules.
    pub semantics: Semantics,
    /// Numbers compared with this tolerance, recursively.
    pub tolerance: Option<Tolerance>,
    /// The outermost list (or tuple, or set) is compared as a multiset.
    pub unordered: bool,
}

impl Comparison {
    /// Whether `actual` (what the candidate returned) matches `expected`.
    pub fn matches(&self, actual: &PyValue, expected: &PyValue) -> bool {
        if self.unordered {
            let items = |v: &PyValue| match v {
                PyValue::List(x) | PyValue::Tuple(x) | PyValue::Set(x) => Some(x.clone()),
                _ => None,
            };
            if let (Some(mut a), Some(mut e)) = (items(actual), items(expected)) {
                if a.len() != e.len() {
                    return false;
                }
                a.sort_by(canonical_order);
                e.sort_by(canonical_order);
                return a
                    .iter()
                    .zip(&e)
                    .all(|(x, y)| values_equal(x, y, self.semantics, self.tolerance, 0));
            }
        }
        values_equal(actual, expected, self.semantics, self.tolerance, 0)
    }
}

fn values_equal(
    a: &PyValue,
    b: &PyValue,
    sem: Semantics,
    tol: Option<Tolerance>,
    depth: usize,
) -> bool {
    if depth > MAX_VALUE_DEPTH {
        return false;
    }
    let seq_eq = |x: &[PyValue], y: &[PyValue]| {
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .all(|(p, q)| values_equal(p, q, sem, tol, depth + 1))
    };
    if let (Some(x), Some(y)) = (as_number(a, sem), as_number(b, sem)) {
        return numbers_equal(x, y, tol);
    }
    match (a, b) {
        (PyValue::None, PyValue::None) => true,
        (PyValue::Bool(x), PyValue::Bool(y)) => x == y,
        (PyValue::Str(x), PyValue::Str(y)) => x == y,
        (PyValue::Bytes(x), PyValue::Bytes(y)) => x == y,
        (PyValue::Complex(r1, i1), PyValue::Complex(r2, i2)) => match tol {
            Some(t) => t.close(*r1, *r2) && t.close(*i1, *i2),
            None => r1 == r2 && i1 == i2,
        },
        (PyValue::List(x), PyValue::List(y)) | (PyValue::Tuple(x), PyValue::Tuple(y)) => {
            seq_eq(x, y)
        }
        (PyValue::List(x), PyValue::Tuple(y)) | (PyValue::Tuple(x), PyValue::List(y)) => {
            sem == Semantics::Json && seq_eq(x, y)
        }
        (PyValue::Set(x), PyValue::Set(y)) => {
            sem == Semantics::Python && unordered_equal(x, y, sem, tol, depth)
        }
        (PyValue::Dict(x), PyValue::Dict(y)) => {
            if x.len() != y.len() {
                return false;
            }
            if sem == Semantics::Json && !x.iter().all(|(k, _)| matches!(k, PyValue::Str(_))) {
                return false;
            }
            let mut xs: Vec<&(PyValue, PyValue)> = x.iter().collect();
            let mut ys: Vec<&(PyValue, PyValue)> = y.iter().collect();
            xs.sort_by(|p, q| canonical_order(&p.0, &q.0));
            ys.sort_by(|p, q| canonical_order(&p.0, &q.0));
            xs.iter().zip(&ys).all(|(p, q)| {
                values_equal(&p.0, &q.0, sem, None, depth + 1)
                    && values_equal(&p.1, &q.1, sem, tol, depth + 1)
            })
        }
        _ => false,
    }
}

fn unordered_equal(
    x: &[PyValue],
    y: &[PyValue],
    sem: Semantics,
    tol: Option<Tolerance>,
    depth: usize,
) -> bool {
    if x.len() != y.len() {
        return false;
    }
    let mut xs = x.to_vec();
    let mut ys = y.to_vec();
    xs.sort_by(canonical_order);
    ys.sort_by(canonical_order);
    xs.iter()
        .zip(&ys)
        .all(|(p, q)| values_equal(p, q, sem, tol, depth + 1))
}

/// A total order used only to line up the elements of sets, dict keys and
/// unordered lists before comparing them pairwise. Numbers (bools included)
/// sort together by value, so `{1, 2.0}` lines up with `{2, 1.0}`.
fn canonical_order(a: &PyValue, b: &PyValue) -> Ordering {
    fn rank(v: &PyValue) -> u8 {
        match v {
            PyValue::None => 0,
            PyValue::Bool(_) | PyValue::Int(_) | PyValue::BigInt(_) | PyValue::Float(_) => 1,
            PyValue::Complex(..) => 2,
            PyValue::Str(_) => 3,
            PyValue::Bytes(_) => 4,
            PyValue::List(_) | PyValue::Tuple(_) => 5,
            PyValue::Set(_) => 6,
            PyValue::Dict(_) => 7,
        }
    }
    fn seq(x: &[PyValue], y: &[PyValue]) -> Ordering {
        for (p, q) in x.iter().zip(y) {
            let o = canonical_order(p, q);
            if o != Ordering::Equal {
                return o;
            }
        }
        x.len().cmp(&y.len())
    }
    match rank(a).cmp(&rank(b)) {
        Ordering::Equal => {}
        other => return other,
    }
    match (a, b) {
        (PyValue::Complex(r1, i1), PyValue::Complex(r2, i2)) => {
            r1.total_cmp(r2).then(i1.total_cmp(i2))
        }
        (PyValue::Str(x), PyValue::Str(y)) => x.cmp(y),
        (PyValue::Bytes(x), PyValue::Bytes(y)) => x.cmp(y),
        (PyValue::List(x) | PyValue::Tuple(x), PyValue::List(y) | PyValue::Tuple(y)) => seq(x, y),
        (PyValue::Set(x), PyValue::Set(y)) => {
            let mut xs = x.clone();
            let mut ys = y.clone();
            xs.sort_by(canonical_order);
            ys.sort_by(canonical_order);
            seq(&xs, &ys)
        }
        (PyValue::Dict(x), PyValue::Dict(y)) => x.len().cmp(&y.len()),
        _ => match (
            as_number(a, Semantics::Python),
            as_number(b, Semantics::Python),
        ) {
            (Some(x), Some(y)) => match (x, y) {
                (Num::Int(p), Num::Int(q)) => p.cmp(&q),
                _ => num_to_f64(x).total_cmp(&num_to_f64(y)),
            },
            _ => Ordering::Equal,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py() -> Comparison {
        Comparison::default()
    }

    fn json() -> Comparison {
        Comparison {
            semantics: Semantics::Json,
            ..Comparison::default()
        }
    }

    #[test]
    fn python_semantics_follow_python_equality() {
        let t = PyValue::Tuple(vec![PyValue::Int(1), PyValue::Int(2)]);
        let l = PyValue::List(vec![PyValue::Int(1), PyValue::Int(2)]);
        assert!(!py().matches(&t, &l));
        assert!(json().matches(&t, &l));
        assert!(py().matches(&PyValue::Bool(true), &PyValue::Int(1)));
        assert!(!json().matches(&PyValue::Bool(true), &PyValue::Int(1)));
        assert!(py().matches(&PyValue::Int(3), &PyValue::Float(3.0)));
        assert!(!py().matches(&PyValue::Float(f64::NAN), &PyValue::Float(f64::NAN)));
        let s1 = PyValue::Set(vec![PyValue::Int(2), PyValue::Float(1.0)]);
        let s2 = PyValue::Set(vec![PyValue::Int(1), PyValue::Int(2)]);
        assert!(py().matches(&s1, &s2));
        assert!(!json().matches(&s1, &s2));
    }

    #[test]
    fn dicts_compare_without_order() {
        let a = PyValue::Dict(vec![
            (PyValue::Str("a".into()), PyValue::Int(1)),
            (PyValue::Str("b".into()), PyValue::Int(2)),
        ]);
        let b = PyValue::Dict(vec![
            (PyValue::Str("b".into()), PyValue::Int(2)),
            (PyValue::Str("a".into()), PyValue::Int(1)),
        ]);
        assert!(py().matches(&a, &b));
        let c = PyValue::Dict(vec![
            (PyValue::Str("b".into()), PyValue::Int(3)),
            (PyValue::Str("a".into()), PyValue::Int(1)),
        ]);
        assert!(!py().matches(&a, &c));
    }

    #[test]
    fn tolerance_and_unordered() {
        let cmp = Comparison {
            tolerance: Some(Tolerance {
                rel: 1e-6,
                abs: 1e-6,
            }),
            ..json()
        };
        assert!(cmp.matches(&PyValue::Float(0.30000000000000004), &PyValue::Float(0.3)));
        assert!(!cmp.matches(&PyValue::Float(0.31), &PyValue::Float(0.3)));
        let un = Comparison {
            unordered: true,
            ..json()
        };
        let a = PyValue::List(vec![PyValue::Int(2), PyValue::Int(1), PyValue::Int(1)]);
        let b = PyValue::List(vec![PyValue::Int(1), PyValue::Int(2), PyValue::Int(1)]);
        let c = PyValue::List(vec![PyValue::Int(1), PyValue::Int(2), PyValue::Int(2)]);
        assert!(un.matches(&a, &b));
        assert!(!un.matches(&a, &c));
    }

    #[test]
    fn wire_round_trip() {
        let v = PyValue::Dict(vec![(
            PyValue::Tuple(vec![
                PyValue::Int(1),
                PyValue::BigInt("123456789012345678901234567890".into()),
            ]),
            PyValue::Set(vec![
                PyValue::Float(f64::INFINITY),
                PyValue::Bytes(vec![0, 255]),
            ]),
        )]);
        assert_eq!(PyValue::from_wire(&v.to_wire()), Some(v));
        assert_eq!(PyValue::from_wire(&serde_json::json!({"zz": 1})), None);
    }

    #[test]
    fn big_ints_are_canonical() {
        assert_eq!(int_from_digits("-000"), Some(PyValue::Int(0)));
        assert_eq!(
            int_from_digits("+0099999999999999999999"),
            Some(PyValue::BigInt("99999999999999999999".into()))
        );
        assert_eq!(int_from_digits("12a"), None);
    }
}
