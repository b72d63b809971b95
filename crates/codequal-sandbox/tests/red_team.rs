//! Regressions from the red-team pass over the sandbox: each test is named
//! after what broke and fails without its fix.

mod common;

use std::time::Instant;

use codequal_sandbox::{Comparison, Config, PyValue, TestCase, TestSuite, Verdict};
use serde_json::json;

fn sandbox(config: Config) -> Option<codequal_sandbox::Sandbox> {
    common::sandbox(config)
}

fn big(digits: &str) -> PyValue {
    PyValue::BigInt(digits.to_owned())
}

/// Python `==` as the converted asserts use it.
fn py_eq(actual: &PyValue, expected: &PyValue) -> bool {
    Comparison::default().matches(actual, expected)
}

fn converted(assert: &str) -> codequal_sandbox::CallCase {
    match codequal_sandbox::assert_conversion::convert_assert(assert, None) {
        TestCase::Call(c) => c,
        other => panic!("{assert:?} was not converted: {other:?}"),
    }
}

fn expected_of(case: &codequal_sandbox::CallCase) -> &PyValue {
    match &case.expect {
        codequal_sandbox::Expectation::Value(v) => v,
        other => panic!("not a value expectation: {other:?}"),
    }
}

// ------------------------------------------------------------------ A

const LEAKY_CHECK: &str = r#"
import math

METADATA = {'author': 'x'}

def helper(v):
    return v

def check(candidate):
    assert candidate(1) == 'SECRET-ONE'
    y = helper(2)
    assert candidate(y) == 'SECRET-TWO'
    assert candidate(3) == 'SECRET-THREE'
"#;

/// An assert-code case used to carry the whole test module, and with it
/// the expected values of every call case.
#[test]
fn humaneval_assert_code_cases_carry_only_their_own_statement() {
    let suite = TestSuite::from_check("f", LEAKY_CHECK);
    assert_eq!(suite.strength(), (2, 1));
    let TestCase::Assert(a) = &suite.cases[1] else {
        panic!("the middle case stays code: {:?}", suite.cases)
    };
    assert!(!a.code.contains("SECRET-ONE"), "{}", a.code);
    assert!(!a.code.contains("SECRET-THREE"), "{}", a.code);
    // What it needs is still there: module-level helpers and the prelude.
    assert!(a.code.contains("def helper(v):"), "{}", a.code);
    assert!(a.code.contains("y = helper(2)"), "{}", a.code);
    assert!(a.code.contains("METADATA"), "{}", a.code);
    let Some(sandbox) = sandbox(Config::default()) else {
        return;
    };
    let honest = "def f(x):\n    return {1: 'SECRET-ONE', 2: 'SECRET-TWO', 3: 'SECRET-THREE'}[x]\n";
    assert!(sandbox.run(honest, &suite).expect("runs").all_passed());
}

/// Finds any `'SECRET-...'` literal reachable through frames or the
/// garbage collector, and returns it.
const SECRET_SCANNER: &str = r#"
import gc, re, sys

PATTERN = re.compile("'(SECRET" + r"-[A-Z]+)'")

def scan(o, depth=0):
    if isinstance(o, str):
        m = PATTERN.search(o)
        return m.group(1) if m else None
    if depth > 6:
        return None
    if isinstance(o, dict):
        items = list(o.values())
    elif isinstance(o, (list, tuple)):
        items = list(o)
    else:
        return None
    for v in items:
        found = scan(v, depth + 1)
        if found:
            return found
    return None

def f(x):
    fr = sys._getframe()
    while fr is not None:
        found = scan(dict(fr.f_locals))
        if found:
            return found
        fr = fr.f_back
    for o in gc.get_objects():
        found = scan(o, 5)
        if found:
            return found
    return None
"#;

