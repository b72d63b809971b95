//! Test suites: what a candidate program is run against.
//!
//! Three forms, strongest first:
//!
//! * [`CallCase`]: call a function with plain arguments; the child sends the
//!   return value back as data and the parent compares it with the expected
//!   value, which never enters the sandbox. Our dataset's `tests` arrays
//!   (fixtures/problems/SCHEMA.md) deserialize into these and into
//!   [`OpSequence`]s (class problems).
//! * [`OpSequence`]: construct the entry-point class, then call methods or
//!   read attributes, each step with its own expected value; one case.
//! * [`AssertCase`]: test code run inside the candidate's process (MBPP
//!   `assert` lists that are not of the `assert CALL == LITERAL` shape, and
//!   HumanEval `check` statements that are not either). The verdict is then
//!   whatever the child reports, so a candidate that tampers with its own
//!   process can fake it. Each still runs in its own fork.
//!
//! [`TestSuite::from_asserts`] and [`TestSuite::from_check`] turn
//! assert-style tests into call cases wherever the shape allows (see
//! [`crate::assert_conversion`]).

use serde::{Deserialize, Deserializer};
use serde_json::Value as Json;

use crate::value::{Comparison, PyValue, Semantics, Tolerance};

/// A program's tests: the entry point, optional setup code and the cases.
#[derive(Debug, Clone, PartialEq)]
pub struct TestSuite {
    /// Function (or class) the call cases and `check(candidate)` refer to.
    pub entry_point: String,
    /// Code run in the candidate's namespace before the candidate itself,
    /// e.g. MBPP's `test_imports` (`None` for our dataset).
    pub setup: Option<String>,
    /// The cases, each scored on its own.
    pub cases: Vec<TestCase>,
}

impl TestSuite {
    /// A suite of already-built cases (e.g. deserialized from a problem's
    /// `tests` array with `serde_json::from_value::<Vec<TestCase>>`).
    pub fn new(entry_point: impl Into<String>, cases: Vec<TestCase>) -> Self {
        Self {
            entry_point: entry_point.into(),
            setup: None,
            cases,
        }
    }

    /// Reads a problem's `tests` array from JSON text, keeping object keys
    /// in file order (dict arguments reach the candidate in that order).
    pub fn from_json_str(
        entry_point: impl Into<String>,
        tests: &str,
    ) -> Result<Self, serde_json::Error> {
        let cases: Vec<TestCase> = serde_json::from_str(tests)?;
        Ok(Self::new(entry_point, cases))
    }

    /// Reads a problem's `tests` array (fixtures/problems/SCHEMA.md) from a
    /// `serde_json::Value`. Note: unless serde_json's `preserve_order`
    /// feature is on, a `Value` has already sorted every object's keys, so
    /// dict arguments arrive sorted; prefer [`TestSuite::from_json_str`] or
    /// deserialising `Vec<TestCase>` straight from the text.
    pub fn from_json_tests(
        entry_point: impl Into<String>,
        tests: &Json,
    ) -> Result<Self, serde_json::Error> {
        let cases = Vec::<TestCase>::deserialize(tests)?;
        Ok(Self::new(entry_point, cases))
    }

    /// An MBPP-style suite: `setup` (the `test_imports`) and a list of
    /// `assert` statements. Each assert is one case; those of the shape
    /// `assert CALL == LITERAL` become [`CallCase`]s.
    pub fn from_asserts(
        entry_point: impl Into<String>,
        setup: Option<String>,
        asserts: &[String],
    ) -> Self {
        let cases = asserts
            .iter()
            .map(|a| crate::assert_conversion::convert_assert(a, None))
            .collect();
        Self {
            entry_point: entry_point.into(),
            setup,
            cases,
        }
    }

    /// A HumanEval-style suite: `test_code` defines `check(candidate)`; each
    /// top-level statement of its body that asserts something becomes its
    /// own case (statements without asserts are kept as a prelude for the
    /// cases after them). Converted where the shape allows.
    pub fn from_check(entry_point: impl Into<String>, test_code: &str) -> Self {
        let entry_point = entry_point.into();
        let cases = crate::assert_conversion::split_check(test_code, &entry_point);
        Self {
            entry_point,
            setup: None,
            cases,
        }
    }

    /// How many cases are converted into call cases (compared in the
    /// parent) and how many stay assert code (judged in the child).
    pub fn strength(&self) -> (usize, usize) {
        let weak = self
            .cases
            .iter()
            .filter(|c| matches!(c, TestCase::Assert(_)))
            .count();
        (self.cases.len() - weak, weak)
    }
}

