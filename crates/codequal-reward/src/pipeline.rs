//! Scoring whole GRPO batches: every completion's format, correctness and
//! quality rewards, the composite, the group advantage and an explanation.
//!
//! Correctness is the fraction of the problem's cases passed in the sandbox
//! (or, with [`CorrectnessMode::Binary`], 1 only when all pass). Quality is
//! the analyzer's score of the extracted code, passed through a guard
//! ([`QualityGuard`]): by default it is multiplied by the pass rate, so code
//! that fails its tests cannot earn a high quality reward. This closes the
//! paper's "spurious complexity reduction" failure mode: deleting logic makes
//! code simpler (and a naive quality score higher) but makes it fail.
//! Unparsable or missing code gets quality 0; stubs are scored low by the
//! analyzer's `codequal` mode, and tested functions whose return value does
//! not depend on their arguments count as stubs too ([`crate::trivial`],
//! [`RewardConfig::trivial_answer_guard`]). Code that can run code the
//! analyzer never saw (`exec`, `builtins`, `importlib`, a code object
//! rebuilt through `__code__`, ...) gets quality 0: the analyzer scored a
//! facade, not the program that runs ([`crate::dynamic_code`],
//! [`RewardConfig::dynamic_code_guard`]). Code that answers the tests from
//! a table of their expected values (`if n == 5: return 120`) gets quality
//! 0 too ([`crate::memorized`], [`RewardConfig::memorized_answer_guard`]).
//!
//! A completion whose correctness cannot be computed because the sandbox
//! itself failed gets `None` for that reward; a completion with no rewards at
//! all is left out of its group's baseline and gets advantage 0.
//!
//! Within one batch, identical code for the same problem runs in the sandbox
//! once and every copy gets that run's verdicts
//! ([`RewardConfig::deduplicate_programs`], on by default). GRPO groups hold
//! exact duplicates often (easy problems, low temperature, a policy that has
//! converged), and running a copy again costs the whole program's CPU time
//! for the same verdicts.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::advantage::{group_advantages_sized, normalize_then_sum_sized, Aggregation, Scaling};
use crate::compose::Weights;
use crate::error::Result;
use crate::extract::{extract_code_for, Extraction};
use crate::format::{format_reward, FormatConfig};
use crate::problems::Problem;

/// How correctness is scored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectnessMode {
    /// Fraction of cases passed (the paper's unit-test pass rate). Default.
    #[default]
    Fraction,
    /// 1 when every case passes, else 0.
    Binary,
}

/// How correctness limits the quality reward.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityGuard {
    /// Quality as the analyzer scores it (the paper; gameable).
    None,
    /// Quality times the pass rate (default): failing code cannot score high.
    #[default]
    ScaleByPassRate,
    /// Quality only when every case passes, else 0.
    RequireAllPassed,
}

/// Everything that decides a reward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RewardConfig {
    /// Weights of format / correctness / quality (default 0.2 / 0.3 / 0.5).
    pub weights: Weights,
    /// Format rule settings.
    pub format: FormatConfig,
    /// Correctness mode (default fraction of cases passed).
    pub correctness: CorrectnessMode,
    /// Guard on the quality reward (default scale by pass rate).
    pub quality_guard: QualityGuard,
    /// Analyzer settings, the score mode among them (default `codequal`).
    pub analyzer: codequal_analyzer::Config,
    /// How rewards become advantages (default sum, then normalise).
    pub aggregation: Aggregation,
    /// Advantage scaling (default by group std).
    pub scaling: Scaling,
    /// Run identical code for the same problem once per batch and give every
    /// copy its verdicts (default `true`). Only a program whose result
    /// depends on chance or on timing can tell: its copies then share one
    /// draw instead of each getting its own.
    pub deduplicate_programs: bool,
    /// Tell the analyzer what each problem says about its answers (default
    /// `true`): the names its tests call (the entry point, a class's
    /// methods) are used from outside, so the dead-code rules do not report
    /// them, and the clean reference solution's logical lines are the
    /// expected size for the score's short-code guard. Names or a size set
    /// in [`Self::analyzer`] are kept and added to.
    pub problem_hints: bool,
    /// Give quality 0 to code that can run code the analyzer did not see
    /// (default `true`; the rules are in [`crate::dynamic_code`]). Without
    /// it, any correct program hidden in a string run through `exec` scores
    /// the quality of the clean-looking wrapper.
    pub dynamic_code_guard: bool,
    /// Count the functions the tests call whose return value does not
    /// depend on their arguments (`return s != s`, `return any([s is None]
    /// * 8)`) as stubs in the `codequal` score's stub guard (default
    /// `true`; the rules are in [`crate::trivial`]). Needs the problem's
    /// tested names, so it only applies with [`Self::problem_hints`].
    pub trivial_answer_guard: bool,
    /// Give quality 0 to code that answers most of the tests from a table
    /// of their expected values (`{5: 120, 10: 3628800}[n]`, `if n == 5:
    /// return 120`), the shortcut a policy takes when the prompt shows the
    /// tests (default `true`; the rules and their limits are in
    /// [`crate::memorized`]). Not applied when the program also passes
    /// cases no table answers, nor to problems whose clean reference
    /// answers its tests from a table itself. Correctness stays the pass
    /// rate.
    pub memorized_answer_guard: bool,
}