/// The worker kept the whole request (every case, test code included)
/// reachable from the case child, through frames and gc.
#[test]
fn case_children_cannot_reach_the_other_cases_of_the_request() {
    let Some(sandbox) = sandbox(Config::default()) else {
        return;
    };
    let mut suite = TestSuite::from_asserts("f", None, &["assert f(1) == 'SECRET-ONE'".to_owned()]);
    suite
        .cases
        .push(TestCase::Assert(codequal_sandbox::AssertCase {
            code: "assert f(2) == 'SECRET-ONE'".to_owned(),
        }));
    let r = sandbox.run(SECRET_SCANNER, &suite).expect("runs");
    assert!(r.cases[0].compared_in_parent);
    assert!(
        !r.cases[0].verdict.is_pass(),
        "the call case found the other case's code: {:?}",
        r.cases[0]
    );
    assert_eq!(r.cases[0].returned, Some(PyValue::None));
}

// ----------------------------------------------------- exception names

const RAISER: &str = r#"
class InsufficientFundsError(Exception):
    pass

class ValueError(Exception):
    pass

SPOOF = type("ValueError", (Exception,), {})
FAKE_ALL = tuple(type(n, (Exception,), {}) for n in ("TypeError", "KeyError", "LookupError"))

class Universal(*FAKE_ALL):
    pass

def f(kind):
    if kind == "spoof":
        raise SPOOF("x")
    if kind == "shadow":
        raise ValueError("x")
    if kind == "universal":
        raise Universal("x")
    if kind == "custom":
        raise InsufficientFundsError("x")
    if kind == "real":
        import builtins
        raise builtins.ValueError("x")
    if kind == "sub":
        class Mine(KeyError):
            pass
        raise Mine("x")
"#;

/// The parent trusted the class names in the MRO, so a class the candidate
/// named "ValueError" passed a case that expects ValueError.
#[test]
fn raised_exceptions_match_builtins_by_identity_not_by_name() {
    let Some(sandbox) = sandbox(Config::default()) else {
        return;
    };
    let suite = TestSuite::from_json_tests(
        "f",
        &json!([
            { "args": ["spoof"], "raises": "ValueError" },
            { "args": ["shadow"], "raises": "ValueError" },
            { "args": ["universal"], "raises": "TypeError" },
            { "args": ["universal"], "raises": "KeyError" },
            { "args": ["real"], "raises": "ValueError" },
            { "args": ["sub"], "raises": "LookupError" },
            { "args": ["custom"], "raises": "InsufficientFundsError" },
            { "args": ["custom"], "raises": "Exception" },
        ]),
    )
    .expect("suite");
    let r = sandbox.run(RAISER, &suite).expect("runs");
    let passed: Vec<bool> = r.cases.iter().map(|c| c.verdict.is_pass()).collect();
    assert_eq!(
        passed,
        [false, false, false, false, true, true, true, true],
        "{:#?}",
        r.cases
    );
    assert!(
        matches!(&r.cases[0].verdict, Verdict::Failed { reason } if reason.contains("__candidate__.ValueError")),
        "{:?}",
        r.cases[0]
    );
}

// ------------------------------------------------------------------ B