/// One scored case.
#[derive(Debug, Clone, PartialEq)]
pub enum TestCase {
    /// Call a function and compare its return value in the parent.
    Call(CallCase),
    /// Construct a class and run a sequence of operations.
    Ops(OpSequence),
    /// Run test code in the candidate's process (weaker).
    Assert(AssertCase),
}

impl<'de> Deserialize<'de> for TestCase {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let node = Node::deserialize(d)?;
        if node.get("ops").is_some() {
            ops_from_node(&node)
                .map(Self::Ops)
                .map_err(serde::de::Error::custom)
        } else if node.get("code").is_some() {
            AssertCase::deserialize(node.to_json())
                .map(Self::Assert)
                .map_err(serde::de::Error::custom)
        } else {
            call_from_node(&node)
                .map(Self::Call)
                .map_err(serde::de::Error::custom)
        }
    }
}

/// What a call (or an operation) must produce.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// Return this value (compared with the case's [`Comparison`]).
    Value(PyValue),
    /// Raise this exception type or a subclass (matched by class name
    /// anywhere in the raised exception's MRO).
    Raises(String),
    /// Return something truthy (`assert f(x)`).
    Truthy,
    /// Return something falsy (`assert not f(x)`).
    Falsy,
}

/// Applied in the child to the return value before it is serialised, for
/// converted asserts such as `assert set(f(x)) == {1, 2}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostCall {
    /// `set(...)`.
    Set,
    /// `frozenset(...)`.
    FrozenSet,
    /// `sorted(...)`.
    Sorted,
    /// `list(...)`.
    List,
    /// `tuple(...)`.
    Tuple,
    /// `bool(...)` (truthiness asserts).
    Bool,
}

impl PostCall {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Set => "set",
            Self::FrozenSet => "frozenset",
            Self::Sorted => "sorted",
            Self::List => "list",
            Self::Tuple => "tuple",
            Self::Bool => "bool",
        }
    }
}

/// Call a function with plain arguments and compare what it returns.
#[derive(Debug, Clone, PartialEq)]
pub struct CallCase {
    /// The function to call; `None` means the suite's entry point.
    pub function: Option<String>,
    /// Positional arguments.
    pub args: Vec<PyValue>,
    /// Keyword arguments.
    pub kwargs: Vec<(String, PyValue)>,
    /// A Python expression (builtins only) evaluated in the child to the
    /// positional-argument list; replaces `args` when set.
    pub args_py: Option<String>,
    /// What must come back.
    pub expect: Expectation,
    /// How values are compared.
    pub comparison: Comparison,
    /// Call `list()` (capped) on the returned iterator first.
    pub materialize: bool,
    /// Builtin applied to the result in the child (converted asserts).
    pub post: Option<PostCall>,
}

/// A class-design case: construct, then run operations in order.
#[derive(Debug, Clone, PartialEq)]
pub struct OpSequence {
    /// The operations; the first is always [`Op::New`].
    pub ops: Vec<Op>,
}

/// One step of an [`OpSequence`].
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Construct the entry-point class.
    New {
        /// Positional arguments.
        args: Vec<PyValue>,
        /// Keyword arguments.
        kwargs: Vec<(String, PyValue)>,
        /// Python expression (builtins only) for the positional arguments,
        /// evaluated in the child; replaces `args` when set.
        args_py: Option<String>,
    },
    /// Call a method of the object.
    Call {
        /// Method name.
        method: String,
        /// Positional arguments.
        args: Vec<PyValue>,
        /// Keyword arguments.
        kwargs: Vec<(String, PyValue)>,
        /// Python expression for the positional arguments (as in `New`).
        args_py: Option<String>,
        /// What must come back.
        expect: Option<Expectation>,
        /// How values are compared.
        comparison: Comparison,
        /// Call `list()` on the returned iterator first.
        materialize: bool,
    },
    /// Read an attribute or property.
    Get {
        /// Attribute name.
        attr: String,
        /// What it must be.
        expect: Option<Expectation>,
        /// How values are compared.
        comparison: Comparison,
    },
}

/// Test code run inside the candidate's process: it passes when it
/// finishes without raising. Weaker than a call case (see module docs).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssertCase {
    /// Python statements, run after the candidate in its namespace.
    pub code: String,
}