impl Default for RewardConfig {
    fn default() -> Self {
        Self {
            weights: Weights::default(),
            format: FormatConfig::default(),
            correctness: CorrectnessMode::default(),
            quality_guard: QualityGuard::default(),
            analyzer: codequal_analyzer::Config::default(),
            aggregation: Aggregation::default(),
            scaling: Scaling::default(),
            deduplicate_programs: true,
            problem_hints: true,
            dynamic_code_guard: true,
            trivial_answer_guard: true,
            memorized_answer_guard: true,
        }
    }
}

/// Why a case failed, for the explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedCase {
    /// Index of the case in the problem's tests.
    pub index: usize,
    /// The verdict kind (`failed`, `error`, `timeout`, ...).
    pub verdict: String,
    /// The verdict in full.
    pub detail: String,
}

/// What lies behind a completion's rewards.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// What the extraction found.
    pub extraction: Extraction,
    /// Rules that lowered the format reward.
    pub format_reasons: Vec<String>,
    /// Cases that did not pass.
    pub failed_cases: Vec<FailedCase>,
    /// The analyzer's findings on the extracted code.
    pub findings: Vec<codequal_analyzer::Finding>,
    /// The analyzer's quality score before the guards (with the functions
    /// of [`Self::trivial_functions`] counted as stubs).
    pub quality_before_guard: Option<f64>,
    /// Every way the code can run code the analyzer did not see
    /// (`line N: ...`); when there is one, quality is 0
    /// ([`RewardConfig::dynamic_code_guard`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dynamic_code: Vec<String>,
    /// Tested functions whose return value does not depend on their
    /// arguments, counted as stubs ([`RewardConfig::trivial_answer_guard`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trivial_functions: Vec<String>,
    /// Set when the program returned one and the same value on every call
    /// case although the expected answers differ (`return False` after a
    /// type check): quality is then 0 ([`RewardConfig::trivial_answer_guard`],
    /// [`constant_answer`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constant_answer: Option<String>,
    /// Call cases the code answers from a table of the tests' expected
    /// values (`line N: f(args) -> value`); when there are any, quality is 0
    /// ([`RewardConfig::memorized_answer_guard`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub memorized_answers: Vec<String>,
    /// The sandbox failure, if correctness could not be computed.
    pub sandbox_error: Option<String>,
}

/// One completion's rewards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompletionRewards {
    /// Format reward in [0, 1].
    pub format: Option<f64>,
    /// Correctness reward in [0, 1].
    pub correctness: Option<f64>,
    /// Quality reward in [0, 1], after the guard.
    pub quality: Option<f64>,
    /// Weighted sum of the rewards.
    pub composite: Option<f64>,
    /// Group-relative advantage.
    pub advantage: f64,
    /// What produced them.
    pub explanation: Explanation,
}

impl CompletionRewards {
    /// The three rewards in order (format, correctness, quality).
    pub fn values(&self) -> [Option<f64>; 3] {
        [self.format, self.correctness, self.quality]
    }
}

/// Scores completions of problems: the sandbox, the analyzer and the
/// composition in one place.
#[derive(Debug)]
pub struct RewardPipeline {
    config: RewardConfig,
    sandbox: codequal_sandbox::Sandbox,
}