#[test]
fn big_ints_compare_exactly() {
    let two_1100 = (0..1100).fold(vec![1u32], |mut d, _| {
        let mut carry = 0;
        for x in &mut d {
            let v = *x * 2 + carry;
            *x = v % 10;
            carry = v / 10;
        }
        if carry > 0 {
            d.push(carry);
        }
        d
    });
    let digits: String = two_1100
        .iter()
        .rev()
        .map(|d| char::from(b'0' + *d as u8))
        .collect();
    let mut plus_one = digits.clone().into_bytes();
    *plus_one.last_mut().expect("digits") += 1; // 2**1100 ends in 6
    let plus_one = String::from_utf8(plus_one).expect("ascii");
    // Huge ints used to be parsed as f64: all equal to each other and to inf.
    assert!(!py_eq(&big(&digits), &big(&plus_one)));
    assert!(py_eq(&big(&digits), &big(&digits)));
    assert!(!py_eq(&PyValue::Float(f64::INFINITY), &big(&digits)));
    assert!(!py_eq(
        &big(&format!("-{digits}")),
        &big(&format!("-{plus_one}"))
    ));
    // 2**200 + 12345 == 2**200 in f64, not in Python.
    let b200 = "1606938044258990275541962092341162602522202993782792835301376";
    let b200_plus = "1606938044258990275541962092341162602522202993782792835313721";
    assert!(!py_eq(&big(b200_plus), &big(b200)));
    // int vs float: equal only when the float is that exact integer.
    assert!(py_eq(&PyValue::Float(2f64.powi(200)), &big(b200)));
    assert!(!py_eq(&PyValue::Float(2f64.powi(200)), &big(b200_plus)));
    assert!(!py_eq(
        &PyValue::Float(1e40),
        &big("10000000000000000000000000000000000000000")
    ));
    assert!(py_eq(
        &PyValue::Float(1e40),
        &big("10000000000000000303786028427003666890752")
    ));
    assert!(!py_eq(
        &PyValue::Float(2f64.powi(53)),
        &PyValue::Int((1 << 53) + 1)
    ));
    assert!(!py_eq(
        &PyValue::Float(2f64.powi(127)),
        &big("170141183460469231731687303715884105729")
    ));
    assert!(py_eq(
        &PyValue::Float(2f64.powi(127)),
        &big("170141183460469231731687303715884105728")
    ));
    assert!(py_eq(
        &PyValue::Float(1.8446744073709552e19),
        &big("18446744073709551616")
    ));
    assert!(!py_eq(
        &PyValue::Float(1.8446744073709552e19),
        &big("18446744073709551615")
    ));
    // Inside containers too.
    let set = |d: &str| PyValue::Set(vec![big(d)]);
    assert!(!py_eq(&set(&digits), &set(&plus_one)));
    // math.isclose(10**400, 1e308) raises OverflowError in Python: no match.
    let isclose = converted("assert math.isclose(f(1), 1e308)");
    assert!(!isclose
        .comparison
        .matches(&big(&"9".repeat(400)), expected_of(&isclose)));
}

/// `abs(CALL - LIT) < EPS` was judged as `<=`.
#[test]
fn abs_tolerance_asserts_keep_their_strictness() {
    let strict = converted("assert abs(f(1) - 1.0) < 0.5");
    assert!(!strict
        .comparison
        .matches(&PyValue::Float(1.5), expected_of(&strict)));
    assert!(strict
        .comparison
        .matches(&PyValue::Float(1.25), expected_of(&strict)));
    let inclusive = converted("assert abs(f(1) - 1.0) <= 0.5");
    assert!(inclusive
        .comparison
        .matches(&PyValue::Float(1.5), expected_of(&inclusive)));
    let ints = converted("assert abs(f(1) - 2) < 1");
    assert!(!ints
        .comparison
        .matches(&PyValue::Int(3), expected_of(&ints)));
    assert!(ints
        .comparison
        .matches(&PyValue::Int(2), expected_of(&ints)));
    // Int minus int is exact: no rounding through f64.
    let exact = converted("assert abs(f(1) - 12345678901234567) < 1");
    assert!(!exact
        .comparison
        .matches(&PyValue::Int(12345678901234568), expected_of(&exact)));
    assert!(exact
        .comparison
        .matches(&PyValue::Int(12345678901234567), expected_of(&exact)));
    let zero = converted("assert abs(f(1) - 1) < 0");
    assert!(!zero
        .comparison
        .matches(&PyValue::Int(1), expected_of(&zero)));
}

// ------------------------------------------------------------------ H

