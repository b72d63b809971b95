//! Following imports into other modules for the class rules.
//!
//! The fixture package `fixtures/analyzer/imports/app` binds its bases
//! every way Python can (relative, absolute, `import a.b`, aliases, star
//! imports, a package's re-export, a subpackage's module); its `# expect:`
//! lines were taken from pylint 4.1.4, which is also run on it when the
//! reference venv is present. The temporary-directory cases cover what a
//! fixture cannot hold: cycles, extension modules, files that change, and
//! the settings.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use codequal_analyzer::{analyze_path_with, analyze_source_at, Config};
use proptest::prelude::Strategy;
use support::Reference;

type Found = BTreeSet<(String, u32, String)>;

const SYMBOLS: &[&str] = &[
    "too-many-ancestors",
    "too-few-public-methods",
    "unused-argument",
];

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/analyzer/imports")
}

fn fixture_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut todo = vec![fixture_root().join("app")];
    while let Some(dir) = todo.pop() {
        for e in std::fs::read_dir(&dir).expect("fixture dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "py") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn relative(p: &Path) -> String {
    p.strip_prefix(fixture_root())
        .unwrap_or(p)
        .display()
        .to_string()
}

fn design() -> Config {
    Config {
        select: vec!["design".to_owned()],
        ..Config::default()
    }
}

fn ours(files: &[PathBuf], config: &Config) -> Found {
    let mut out = Found::new();
    for f in files {
        let report = analyze_path_with(f, config).expect("fixture reads");
        for finding in &report.findings {
            if SYMBOLS.contains(&finding.rule.as_str()) {
                out.insert((relative(f), finding.span.line, finding.rule.clone()));
            }
        }
    }
    out
}

fn expected(files: &[PathBuf]) -> Found {
    let mut out = Found::new();
    for f in files {
        let source = std::fs::read_to_string(f).expect("fixture reads");
        for (i, line) in source.lines().enumerate() {
            if let Some((_, rules)) = line.split_once("# expect:") {
                for r in rules.split(',') {
                    out.insert((relative(f), i as u32 + 1, r.trim().to_owned()));
                }
            }
        }
    }
    out
}

#[test]
fn imported_bases_are_followed_as_pylint_follows_them() {
    let files = fixture_files();
    assert!(files.len() >= 5);
    assert_eq!(ours(&files, &design()), expected(&files));
}

#[test]
fn without_following_imported_bases_count_nothing() {
    let files = fixture_files();
    let config = Config {
        imports: codequal_analyzer::imports::Settings {
            follow: false,
            ..Default::default()
        },
        ..design()
    };
    let found = ours(&files, &config);
    // Every subclass of an imported class now has too few methods, and the
    // override's parameters are no longer known.
    for line in [17, 25, 29, 33, 37, 41, 45, 49] {
        assert!(
            found.contains(&(
                "app/models.py".to_owned(),
                line,
                "too-few-public-methods".to_owned()
            )),
            "line {line}: {found:?}"
        );
    }
    assert!(found.contains(&("app/models.py".to_owned(), 70, "unused-argument".to_owned())));
    assert!(!found.iter().any(|f| f.2 == "too-many-ancestors"));
}

#[test]
fn the_fixture_agrees_with_pylint() {
    let Some(reference) = Reference::find("imports fixture vs pylint", &["pylint"]) else {
        return;
    };
    let files = fixture_files();
    let out = reference
        .command("pylint")
        .current_dir(fixture_root())
        .args([
            "--output-format=json",
            "--disable=all",
            &format!("--enable={}", SYMBOLS.join(",")),
            "--jobs=1",
            "--persistent=n",
        ])
        .args(files.iter().map(|f| relative(f)))
        .output()
        .expect("pylint runs");
    let messages: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).expect("pylint prints JSON");
    let theirs: Found = messages
        .iter()
        .filter_map(|m| {
            Some((
                m["path"].as_str()?.to_owned(),
                m["line"].as_u64()? as u32,
                m["symbol"].as_str()?.to_owned(),
            ))
        })
        .collect();
    assert!(!theirs.is_empty(), "pylint reported nothing");
    assert_eq!(ours(&files, &design()), theirs);
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, text).expect("write");
    p
}