/// The analysed part of a completion, before the sandbox runs.
struct Analysed {
    extraction: Extraction,
    format: f64,
    format_reasons: Vec<String>,
    report: Option<codequal_analyzer::Report>,
    /// Whether the code parses (the analyzer's parser, and no NUL byte).
    parses: bool,
    /// What [`crate::dynamic_code::find_dynamic_code`] found.
    dynamic_code: Vec<String>,
    /// What [`crate::trivial::trivial_functions`] found.
    trivial_functions: Vec<String>,
    /// What [`crate::memorized::memorized_answers_in`] found.
    memorized_answers: crate::memorized::Memorization,
}

impl RewardPipeline {
    /// A pipeline with its own sandbox.
    pub fn new(config: RewardConfig, sandbox_config: codequal_sandbox::Config) -> Result<Self> {
        config.weights.validate()?;
        let sandbox = codequal_sandbox::Sandbox::new(sandbox_config)?;
        Ok(Self { config, sandbox })
    }

    /// The settings in use.
    pub fn config(&self) -> &RewardConfig {
        &self.config
    }

    /// The sandbox in use.
    pub fn sandbox(&self) -> &codequal_sandbox::Sandbox {
        &self.sandbox
    }

    /// Scores one group of completions of one problem.
    pub fn score_group(
        &self,
        problem: &Problem,
        completions: &[String],
    ) -> Result<Vec<CompletionRewards>> {
        let mut out = self.score_batch(&[(problem, completions)])?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Scores a GRPO batch: for each problem, its group of completions.
    /// Analysis runs in parallel (rayon); programs run on the sandbox's
    /// workers. Advantages are computed per group (batch-wide statistics for
    /// `Scaling::Batch` and `NormalizeThenSum`).
    pub fn score_batch(
        &self,
        groups: &[(&Problem, &[String])],
    ) -> Result<Vec<Vec<CompletionRewards>>> {
        let suites: Vec<codequal_sandbox::TestSuite> = groups
            .iter()
            .map(|(p, _)| p.suite())
            .collect::<Result<_>>()?;
        let flat: Vec<(usize, &String)> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, (_, cs))| cs.iter().map(move |c| (g, c)))
            .collect();
        let configs: Vec<codequal_analyzer::Config> = groups
            .iter()
            .map(|(p, _)| self.analyzer_config(p))
            .collect();
        // A problem whose own reference answers its tests from a table (a
        // keypad map, a state table) is one where a table is the answer:
        // the memorised-answer guard does not judge its answers.
        let judge_tables: Vec<bool> = groups
            .iter()
            .zip(&suites)
            .map(|((p, _), suite)| {
                self.config.memorized_answer_guard
                    && crate::memorized::memorized_answers(&p.clean_solution, suite).is_empty()
            })
            .collect();
        let tested: Vec<Vec<String>> = groups
            .iter()
            .map(|(p, _)| {
                if self.config.problem_hints && self.config.trivial_answer_guard {
                    p.names_used_by_tests()
                } else {
                    Vec::new()
                }
            })
            .collect();
        let analysed: Vec<Analysed> = flat
            .par_iter()
            .map(|(g, c)| {
                let suite = judge_tables[*g].then_some(&suites[*g]);
                self.analyse(c, &configs[*g], &tested[*g], &suites[*g], suite)
            })
            .collect();
        // Programs with code go to the sandbox (each distinct one once, unless
        // deduplication is off); the rest score 0.
        let mut jobs: Vec<(&str, &codequal_sandbox::TestSuite)> = Vec::new();
        let mut first_run: HashMap<(&str, &str), usize> = HashMap::new();
        let job_of: Vec<Option<usize>> = flat
            .iter()
            .zip(&analysed)
            .map(|((g, _), a)| {
                let code = a.extraction.code.as_deref()?;
                let mut push = || {
                    jobs.push((code, &suites[*g]));
                    jobs.len() - 1
                };
                Some(if self.config.deduplicate_programs {
                    *first_run
                        .entry((groups[*g].0.id.as_str(), code))
                        .or_insert_with(push)
                } else {
                    push()
                })
            })
            .collect();
        let ran = self.sandbox.run_many(&jobs);
        let mut rewards: Vec<CompletionRewards> = Vec::with_capacity(flat.len());
        drop(jobs);
        for ((a, job), (g, _)) in analysed.into_iter().zip(job_of).zip(&flat) {
            let mut explanation = Explanation {
                extraction: a.extraction,
                format_reasons: a.format_reasons,
                ..Explanation::default()
            };
            let mut constant = None;
            let mut ran_hidden = None;
            let mut memorized = a.memorized_answers;
            let correctness = match job.map(|j| &ran[j]) {
                None => Some(0.0),
                Some(Ok(result)) => {
                    // What the sandbox's audit hook saw the program run.
                    ran_hidden = result.cases.iter().find_map(|c| c.dynamic_code.clone());
                    if self.config.trivial_answer_guard {
                        constant = constant_answer(&suites[*g], result);
                    }
                    // Tables plus a program that computes the rest: an
                    // honest lookup table, not memorised answers.
                    if crate::memorized::computes_beyond(&suites[*g], result, &memorized) {
                        memorized = crate::memorized::Memorization::default();
                    }
                    explanation.failed_cases = result
                        .cases
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| !c.verdict.is_pass())
                        .map(|(index, c)| FailedCase {
                            index,
                            verdict: c.verdict.kind().to_owned(),
                            detail: format!("{:?}", c.verdict),
                        })
                        .collect();
                    Some(match self.config.correctness {
                        CorrectnessMode::Fraction => result.pass_fraction(),
                        CorrectnessMode::Binary => f64::from(u8::from(result.all_passed())),
                    })
                }
                Some(Err(e)) => {
                    explanation.sandbox_error = Some(e.to_string());
                    None
                }
            };
            let raw_quality = match &a.report {
                None => Some(0.0),
                Some(r) if r.syntax_error.is_some() || !a.parses => Some(0.0),
                Some(r) => r
                    .score
                    .as_ref()
                    .map(|s| s.overall * trivial_factor(s, a.trivial_functions.len())),
            };
            explanation.quality_before_guard = raw_quality;
            if let Some(r) = a.report {
                explanation.findings = r.findings;
            }
            let mut dynamic_code = a.dynamic_code;
            if self.config.dynamic_code_guard {
                if let Some(seen) = ran_hidden {
                    dynamic_code.push(format!("at run time: {seen}"));
                }
            }
            let hides_code = !dynamic_code.is_empty();
            explanation.dynamic_code = dynamic_code;
            explanation.trivial_functions = a.trivial_functions;
            let ignores_inputs = constant.is_some();
            explanation.constant_answer = constant;
            let memorizes = !memorized.is_empty();
            explanation.memorized_answers = memorized.cases.into_iter().map(|m| m.text).collect();
            let quality = match (raw_quality, correctness) {
                // The analyzer scored a facade, not the program that runs.
                (Some(_), _) if hides_code => Some(0.0),
                // One answer for inputs whose expected answers differ: the
                // code does not compute anything, whatever it looks like.
                (Some(_), _) if ignores_inputs => Some(0.0),
                // A table of the tests' answers computes nothing either.
                (Some(_), _) if memorizes => Some(0.0),
                (Some(q), Some(c)) => Some(self.guard(q, c)),
                (Some(q), None) if self.config.quality_guard == QualityGuard::None => Some(q),
                _ => None,
            };
            let format = Some(a.format);
            let composite = self
                .config
                .weights
                .composite([format, correctness, quality]);
            rewards.push(CompletionRewards {
                format,
                correctness,
                quality,
                composite,
                advantage: 0.0,
                explanation,
            });
        }
        self.assign_advantages(groups, &mut rewards);
        let mut out = Vec::with_capacity(groups.len());
        let mut it = rewards.into_iter();
        for (_, cs) in groups {
            out.push(it.by_ref().take(cs.len()).collect());
        }
        Ok(out)
    }

    /// The analyzer settings for answers to `problem`
    /// ([`RewardConfig::problem_hints`]).
    fn analyzer_config(&self, problem: &Problem) -> codequal_analyzer::Config {
        let mut config = self.config.analyzer.clone();
        if self.config.problem_hints {
            config
                .dead_code
                .used_names
                .extend(problem.names_used_by_tests());
            if config.score.expected_lloc.is_none() {
                config.score.expected_lloc = problem.reference_lloc();
            }
        }
        config
    }

    fn analyse(
        &self,
        completion: &str,
        config: &codequal_analyzer::Config,
        tested: &[String],
        suite: &codequal_sandbox::TestSuite,
        judge_tables_of: Option<&codequal_sandbox::TestSuite>,
    ) -> Analysed {
        let extraction = extract_code_for(completion, Some(&suite.entry_point));
        // One parse: the guards walk the analyzer's tree.
        let (report, (dynamic_code, trivial_functions, memorized_answers)) =
            match extraction.code.as_deref() {
                Some(code) => {
                    let (report, guards) =
                        codequal_analyzer::analyze_source_and(code, config, |parsed| {
                            let dynamic = if self.config.dynamic_code_guard {
                                crate::dynamic_code::find_dynamic_code_in(parsed)
                                    .iter()
                                    .map(ToString::to_string)
                                    .collect()
                            } else {
                                Vec::new()
                            };
                            let trivial = if tested.is_empty() {
                                Vec::new()
                            } else {
                                crate::trivial::trivial_functions_in(parsed, tested)
                            };
                            let memorized = judge_tables_of
                                .map(|suite| crate::memorized::memorized_answers_in(parsed, suite))
                                .unwrap_or_default();
                            (dynamic, trivial, memorized)
                        });
                    (Some(report), guards)
                }
                None => (None, (Vec::new(), Vec::new(), Default::default())),
            };
        let parses = extraction
            .code
            .as_deref()
            .is_some_and(|c| !c.contains('\0'))
            && report.as_ref().is_some_and(|r| r.syntax_error.is_none());
        let (dynamic_code, trivial_functions, memorized_answers) = if parses {
            (dynamic_code, trivial_functions, memorized_answers)
        } else {
            (Vec::new(), Vec::new(), Default::default())
        };
        let f = format_reward(completion, &extraction, parses, &self.config.format);
        Analysed {
            extraction,
            format: f.value,
            format_reasons: f.reasons,
            report,
            parses,
            dynamic_code,
            trivial_functions,
            memorized_answers,
        }
    }

    fn guard(&self, quality: f64, correctness: f64) -> f64 {
        match self.config.quality_guard {
            QualityGuard::None => quality,
            QualityGuard::ScaleByPassRate => quality * correctness,
            QualityGuard::RequireAllPassed => {
                if correctness >= 1.0 {
                    quality
                } else {
                    0.0
                }
            }
        }
    }

    fn assign_advantages(
        &self,
        groups: &[(&Problem, &[String])],
        rewards: &mut [CompletionRewards],
    ) {
        let sizes: Vec<usize> = groups.iter().map(|(_, c)| c.len()).collect();
        let advantages = match self.config.aggregation {
            Aggregation::SumThenNormalize => {
                let composite: Vec<Option<f64>> = rewards.iter().map(|r| r.composite).collect();
                group_advantages_sized(&composite, &sizes, self.config.scaling)
            }
            Aggregation::NormalizeThenSum => {
                let per: Vec<Vec<Option<f64>>> =
                    rewards.iter().map(|r| r.values().to_vec()).collect();
                normalize_then_sum_sized(&per, &self.config.weights.as_array(), &sizes)
            }
        };
        for (r, a) in rewards.iter_mut().zip(advantages) {
            // Validated weights keep every statistic finite; should one ever
            // not be, no gradient is better than a NaN one.
            r.advantage = if a.is_finite() { a } else { 0.0 };
        }
    }
}

