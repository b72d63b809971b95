//! xenon 0.9.3's three complexity thresholds over a set of modules
//! (`xenon/core.py`: `find_infractions`, `av`, `check`).
//!
//! xenon runs radon's cc harvester with `show_closures=False` and the
//! default order (highest complexity first), so a module's blocks are
//! radon's `ComplexityVisitor.blocks`: its functions (closures not
//! included), and each class followed by its methods (inner classes not
//! included). A class counts with its displayed complexity (the rounded
//! average over its methods). Modules without any block are not in the
//! results at all, so they do not count for the module or total averages.
//!
//! - `--max-absolute X`: every block ranked above X is an infraction.
//! - `--max-modules X`: every module whose mean block complexity ranks
//!   above X.
//! - `--max-average X`: the mean over all blocks of all modules, ranked.
//! - `--max-average-num N`: that mean above N.
//!
//! Thresholds are inclusive: `-b B` fails only on C to F. A module radon
//! cannot read is a warning, not an infraction.
//!
//! ```
//! use codequal_analyzer::metrics::xenon::{find_infractions, ModuleResult, Thresholds, XenonBlock};
//!
//! let block = |cc| XenonBlock { name: "f".into(), lineno: 1, complexity: cc };
//! let modules = vec![
//!     ("mod.py".to_owned(), ModuleResult::Blocks(vec![block(4), block(12), block(8), block(9)])),
//!     ("mod2.py".to_owned(), ModuleResult::Blocks(vec![block(3), block(3), block(2), block(10)])),
//! ];
//! let t = Thresholds { absolute: Some("C".into()), average: Some("B".into()), modules: Some("B".into()), ..Default::default() };
//! assert_eq!(find_infractions(&t, &modules).infractions(), 0);
//! ```

use serde::{Deserialize, Serialize};

use super::complexity::{ComplexityReport, Order};

/// One block of a module as xenon sees it (an entry of radon's cc results).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct XenonBlock {
    /// The block's name (a method's name without its class).
    pub name: String,
    /// Line of its `def` or `class`.
    pub lineno: u32,
    /// Its complexity (for a class, the displayed one).
    pub complexity: u32,
}

/// What radon's cc harvester gives xenon for one module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModuleResult {
    /// The module's blocks, highest complexity first.
    Blocks(Vec<XenonBlock>),
    /// radon could not read or parse it; the message.
    Error(String),
}

/// The thresholds, as given on xenon's command line. A letter threshold is
/// compared as a string with the rank letter (`rank > threshold.upper()`),
/// exactly as xenon does.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// `-b/--max-absolute`: the worst rank a block may have.
    pub absolute: Option<String>,
    /// `-m/--max-modules`: the worst rank a module's mean may have.
    pub modules: Option<String>,
    /// `-a/--max-average`: the worst rank the overall mean may have.
    pub average: Option<String>,
    /// `--max-average-num`: the largest overall mean allowed.
    pub average_num: Option<f64>,
}

/// One line xenon logs, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum XenonRecord {
    /// `cannot parse <module>: <error>` (a warning, not an infraction).
    CannotParse {
        /// The module's name.
        module: String,
        /// radon's error message.
        error: String,
    },
    /// An infraction.
    Infraction(Infraction),
}

/// A threshold that was exceeded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Infraction {
    /// A block ranked above `--max-absolute`.
    Block {
        /// The module's name.
        module: String,
        /// The block's line.
        lineno: u32,
        /// The block's name.
        name: String,
        /// Its rank letter.
        rank: char,
    },
    /// The overall mean is above `--max-average-num`; `None` when there were
    /// no blocks (xenon then prints the integer `0`).
    TotalAverage {
        /// The mean.
        average: Option<f64>,
    },
    /// The overall mean ranks above `--max-average`.
    AverageRank {
        /// Its rank letter.
        rank: char,
    },
    /// A module's mean ranks above `--max-modules`.
    Module {
        /// The module's name.
        module: String,
        /// Its rank letter.
        rank: char,
    },
}

impl Infraction {
    /// xenon's message. `paths_in_front` is `--paths-in-front`, which moves
    /// the path to the start of block and module messages.
    pub fn message(&self, paths_in_front: bool) -> String {
        match self {
            Self::Block {
                module,
                lineno,
                name,
                rank,
            } => {
                if paths_in_front {
                    format!("{module}:{lineno} \"{name}\" block has a rank of {rank}")
                } else {
                    format!("block \"{module}:{lineno} {name}\" has a rank of {rank}")
                }
            }
            Self::TotalAverage { average } => format!(
                "total average complexity is {}",
                average.map_or_else(|| "0".to_owned(), python_float_repr)
            ),
            Self::AverageRank { rank } => format!("average complexity is ranked {rank}"),
            Self::Module { module, rank } => {
                if paths_in_front {
                    format!("{} module has a rank of {rank}", python_str_repr(module))
                } else {
                    format!("module {} has a rank of {rank}", python_str_repr(module))
                }
            }
        }
    }
}

