//! Command injection: paramiko `exec_command` (B601), `subprocess` with and
//! without `shell=True` (B602, B603), `shell=True` elsewhere (B604), shell
//! and non-shell process starters (B605, B606), partial executable paths
//! (B607) and wildcards in shell commands (B609).
//!
//! The function lists are bandit's `shell_injection` defaults.

use rustpython_parser::ast::Ranged;

use super::call_context::{arg_at, is_str, kw_value, Lit};
use super::{emit, emit_default, kw_line, meta, CallSite};
use crate::parse::ast::{Constant, Expr};
use crate::report::Severity;
use crate::rules::{Checker, Confidence, RuleMeta};

/// ## What it does
/// Flags paramiko `exec_command` calls (bandit B601).
///
/// ## Why is this bad?
/// The command runs in a remote shell; unsanitised input is injection.
///
/// ## Example
/// ```python
/// client.exec_command("ls " + user_dir)
/// ```
///
/// ## Use instead
/// ```python
/// client.exec_command("ls " + shlex.quote(user_dir))
/// ```
pub(crate) const PARAMIKO_CALLS: RuleMeta = meta(
    "B601",
    "paramiko-calls",
    56,
    78,
    Severity::Medium,
    Confidence::Medium,
    "Possible shell injection via Paramiko call, check inputs are properly sanitized.",
);

/// ## What it does
/// Flags `subprocess` calls with a truthy `shell=` (bandit B602); high
/// severity unless the command is a string literal.
///
/// ## Why is this bad?
/// The shell interprets metacharacters in the command.
///
/// ## Example
/// ```python
/// subprocess.call("ls " + path, shell=True)
/// ```
///
/// ## Use instead
/// ```python
/// subprocess.call(["ls", path])
/// ```
pub(crate) const POPEN_SHELL_TRUE: RuleMeta = meta(
    "B602",
    "subprocess-popen-with-shell-equals-true",
    57,
    78,
    Severity::High,
    Confidence::High,
    "subprocess call with shell=True identified, security issue.",
);

/// ## What it does
/// Flags `subprocess` calls without a shell (bandit B603).
///
/// ## Why is this bad?
/// Running a program is only safe when its arguments are trusted.
///
/// ## Example
/// ```python
/// subprocess.run([tool, user_arg])
/// ```
///
/// ## Use instead
/// ```python
/// subprocess.run(["/usr/bin/tool", validated_arg])
/// ```
pub(crate) const SUBPROCESS_NO_SHELL: RuleMeta = meta(
    "B603",
    "subprocess-without-shell-equals-true",
    58,
    78,
    Severity::Low,
    Confidence::High,
    "subprocess call - check for execution of untrusted input.",
);

/// ## What it does
/// Flags a truthy `shell=` on any call outside `subprocess` (bandit B604).
///
/// ## Why is this bad?
/// Wrappers with a `shell` flag usually pass the command to a shell.
///
/// ## Example
/// ```python
/// run_cmd(cmd, shell=True)
/// ```
///
/// ## Use instead
/// ```python
/// run_cmd(shlex.split(cmd))
/// ```
pub(crate) const OTHER_SHELL_TRUE: RuleMeta = meta(
    "B604",
    "any-other-function-with-shell-equals-true",
    59,
    78,
    Severity::Medium,
    Confidence::Low,
    "Function call with shell=True parameter identified, possible security issue.",
);

/// ## What it does
/// Flags functions that start a shell: `os.system`, `os.popen*`,
/// `subprocess.getoutput` ... (bandit B605); high severity unless the
/// command is a string literal.
///
/// ## Why is this bad?
/// See B602.
///
/// ## Example
/// ```python
/// os.system("rm -rf " + path)
/// ```
///
/// ## Use instead
/// ```python
/// shutil.rmtree(path)
/// ```
pub(crate) const START_WITH_SHELL: RuleMeta = meta(
    "B605",
    "start-process-with-a-shell",
    60,
    78,
    Severity::High,
    Confidence::High,
    "Starting a process with a shell, possible injection detected, security issue.",
);