/// Fewest call cases that returned a value before [`constant_answer`]
/// judges a program by its answers.
pub const CONSTANT_ANSWER_MIN_CASES: usize = 3;

/// The trivial-answer guard judged by results, which no spelling of the
/// code can dodge: when at least [`CONSTANT_ANSWER_MIN_CASES`] call cases
/// returned plain data, their expected outcomes are not all the same, and
/// every one of them returned the same value, the program ignores its
/// inputs (`isinstance(s, bytes)`, a type check and then `return False`).
/// Returns what it always returned.
pub fn constant_answer(
    suite: &codequal_sandbox::TestSuite,
    result: &codequal_sandbox::ProgramResult,
) -> Option<String> {
    use codequal_sandbox::{Expectation, TestCase};
    let mut expected = std::collections::HashSet::new();
    let mut returned = std::collections::HashSet::new();
    let mut seen = 0;
    for (case, outcome) in suite.cases.iter().zip(&result.cases) {
        let (TestCase::Call(call), Some(value)) = (case, &outcome.returned) else {
            continue;
        };
        seen += 1;
        expected.insert(match &call.expect {
            Expectation::Value(v) => format!("= {}", v.short_repr(200)),
            Expectation::Raises(e) => format!("raises {e}"),
            Expectation::Truthy => "truthy".to_owned(),
            Expectation::Falsy => "falsy".to_owned(),
        });
        returned.insert(value.short_repr(200));
    }
    if seen >= CONSTANT_ANSWER_MIN_CASES && expected.len() >= 2 && returned.len() == 1 {
        returned
            .into_iter()
            .next()
            .map(|v| format!("returned {v} on all {seen} call cases"))
    } else {
        None
    }
}