/// `{"s": [X, X]}` nested: the comparison re-sorted nested sets on every
/// step, about 4x the work per level (depth 14 took 11.5 s in release).
#[test]
fn nested_duplicate_sets_are_judged_in_linear_time() {
    let mut wire = json!(1);
    for _ in 0..16 {
        wire = json!({ "s": [wire.clone(), wire] });
    }
    let value = PyValue::from_wire(&wire).expect("well-formed wire data");
    let started = Instant::now();
    assert!(py_eq(&value, &value));
    let other = PyValue::from_wire(&json!({ "s": [1] })).expect("wire");
    assert!(!py_eq(&value, &other));
    assert!(
        started.elapsed().as_secs_f64() < 5.0,
        "took {:?}",
        started.elapsed()
    );
}

/// Set and dict displays with duplicates mean what Python makes of them.
#[test]
fn set_and_dict_literals_with_duplicates_follow_python() {
    let cases = [
        (
            "assert f(1) == {1, 1.0}",
            PyValue::Set(vec![PyValue::Int(1)]),
            true,
        ),
        (
            "assert f(1) == {True, 1, 2}",
            PyValue::Set(vec![PyValue::Int(1), PyValue::Int(2)]),
            true,
        ),
        (
            "assert f(1) == {1, 1, 2}",
            PyValue::Set(vec![PyValue::Int(2), PyValue::Int(1)]),
            true,
        ),
        (
            "assert f(1) == set([1, 2, 2])",
            PyValue::Set(vec![PyValue::Int(1), PyValue::Int(2)]),
            true,
        ),
        (
            "assert f(1) == {'a': 1, 'a': 2}",
            PyValue::Dict(vec![(PyValue::Str("a".into()), PyValue::Int(2))]),
            true,
        ),
        (
            "assert f(1) == {'a': 1, 'a': 2}",
            PyValue::Dict(vec![(PyValue::Str("a".into()), PyValue::Int(1))]),
            false,
        ),
        (
            "assert f(1) == {1: 'a', True: 'b'}",
            PyValue::Dict(vec![(PyValue::Int(1), PyValue::Str("b".into()))]),
            true,
        ),
        (
            "assert f(1) == {1, 2}",
            PyValue::Set(vec![PyValue::Int(1)]),
            false,
        ),
    ];
    for (assert, actual, want) in cases {
        let case = converted(assert);
        assert_eq!(
            case.comparison.matches(&actual, expected_of(&case)),
            want,
            "{assert} against {actual}"
        );
    }
}

// ------------------------------------------------------------------ J

const IPC_PROBE: &str = r#"
import ctypes
libc = ctypes.CDLL(None, use_errno=True)

def f(x):
    out = []
    for name, args in (("shmget", (0x5EC12E7, 4096, 0o1600)), ("semget", (0x5EC12E8, 1, 0o1600)),
                       ("msgget", (0x5EC12E9, 0o1600))):
        ctypes.set_errno(0)
        rc = getattr(libc, name)(*args)
        out.append(ctypes.get_errno() if rc < 0 else "created")
    try:
        rt = ctypes.CDLL("librt.so.1", use_errno=True)
    except OSError:
        rt = libc
    ctypes.set_errno(0)
    rc = rt.mq_open(b"/cq", 0o100 | 0o2, 0o600, None)
    out.append(ctypes.get_errno() if rc < 0 else "created")
    return out
"#;

/// SysV shared memory (and semaphores, message queues) belong to the
/// worker's IPC namespace and outlived every case on a reused worker.
#[test]
fn sysv_ipc_and_message_queues_are_refused() {
    let Some(sandbox) = sandbox(Config::default()) else {
        return;
    };
    let suite =
        TestSuite::from_json_tests("f", &json!([{ "args": [0], "expected": 0 }])).expect("suite");
    let r = sandbox.run(IPC_PROBE, &suite).expect("runs");
    let eperm = PyValue::Int(i64::from(libc::EPERM));
    assert_eq!(
        r.cases[0].returned,
        Some(PyValue::List(vec![
            eperm.clone(),
            eperm.clone(),
            eperm.clone(),
            eperm
        ])),
        "{:?}",
        r.cases[0]
    );
}

// ------------------------------------------------------------- C / C'