/// ## What it does
/// Flags `os.exec*`, `os.spawn*` and `os.startfile` (bandit B606).
///
/// ## Why is this bad?
/// See B603.
///
/// ## Example
/// ```python
/// os.execvp(tool, [tool, arg])
/// ```
///
/// ## Use instead
/// ```python
/// subprocess.run(["/usr/bin/tool", arg], check=True)
/// ```
pub(crate) const START_NO_SHELL: RuleMeta = meta(
    "B606",
    "start-process-with-no-shell",
    61,
    78,
    Severity::Low,
    Confidence::Medium,
    "Starting a process without a shell.",
);

/// ## What it does
/// Flags process starts whose executable is a relative name (bandit B607).
///
/// ## Why is this bad?
/// `PATH` decides which program runs; whoever controls it controls the
/// program.
///
/// ## Example
/// ```python
/// subprocess.run(["git", "status"])
/// ```
///
/// ## Use instead
/// ```python
/// subprocess.run(["/usr/bin/git", "status"])
/// ```
pub(crate) const PARTIAL_PATH: RuleMeta = meta(
    "B607",
    "start-process-with-partial-path",
    62,
    78,
    Severity::Low,
    Confidence::High,
    "Starting a process with a partial executable path",
);

/// ## What it does
/// Flags `chown`, `chmod`, `tar` and `rsync` commands with a `*` run
/// through a shell (bandit B609).
///
/// ## Why is this bad?
/// File names that start with `-` become options of the command.
///
/// ## Example
/// ```python
/// os.system("tar cf backup.tar *")
/// ```
///
/// ## Use instead
/// ```python
/// subprocess.run(["tar", "cf", "backup.tar", "--", *names])
/// ```
pub(crate) const WILDCARD_INJECTION: RuleMeta = meta(
    "B609",
    "linux-commands-wildcard-injection",
    64,
    155,
    Severity::High,
    Confidence::Medium,
    "Possible wildcard injection in call",
);

fn is_subprocess(q: &str) -> bool {
    matches!(
        q,
        "subprocess.Popen"
            | "subprocess.call"
            | "subprocess.check_call"
            | "subprocess.check_output"
            | "subprocess.run"
    )
}

fn is_shell(q: &str) -> bool {
    matches!(
        q,
        "os.system"
            | "os.popen"
            | "os.popen2"
            | "os.popen3"
            | "os.popen4"
            | "popen2.popen2"
            | "popen2.popen3"
            | "popen2.popen4"
            | "popen2.Popen3"
            | "popen2.Popen4"
            | "commands.getoutput"
            | "commands.getstatusoutput"
            | "subprocess.getoutput"
            | "subprocess.getstatusoutput"
    )
}

fn is_no_shell(q: &str) -> bool {
    matches!(
        q,
        "os.execl"
            | "os.execle"
            | "os.execlp"
            | "os.execlpe"
            | "os.execv"
            | "os.execve"
            | "os.execvp"
            | "os.execvpe"
            | "os.spawnl"
            | "os.spawnle"
            | "os.spawnlp"
            | "os.spawnlpe"
            | "os.spawnv"
            | "os.spawnve"
            | "os.spawnvp"
            | "os.spawnvpe"
            | "os.startfile"
    )
}

/// bandit's `has_shell`: the truthiness of the `shell=` argument.
fn has_shell(site: &CallSite<'_>) -> bool {
    let Some(k) = site
        .call
        .keywords
        .iter()
        .rev()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "shell"))
    else {
        return false;
    };
    match &k.value {
        Expr::Constant(c) => match &c.value {
            Constant::Bool(b) => *b,
            Constant::Int(i) => i.to_string() != "0",
            Constant::Float(f) => *f != 0.0,
            Constant::Complex { real, imag } => *real != 0.0 || *imag != 0.0,
            Constant::Str(s) => !s.is_empty(),
            Constant::Bytes(b) => !b.is_empty(),
            Constant::None => false,
            Constant::Tuple(t) => !t.is_empty(),
            Constant::Ellipsis => true,
        },
        Expr::List(l) => !l.elts.is_empty(),
        Expr::Dict(d) => !d.keys.is_empty(),
        Expr::Name(n) => !matches!(n.id.as_str(), "False" | "None"),
        _ => true,
    }
}

