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

use std::borrow::Cow;
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
    /// The absolute bound is exclusive and `rel` is ignored: numbers match
    /// when `abs(a - b) < abs`, exactly as the converted assert
    /// `abs(CALL - LIT) < EPS` says (`false`: `math.isclose`, inclusive).
    pub exclusive: bool,
}

impl Tolerance {
    /// `math.isclose(a, b, rel_tol=rel, abs_tol=abs)`: inclusive bounds.
    pub fn isclose(rel: f64, abs: f64) -> Self {
        Self {
            rel,
            abs,
            exclusive: false,
        }
    }

    fn close(&self, a: f64, b: f64) -> bool {
        if self.exclusive {
            // NaN, and inf - inf, give NaN, which is below nothing.
            return (a - b).abs() < self.abs;
        }
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

/// An `int`, exactly: Python compares ints (and ints with floats) without
/// rounding, so this never goes through `f64`.
#[derive(Debug, Clone)]
enum ExactInt<'a> {
    Small(i128),
    /// Beyond `i128`: the sign and the decimal digits, no leading zeros.
    Big {
        negative: bool,
        digits: Cow<'a, str>,
    },
}

impl<'a> ExactInt<'a> {
    fn from_digits(d: &'a str) -> Option<Self> {
        if let Ok(i) = d.parse::<i128>() {
            return Some(Self::Small(i));
        }
        let (negative, body) = match d.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, d.strip_prefix('+').unwrap_or(d)),
        };
        let body = body.trim_start_matches('0');
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some(Self::Big {
            negative,
            digits: Cow::Borrowed(body),
        })
    }

    fn from_u128(u: u128) -> ExactInt<'static> {
        match i128::try_from(u) {
            Ok(i) => ExactInt::Small(i),
            Err(_) => ExactInt::Big {
                negative: false,
                digits: Cow::Owned(u.to_string()),
            },
        }
    }

    /// The integral, finite `f` as an exact int.
    fn from_integral_float(f: f64) -> ExactInt<'static> {
        // 2^127: below it, `as i128` is exact for integral values.
        const LIMIT: f64 = 1.7014118346046923e38;
        if f.abs() < LIMIT {
            return ExactInt::Small(f as i128);
        }
        ExactInt::Big {
            negative: f < 0.0,
            digits: Cow::Owned(integral_float_digits(f.abs())),
        }
    }

    /// Correctly rounded, as Python's `float(int)`; `None` where Python
    /// raises `OverflowError`.
    fn to_f64(&self) -> Option<f64> {
        let f = match self {
            Self::Small(i) => *i as f64,
            Self::Big { negative, digits } => {
                let m: f64 = digits.parse().ok()?;
                if *negative {
                    -m
                } else {
                    m
                }
            }
        };
        f.is_finite().then_some(f)
    }
}