/// JSON as written, with object keys in file order (a `serde_json::Value`
/// without the `preserve_order` feature sorts them, which changes the
/// insertion order of dicts handed to the candidate).
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Str(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Node, D2::Error> {
                Node::deserialize(d)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
                Ok(Node::Bool(b))
            }
            fn visit_i64<E>(self, i: i64) -> Result<Node, E> {
                Ok(Node::Number(i.into()))
            }
            fn visit_u64<E>(self, u: u64) -> Result<Node, E> {
                Ok(Node::Number(u.into()))
            }
            fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Node, E> {
                serde_json::Number::from_f64(f)
                    .map(Node::Number)
                    .ok_or_else(|| E::custom("non-finite number"))
            }
            fn visit_str<E>(self, s: &str) -> Result<Node, E> {
                Ok(Node::Str(s.to_owned()))
            }
            fn visit_string<E>(self, s: String) -> Result<Node, E> {
                Ok(Node::Str(s))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::List(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut pairs = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Node>()? {
                    pairs.push((k, v));
                }
                Ok(Node::Map(pairs))
            }
        }
        d.deserialize_any(V)
    }
}

impl Node {
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn to_py(&self, depth: usize) -> Option<PyValue> {
        if depth > crate::value::MAX_VALUE_DEPTH {
            return None;
        }
        Some(match self {
            Node::Null => PyValue::None,
            Node::Bool(b) => PyValue::Bool(*b),
            Node::Number(n) => PyValue::from_json(&Json::Number(n.clone()))?,
            Node::Str(s) => PyValue::Str(s.clone()),
            Node::List(items) => PyValue::List(
                items
                    .iter()
                    .map(|i| i.to_py(depth + 1))
                    .collect::<Option<_>>()?,
            ),
            Node::Map(pairs) => PyValue::Dict(
                pairs
                    .iter()
                    .map(|(k, v)| Some((PyValue::Str(k.clone()), v.to_py(depth + 1)?)))
                    .collect::<Option<_>>()?,
            ),
        })
    }

