//! Calls bandit flags by name with a check of their arguments: `exec`
//! (B102), permissive `chmod` (B103), Flask `debug=True` (B201), tarfile
//! `extractall` (B202), `yaml.load` (B506), paramiko's auto-add host key
//! policy (B507), `logging.config.listen` (B612), `torch.load` (B614) and
//! unpinned Hugging Face downloads (B615).

use rustpython_parser::ast::Ranged;

use super::call_context::{arg_at, has_kw, keyword, kw_value, Lit};
use super::{emit, emit_default, kw_line, meta, CallSite};
use crate::parse::ast::{Constant, Expr};
use crate::report::Severity;
use crate::rules::{Checker, Confidence, RuleMeta};

/// ## What it does
/// Flags calls to the builtin `exec` (bandit B102).
///
/// ## Why is this bad?
/// `exec` runs any code it is given; with data from outside it is code
/// injection.
///
/// ## Example
/// ```python
/// exec(request.args["code"])
/// ```
///
/// ## Use instead
/// ```python
/// HANDLERS[request.args["action"]]()
/// ```
pub(crate) const EXEC_USED: RuleMeta = meta(
    "B102",
    "exec-used",
    1,
    78,
    Severity::Medium,
    Confidence::High,
    "Use of exec detected.",
);

/// ## What it does
/// Flags `chmod` calls whose literal mode lets group or others write or
/// execute (bandit B103); high severity when others may write.
///
/// ## Why is this bad?
/// Other users can change or run the file.
///
/// ## Example
/// ```python
/// os.chmod("/etc/app.conf", 0o777)
/// ```
///
/// ## Use instead
/// ```python
/// os.chmod("/etc/app.conf", 0o600)
/// ```
pub(crate) const BAD_FILE_PERMISSIONS: RuleMeta = meta(
    "B103",
    "set-bad-file-permissions",
    2,
    732,
    Severity::Medium,
    Confidence::High,
    "Chmod setting a permissive mask on file.",
);

/// ## What it does
/// Flags `app.run(debug=True)` in modules that import Flask (bandit B201).
///
/// ## Why is this bad?
/// The Werkzeug debugger lets anyone who reaches it run code.
///
/// ## Example
/// ```python
/// app.run(debug=True)
/// ```
///
/// ## Use instead
/// ```python
/// app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
/// ```
pub(crate) const FLASK_DEBUG_TRUE: RuleMeta = meta(
    "B201",
    "flask-debug-true",
    11,
    94,
    Severity::High,
    Confidence::Medium,
    "A Flask app appears to be run with debug=True, which exposes the Werkzeug debugger and allows the execution of arbitrary code.",
);

/// ## What it does
/// Flags `extractall` on tar files without a member filter (bandit B202).
///
/// ## Why is this bad?
/// Members named `../../etc/passwd` or links escape the target directory.
///
/// ## Example
/// ```python
/// tarfile.open(path).extractall(dest)
/// ```
///
/// ## Use instead
/// ```python
/// tarfile.open(path).extractall(dest, filter="data")
/// ```
pub(crate) const TARFILE_UNSAFE_MEMBERS: RuleMeta = meta(
    "B202",
    "tarfile-unsafe-members",
    12,
    22,
    Severity::High,
    Confidence::High,
    "tarfile.extractall used without any validation. Please check and discard dangerous members.",
);

/// ## What it does
/// Flags `yaml.load` without a safe loader (bandit B506).
///
/// ## Why is this bad?
/// The full loader builds arbitrary Python objects from the document.
///
/// ## Example
/// ```python
/// data = yaml.load(stream)
/// ```
///
/// ## Use instead
/// ```python
/// data = yaml.safe_load(stream)
/// ```
pub(crate) const YAML_LOAD: RuleMeta = meta(
    "B506",
    "yaml-load",
    52,
    20,
    Severity::Medium,
    Confidence::High,
    "Use of unsafe yaml load. Allows instantiation of arbitrary objects. Consider yaml.safe_load().",
);

/// ## What it does
/// Flags paramiko clients told to trust unknown host keys (bandit B507).
///
/// ## Why is this bad?
/// Without host key checks a man in the middle can pose as the server.
///
/// ## Example
/// ```python
/// client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
/// ```
///
/// ## Use instead
/// ```python
/// client.set_missing_host_key_policy(paramiko.RejectPolicy())
/// ```
pub(crate) const SSH_NO_HOST_KEY_VERIFICATION: RuleMeta = meta(
    "B507",
    "ssh-no-host-key-verification",
    53,
    295,
    Severity::High,
    Confidence::Medium,
    "Paramiko call with policy set to automatically trust the unknown host key.",
);