const STASHER: &str = r#"
import os
def f(x):
    scratch = os.path.dirname(os.getcwd())
    mine = os.path.basename(os.getcwd())
    found = sorted(n for n in os.listdir(scratch) if n != mine)
    stash = os.path.join(scratch, "stash")
    os.mkdir(stash)
    os.mkdir(os.path.join(stash, "inner"))
    open(os.path.join(stash, "inner", "pin"), "w").close()
    open(os.path.join(stash, "pin"), "w").close()
    os.chmod(os.path.join(stash, "inner"), 0o500)
    os.chmod(stash, 0o500)
    os.symlink("/", os.path.join(scratch, "root-link"))
    # Pre-create what the next work dirs used to be called.
    try:
        n = int(mine[1:].split("-")[0])
    except ValueError:
        n = 0
    for k in range(n + 1, n + 4):
        d = os.path.join(scratch, "p%d" % k)
        os.mkdir(d)
        open(os.path.join(d, "pin"), "w").close()
        os.chmod(d, 0o500)
    return found
"#;

/// A directory the candidate made read-only (0500) survived the scratch
/// wipe, so the next program on the worker found it; and a pre-created
/// `/tmp/p<N+1>` made the worker's `mkdir` fail and lose the next program.
#[test]
fn nothing_a_program_leaves_in_scratch_reaches_the_next_one() {
    let Some(sandbox) = sandbox(Config {
        workers: 1,
        ..Config::default()
    }) else {
        return;
    };
    let suite =
        TestSuite::from_json_tests("f", &json!([{ "args": [0], "expected": [] }])).expect("suite");
    for round in 0..3 {
        let r = sandbox.run(STASHER, &suite).expect("runs");
        assert!(r.all_passed(), "round {round}: {:?}", r.cases);
    }
    let honest =
        TestSuite::from_json_tests("f", &json!([{ "args": [2], "expected": 4 }])).expect("suite");
    let r = sandbox
        .run("def f(x):\n    return x * 2\n", &honest)
        .expect("runs");
    assert!(r.all_passed(), "{:?}", r.cases);
}

// ------------------------------------------------------------------ M

const ORPHAN_BURNER: &str = r#"
import os, time
def f(x):
    r, w = os.pipe()
    if os.fork() == 0:
        # Never waited for: an orphan once the case returns, reaped by the
        # worker. It burns 0.8 s of its own CPU (not of wall time, so a
        # loaded machine cannot starve the figure) before the case returns.
        os.close(r)
        start = time.process_time()
        while time.process_time() - start < 0.8:
            pass
        os.write(w, b"1")
        os._exit(0)
    os.close(w)
    os.read(r, 1)
    return x
"#;

/// The program's CPU budget counted only the case process itself, so
/// grandchildren could burn CPU without limit.
#[test]
fn grandchildren_cpu_counts_against_the_program_budget() {
    let Some(sandbox) = sandbox(Config {
        program_cpu_time_s: 0.3,
        ..Config::default()
    }) else {
        return;
    };
    let suite = TestSuite::from_json_tests(
        "f",
        &json!([
            { "args": [1], "expected": 1 },
            { "args": [2], "expected": 2 },
            { "args": [3], "expected": 3 },
            { "args": [4], "expected": 4 },
        ]),
    )
    .expect("suite");
    let r = sandbox.run(ORPHAN_BURNER, &suite).expect("runs");
    assert!(
        r.cases[0].cpu_s > 0.3,
        "the orphan's CPU is not charged: {:?}",
        r.cases[0]
    );
    assert!(
        r.cases[1..].iter().any(|c| c.verdict == Verdict::Timeout),
        "the budget never ran out: {:#?}",
        r.cases
    );
}

// ------------------------------------------------------------------ I