/// The factor that counts `trivial` more functions as stubs in the
/// `codequal` score's stub guard: it scaled the score by `1 - s/n` for `s`
/// stubs of `n` functions, and `(n - s - trivial) / (n - s)` turns that
/// into `1 - (s + trivial)/n`. 1 in `pycq` mode, which has no stub guard.
fn trivial_factor(score: &codequal_analyzer::score::QualityScore, trivial: usize) -> f64 {
    let Some(signals) = &score.signals else {
        return 1.0;
    };
    let n = f64::from(signals.stats.functions);
    let s = f64::from(signals.stats.stub_functions);
    let t = f64::from(u32::try_from(trivial).unwrap_or(u32::MAX));
    if trivial == 0 || n <= s {
        return 1.0;
    }
    ((n - s - t) / (n - s)).clamp(0.0, 1.0)
}

/// The codequal rewards behind the trainer-facing [`crate::RewardFunction`]
/// trait: prompts are problem ids, and adjacent completions of the same
/// problem form one group.
#[derive(Debug)]
pub struct CodeRewards {
    pipeline: RewardPipeline,
    problems: std::collections::HashMap<String, Problem>,
}

impl CodeRewards {
    /// Rewards for the problems of `set`.
    pub fn new(pipeline: RewardPipeline, set: &crate::problems::ProblemSet) -> Self {
        let problems = set
            .all()
            .iter()
            .map(|p| (p.id.clone(), p.clone()))
            .collect();
        Self { pipeline, problems }
    }

