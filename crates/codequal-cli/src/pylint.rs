//! `codequal pylint`: pylint 4.1.4's JSON messages for the design checks
//! codequal implements (too-many-*, unused-argument,
//! dangerous-default-value, bare-except, broad-exception-caught,
//! consider-using-with, consider-using-enumerate).
//!
//! Output matches `pylint --output-format=json --disable=all
//! --enable=<those symbols> PATH...`: one JSON array of objects with
//! pylint's keys (`type`, `module`, `obj`, `line`, `column`, `endLine`,
//! `endColumn`, `path`, `symbol`, `message`, `message-id`), sorted by file,
//! then position. A file that does not parse gives pylint's `syntax-error`
//! (E0001) with the parser's message. The exit status is pylint's bit
//! field: 1 fatal, 2 error, 4 warning, 8 refactor, 16 convention.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codequal_analyzer::parse::{self, ast};
use codequal_analyzer::rules::Family;
use codequal_analyzer::{Config, Finding};
use serde::Serialize;

/// Arguments of `pylint`.
#[derive(Debug, clap::Args)]
pub struct PylintArgs {
    /// Output format; only `json` is supported.
    #[arg(long = "output-format", default_value = "json")]
    pub output_format: String,
    /// Files or directories (searched recursively for *.py).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// One message in pylint's JSON shape.
#[derive(Debug, Serialize)]
struct Message {
    #[serde(rename = "type")]
    kind: &'static str,
    module: String,
    obj: String,
    line: u32,
    column: u32,
    #[serde(rename = "endLine")]
    end_line: Option<u32>,
    #[serde(rename = "endColumn")]
    end_column: Option<u32>,
    path: String,
    symbol: String,
    message: String,
    #[serde(rename = "message-id")]
    message_id: String,
}

/// Runs the command.
pub fn run(args: &PylintArgs) -> anyhow::Result<ExitCode> {
    if args.output_format != "json" {
        anyhow::bail!("pylint: only --output-format=json is supported");
    }
    let files = codequal_analyzer::collect_python_files(&args.paths)?;
    let config = Config {
        select: vec!["design".to_owned()],
        ..Config::default()
    };
    let per_file: Vec<anyhow::Result<Vec<Message>>> =
        crate::par_map(&files, |p| check_file(p, &config));
    let mut messages = Vec::new();
    for m in per_file {
        messages.extend(m?);
    }
    let mut status = 0u8;
    for m in &messages {
        status |= match m.kind {
            "fatal" => 1,
            "error" => 2,
            "warning" => 4,
            "refactor" => 8,
            _ => 16,
        };
    }
    println!("{}", serde_json::to_string_pretty(&messages)?);
    Ok(ExitCode::from(status))
}

fn check_file(path: &Path, config: &Config) -> anyhow::Result<Vec<Message>> {
    let source = codequal_analyzer::read_python_source(path)?;
    let report = codequal_analyzer::analyze_source_at(&source, path, config);
    let shown = path.display().to_string();
    let module = module_name(path);
    let parsed = parse::parse(&source);
    let defs = parsed
        .suite
        .as_deref()
        .map(|s| {
            let mut out = Vec::new();
            collect_defs(s, "", &parsed, &mut out, 0);
            out
        })
        .unwrap_or_default();
    let mut out = Vec::new();
    for f in &report.findings {
        if f.code == "E999" {
            out.push(Message {
                kind: "error",
                module: module.clone(),
                obj: String::new(),
                line: f.span.line,
                column: f.span.column,
                end_line: None,
                end_column: None,
                path: shown.clone(),
                symbol: "syntax-error".to_owned(),
                message: format!("Parsing failed: '{}'", f.message),
                message_id: "E0001".to_owned(),
            });
            continue;
        }
        if !is_design(f) {
            continue;
        }
        out.push(to_message(f, &module, &shown, &defs));
    }
    Ok(out)
}

fn is_design(f: &Finding) -> bool {
    codequal_analyzer::rules::find_rule(&f.code).is_some_and(|r| r.family == Family::Design)
}

fn to_message(f: &Finding, module: &str, path: &str, defs: &[(u32, u32, String)]) -> Message {
    let kind = match f.code.as_bytes().first() {
        Some(b'C') => "convention",
        Some(b'R') => "refactor",
        Some(b'W') => "warning",
        Some(b'E') => "error",
        _ => "fatal",
    };
    // The innermost `def`/`class` whose lines hold the message.
    let obj = defs
        .iter()
        .filter(|(from, to, _)| (*from..=*to).contains(&f.span.line))
        .max_by_key(|(from, _, _)| *from)
        .map(|(_, _, name)| name.clone())
        .unwrap_or_default();
    // A span from column 0 to column 0 is astroid's position without an
    // end column (`*args`/`**kwargs` at the `Arguments` node).
    let zero = f.span.column == 0 && f.span.end_column == 0;
    Message {
        kind,
        module: module.to_owned(),
        obj,
        line: f.span.line,
        column: f.span.column,
        end_line: Some(f.span.end_line),
        end_column: (!zero).then_some(f.span.end_column),
        path: path.to_owned(),
        symbol: f.rule.clone(),
        message: f.message.clone(),
        message_id: f.code.clone(),
    }
}

/// Every `def` and `class` with its line range and dotted name.
fn collect_defs(
    body: &[ast::Stmt],
    prefix: &str,
    parsed: &parse::ParsedSource<'_>,
    out: &mut Vec<(u32, u32, String)>,
    depth: usize,
) {
    use codequal_analyzer::parse::ast::Ranged;
    if depth > parse::MAX_INDENT_DEPTH {
        return;
    }
    for s in body {
        let (name, inner): (Option<&str>, Vec<&[ast::Stmt]>) = match s {
            ast::Stmt::FunctionDef(f) => (Some(f.name.as_str()), vec![&f.body]),
            ast::Stmt::AsyncFunctionDef(f) => (Some(f.name.as_str()), vec![&f.body]),
            ast::Stmt::ClassDef(c) => (Some(c.name.as_str()), vec![&c.body]),
            ast::Stmt::If(i) => (None, vec![&i.body, &i.orelse]),
            ast::Stmt::For(f) => (None, vec![&f.body, &f.orelse]),
            ast::Stmt::AsyncFor(f) => (None, vec![&f.body, &f.orelse]),
            ast::Stmt::While(w) => (None, vec![&w.body, &w.orelse]),
            ast::Stmt::With(w) => (None, vec![&w.body]),
            ast::Stmt::AsyncWith(w) => (None, vec![&w.body]),
            ast::Stmt::Try(t) => {
                let mut v: Vec<&[ast::Stmt]> = vec![&t.body, &t.orelse, &t.finalbody];
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    v.push(&h.body);
                }
                (None, v)
            }
            ast::Stmt::TryStar(t) => {
                let mut v: Vec<&[ast::Stmt]> = vec![&t.body, &t.orelse, &t.finalbody];
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    v.push(&h.body);
                }
                (None, v)
            }
            ast::Stmt::Match(m) => (None, m.cases.iter().map(|c| c.body.as_slice()).collect()),
            _ => (None, Vec::new()),
        };
        let next = match name {
            Some(n) => {
                let full = if prefix.is_empty() {
                    n.to_owned()
                } else {
                    format!("{prefix}.{n}")
                };
                let from = parsed.lines.line(s.start());
                let to = parsed.lines.line(s.end());
                out.push((from, to, full.clone()));
                full
            }
            None => prefix.to_owned(),
        };
        for b in inner {
            collect_defs(b, &next, parsed, out, depth + 1);
        }
    }
}

/// pylint's module name: the file stem, prefixed by the packages
/// (directories with `__init__.py`) around it.
fn module_name(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(stem) = path.file_stem() {
        let stem = stem.to_string_lossy();
        if stem != "__init__" {
            parts.push(stem.into_owned());
        }
    }
    let mut dir = path.parent().map(Path::to_path_buf);
    while let Some(d) = dir {
        if !d.join("__init__.py").is_file() {
            break;
        }
        match d.file_name() {
            Some(n) => parts.push(n.to_string_lossy().into_owned()),
            None => break,
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    parts.reverse();
    parts.join(".")
}