/// ## What it does
/// Flags `logging.config.listen` without `verify` (bandit B612).
///
/// ## Why is this bad?
/// The listener accepts configuration (and so code) from the network.
///
/// ## Example
/// ```python
/// t = logging.config.listen(9999)
/// ```
///
/// ## Use instead
/// ```python
/// t = logging.config.listen(9999, verify=check_signature)
/// ```
pub(crate) const LOGGING_CONFIG_LISTEN: RuleMeta = meta(
    "B612",
    "logging-config-insecure-listen",
    67,
    94,
    Severity::Medium,
    Confidence::High,
    "Use of insecure logging.config.listen detected.",
);

/// ## What it does
/// Flags `torch.load` without `weights_only=True` (bandit B614).
///
/// ## Why is this bad?
/// `torch.load` unpickles, and unpickling runs code from the file.
///
/// ## Example
/// ```python
/// model = torch.load(path)
/// ```
///
/// ## Use instead
/// ```python
/// model = torch.load(path, weights_only=True)
/// ```
pub(crate) const PYTORCH_LOAD: RuleMeta = meta(
    "B614",
    "pytorch-load",
    69,
    502,
    Severity::Medium,
    Confidence::High,
    "Use of unsafe PyTorch load",
);

/// ## What it does
/// Flags Hugging Face downloads without a pinned revision (bandit B615).
///
/// ## Why is this bad?
/// The repository can change under the same name; an unpinned download
/// may fetch different (malicious) code or weights.
///
/// ## Example
/// ```python
/// model = AutoModel.from_pretrained("org/model")
/// ```
///
/// ## Use instead
/// ```python
/// model = AutoModel.from_pretrained("org/model", revision="5d0f2e8a7f1e")
/// ```
pub(crate) const HUGGINGFACE_DOWNLOAD: RuleMeta = meta(
    "B615",
    "huggingface-unsafe-download",
    70,
    494,
    Severity::Medium,
    Confidence::High,
    "Unsafe Hugging Face Hub download without revision pinning",
);

/// Tests keyed on a substring of the call name (B103, B202).
pub(crate) fn check_by_substring(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    if site.name.contains("chmod") {
        check_chmod(ch, site);
    }
    if site.name.contains("extractall") && ch.imports_so_far.exact("tarfile") {
        check_tarfile(ch, site);
    }
}

fn check_chmod(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    if site.call.args.len() != 2 {
        return;
    }
    let Lit::Int(mode) = arg_at(site.call, 1) else {
        return;
    };
    // S_IWOTH | S_IWGRP | S_IXGRP | S_IXOTH
    if mode & 0o033 == 0 {
        return;
    }
    let severity = if mode & 0o002 != 0 {
        Severity::High
    } else {
        Severity::Medium
    };
    let file = match arg_at(site.call, 0) {
        Lit::Unknown => "NOT PARSED".to_owned(),
        other => other.py_str(),
    };
    let oct = if mode < 0 {
        format!("-0o{:o}", -mode)
    } else {
        format!("0o{mode:o}")
    };
    emit(
        ch,
        &BAD_FILE_PERMISSIONS,
        (severity, Confidence::High),
        format!("Chmod setting a permissive mask {oct} on file ({file})."),
        site.expr.range(),
        None,
    );
}

fn check_tarfile(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    if let Some(k) = keyword(site.call, "filter") {
        if matches!(&k.value, Expr::Constant(c) if matches!(&c.value, Constant::Str(s) if s == "data"))
        {
            return;
        }
    }
    let range = site.expr.range();
    if let Some(k) = site
        .call
        .keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == "members"))
    {
        match &k.value {
            Expr::Call(c) => {
                // bandit reads `members=f(...)`'s `func.id`; anything but a
                // plain name raises inside bandit and reports nothing.
                let Expr::Name(n) = c.func.as_ref() else {
                    return;
                };
                emit(
                    ch,
                    &TARFILE_UNSAFE_MEMBERS,
                    (Severity::Low, Confidence::Low),
                    format!("Usage of tarfile.extractall(members=function(tarfile)). Make sure your function properly discards dangerous members {{'Function': '{}'}}).", n.id),
                    range,
                    None,
                );
            }
            other => {
                let shown = match other {
                    Expr::Name(n) => format!("'{}'", n.id),
                    _ => "<ast node>".to_owned(),
                };
                emit(
                    ch,
                    &TARFILE_UNSAFE_MEMBERS,
                    (Severity::Medium, Confidence::Medium),
                    format!("Found tarfile.extractall(members=?) but couldn't identify the type of members. Check if the members were properly validated {{'Other': {shown}}})."),
                    range,
                    None,
                );
            }
        }
        return;
    }
    emit_default(
        ch,
        &TARFILE_UNSAFE_MEMBERS,
        TARFILE_UNSAFE_MEMBERS.summary,
        range,
        None,
    );
}

