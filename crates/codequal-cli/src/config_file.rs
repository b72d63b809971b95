//! Finding and reading the analyzer configuration: `--config FILE`, else
//! the nearest `codequal.toml` or `pyproject.toml` with a `[tool.codequal]`
//! table, searched from the first PATH's directory upward. No file means
//! the documented defaults of `codequal_analyzer::Config`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use codequal_analyzer::Config;

/// The configuration for a run, and the file it came from.
pub fn load(
    explicit: Option<&Path>,
    first_path: Option<&Path>,
) -> Result<(Config, Option<PathBuf>)> {
    if let Some(file) = explicit {
        return Ok((read(file)?, Some(file.to_owned())));
    }
    let Some(start) = first_path else {
        return Ok((Config::default(), None));
    };
    let start = std::path::absolute(start).unwrap_or_else(|_| start.to_owned());
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let own = d.join("codequal.toml");
        if own.is_file() {
            return Ok((read(&own)?, Some(own)));
        }
        let pyproject = d.join("pyproject.toml");
        if pyproject.is_file() {
            if let Some(mut cfg) = from_pyproject(&pyproject)? {
                anchor_search_path(&mut cfg, &pyproject);
                return Ok((cfg, Some(pyproject)));
            }
        }
        dir = d.parent();
    }
    Ok((Config::default(), None))
}

/// Reads a `codequal.toml` (the table itself) or a `pyproject.toml` (its
/// `[tool.codequal]` table). Relative directories in
/// `imports.search_path` are taken relative to the file's directory.
pub fn read(file: &Path) -> Result<Config> {
    let mut config = if file.file_name().is_some_and(|n| n == "pyproject.toml") {
        from_pyproject(file)?.unwrap_or_default()
    } else {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("invalid configuration in {}", file.display()))?
    };
    anchor_search_path(&mut config, file);
    Ok(config)
}

/// Makes relative `imports.search_path` entries relative to the directory
/// of the configuration file they came from.
fn anchor_search_path(config: &mut Config, file: &Path) {
    let base = file.parent().unwrap_or_else(|| Path::new("."));
    for dir in &mut config.imports.search_path {
        if dir.is_relative() {
            *dir = base.join(&*dir);
        }
    }
}

fn from_pyproject(file: &Path) -> Result<Option<Config>> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let doc: toml::Table =
        toml::from_str(&text).with_context(|| format!("invalid TOML in {}", file.display()))?;
    let Some(table) = doc.get("tool").and_then(|t| t.get("codequal")) else {
        return Ok(None);
    };
    let cfg = table
        .clone()
        .try_into()
        .with_context(|| format!("invalid [tool.codequal] in {}", file.display()))?;
    Ok(Some(cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pyproject_table_is_read_and_defaults_fill_the_rest() {
        let dir = std::env::temp_dir().join(format!("codequal-cfg-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).expect("mkdir");
        std::fs::write(
            dir.join("pyproject.toml"),
            "[project]\nname='x'\n[tool.codequal]\nignore=['CQP009']\n[tool.codequal.performance]\nmax_call_args=3\n[tool.codequal.score]\nmode='pycq'\n[tool.codequal.imports]\nsearch_path=['vendor', '/abs']\n",
        )
        .expect("write");
        let (cfg, from) = load(None, Some(&dir.join("pkg"))).expect("load");
        assert_eq!(from, Some(dir.join("pyproject.toml")));
        assert_eq!(cfg.ignore, vec!["CQP009".to_owned()]);
        assert_eq!(cfg.performance.max_call_args, 3);
        assert_eq!(cfg.performance.max_dict_keys, 10);
        assert_eq!(cfg.score.mode, codequal_analyzer::score::ScoreMode::Pycq);
        assert!(cfg.imports.follow);
        assert_eq!(
            cfg.imports.search_path,
            vec![dir.join("vendor"), std::path::PathBuf::from("/abs")]
        );
        std::fs::write(dir.join("codequal.toml"), "select=['CQR']\nbogus=1\n").expect("write");
        assert!(
            load(None, Some(&dir.join("pkg"))).is_err(),
            "unknown keys are rejected"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