/// Decimal digits of a finite, integral, positive `f64` of at least 2^127.
fn integral_float_digits(f: f64) -> String {
    const BASE: u64 = 1_000_000_000;
    let bits = f.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i64 - 1075;
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    // Little-endian limbs in base 10^9, starting from the mantissa.
    let mut limbs = vec![
        mantissa % BASE,
        (mantissa / BASE) % BASE,
        mantissa / (BASE * BASE),
    ];
    for _ in 0..exponent.max(0) {
        let mut carry = 0;
        for limb in &mut limbs {
            let v = *limb * 2 + carry;
            *limb = v % BASE;
            carry = v / BASE;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    while limbs.len() > 1 && limbs.last() == Some(&0) {
        limbs.pop();
    }
    let mut out = String::new();
    for (i, limb) in limbs.iter().rev().enumerate() {
        if i == 0 {
            let _ = write!(out, "{limb}");
        } else {
            let _ = write!(out, "{limb:09}");
        }
    }
    out
}

fn int_cmp(a: &ExactInt<'_>, b: &ExactInt<'_>) -> Ordering {
    use ExactInt::{Big, Small};
    match (a, b) {
        (Small(x), Small(y)) => x.cmp(y),
        // A `Big` is outside the range of every `Small`.
        (Big { negative, .. }, Small(_)) => {
            if *negative {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (Small(_), Big { negative, .. }) => {
            if *negative {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (
            Big {
                negative: n1,
                digits: d1,
            },
            Big {
                negative: n2,
                digits: d2,
            },
        ) => match (n1, n2) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (negative, _) => {
                let magnitude = d1.len().cmp(&d2.len()).then_with(|| d1.cmp(d2));
                if *negative {
                    magnitude.reverse()
                } else {
                    magnitude
                }
            }
        },
    }
}

/// `int` against `float`, exactly (NaN sorts above everything).
fn int_float_cmp(i: &ExactInt<'_>, f: f64) -> Ordering {
    if f.is_nan() || f == f64::INFINITY {
        return Ordering::Less;
    }
    if f == f64::NEG_INFINITY {
        return Ordering::Greater;
    }
    let floor = f.floor();
    match int_cmp(i, &ExactInt::from_integral_float(floor)) {
        Ordering::Equal if f > floor => Ordering::Less,
        other => other,
    }
}

fn float_cmp(x: f64, y: f64) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
    }
}

/// A number as Python's numeric tower sees it, for comparisons.
#[derive(Debug, Clone)]
enum Num<'a> {
    Int(ExactInt<'a>),
    Float(f64),
}

impl Num<'_> {
    fn to_f64(&self) -> Option<f64> {
        match self {
            Num::Int(i) => i.to_f64(),
            Num::Float(f) => Some(*f),
        }
    }
}

fn as_number(v: &PyValue, sem: Semantics) -> Option<Num<'_>> {
    match v {
        PyValue::Bool(b) if sem == Semantics::Python => {
            Some(Num::Int(ExactInt::Small(i128::from(*b))))
        }
        PyValue::Int(i) => Some(Num::Int(ExactInt::Small(i128::from(*i)))),
        PyValue::Float(f) => Some(Num::Float(*f)),
        PyValue::BigInt(d) => ExactInt::from_digits(d).map(Num::Int),
        _ => None,
    }
}

/// Python's order of two real numbers (NaN above everything, for sorting).
fn num_cmp(a: &Num<'_>, b: &Num<'_>) -> Ordering {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => int_cmp(x, y),
        (Num::Float(x), Num::Float(y)) => float_cmp(*x, *y),
        (Num::Int(i), Num::Float(f)) => int_float_cmp(i, *f),
        (Num::Float(f), Num::Int(i)) => int_float_cmp(i, *f).reverse(),
    }
}

/// Python's `==` on two real numbers.
fn num_eq(a: &Num<'_>, b: &Num<'_>) -> bool {
    match (a, b) {
        (Num::Float(x), Num::Float(y)) => x == y,
        _ => num_cmp(a, b) == Ordering::Equal,
    }
}