/// B507: `set_missing_host_key_policy(AutoAddPolicy | WarningPolicy)`.
pub(crate) fn check_ssh_policy(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    if site.name != "set_missing_host_key_policy" || !ch.imports_so_far.like("paramiko") {
        return;
    }
    let Some(arg) = site.call.args.first() else {
        return;
    };
    let value = match arg {
        Expr::Attribute(a) => Some(a.attr.as_str()),
        Expr::Name(n) => Some(n.id.as_str()),
        Expr::Call(c) => match c.func.as_ref() {
            Expr::Attribute(a) => Some(a.attr.as_str()),
            Expr::Name(n) => Some(n.id.as_str()),
            _ => None,
        },
        _ => None,
    };
    if matches!(value, Some("AutoAddPolicy" | "WarningPolicy")) {
        emit_default(
            ch,
            &SSH_NO_HOST_KEY_VERIFICATION,
            SSH_NO_HOST_KEY_VERIFICATION.summary,
            site.expr.range(),
            None,
        );
    }
}

/// Tests on calls whose last name is interesting.
pub(crate) fn check(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    let range = site.expr.range();
    match site.qual.as_str() {
        "exec" => emit_default(ch, &EXEC_USED, EXEC_USED.summary, range, None),
        "logging.config.listen" if !has_kw(site.call, "verify") => emit_default(
            ch,
            &LOGGING_CONFIG_LISTEN,
            LOGGING_CONFIG_LISTEN.summary,
            range,
            None,
        ),
        "torch.load" | "torch.serialization.load"
            if ch.imports_so_far.exact("torch")
                && !kw_value(site.call, "weights_only").is("True") =>
        {
            emit_default(ch, &PYTORCH_LOAD, PYTORCH_LOAD.summary, range, None);
        }
        _ => {}
    }
    if site.name == "run"
        && site.qual.ends_with(".run")
        && ch.imports_so_far.like("flask")
        && kw_value(site.call, "debug").is("True")
    {
        let line = kw_line(ch, site.call, "debug");
        emit_default(ch, &FLASK_DEBUG_TRUE, FLASK_DEBUG_TRUE.summary, range, line);
    }
    if site.name == "load" && site.has_part("yaml") && ch.imports_so_far.exact("yaml") {
        let loader = kw_value(site.call, "Loader");
        let second = arg_at(site.call, 1);
        let safe = |l: &Lit<'_>| l.is("SafeLoader") || l.is("CSafeLoader");
        if !safe(&loader) && !safe(&second) {
            emit_default(ch, &YAML_LOAD, YAML_LOAD.summary, range, None);
        }
    }
    check_huggingface(ch, site);
}

fn check_huggingface(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    let module = match site.name.as_ref() {
        "from_pretrained" => "transformers",
        "load_dataset" => "datasets",
        "hf_hub_download" | "snapshot_download" | "repository_id" => "huggingface_hub",
        _ => return,
    };
    let imported = ["transformers", "datasets", "huggingface_hub"]
        .iter()
        .any(|m| ch.imports_so_far.like(m));
    if !imported || !site.has_part(module) {
        return;
    }
    let pinned_by_expr = site.call.keywords.iter().any(|k| {
        k.arg
            .as_ref()
            .is_some_and(|a| a.as_str() == "revision" || a.as_str() == "commit_id")
            && !matches!(k.value, Expr::Constant(_))
    });
    if pinned_by_expr {
        return;
    }
    let revision = kw_value(site.call, "revision");
    let revision = if revision.truthy() {
        revision
    } else {
        kw_value(site.call, "commit_id")
    };
    if let Lit::Str(s) = revision {
        let s = s.trim_matches(|c| c == '"' || c == '\'');
        if s.len() >= 7 && s.chars().all(|c| c.is_ascii_hexdigit()) {
            return;
        }
    }
    if let Lit::Str(first) = arg_at(site.call, 0) {
        if first.starts_with("./") || first.starts_with('/') || first.starts_with("../") {
            return;
        }
    }
    let name = site.name.to_string();
    emit_default(
        ch,
        &HUGGINGFACE_DOWNLOAD,
        format!("Unsafe Hugging Face Hub download without revision pinning in {name}()"),
        site.expr.range(),
        None,
    );
}