/// Ints of more than 4300 digits could not cross the wire (Python refuses
/// to convert them to decimal text by default).
#[test]
fn ints_beyond_python_digit_limit_cross_the_wire() {
    let Some(sandbox) = sandbox(Config::default()) else {
        return;
    };
    let huge = format!("1{}", "0".repeat(5000));
    let assert = format!("assert f({huge}) == {huge}1");
    let suite = TestSuite::from_asserts("f", None, &[assert]);
    assert_eq!(suite.strength(), (1, 0));
    let r = sandbox
        .run("def f(x):\n    return x * 10 + 1\n", &suite)
        .expect("runs");
    assert!(r.all_passed(), "{:?}", r.cases);
}

// ---------------------------------------------------------- audit hook

/// Code the candidate builds and runs itself is reported by the case
/// child's audit hook (the static guard of the reward can be dodged; the
/// run time cannot), without changing the verdict; the standard library's
/// own `exec` (namedtuple, dataclasses) and imports are not reported.
#[test]
fn the_audit_hook_reports_code_built_at_run_time() {
    let Some(sandbox) = sandbox(Config::default()) else {
        return;
    };
    let suite = TestSuite::from_json_tests(
        "f",
        &json!([{ "args": [2], "expected": 4 }, { "args": [3], "expected": 6 }]),
    )
    .expect("suite");
    let honest = "import collections, dataclasses, re, json, typing\n\
                  P = collections.namedtuple('P', 'a b')\n\
                  @dataclasses.dataclass\nclass D:\n    a: int\n\
                  def f(x):\n    return x * 2\n";
    let r = sandbox.run(honest, &suite).expect("runs");
    assert!(r.all_passed(), "{:?}", r.cases);
    assert!(
        r.cases.iter().all(|c| c.dynamic_code.is_none()),
        "{:?}",
        r.cases
    );
    for hidden in [
        // Static rules see no `compile` here: one is imported in a dead function.
        "def _dead():\n    from re import compile\n\
         _code = compile('def f(x):\\n    return x * 2\\n', 's', 'exec')\n\
         _ns = {}\ntype(_dead)(_code.co_consts[0], _ns)\n\
         def f(x):\n    return _ns and 0 or x * 2\n",
        // Module-level exec of a decoded string.
        "import base64\nexec(base64.b64decode(b'ZGVmIGYoeCk6CiAgICByZXR1cm4geCAqIDIK').decode())\n",
    ] {
        let r = sandbox.run(hidden, &suite).expect("runs");
        assert!(r.all_passed(), "{hidden}: {:?}", r.cases);
        assert!(
            r.cases.iter().all(|c| c.dynamic_code.is_some()),
            "{hidden}: {:?}",
            r.cases
        );
    }
}

/// Silencing the report by replacing the record descriptor blocks the
/// operation instead: the hook checks the descriptor by inode.
#[test]
fn replacing_the_record_descriptor_blocks_run_time_code() {
    let Some(sandbox) = sandbox(Config::default()) else {
        return;
    };
    let suite =
        TestSuite::from_json_tests("f", &json!([{ "args": [2], "expected": 4 }])).expect("suite");
    let program = "import os\n\
                   _saved = os.dup(5)\n\
                   _null = os.open('/dev/null', os.O_WRONLY)\n\
                   os.dup2(_null, 5)\n\
                   exec('def f(x):\\n    return x * 2\\n')\n\
                   os.dup2(_saved, 5)\n";
    let r = sandbox.run(program, &suite).expect("runs");
    assert!(!r.all_passed(), "{:?}", r.cases);
}