/// B601.
pub(crate) fn check_paramiko(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    if site.name == "exec_command" && ch.imports_so_far.like("paramiko") {
        emit_default(
            ch,
            &PARAMIKO_CALLS,
            PARAMIKO_CALLS.summary,
            site.expr.range(),
            None,
        );
    }
}

/// B604 on any call with a `shell=` keyword.
pub(crate) fn check_other_shell(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    if site.call.keywords.is_empty() || is_subprocess(&site.qual) || !has_shell(site) {
        return;
    }
    let line = kw_line(ch, site.call, "shell");
    emit_default(
        ch,
        &OTHER_SHELL_TRUE,
        OTHER_SHELL_TRUE.summary,
        site.expr.range(),
        line,
    );
}

fn literal_command_level(site: &CallSite<'_>) -> Severity {
    if site.call.args.first().is_some_and(is_str) {
        Severity::Low
    } else {
        Severity::High
    }
}

/// B602, B603, B605, B606, B607, B609 on calls whose last name is
/// interesting.
pub(crate) fn check(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    let q = site.qual.as_str();
    let (subprocess, shell, no_shell) = (is_subprocess(q), is_shell(q), is_no_shell(q));
    if !subprocess && !shell && !no_shell {
        return;
    }
    let range = site.expr.range();
    let shell_line = kw_line(ch, site.call, "shell");
    let has_args = !site.call.args.is_empty();
    if subprocess {
        if has_shell(site) {
            if has_args {
                let (sev, text) = match literal_command_level(site) {
                    Severity::Low => (Severity::Low, "subprocess call with shell=True seems safe, but may be changed in the future, consider rewriting without shell"),
                    _ => (Severity::High, POPEN_SHELL_TRUE.summary),
                };
                emit(
                    ch,
                    &POPEN_SHELL_TRUE,
                    (sev, Confidence::High),
                    text,
                    range,
                    shell_line,
                );
            }
        } else {
            emit_default(
                ch,
                &SUBPROCESS_NO_SHELL,
                SUBPROCESS_NO_SHELL.summary,
                range,
                shell_line,
            );
        }
    }
    if shell && has_args {
        let (sev, text) = match literal_command_level(site) {
            Severity::Low => (Severity::Low, "Starting a process with a shell: Seems safe, but may be changed in the future, consider rewriting without shell"),
            _ => (Severity::High, START_WITH_SHELL.summary),
        };
        emit(
            ch,
            &START_WITH_SHELL,
            (sev, Confidence::High),
            text,
            range,
            None,
        );
    }
    if no_shell {
        emit_default(ch, &START_NO_SHELL, START_NO_SHELL.summary, range, None);
    }
    if has_args {
        let mut first = &site.call.args[0];
        if let Expr::List(l) = first {
            if let Some(e) = l.elts.first() {
                first = e;
            }
        }
        if let Some(s) = super::call_context::str_value(first) {
            if !is_full_path(s) {
                emit_default(ch, &PARTIAL_PATH, PARTIAL_PATH.summary, range, None);
            }
        }
    }
    let shell_true = subprocess && kw_value(site.call, "shell").is("True");
    if (shell || shell_true) && has_args {
        let arg = match arg_at(site.call, 0) {
            Lit::List(items) => items.iter().map(|l| format!(" {}", l.py_str())).collect(),
            Lit::Str(s) => s.to_owned(),
            _ => String::new(),
        };
        let hit = !arg.is_empty()
            && arg.contains('*')
            && ["chown", "chmod", "tar", "rsync"]
                .iter()
                .any(|f| arg.contains(f));
        if hit {
            emit_default(
                ch,
                &WILDCARD_INJECTION,
                format!("Possible wildcard injection in call: {q}"),
                range,
                shell_line,
            );
        }
    }
}

/// bandit's `full_path_match`: `^(?:[A-Za-z](?=\:)|[\\/\.])`.
fn is_full_path(s: &str) -> bool {
    let b = s.as_bytes();
    match b.first() {
        Some(b'\\' | b'/' | b'.') => true,
        Some(c) if c.is_ascii_alphabetic() => b.get(1) == Some(&b':'),
        _ => false,
    }
}