impl XenonRecord {
    /// The line xenon's logger prints: `LEVEL:xenon:message` by default,
    /// the bare message with `--paths-in-front`.
    pub fn log_line(&self, paths_in_front: bool) -> String {
        let (level, message) = match self {
            Self::CannotParse { module, error } => {
                ("WARNING", format!("cannot parse {module}: {error}"))
            }
            Self::Infraction(i) => ("ERROR", i.message(paths_in_front)),
        };
        if paths_in_front {
            message
        } else {
            format!("{level}:xenon:{message}")
        }
    }
}

/// What [`find_infractions`] found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct XenonOutcome {
    /// The lines xenon logs, in its order: per module (in the given order)
    /// its parse warning or its block infractions, then the overall-mean
    /// infractions, then the module-mean infractions.
    pub records: Vec<XenonRecord>,
    /// The mean complexity over all blocks (0 when there are none).
    pub average: f64,
}

impl XenonOutcome {
    /// The number of infractions; xenon exits with 1 when it is not 0.
    pub fn infractions(&self) -> usize {
        self.records
            .iter()
            .filter(|r| matches!(r, XenonRecord::Infraction(_)))
            .count()
    }

    /// xenon's exit status: 1 on any infraction, else 0.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.infractions() > 0)
    }
}

/// xenon's `find_infractions` over radon's cc results, in their order.
pub fn find_infractions(
    thresholds: &Thresholds,
    modules: &[(String, ModuleResult)],
) -> XenonOutcome {
    let mut records = Vec::new();
    let mut module_averages = Vec::new();
    let mut total_cc = 0.0f64;
    let mut total_blocks = 0usize;
    for (module, result) in modules {
        let blocks = match result {
            ModuleResult::Error(error) => {
                records.push(XenonRecord::CannotParse {
                    module: module.clone(),
                    error: error.clone(),
                });
                continue;
            }
            ModuleResult::Blocks(blocks) => blocks,
        };
        let mut module_cc = 0.0f64;
        for block in blocks {
            module_cc += f64::from(block.complexity);
            let rank = cc_rank_letter(f64::from(block.complexity));
            if check(rank, thresholds.absolute.as_deref()) {
                records.push(XenonRecord::Infraction(Infraction::Block {
                    module: module.clone(),
                    lineno: block.lineno,
                    name: block.name.clone(),
                    rank,
                }));
            }
        }
        module_averages.push((module, av(module_cc, blocks.len())));
        total_cc += module_cc;
        total_blocks += blocks.len();
    }
    let average = av(total_cc, total_blocks);
    if let Some(limit) = thresholds.average_num {
        if average > limit {
            records.push(XenonRecord::Infraction(Infraction::TotalAverage {
                average: (total_blocks > 0).then_some(average),
            }));
        }
    }
    let average_rank = cc_rank_letter(average);
    if check(average_rank, thresholds.average.as_deref()) {
        records.push(XenonRecord::Infraction(Infraction::AverageRank {
            rank: average_rank,
        }));
    }
    for (module, mean) in module_averages {
        let rank = cc_rank_letter(mean);
        if check(rank, thresholds.modules.as_deref()) {
            records.push(XenonRecord::Infraction(Infraction::Module {
                module: module.clone(),
                rank,
            }));
        }
    }
    XenonOutcome { records, average }
}

/// xenon's `av`: `n / m`, or 0 when `m` is 0.
pub fn av(n: f64, m: usize) -> f64 {
    if m == 0 {
        0.0
    } else {
        n / m as f64
    }
}

/// xenon's `check`: whether `rank` is worse than `threshold`
/// (`rank > threshold.upper()` as strings); never without a threshold.
pub fn check(rank: char, threshold: Option<&str>) -> bool {
    threshold.is_some_and(|t| rank.to_string() > t.to_uppercase())
}

/// radon's `cc_rank` as a letter: `ceil(cc / 10)` (at least 1), minus one
/// when `cc <= 5`, capped at F.
pub fn cc_rank_letter(cc: f64) -> char {
    super::complexity::cc_rank(cc).letter()
}

/// The blocks radon's cc harvester gives xenon for one module: functions,
/// then each class and its methods, sorted by complexity (highest first,
/// stable), no closures and no inner classes.
pub fn blocks_of_module(cc: &ComplexityReport) -> Vec<XenonBlock> {
    cc.sorted_blocks(Order::Score, false)
        .into_iter()
        .map(|b| XenonBlock {
            name: b.name,
            lineno: b.lineno,
            complexity: b.complexity,
        })
        .collect()
}