fn too_few_lines(path: &Path, config: &Config) -> Vec<u32> {
    analyze_path_with(path, config)
        .expect("reads")
        .findings
        .iter()
        .filter(|f| f.rule == "too-few-public-methods")
        .map(|f| f.span.line)
        .collect()
}

const TWO_METHODS: &str =
    "class Base:\n    def a(self):\n        return 1\n\n    def b(self):\n        return 2\n";

#[test]
fn star_import_cycles_and_self_aliases_terminate() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a.py",
        "from b import *\nX = X\nLoop = Loop.Inner\n",
    );
    write(dir.path(), "b.py", "from a import *\nfrom b import *\n");
    let main = write(
        dir.path(),
        "main.py",
        "from a import *\nimport b\n\nclass C(Missing):\n    pass\n\nclass D(b.X):\n    pass\n\nclass E(b.Loop):\n    pass\n",
    );
    assert_eq!(too_few_lines(&main, &design()), vec![4, 7, 10]);
}

#[test]
fn extension_modules_shadow_sources_and_are_not_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "fast.py", TWO_METHODS);
    write(dir.path(), "fast.cpython-311-x86_64-linux-gnu.so", "");
    write(dir.path(), "slow.py", TWO_METHODS);
    let main = write(
        dir.path(),
        "main.py",
        "import fast\nimport slow\nimport _collections\n\nclass F(fast.Base):\n    pass\n\nclass S(slow.Base):\n    pass\n\nclass Q(_collections.deque):\n    pass\n",
    );
    // The compiled `fast` hides its source; `_collections` is built into
    // CPython: its classes have methods.
    assert_eq!(too_few_lines(&main, &design()), vec![5]);
}

#[test]
fn a_changed_module_is_read_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "base.py", TWO_METHODS);
    let main = write(
        dir.path(),
        "main.py",
        "from base import Base\n\nclass C(Base):\n    pass\n",
    );
    assert_eq!(too_few_lines(&main, &design()), Vec::<u32>::new());
    write(dir.path(), "base.py", "class Base:\n    pass\n");
    assert_eq!(too_few_lines(&main, &design()), vec![3]);
}

#[test]
fn the_search_path_reaches_modules_outside_the_files_root() {
    let lib = tempfile::tempdir().expect("tempdir");
    write(lib.path(), "shared/__init__.py", "");
    write(lib.path(), "shared/bases.py", TWO_METHODS);
    let project = tempfile::tempdir().expect("tempdir");
    let source = "from shared.bases import Base\nfrom ...beyond import Nothing\n\nclass C(Base):\n    pass\n\nclass D(Nothing):\n    pass\n";
    let main = write(project.path(), "main.py", source);
    assert_eq!(too_few_lines(&main, &design()), vec![4, 7]);
    let config = Config {
        imports: codequal_analyzer::imports::Settings {
            search_path: vec![lib.path().to_path_buf()],
            ..Default::default()
        },
        ..design()
    };
    assert_eq!(too_few_lines(&main, &config), vec![7]);
    // A source without a path follows the search path only.
    let report = codequal_analyzer::analyze_source_with(source, &config);
    let lines: Vec<u32> = report
        .findings
        .iter()
        .filter(|f| f.rule == "too-few-public-methods")
        .map(|f| f.span.line)
        .collect();
    assert_eq!(lines, vec![7]);
    // Text read from a path is followed from there.
    let at = analyze_source_at(source, &main, &config);
    assert_eq!(
        at.path.as_deref(),
        Some(main.display().to_string().as_str())
    );
}

#[test]
fn a_deeply_nested_imported_module_is_unreadable_not_a_crash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut deep = String::from("x = 1");
    for _ in 0..200_000 {
        deep.push_str("+1");
    }
    deep.push_str("\n\nclass Base:\n    def a(self):\n        return 1\n\n    def b(self):\n        return 2\n");
    write(dir.path(), "deep.py", &deep);
    let main = write(
        dir.path(),
        "main.py",
        "from deep import Base\n\nclass C(Base):\n    pass\n",
    );
    // The module nests deeper than CPython allows: nothing is followed.
    assert_eq!(too_few_lines(&main, &design()), vec![3]);
}