    /// The pipeline underneath.
    pub fn pipeline(&self) -> &RewardPipeline {
        &self.pipeline
    }

    /// Scores and returns the full per-completion rewards (with advantages
    /// and explanations), grouping adjacent completions of the same problem.
    pub fn score_detailed(
        &self,
        prompt_ids: &[String],
        completions: &[String],
    ) -> std::result::Result<Vec<CompletionRewards>, crate::RewardError> {
        if prompt_ids.len() != completions.len() {
            return Err(crate::RewardError::InvalidInput(format!(
                "{} prompt ids for {} completions",
                prompt_ids.len(),
                completions.len()
            )));
        }
        let mut groups: Vec<(&Problem, &[String])> = Vec::new();
        let mut start = 0;
        while start < prompt_ids.len() {
            let id = &prompt_ids[start];
            let end = start + prompt_ids[start..].iter().take_while(|p| *p == id).count();
            let problem = self
                .problems
                .get(id)
                .ok_or_else(|| crate::RewardError::UnknownPrompt(id.clone()))?;
            groups.push((problem, &completions[start..end]));
            start = end;
        }
        let scored = self
            .pipeline
            .score_batch(&groups)
            .map_err(|e| crate::RewardError::Backend(e.to_string()))?;
        Ok(scored.into_iter().flatten().collect())
    }
}

impl crate::RewardFunction for CodeRewards {
    fn names(&self) -> Vec<String> {
        vec![
            "format".to_owned(),
            "correctness".to_owned(),
            "quality".to_owned(),
        ]
    }

    fn score(
        &self,
        prompt_ids: &[String],
        completions: &[String],
    ) -> std::result::Result<Vec<crate::Rewards>, crate::RewardError> {
        Ok(self
            .score_detailed(prompt_ids, completions)?
            .into_iter()
            .map(|r| crate::Rewards {
                values: r.values().to_vec(),
                composite: r.composite,
                explanation: serde_json::to_value(&r.explanation).ok(),
            })
            .collect())
    }
}