fn numbers_equal(a: &Num<'_>, b: &Num<'_>, tol: Option<Tolerance>) -> bool {
    let Some(t) = tol else {
        return num_eq(a, b);
    };
    if t.exclusive {
        // `abs(CALL - LIT) < EPS`: int minus int is exact in Python.
        if let (Num::Int(ExactInt::Small(x)), Num::Int(ExactInt::Small(y))) = (a, b) {
            return int_float_cmp(&ExactInt::from_u128(x.abs_diff(*y)), t.abs) == Ordering::Less;
        }
    } else if matches!((a, b), (Num::Int(_), Num::Int(_))) && num_eq(a, b) {
        return true;
    }
    // Python converts to float here (and raises OverflowError for ints
    // beyond it, which fails the assert).
    match (a.to_f64(), b.to_f64()) {
        (Some(x), Some(y)) => t.close(x, y),
        _ => false,
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
    ///
    /// Both values are normalised once first (sets and dicts deduplicated as
    /// Python would and sorted), so the comparison itself is linear in
    /// their size, however deeply sets nest.
    pub fn matches(&self, actual: &PyValue, expected: &PyValue) -> bool {
        let actual = normalized(actual, 0);
        let expected = normalized(expected, 0);
        if self.unordered {
            let items = |v: &PyValue| match v {
                PyValue::List(x) | PyValue::Tuple(x) | PyValue::Set(x) => Some(x.clone()),
                _ => None,
            };
            if let (Some(mut a), Some(mut e)) = (items(&actual), items(&expected)) {
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
        values_equal(&actual, &expected, self.semantics, self.tolerance, 0)
    }
}

/// The value as Python holds it, in a canonical layout: set elements
/// deduplicated (the first of equal elements stays, as in a set display)
/// and sorted; dict keys deduplicated (the first key with the last value,
/// as in a dict display) and sorted by key. Literals such as `{1, 1.0}`
/// then mean what Python makes of them, and sets compare pairwise.
fn normalized(v: &PyValue, depth: usize) -> PyValue {
    if depth > MAX_VALUE_DEPTH {
        // values_equal refuses anything this deep anyway.
        return PyValue::None;
    }
    let all = |x: &[PyValue]| {
        x.iter()
            .map(|e| normalized(e, depth + 1))
            .collect::<Vec<_>>()
    };
    match v {
        PyValue::List(x) => PyValue::List(all(x)),
        PyValue::Tuple(x) => PyValue::Tuple(all(x)),
        PyValue::Set(x) => {
            let mut indexed: Vec<(usize, PyValue)> = all(x).into_iter().enumerate().collect();
            indexed.sort_by(|(i, a), (j, b)| order(a, b, false).then(i.cmp(j)));
            let mut kept: Vec<PyValue> = Vec::with_capacity(indexed.len());
            let mut run_start = 0;
            for (_, item) in indexed {
                if let Some(first) = kept.get(run_start) {
                    if order(first, &item, false) == Ordering::Equal {
                        if !values_equal(first, &item, Semantics::Python, None, 0) {
                            kept.push(item);
                        }
                        continue;
                    }
                }
                run_start = kept.len();
                kept.push(item);
            }
            kept.sort_by(canonical_order);
            PyValue::Set(kept)
        }
        PyValue::Dict(pairs) => {
            let mut indexed: Vec<(usize, PyValue, PyValue)> = pairs
                .iter()
                .enumerate()
                .map(|(i, (k, v))| (i, normalized(k, depth + 1), normalized(v, depth + 1)))
                .collect();
            indexed.sort_by(|(i, a, _), (j, b, _)| order(a, b, false).then(i.cmp(j)));
            let mut kept: Vec<(PyValue, PyValue)> = Vec::with_capacity(indexed.len());
            let mut run_start = 0;
            for (_, key, value) in indexed {
                if let Some((first, _)) = kept.get(run_start) {
                    if order(first, &key, false) == Ordering::Equal {
                        match kept[run_start..]
                            .iter_mut()
                            .find(|(k, _)| values_equal(k, &key, Semantics::Python, None, 0))
                        {
                            Some(slot) => slot.1 = value,
                            None => kept.push((key, value)),
                        }
                        continue;
                    }
                }
                run_start = kept.len();
                kept.push((key, value));
            }
            kept.sort_by(|p, q| canonical_order(&p.0, &q.0));
            PyValue::Dict(kept)
        }
        other => other.clone(),
    }
}

/// Compares two values already passed through [`normalized`].
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
        return numbers_equal(&x, &y, tol);
    }
    match (a, b) {
        (PyValue::None, PyValue::None) => true,
        (PyValue::Bool(x), PyValue::Bool(y)) => x == y,
        (PyValue::Str(x), PyValue::Str(y)) => x == y,
        (PyValue::Bytes(x), PyValue::Bytes(y)) => x == y,
        (PyValue::Complex(r1, i1), PyValue::Complex(r2, i2)) => match tol {
            // `abs(c1 - c2) < EPS` takes the complex modulus.
            Some(t) if t.exclusive => (r1 - r2).hypot(i1 - i2) < t.abs,
            Some(t) => t.close(*r1, *r2) && t.close(*i1, *i2),
            None => r1 == r2 && i1 == i2,
        },
        // Python compares a complex with a real number: `2+0j == 2`, exactly
        // (the real part against the int, as for floats).
        (PyValue::Complex(re, im), real) | (real, PyValue::Complex(re, im))
            if sem == Semantics::Python =>
        {
            let Some(n) = as_number(real, sem) else {
                return false;
            };
            match tol {
                None => *im == 0.0 && numbers_equal(&Num::Float(*re), &n, None),
                Some(t) if t.exclusive => n.to_f64().is_some_and(|x| (re - x).hypot(*im) < t.abs),
                // `math.isclose` refuses complex numbers (TypeError).
                Some(_) => false,
            }
        }
        (PyValue::List(x), PyValue::List(y)) | (PyValue::Tuple(x), PyValue::Tuple(y)) => {
            seq_eq(x, y)
        }
        (PyValue::List(x), PyValue::Tuple(y)) | (PyValue::Tuple(x), PyValue::List(y)) => {
            sem == Semantics::Json && seq_eq(x, y)
        }
        // Normalised: both sorted in the canonical order, so equal sets
        // line up element by element.
        (PyValue::Set(x), PyValue::Set(y)) => sem == Semantics::Python && seq_eq(x, y),
        (PyValue::Dict(x), PyValue::Dict(y)) => {
            if x.len() != y.len() {
                return false;
            }
            if sem == Semantics::Json && !x.iter().all(|(k, _)| matches!(k, PyValue::Str(_))) {
                return false;
            }
            x.iter().zip(y).all(|(p, q)| {
                values_equal(&p.0, &q.0, sem, None, depth + 1)
                    && values_equal(&p.1, &q.1, sem, tol, depth + 1)
            })
        }
        _ => false,
    }
}

/// A total order used only to line up the elements of sets, dict keys and
/// unordered lists before comparing them pairwise. Numbers (bools included)
/// sort together by exact value, so `{1, 2.0}` lines up with `{2, 1.0}`;
/// values that are equal by value are then ordered by type, so that
/// `[True, 1]` and `[1, True]` line up the same way.
fn canonical_order(a: &PyValue, b: &PyValue) -> Ordering {
    order(a, b, true)
}

/// [`canonical_order`] on normalised values; without `by_type`, values that
/// Python may consider equal (`1`, `1.0`, `True`; a list and a tuple with
/// equal items) compare `Equal`.
fn order(a: &PyValue, b: &PyValue, by_type: bool) -> Ordering {
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
    fn kind(v: &PyValue) -> u8 {
        match v {
            PyValue::Bool(_) | PyValue::List(_) => 0,
            PyValue::Int(_) | PyValue::BigInt(_) | PyValue::Tuple(_) => 1,
            _ => 2,
        }
    }
    let seq = |x: &[PyValue], y: &[PyValue]| {
        for (p, q) in x.iter().zip(y) {
            let o = order(p, q, by_type);
            if o != Ordering::Equal {
                return o;
            }
        }
        x.len().cmp(&y.len())
    };
    match rank(a).cmp(&rank(b)) {
        Ordering::Equal => {}
        other => return other,
    }
    let by_value = match (a, b) {
        (PyValue::Complex(r1, i1), PyValue::Complex(r2, i2)) => {
            float_cmp(*r1, *r2).then(float_cmp(*i1, *i2))
        }
        (PyValue::Str(x), PyValue::Str(y)) => x.cmp(y),
        (PyValue::Bytes(x), PyValue::Bytes(y)) => x.cmp(y),
        (PyValue::List(x) | PyValue::Tuple(x), PyValue::List(y) | PyValue::Tuple(y)) => seq(x, y),
        (PyValue::Set(x), PyValue::Set(y)) => seq(x, y),
        (PyValue::Dict(x), PyValue::Dict(y)) => {
            for ((k1, v1), (k2, v2)) in x.iter().zip(y) {
                let o = order(k1, k2, by_type).then_with(|| order(v1, v2, by_type));
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        _ => match (
            as_number(a, Semantics::Python),
            as_number(b, Semantics::Python),
        ) {
            (Some(x), Some(y)) => num_cmp(&x, &y),
            _ => Ordering::Equal,
        },
    };
    if by_type {
        by_value.then_with(|| kind(a).cmp(&kind(b)))
    } else {
        by_value
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
            tolerance: Some(Tolerance::isclose(1e-6, 1e-6)),
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
