//! The analyzer never panics and never overflows its stack, whatever it is
//! given: deep nesting, arbitrary bytes, mutated Python.

use codequal_analyzer::{analyze_source, parse::MAX_AST_DEPTH};
use proptest::prelude::*;

/// Runs `f` on a thread with a small (256 KiB) stack, as a worker thread
/// in an embedding application might have.
fn on_small_stack<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic, no overflow")
}

fn assert_rejected(src: String, what: &str) {
    let report = on_small_stack(move || analyze_source(&src));
    let err = report
        .syntax_error
        .unwrap_or_else(|| panic!("{what}: expected an error report"));
    assert!(report.complexity.is_none(), "{what}");
    assert!(
        report.findings.iter().any(|f| f.code == "E999"),
        "{what}: syntax error is a finding"
    );
    assert!(err.line >= 1, "{what}: located");
}

#[test]
fn ten_thousand_nested_parentheses() {
    assert_rejected(
        format!("x = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000)),
        "parens",
    );
}

#[test]
fn ten_thousand_nested_brackets_and_braces() {
    assert_rejected(
        format!("x = {}{}\n", "[{".repeat(5_000), "}]".repeat(5_000)),
        "brackets",
    );
}

#[test]
fn ten_thousand_nested_blocks() {
    let mut src = String::new();
    for i in 0..10_000 {
        src.push_str(&" ".repeat(i));
        src.push_str("if x:\n");
    }
    src.push_str(&" ".repeat(10_000));
    src.push_str("pass\n");
    assert_rejected(src, "blocks");
}

#[test]
fn long_operator_chains() {
    assert_rejected(format!("x = {}1\n", "1 + ".repeat(100_000)), "plus chain");
    assert_rejected(format!("x = {}1\n", "-".repeat(10_000)), "unary chain");
    assert_rejected(format!("x = a{}\n", ".b".repeat(10_000)), "attribute chain");
    assert_rejected(format!("x = f{}\n", "()".repeat(10_000)), "call chain");
    assert_rejected(format!("x = {}1\n", "not ".repeat(10_000)), "not chain");
    assert_rejected(
        format!("x = {}1\n", "lambda: ".repeat(10_000)),
        "lambda chain",
    );
    assert_rejected(
        format!("x = {}\n", "a if b else ".repeat(10_000) + "c"),
        "ternary chain",
    );
}

#[test]
fn nesting_just_below_the_limits_is_analysed() {
    let src = format!("x = {}1{}\n", "(".repeat(200), ")".repeat(200));
    let report = on_small_stack(move || analyze_source(&src));
    assert!(report.syntax_error.is_none());
    let depth = MAX_AST_DEPTH / 2;
    let src = format!("def f(a):\n    return {}1\n", "-".repeat(depth));
    let report = on_small_stack(move || analyze_source(&src));
    assert!(report.syntax_error.is_none(), "{:?}", report.syntax_error);
    assert!(report.complexity.is_some());
}

#[test]
fn empty_and_whitespace_sources() {
    for src in ["", "\n", "   ", "\t\n\n", "#", "\x0c", "\r", "\r\n", "\\\n"] {
        let _ = analyze_source(src);
    }
}

const SEED_PROGRAM: &str = r#"
import os, sys
from collections import defaultdict as dd

class Account(object):
    """A bank account."""
    rate = 0.02

    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance

    @property
    def interest(self):
        return self.balance * self.rate if self.balance > 0 else 0

    def withdraw(self, amount):
        if amount <= 0 or amount > self.balance:
            raise ValueError(f"bad amount {amount!r:>10}")
        try:
            self.balance -= amount
        except (TypeError, ArithmeticError) as exc:
            raise RuntimeError("x") from exc
        finally:
            pass
        return [x ** 2 for x in range(amount) if x % 2 and not x % 3]

async def fetch(session, *urls, timeout=3, **kw):
    async with session.get(urls[0]) as r:
        while True:
            match await r.json():
                case {"ok": True, **rest}:
                    return rest
                case [first, *_] if first:
                    break
                case _:
                    continue
    return lambda y, /, z=1: (y := z) or {k: v for k, v in kw.items()}
"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let src = codequal_analyzer::source_file_decode(&bytes);
        let _ = analyze_source(&src);
    }

    #[test]
    fn arbitrary_unicode_never_panics(src in "\\PC{0,512}") {
        let _ = analyze_source(&src);
    }

    #[test]
    fn mutated_python_never_panics(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..4, prop::sample::select(vec![
            "(", ")", "[", "]", "{", "}", ":", "\n", "    ", "\t", "'", "\"", "\"\"\"", "#", "\\", "lambda", "if ", "else",
            "def ", "class ", "return", "yield", "await ", "*", "**", "=", ":=", "@", ",", ";", "f'{", "}'", "\r", "\x0c",
            "match x:\n case 1:\n  pass\n", "é", "\u{2028}", "\0",
        ])), 1..8)
    ) {
        let mut src = SEED_PROGRAM.to_owned();
        for (at, action, text) in edits {
            let mut pos = at.index(src.len() + 1);
            while !src.is_char_boundary(pos) { pos -= 1; }
            match action {
                0 => src.insert_str(pos, text),
                1 => { let end = (pos + text.len()).min(src.len()); let mut end = end; while !src.is_char_boundary(end) { end -= 1; } src.replace_range(pos..end, ""); }
                2 => { let mut end = (pos + 1).min(src.len()); while !src.is_char_boundary(end) { end += 1; } src.replace_range(pos..end, text); }
                _ => src.truncate(pos),
            }
        }
        let report = analyze_source(&src);
        // Valid or not, the report is consistent with itself.
        prop_assert_eq!(report.syntax_error.is_some(), report.findings.iter().any(|f| f.code == "E999"));
    }
}