/// Deeply nested honest values cross the wire: a tuple is two JSON levels
/// (`{"t": [...]}`), so 70 nested tuples went past serde_json's default
/// limit of 128 and the case failed as a malformed record.
#[test]
fn deeply_nested_values_within_the_documented_depth_cross_the_wire() {
    let Some(sb) = sandbox(Config::default()) else {
        return;
    };
    let depth = 150;
    let literal = format!("{}1{}", "(".repeat(depth), ",)".repeat(depth));
    let program =
        "def nest(n):\n    v = 1\n    for _ in range(n):\n        v = (v,)\n    return v\n";
    let suite = TestSuite::from_asserts(
        "nest",
        None,
        &[
            format!("assert nest({depth}) == {literal}"),
            "assert nest(2) == ((1,),)".to_owned(),
        ],
    );
    assert!(
        matches!(suite.cases[0], TestCase::Call(_)),
        "converted: {:?}",
        suite.cases[0]
    );
    let result = sb.run(program, &suite).expect("ran");
    assert!(result.all_passed(), "{:?}", result.cases);
    // One level deeper than the wire takes still fails, as documented.
    let too_deep = format!(
        "assert nest(300) == {}1{}",
        "(".repeat(300),
        ",)".repeat(300)
    );
    let suite = TestSuite::from_asserts("nest", None, &[too_deep]);
    let result = sb.run(program, &suite).expect("ran");
    assert!(!result.all_passed());
}

/// A complex number equals a real one as in Python (`2+0j == 2`), and
/// `abs(CALL - LIT) < EPS` takes the complex modulus of the difference.
#[test]
fn complex_numbers_compare_with_reals_as_in_python() {
    let c = |re, im| PyValue::Complex(re, im);
    assert!(py_eq(&c(2.0, 0.0), &PyValue::Int(2)));
    assert!(py_eq(&PyValue::Float(2.5), &c(2.5, 0.0)));
    assert!(py_eq(&c(1.0, 0.0), &PyValue::Bool(true)));
    assert!(py_eq(
        &PyValue::List(vec![c(3.0, 0.0)]),
        &PyValue::List(vec![PyValue::Int(3)])
    ));
    assert!(!py_eq(&c(2.0, 1.0), &PyValue::Int(2)));
    assert!(!py_eq(&c(2.0, 0.0), &PyValue::Str("2".into())));
    // Exact against big ints, as Python compares the real part.
    assert!(!py_eq(
        &c(9_007_199_254_740_992.0, 0.0),
        &big("9007199254740993")
    ));
    let case = converted("assert abs(f(1) - 2) < 1e-6");
    assert!(case.comparison.matches(&c(2.0, 0.0), expected_of(&case)));
    assert!(!case.comparison.matches(&c(2.0, 1e-3), expected_of(&case)));
    // A complex literal on the right stays an assert run by Python itself.
    assert!(matches!(
        codequal_sandbox::assert_conversion::convert_assert(
            "assert abs(f(1) - (2+1j)) < 1e-6",
            None
        ),
        TestCase::Assert(_)
    ));
}

/// Red team round 3: one class deriving from several builtin exceptions
/// passed every `raises` case, whatever type each asked for. Builtin names
/// are now matched against the chain of the first builtin base only.
#[test]
fn one_exception_class_cannot_pass_the_raises_cases_of_every_type() {
    let Some(sandbox) = sandbox(Config::default()) else {
        return;
    };
    let program = "class Everything(ValueError, TypeError, KeyError, ZeroDivisionError):\n    pass\n\n\nclass Missing(KeyError):\n    pass\n\n\ndef f(kind):\n    if kind == 'missing':\n        raise Missing(kind)\n    raise Everything(kind)\n";
    let suite = TestSuite::from_json_tests(
        "f",
        &json!([
            { "args": ["x"], "raises": "ValueError" },
            { "args": ["x"], "raises": "Exception" },
            { "args": ["x"], "raises": "Everything" },
            { "args": ["x"], "raises": "TypeError" },
            { "args": ["x"], "raises": "KeyError" },
            { "args": ["x"], "raises": "ArithmeticError" },
            { "args": ["missing"], "raises": "KeyError" },
            { "args": ["missing"], "raises": "LookupError" },
        ]),
    )
    .expect("suite");
    let r = sandbox.run(program, &suite).expect("runs");
    let passed: Vec<bool> = r.cases.iter().map(|c| c.verdict.is_pass()).collect();
    assert_eq!(
        passed,
        [true, true, true, false, false, false, true, true],
        "{:#?}",
        r.cases
    );
}
