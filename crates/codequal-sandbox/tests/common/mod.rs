//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use codequal_sandbox::{Config, MissingLayerPolicy, Sandbox};

/// `../shared/datasets` relative to the workspace root, if present.
pub fn datasets_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets");
    dir.is_dir().then_some(dir)
}

/// Whether CI is running us (tests that need namespaces must not be
/// skipped there).
pub fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A sandbox with every layer required, or `None` (with a message) where
/// this machine refuses one and we are not on CI.
pub fn sandbox(config: Config) -> Option<Sandbox> {
    match Sandbox::new(Config {
        on_missing_layer: MissingLayerPolicy::Refuse,
        ..config
    }) {
        Ok(s) => Some(s),
        Err(e) if !on_ci() => {
            eprintln!("skipping: sandbox unavailable here: {e}");
            None
        }
        Err(e) => panic!("sandbox unavailable on CI: {e}"),
    }
}

/// Path of a fixture under `fixtures/sandbox`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/sandbox")
        .join(rel)
}
