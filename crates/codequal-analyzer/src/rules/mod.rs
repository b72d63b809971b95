//! Rule families, ruff-style: a folder per family, a file per rule.
//!
//! Every rule file holds a `META` ([`RuleMeta`]: code, name, CISQ
//! characteristic, CWE, severity, confidence), a doc comment in four parts
//! ("What it does", "Why is this bad?", "Example", "Use instead") and one
//! `pub(crate) fn` that checks a node and reports through the [`Checker`].
//! `docs/rules.md` is generated from those doc comments
//! (`cargo xtask rules-doc`).
//!
//! All families run in one traversal of the tree ([`checker`]): each family's
//! `mod.rs` dispatches the nodes it cares about to its enabled rules.
//!
//! Architecture invariant: a rule never walks the whole module on its own;
//! it looks at the node it is given (and that node's subtree if it must).

pub mod checker;
pub mod dead_code;
pub mod design;
pub(crate) mod name_facts;
pub mod performance;
pub mod reliability;
pub mod security;

use serde::{Deserialize, Serialize};

pub use checker::Checker;

use crate::report::{Characteristic, Severity};

/// The rule families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// bandit's single-file tests (B1xx-B7xx).
    Security = 0,
    /// pylint's design and warning checks.
    Design = 1,
    /// vulture-style dead code.
    DeadCode = 2,
    /// CISQ performance efficiency.
    Performance = 3,
    /// CISQ reliability.
    Reliability = 4,
}

impl Family {
    /// Every family, in table order.
    pub const ALL: [Family; 5] = [
        Family::Security,
        Family::Design,
        Family::DeadCode,
        Family::Performance,
        Family::Reliability,
    ];

    /// The family's rules, in table order (a rule's `index` is its
    /// position here).
    pub fn rules(self) -> &'static [&'static RuleMeta] {
        match self {
            Family::Security => security::RULES,
            Family::Design => design::RULES,
            Family::DeadCode => dead_code::RULES,
            Family::Performance => performance::RULES,
            Family::Reliability => reliability::RULES,
        }
    }
}

/// How sure a rule is that a finding is real (bandit's three levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Confidence {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

/// What every rule declares about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleMeta {
    /// Stable code: bandit's (`B101`), pylint's (`W0702`) or ours (`CQP001`).
    pub code: &'static str,
    /// Kebab-case name, e.g. `assert-used`, `bare-except`.
    pub name: &'static str,
    /// The family (folder) it belongs to.
    pub family: Family,
    /// Position in the family's `RULES` table (checked by a test).
    pub index: u8,
    /// The CISQ characteristic it bears on.
    pub characteristic: Characteristic,
    /// CWE id, when one applies.
    pub cwe: Option<u32>,
    /// Default severity of its findings.
    pub severity: Severity,
    /// Default confidence of its findings.
    pub confidence: Confidence,
    /// One-line summary.
    pub summary: &'static str,
}

/// Every rule of every family.
pub fn all_rules() -> impl Iterator<Item = &'static RuleMeta> {
    Family::ALL
        .into_iter()
        .flat_map(|f| f.rules().iter().copied())
}

/// Looks a rule up by code or name.
pub fn find_rule(code_or_name: &str) -> Option<&'static RuleMeta> {
    all_rules().find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// Which rules are on: a bit per rule, per family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSet {
    bits: [u128; 5],
}

impl RuleSet {
    /// Every rule on.
    pub fn all() -> Self {
        let mut bits = [0u128; 5];
        for f in Family::ALL {
            let n = f.rules().len();
            bits[f as usize] = if n >= 128 {
                u128::MAX
            } else {
                (1u128 << n) - 1
            };
        }
        Self { bits }
    }

    /// No rule on.
    pub fn none() -> Self {
        Self { bits: [0; 5] }
    }

    /// Rules selected by code prefixes (`"B"`, `"B3"`, `"W0702"`), names or
    /// `"ALL"`, minus those ignored the same way.
    pub fn from_selection(select: &[String], ignore: &[String]) -> Self {
        let matches = |pat: &str, r: &RuleMeta| {
            pat.eq_ignore_ascii_case("ALL")
                || r.code.starts_with(pat)
                || r.name == pat
                || family_name(r.family) == pat
        };
        let mut set = Self::none();
        for r in all_rules() {
            if select.iter().any(|p| matches(p, r)) && !ignore.iter().any(|p| matches(p, r)) {
                set.insert(r);
            }
        }
        set
    }

    /// Turns one rule on.
    pub fn insert(&mut self, r: &RuleMeta) {
        if let Some(b) = 1u128.checked_shl(u32::from(r.index)) {
            self.bits[r.family as usize] |= b;
        }
    }

    /// Whether a rule is on.
    #[inline]
    pub fn contains(&self, r: &RuleMeta) -> bool {
        (self.bits[r.family as usize] >> r.index) & 1 == 1
    }

    /// Whether any rule of a family is on.
    #[inline]
    pub fn any_in(&self, f: Family) -> bool {
        self.bits[f as usize] != 0
    }
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::Security => "security",
        Family::Design => "design",
        Family::DeadCode => "dead-code",
        Family::Performance => "performance",
        Family::Reliability => "reliability",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_tables_are_consistent() {
        let mut codes = std::collections::HashSet::new();
        for f in Family::ALL {
            assert!(
                f.rules().len() <= 128,
                "{f:?} has more rules than a RuleSet holds"
            );
            for (i, r) in f.rules().iter().enumerate() {
                assert_eq!(r.family, f, "{} is in the wrong table", r.code);
                assert_eq!(usize::from(r.index), i, "{} has the wrong index", r.code);
                assert!(codes.insert(r.code), "duplicate code {}", r.code);
            }
        }
    }

    #[test]
    fn selection_by_prefix_and_ignore() {
        let all: Vec<String> = vec!["ALL".into()];
        assert_eq!(RuleSet::from_selection(&all, &[]), RuleSet::all());
        let none = RuleSet::from_selection(&all, &all);
        assert_eq!(none, RuleSet::none());
    }
}
