//! Analyzer configuration: which rules run, their thresholds, the score.
//!
//! Read by the CLI from a `[tool.codequal]` table in `pyproject.toml` or from
//! `codequal.toml`; every field has a documented default, so an empty table
//! (or none) means the defaults.

use serde::{Deserialize, Serialize};

use crate::rules::RuleSet;
use crate::score::ScoreConfig;

/// Everything that can be configured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Rules to run, by code prefix (`"B"`, `"W0702"`), name or family
    /// (`"security"`, `"design"`, `"dead-code"`, `"performance"`,
    /// `"reliability"`). Default: `["ALL"]`.
    pub select: Vec<String>,
    /// Rules not to run, same syntax. Default: none.
    pub ignore: Vec<String>,
    /// Design-rule thresholds (pylint's defaults).
    pub design: crate::rules::design::Settings,
    /// Performance-rule thresholds (the paper's library's defaults).
    pub performance: crate::rules::performance::Settings,
    /// Dead-code settings: names used from outside the file (default none).
    pub dead_code: crate::rules::dead_code::Settings,
    /// How imports are followed to see imported base classes
    /// (`[tool.codequal.imports]`; default: followed from the file's own
    /// root, no extra search path).
    pub imports: crate::imports::Settings,
    /// Scoring settings.
    pub score: ScoreConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            select: vec!["ALL".to_owned()],
            ignore: Vec::new(),
            design: crate::rules::design::Settings::default(),
            performance: crate::rules::performance::Settings::default(),
            dead_code: crate::rules::dead_code::Settings::default(),
            imports: crate::imports::Settings::default(),
            score: ScoreConfig::default(),
        }
    }
}

impl Config {
    /// The rules these settings turn on.
    pub fn rule_set(&self) -> RuleSet {
        RuleSet::from_selection(&self.select, &self.ignore)
    }
}