/// Python's `repr(str)` for the strings xenon quotes (paths): single quotes
/// unless the text has a single quote and no double quote; backslashes,
/// the quote and control characters escaped.
pub fn python_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `repr(float)` (what `%s` prints for a float).
pub fn python_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let a = x.abs();
    if a == 0.0 || (1e-4..1e16).contains(&a) {
        let s = format!("{x}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    // Rust writes `1.5e-7`, Python `1.5e-07`.
    let s = format!("{x:e}");
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(ccs: &[u32]) -> ModuleResult {
        ModuleResult::Blocks(
            ccs.iter()
                .map(|&complexity| XenonBlock {
                    name: "block".to_owned(),
                    lineno: 1,
                    complexity,
                })
                .collect(),
        )
    }

    fn thresholds(
        absolute: Option<&str>,
        average: Option<&str>,
        modules: Option<&str>,
    ) -> Thresholds {
        Thresholds {
            absolute: absolute.map(str::to_owned),
            average: average.map(str::to_owned),
            modules: modules.map(str::to_owned),
            average_num: None,
        }
    }

    /// xenon test_xenon.py, AvTestCase.
    #[test]
    fn av_cases() {
        assert_eq!(av(20.0, 10), 2.0);
        assert_eq!(av(0.0, 10), 0.0);
        assert_eq!(av(0.0, 0), 0.0);
    }

    /// xenon test_xenon.py, CheckTestCase.
    #[test]
    fn check_cases() {
        assert!(!check('A', Some("A")));
        assert!(check('B', Some("A")));
        assert!(!check('C', None));
        assert!(!check('A', None));
        assert!(!check('A', Some("a")));
        assert!(check('B', Some("a")));
    }

    /// xenon test_xenon.py, RunTestCase: (absolute, average, modules) ->
    /// whether any infraction.
    #[test]
    fn run_cases() {
        let modules = vec![
            ("mod.py".to_owned(), blocks(&[4, 12, 8, 9])),
            ("mod2.py".to_owned(), blocks(&[3, 3, 2, 10])),
        ];
        type Case<'a> = ((Option<&'a str>, Option<&'a str>, Option<&'a str>), bool);
        let cases: &[Case<'_>] = &[
            ((Some("C"), Some("B"), Some("B")), false),
            ((Some("B"), Some("B"), Some("B")), true),
            ((Some("C"), Some("A"), Some("B")), true),
            ((Some("C"), Some("B"), Some("A")), true),
            ((None, Some("B"), Some("B")), false),
            ((Some("C"), None, Some("B")), false),
            ((Some("C"), Some("B"), None), false),
            ((None, None, None), false),
        ];
        for &((a, avg, m), fails) in cases {
            let outcome = find_infractions(&thresholds(a, avg, m), &modules);
            assert_eq!(outcome.infractions() != 0, fails, "{a:?} {avg:?} {m:?}");
        }
    }

    #[test]
    fn messages_and_order() {
        let modules = vec![
            ("a.py".to_owned(), blocks(&[12, 3])),
            (
                "bad.py".to_owned(),
                ModuleResult::Error("invalid syntax (<unknown>, line 1)".into()),
            ),
            ("b.py".to_owned(), blocks(&[25])),
        ];
        let mut t = thresholds(Some("B"), Some("A"), Some("B"));
        t.average_num = Some(10.0);
        let outcome = find_infractions(&t, &modules);
        let lines: Vec<String> = outcome.records.iter().map(|r| r.log_line(false)).collect();
        assert_eq!(
            lines,
            [
                "ERROR:xenon:block \"a.py:1 block\" has a rank of C",
                "WARNING:xenon:cannot parse bad.py: invalid syntax (<unknown>, line 1)",
                "ERROR:xenon:block \"b.py:1 block\" has a rank of D",
                "ERROR:xenon:total average complexity is 13.333333333333334",
                "ERROR:xenon:average complexity is ranked C",
                "ERROR:xenon:module 'b.py' has a rank of D",
            ]
        );
        assert_eq!(outcome.exit_code(), 1);
        assert_eq!(
            outcome.records[0].log_line(true),
            "a.py:1 \"block\" block has a rank of C"
        );
    }

    #[test]
    fn repr_quotes_like_python() {
        assert_eq!(python_str_repr("a/b.py"), "'a/b.py'");
        assert_eq!(python_str_repr("it's.py"), "\"it's.py\"");
        assert_eq!(python_str_repr("a'b\".py"), "'a\\'b\".py'");
        assert_eq!(python_float_repr(2.0), "2.0");
    }
}