    /// Back to serde_json, for the typed parts (strings, flags, `compare`).
    fn to_json(&self) -> Json {
        match self {
            Node::Null => Json::Null,
            Node::Bool(b) => Json::Bool(*b),
            Node::Number(n) => Json::Number(n.clone()),
            Node::Str(s) => Json::String(s.clone()),
            Node::List(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Node::Map(pairs) => Json::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// The `compare` field of our dataset's cases.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
enum RawCompare {
    #[default]
    Exact,
    Unordered,
    #[serde(untagged)]
    Tolerance {
        float_tolerance: f64,
    },
}

impl RawCompare {
    fn comparison(self) -> Comparison {
        let mut c = Comparison {
            semantics: Semantics::Json,
            ..Comparison::default()
        };
        match self {
            Self::Exact => {}
            Self::Unordered => c.unordered = true,
            Self::Tolerance { float_tolerance } => {
                c.tolerance = Some(Tolerance::isclose(float_tolerance, float_tolerance))
            }
        }
        c
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCall {
    #[serde(default)]
    args: Vec<Json>,
    #[serde(default)]
    kwargs: serde_json::Map<String, Json>,
    #[serde(default)]
    args_py: Option<String>,
    #[serde(default, deserialize_with = "present")]
    expected: Option<Json>,
    #[serde(default)]
    raises: Option<String>,
    #[serde(default)]
    compare: RawCompare,
    #[serde(default)]
    materialize: bool,
}

/// Distinguishes `"expected": null` (expect `None`) from a missing field.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Json>, D::Error> {
    Json::deserialize(d).map(Some)
}

fn json_args(args: &[Json]) -> Result<Vec<PyValue>, String> {
    args.iter()
        .map(|a| PyValue::from_json(a).ok_or_else(|| "argument nested too deeply".to_owned()))
        .collect()
}

fn json_kwargs(kwargs: &serde_json::Map<String, Json>) -> Result<Vec<(String, PyValue)>, String> {
    kwargs
        .iter()
        .map(|(k, v)| {
            PyValue::from_json(v)
                .map(|v| (k.clone(), v))
                .ok_or_else(|| "keyword argument nested too deeply".to_owned())
        })
        .collect()
}

fn expectation(expected: Option<Json>, raises: Option<String>) -> Result<Expectation, String> {
    match (expected, raises) {
        (Some(e), None) => PyValue::from_json(&e)
            .map(Expectation::Value)
            .ok_or_else(|| "expected value nested too deeply".to_owned()),
        (None, Some(r)) => Ok(Expectation::Raises(r)),
        (Some(_), Some(_)) => Err("a case has both `expected` and `raises`".to_owned()),
        (None, None) => Err("a case needs `expected` or `raises`".to_owned()),
    }
}

impl RawCall {
    fn into_call(self) -> Result<CallCase, String> {
        Ok(CallCase {
            function: None,
            args: json_args(&self.args)?,
            kwargs: json_kwargs(&self.kwargs)?,
            args_py: self.args_py,
            expect: expectation(self.expected, self.raises)?,
            comparison: self.compare.comparison(),
            materialize: self.materialize,
            post: None,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOps {
    ops: Vec<RawOp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOp {
    op: String,
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    attr: Option<String>,
    #[serde(default)]
    args: Vec<Json>,
    #[serde(default)]
    kwargs: serde_json::Map<String, Json>,
    #[serde(default)]
    args_py: Option<String>,
    #[serde(default, deserialize_with = "present")]
    expected: Option<Json>,
    #[serde(default)]
    raises: Option<String>,
    #[serde(default)]
    compare: RawCompare,
    #[serde(default)]
    materialize: bool,
}

/// Positional args, keyword args and expected value of one case or op.
type OrderedValues = (Vec<PyValue>, Vec<(String, PyValue)>, Option<PyValue>);

/// Positional args, keyword args and expected value of a case or op, read
/// from the order-preserving node (the serde_json view sorts dict keys).
fn ordered_values(node: &Node) -> Result<OrderedValues, String> {
    let deep = || "value nested too deeply".to_owned();
    let args = match node.get("args") {
        Some(Node::List(items)) => items
            .iter()
            .map(|i| i.to_py(0).ok_or_else(deep))
            .collect::<Result<_, _>>()?,
        _ => Vec::new(),
    };
    let kwargs = match node.get("kwargs") {
        Some(Node::Map(pairs)) => pairs
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.to_py(0).ok_or_else(deep)?)))
            .collect::<Result<_, String>>()?,
        _ => Vec::new(),
    };
    let expected = node
        .get("expected")
        .map(|e| e.to_py(0).ok_or_else(deep))
        .transpose()?;
    Ok((args, kwargs, expected))
}

fn with_ordered_expect(
    expect: Option<Expectation>,
    expected: Option<PyValue>,
) -> Option<Expectation> {
    match (expect, expected) {
        (Some(Expectation::Value(_)), Some(v)) => Some(Expectation::Value(v)),
        (other, _) => other,
    }
}

fn call_from_node(node: &Node) -> Result<CallCase, String> {
    let raw = RawCall::deserialize(node.to_json()).map_err(|e| e.to_string())?;
    let mut call = raw.into_call()?;
    let (args, kwargs, expected) = ordered_values(node)?;
    call.args = args;
    call.kwargs = kwargs;
    call.expect = with_ordered_expect(Some(call.expect), expected).unwrap_or(Expectation::Truthy);
    Ok(call)
}

fn ops_from_node(node: &Node) -> Result<OpSequence, String> {
    let mut seq = OpSequence::deserialize(node.to_json()).map_err(|e| e.to_string())?;
    let Some(Node::List(raw_ops)) = node.get("ops") else {
        return Err("`ops` must be a list".to_owned());
    };
    for (op, raw) in seq.ops.iter_mut().zip(raw_ops) {
        let (a, k, e) = ordered_values(raw)?;
        match op {
            Op::New { args, kwargs, .. } => {
                *args = a;
                *kwargs = k;
            }
            Op::Call {
                args,
                kwargs,
                expect,
                ..
            } => {
                *args = a;
                *kwargs = k;
                *expect = with_ordered_expect(expect.take(), e);
            }
            Op::Get { expect, .. } => *expect = with_ordered_expect(expect.take(), e),
        }
    }
    Ok(seq)
}

impl<'de> Deserialize<'de> for OpSequence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawOps::deserialize(d)?;
        let optional_expect = |e: Option<Json>, r: Option<String>| {
            if e.is_none() && r.is_none() {
                Ok(None)
            } else {
                expectation(e, r).map(Some)
            }
        };
        let mut ops = Vec::with_capacity(raw.ops.len());
        for (i, op) in raw.ops.into_iter().enumerate() {
            let built = match op.op.as_str() {
                "new" => Op::New {
                    args: json_args(&op.args).map_err(serde::de::Error::custom)?,
                    kwargs: json_kwargs(&op.kwargs).map_err(serde::de::Error::custom)?,
                    args_py: op.args_py,
                },
                "call" => Op::Call {
                    method: op.method.ok_or_else(|| {
                        serde::de::Error::custom(format!("op {i}: `call` needs `method`"))
                    })?,
                    args: json_args(&op.args).map_err(serde::de::Error::custom)?,
                    kwargs: json_kwargs(&op.kwargs).map_err(serde::de::Error::custom)?,
                    args_py: op.args_py,
                    expect: optional_expect(op.expected, op.raises)
                        .map_err(serde::de::Error::custom)?,
                    comparison: op.compare.comparison(),
                    materialize: op.materialize,
                },
                "get" => Op::Get {
                    attr: op.attr.ok_or_else(|| {
                        serde::de::Error::custom(format!("op {i}: `get` needs `attr`"))
                    })?,
                    expect: optional_expect(op.expected, op.raises)
                        .map_err(serde::de::Error::custom)?,
                    comparison: op.compare.comparison(),
                },
                other => {
                    return Err(serde::de::Error::custom(format!(
                        "op {i}: unknown op {other:?}"
                    )))
                }
            };
            if i == 0 && !matches!(built, Op::New { .. }) {
                return Err(serde::de::Error::custom("the first op must be `new`"));
            }
            ops.push(built);
        }
        if ops.is_empty() {
            return Err(serde::de::Error::custom(
                "an op sequence needs at least `new`",
            ));
        }
        Ok(Self { ops })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dataset_forms_deserialize() {
        let tests = json!([
            { "args": [[1, 2, 3], 2], "kwargs": {}, "expected": 5 },
            { "args": ["abc"], "expected": ["a", "b"], "compare": "unordered" },
            { "args": [0.1, 0.2], "expected": 0.3, "compare": {"float_tolerance": 1e-9} },
            { "args": [-1], "raises": "ValueError" },
            { "args_py": "[list(range(200000))]", "expected": 19999900000_i64 },
            { "args": [[1,2,3,4]], "materialize": true, "expected": [[1,2],[3,4]] },
            { "args": [0], "expected": null },
            { "ops": [
                { "op": "new",  "args": [100], "kwargs": {} },
                { "op": "call", "method": "deposit", "args": [50], "expected": 150 },
                { "op": "call", "method": "withdraw", "args": [1000], "raises": "ValueError" },
                { "op": "get",  "attr": "balance", "expected": 150 }
            ] }
        ]);
        let suite = TestSuite::from_json_tests("f", &tests).expect("schema examples parse");
        assert_eq!(suite.cases.len(), 8);
        let TestCase::Call(c) = &suite.cases[2] else {
            panic!("expected a call case")
        };
        assert!(c.comparison.tolerance.is_some());
        let TestCase::Call(c) = &suite.cases[6] else {
            panic!("expected a call case")
        };
        assert_eq!(c.expect, Expectation::Value(PyValue::None));
        assert!(matches!(&suite.cases[7], TestCase::Ops(o) if o.ops.len() == 4));
    }

    #[test]
    fn dict_arguments_keep_file_order() {
        let suite = TestSuite::from_json_str(
            "f",
            r#"[{"args": [{"k": 1, "j": 2}], "expected": {"z": 1, "a": 2}}]"#,
        )
        .expect("parses");
        let TestCase::Call(c) = &suite.cases[0] else {
            panic!("call case")
        };
        let PyValue::Dict(pairs) = &c.args[0] else {
            panic!("dict")
        };
        assert_eq!(pairs[0].0, PyValue::Str("k".into()));
        let Expectation::Value(PyValue::Dict(pairs)) = &c.expect else {
            panic!("dict")
        };
        assert_eq!(pairs[0].0, PyValue::Str("z".into()));
    }

    #[test]
    fn malformed_cases_are_rejected() {
        assert!(TestSuite::from_json_tests("f", &json!([{ "args": [1] }])).is_err());
        assert!(TestSuite::from_json_tests(
            "f",
            &json!([{ "args": [1], "expected": 1, "raises": "E" }])
        )
        .is_err());
        assert!(TestSuite::from_json_tests(
            "f",
            &json!([{ "ops": [{ "op": "get", "attr": "x" }] }])
        )
        .is_err());
        assert!(TestSuite::from_json_tests(
            "f",
            &json!([{ "args": [1], "expected": 1, "bogus": 0 }])
        )
        .is_err());
    }
}