#[test]
fn star_imports_that_branch_and_cycle_finish_quickly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stars: String = (0..12).map(|k| format!("from m{k} import *\n")).collect();
    for k in 0..12 {
        write(dir.path(), &format!("m{k}.py"), &stars.repeat(20));
    }
    let classes: String = (0..50)
        .map(|i| format!("class C{i}(Missing{i}):\n    pass\n\n"))
        .collect();
    let main = write(
        dir.path(),
        "main.py",
        &format!("from m0 import *\n\n{classes}"),
    );
    let started = std::time::Instant::now();
    assert_eq!(too_few_lines(&main, &design()).len(), 50);
    // Not a timing assertion on speed, a guard against exponential search:
    // without memoisation this takes hours.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn a_fifo_named_like_a_module_is_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("base.py");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        println!("mkfifo unavailable; skipped");
        return;
    }
    let main = write(
        dir.path(),
        "main.py",
        "from base import Base\n\nclass C(Base):\n    pass\n",
    );
    assert_eq!(too_few_lines(&main, &design()), vec![3]);
}

#[test]
fn bases_are_looked_up_as_bound_before_the_class() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "lib.py", TWO_METHODS);
    // `class Base(Base)` subclasses the imported `Base`; the local name is
    // bound only after the class statement.
    let main = write(
        dir.path(),
        "main.py",
        "from lib import Base\n\nclass Base(Base):\n    pass\n\nclass Later(Base):\n    pass\n",
    );
    assert_eq!(too_few_lines(&main, &design()), Vec::<u32>::new());
}

#[test]
fn module_paths_are_submodules_and_star_imports_honour_all() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The package binds `b` to something else; `from a.b import X` still
    // imports the submodule `a.b`.
    write(dir.path(), "a/__init__.py", "b = 1\n");
    write(dir.path(), "a/b.py", &TWO_METHODS.replace("Base", "X"));
    write(
        dir.path(),
        "exported.py",
        &format!(
            "__all__ = ['Public']\n\n{}\n\n{}",
            TWO_METHODS.replace("Base", "Public"),
            TWO_METHODS.replace("Base", "Hidden")
        ),
    );
    let main = write(
        dir.path(),
        "main.py",
        "from a.b import X\nfrom exported import *\n\nclass C(X):\n    pass\n\nclass D(Public):\n    pass\n\nclass E(Hidden):\n    pass\n",
    );
    assert_eq!(too_few_lines(&main, &design()), vec![10]);
}

#[test]
fn relative_imports_stop_at_the_top_package() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "outside.py", TWO_METHODS);
    write(dir.path(), "pkg/__init__.py", "");
    write(dir.path(), "pkg/inner.py", TWO_METHODS);
    let main = write(
        dir.path(),
        "pkg/main.py",
        "from .inner import Base\nfrom ..outside import Base as Far\n\nclass C(Base):\n    pass\n\nclass D(Far):\n    pass\n",
    );
    // `..` from a top-level package is an error in Python: not followed.
    assert_eq!(too_few_lines(&main, &design()), vec![7]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever another module contains (bytes, mutated Python), checking a
    /// file that subclasses and star-imports from it returns a report.
    #[test]
    fn any_imported_module_text_is_data(
        text in proptest::prop_oneof![
            proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            proptest::string::string_regex(
                "(class [A-C]\\(([A-C]|base\\.[A-C]|object)\\):\n    def f\\(self, x\\):\n        return x\n|from base import \\*\n|from \\.+ import base\n|[A-C] = [A-C]\n|__all__ = \\['[A-C]'\\]\n|import base as [A-C]\n){0,12}"
            )
            .expect("regex")
            .prop_map(String::into_bytes),
        ]
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("base.py"), &text).expect("write");
        let main = write(
            dir.path(),
            "main.py",
            "import base\nfrom base import *\n\nclass X(base.A, B, C):\n    def f(self, x, y):\n        return 1\n",
        );
        let report = analyze_path_with(&main, &design()).expect("reads");
        proptest::prop_assert!(report.syntax_error.is_none());
    }
}
