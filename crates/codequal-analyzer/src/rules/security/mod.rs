//! Security: every bandit 1.9.4 test that applies to a single file
//! (B101-B704, the blacklisted calls B301-B323 and imports B401-B415
//! included), with bandit's severity, confidence, CWE, message and `# nosec`
//! handling.
//!
//! Names resolve the way bandit resolves them: through the aliases of the
//! imports seen *so far* in the traversal
//! ([`crate::rules::checker::ImportsSoFar`]), not through scopes. Every call
//! first yields its last name cheaply; the dotted name is built only when that
//! last name is one some rule looks at ([`INTERESTING_NAMES`]).

mod assert_used;
mod blacklist_calls;
mod blacklist_imports;
mod call_context;
mod crypto;
mod django;
mod exceptions;
mod hardcoded;
mod injection_shell;
mod injection_sql;
mod requests;
mod templates;
mod trojan_source;
mod unsafe_calls;

use std::borrow::Cow;

use rustpython_parser::ast::Ranged;

use super::{Checker, Confidence, Family, RuleMeta};
use crate::parse::ast::{Expr, Stmt};
use crate::parse::TextRange;
use crate::report::{Characteristic, Finding, Severity};

/// A security rule's metadata (bandit's test id, name, CWE and default
/// levels).
#[allow(clippy::too_many_arguments)]
pub(crate) const fn meta(
    code: &'static str,
    name: &'static str,
    index: u8,
    cwe: u32,
    severity: Severity,
    confidence: Confidence,
    summary: &'static str,
) -> RuleMeta {
    RuleMeta {
        code,
        name,
        family: Family::Security,
        index,
        characteristic: Characteristic::Security,
        cwe: if cwe == 0 { None } else { Some(cwe) },
        severity,
        confidence,
        summary,
    }
}

/// The family's rules; a rule's `index` is its position here.
pub(crate) static RULES: &[&RuleMeta] = &[
    &assert_used::META,
    &unsafe_calls::EXEC_USED,
    &unsafe_calls::BAD_FILE_PERMISSIONS,
    &hardcoded::BIND_ALL_INTERFACES,
    &hardcoded::PASSWORD_STRING,
    &hardcoded::PASSWORD_FUNCARG,
    &hardcoded::PASSWORD_DEFAULT,
    &hardcoded::TMP_DIRECTORY,
    &exceptions::TRY_EXCEPT_PASS,
    &exceptions::TRY_EXCEPT_CONTINUE,
    &requests::REQUEST_WITHOUT_TIMEOUT,
    &unsafe_calls::FLASK_DEBUG_TRUE,
    &unsafe_calls::TARFILE_UNSAFE_MEMBERS,
    &blacklist_calls::B301,
    &blacklist_calls::B302,
    &blacklist_calls::B303,
    &blacklist_calls::B304,
    &blacklist_calls::B305,
    &blacklist_calls::B306,
    &blacklist_calls::B307,
    &blacklist_calls::B308,
    &blacklist_calls::B310,
    &blacklist_calls::B311,
    &blacklist_calls::B312,
    &blacklist_calls::B313,
    &blacklist_calls::B314,
    &blacklist_calls::B315,
    &blacklist_calls::B316,
    &blacklist_calls::B317,
    &blacklist_calls::B318,
    &blacklist_calls::B319,
    &blacklist_calls::B321,
    &blacklist_calls::B323,
    &crypto::HASHLIB,
    &blacklist_imports::B401,
    &blacklist_imports::B402,
    &blacklist_imports::B403,
    &blacklist_imports::B404,
    &blacklist_imports::B405,
    &blacklist_imports::B406,
    &blacklist_imports::B407,
    &blacklist_imports::B408,
    &blacklist_imports::B409,
    &blacklist_imports::B411,
    &blacklist_imports::B412,
    &blacklist_imports::B413,
    &blacklist_imports::B415,
    &requests::NO_CERT_VALIDATION,
    &crypto::SSL_BAD_VERSION,
    &crypto::SSL_BAD_DEFAULTS,
    &crypto::SSL_NO_VERSION,
    &crypto::WEAK_KEY,
    &unsafe_calls::YAML_LOAD,
    &unsafe_calls::SSH_NO_HOST_KEY_VERIFICATION,
    &crypto::SNMP_INSECURE_VERSION,
    &crypto::SNMP_CRYPTO,
    &injection_shell::PARAMIKO_CALLS,
    &injection_shell::POPEN_SHELL_TRUE,
    &injection_shell::SUBPROCESS_NO_SHELL,
    &injection_shell::OTHER_SHELL_TRUE,
    &injection_shell::START_WITH_SHELL,
    &injection_shell::START_NO_SHELL,
    &injection_shell::PARTIAL_PATH,
    &injection_sql::HARDCODED_SQL,
    &injection_shell::WILDCARD_INJECTION,
    &django::EXTRA_USED,
    &django::RAWSQL_USED,
    &unsafe_calls::LOGGING_CONFIG_LISTEN,
    &trojan_source::META,
    &unsafe_calls::PYTORCH_LOAD,
    &unsafe_calls::HUGGINGFACE_DOWNLOAD,
    &templates::JINJA2_AUTOESCAPE,
    &templates::MAKO_TEMPLATES,
    &django::MARK_SAFE,
    &templates::MARKUPSAFE_XSS,
];

/// The last call names (after alias resolution) that some rule matches on,
/// sorted for binary search. Calls with any other last name only go
/// through the keyword- and substring-based tests.
pub(crate) static INTERESTING_NAMES: &[&str] = &{
    let mut names = [
        "ARC2",
        "ARC4",
        "AsyncClient",
        "Blowfish",
        "CAST5",
        "CGIDirectory",
        "CGIHandler",
        "CGIScript",
        "Cipher",
        "Client",
        "CommunityData",
        "Context",
        "DbfilenameShelf",
        "ECB",
        "Environment",
        "FTP",
        "FancyURLopener",
        "Hash",
        "IDEA",
        "IO",
        "MD5",
        "Markup",
        "Popen",
        "Popen3",
        "Popen4",
        "Protocol",
        "PublicKey",
        "Random",
        "SEED",
        "SHA1",
        "Signature",
        "Telnet",
        "Template",
        "TripleDES",
        "URLopener",
        "Unpickler",
        "UsmUserData",
        "Util",
        "XMLParser",
        "__import__",
        "_create_unverified_context",
        "cElementTree",
        "cPickle",
        "call",
        "check_call",
        "check_output",
        "choice",
        "choices",
        "create_parser",
        "crypt",
        "decode",
        "delete",
        "dill",
        "eval",
        "exec",
        "execl",
        "execle",
        "execlp",
        "execlpe",
        "execv",
        "execve",
        "execvp",
        "execvpe",
        "expatbuilder",
        "from_pretrained",
        "fromstring",
        "ftplib",
        "generate",
        "generate_private_key",
        "get",
        "getoutput",
        "getrandbits",
        "getstatusoutput",
        "head",
        "hf_hub_download",
        "import_module",
        "iterparse",
        "listen",
        "load",
        "load_dataset",
        "loads",
        "make_parser",
        "mark_safe",
        "marshal",
        "md4",
        "md5",
        "minidom",
        "mksalt",
        "mktemp",
        "new",
        "open",
        "options",
        "parse",
        "parseString",
        "patch",
        "pickle",
        "popen",
        "popen2",
        "popen3",
        "popen4",
        "post",
        "pulldom",
        "put",
        "pyghmi",
        "randbytes",
        "randint",
        "random",
        "randrange",
        "read_pickle",
        "repository_id",
        "request",
        "run",
        "sample",
        "sax",
        "sha",
        "sha1",
        "shelve",
        "snapshot_download",
        "spawnl",
        "spawnle",
        "spawnlp",
        "spawnlpe",
        "spawnv",
        "spawnve",
        "spawnvp",
        "spawnvpe",
        "startfile",
        "stream",
        "subprocess",
        "system",
        "telnetlib",
        "triangular",
        "uniform",
        "urlopen",
        "urlretrieve",
        "wrap_socket",
        "xmlrpc",
        "ElementTree",
    ];
    // A const insertion sort keeps the list readable above.
    let mut i = 1;
    while i < names.len() {
        let mut j = i;
        while j > 0 && str_lt(names[j], names[j - 1]) {
            let t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
            j -= 1;
        }
        i += 1;
    }
    names
};

const fn str_lt(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
        i += 1;
    }
    a.len() < b.len()
}

/// bandit's test name for a test id (`B602` ->
/// `subprocess_popen_with_shell_equals_true`; blacklist ids ->
/// `blacklist`), as its JSON report's `test_name` shows it.
pub fn bandit_test_name(code: &str) -> Option<&'static str> {
    let rule = RULES.iter().find(|r| r.code == code)?;
    Some(match rule.code {
        c if blacklist_calls::is_blacklist(c) || blacklist_imports::is_blacklist(c) => "blacklist",
        _ => bandit_plugin_name(rule),
    })
}

/// The bandit name of a rule (plugin function name or blacklist entry
/// name): our kebab-case name with `_` for `-`.
fn bandit_plugin_name(rule: &RuleMeta) -> &'static str {
    BANDIT_NAMES
        .iter()
        .find(|(code, _)| *code == rule.code)
        .map_or(rule.name, |(_, n)| n)
}

/// bandit's plugin function names and blacklist names, by test id.
static BANDIT_NAMES: &[(&str, &str)] = &[
    ("B101", "assert_used"),
    ("B102", "exec_used"),
    ("B103", "set_bad_file_permissions"),
    ("B104", "hardcoded_bind_all_interfaces"),
    ("B105", "hardcoded_password_string"),
    ("B106", "hardcoded_password_funcarg"),
    ("B107", "hardcoded_password_default"),
    ("B108", "hardcoded_tmp_directory"),
    ("B110", "try_except_pass"),
    ("B112", "try_except_continue"),
    ("B113", "request_without_timeout"),
    ("B201", "flask_debug_true"),
    ("B202", "tarfile_unsafe_members"),
    ("B301", "pickle"),
    ("B302", "marshal"),
    ("B303", "md5"),
    ("B304", "ciphers"),
    ("B305", "cipher_modes"),
    ("B306", "mktemp_q"),
    ("B307", "eval"),
    ("B308", "mark_safe"),
    ("B310", "urllib_urlopen"),
    ("B311", "random"),
    ("B312", "telnetlib"),
    ("B313", "xml_bad_cElementTree"),
    ("B314", "xml_bad_ElementTree"),
    ("B315", "xml_bad_expatreader"),
    ("B316", "xml_bad_expatbuilder"),
    ("B317", "xml_bad_sax"),
    ("B318", "xml_bad_minidom"),
    ("B319", "xml_bad_pulldom"),
    ("B321", "ftplib"),
    ("B323", "unverified_context"),
    ("B324", "hashlib"),
    ("B401", "import_telnetlib"),
    ("B402", "import_ftplib"),
    ("B403", "import_pickle"),
    ("B404", "import_subprocess"),
    ("B405", "import_xml_etree"),
    ("B406", "import_xml_sax"),
    ("B407", "import_xml_expat"),
    ("B408", "import_xml_minidom"),
    ("B409", "import_xml_pulldom"),
    ("B411", "import_xmlrpclib"),
    ("B412", "import_httpoxy"),
    ("B413", "import_pycrypto"),
    ("B415", "import_pyghmi"),
    ("B501", "request_with_no_cert_validation"),
    ("B502", "ssl_with_bad_version"),
    ("B503", "ssl_with_bad_defaults"),
    ("B504", "ssl_with_no_version"),
    ("B505", "weak_cryptographic_key"),
    ("B506", "yaml_load"),
    ("B507", "ssh_no_host_key_verification"),
    ("B508", "snmp_insecure_version_check"),
    ("B509", "snmp_crypto_check"),
    ("B601", "paramiko_calls"),
    ("B602", "subprocess_popen_with_shell_equals_true"),
    ("B603", "subprocess_without_shell_equals_true"),
    ("B604", "any_other_function_with_shell_equals_true"),
    ("B605", "start_process_with_a_shell"),
    ("B606", "start_process_with_no_shell"),
    ("B607", "start_process_with_partial_path"),
    ("B608", "hardcoded_sql_expressions"),
    ("B609", "linux_commands_wildcard_injection"),
    ("B610", "django_extra_used"),
    ("B611", "django_rawsql_used"),
    ("B612", "logging_config_insecure_listen"),
    ("B613", "trojansource"),
    ("B614", "pytorch_load"),
    ("B615", "huggingface_unsafe_download"),
    ("B701", "jinja2_autoescape_false"),
    ("B702", "use_of_mako_templates"),
    ("B703", "django_mark_safe"),
    ("B704", "markupsafe_markup_xss"),
];

/// Resolves one item of a `# nosec` list the way bandit does: a known test
/// id as written (case-sensitive), else a test or blacklist name.
pub(crate) fn nosec_test_id(item: &str) -> Option<&'static str> {
    if item == "B001" {
        return Some("B001");
    }
    BANDIT_NAMES
        .iter()
        .find(|(code, name)| *code == item || *name == item)
        .map(|(code, _)| *code)
}

/// Reports a bandit issue on `node`: the finding's line is `line` when the
/// test names one (bandit's `lineno=`), else the node's first line; the
/// `# nosec` context is the node's lines.
pub(crate) fn emit(
    ch: &mut Checker<'_>,
    rule: &RuleMeta,
    levels: (Severity, Confidence),
    text: impl Into<String>,
    node: TextRange,
    line: Option<u32>,
) {
    let span = ch.span(node);
    let context = (span.line, span.end_line);
    emit_in(ch, rule, levels, text, node, line, context);
}

/// [`emit`] with an explicit `# nosec` context (bandit uses the parent's
/// lines for string constants).
pub(crate) fn emit_in(
    ch: &mut Checker<'_>,
    rule: &RuleMeta,
    levels: (Severity, Confidence),
    text: impl Into<String>,
    node: TextRange,
    line: Option<u32>,
    context: (u32, u32),
) {
    if !ch.enabled(rule) {
        return;
    }
    let mut span = ch.span(node);
    if let Some(line) = line {
        span.line = line;
        span.end_line = span.end_line.max(line);
    }
    let mut finding = Finding::from_rule(rule, span, text);
    finding.severity = levels.0;
    finding.confidence = levels.1;
    ch.report_finding_in(finding, context);
}

/// Reports with the rule's default levels.
pub(crate) fn emit_default(
    ch: &mut Checker<'_>,
    rule: &RuleMeta,
    text: impl Into<String>,
    node: TextRange,
    line: Option<u32>,
) {
    emit(ch, rule, (rule.severity, rule.confidence), text, node, line);
}

/// The line of an expression's start.
pub(crate) fn line_of(ch: &Checker<'_>, e: &Expr) -> u32 {
    ch.parsed.lines.line(e.start())
}

/// The line of keyword argument `name`'s value (bandit's
/// `get_lineno_for_call_arg`), if given.
pub(crate) fn kw_line(
    ch: &Checker<'_>,
    call: &crate::parse::ast::ExprCall,
    name: &str,
) -> Option<u32> {
    call.keywords
        .iter()
        .find(|k| k.arg.as_ref().is_some_and(|a| a.as_str() == name))
        .map(|k| line_of(ch, &k.value))
}

/// Called for every statement before its children are walked.
pub(crate) fn enter_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    match stmt {
        Stmt::Assert(a) => assert_used::check(ch, a),
        Stmt::Import(_) | Stmt::ImportFrom(_) => blacklist_imports::check_import(ch, stmt),
        Stmt::FunctionDef(f) => {
            hardcoded::check_function_defaults(ch, stmt, f);
            crypto::check_ssl_defaults(ch, stmt, f);
        }
        Stmt::Try(t) => exceptions::check(ch, &t.handlers),
        Stmt::TryStar(t) => exceptions::check(ch, &t.handlers),
        _ => {}
    }
}

/// Called for every statement after its children were walked.
pub(crate) fn leave_stmt<'a>(ch: &mut Checker<'a>, stmt: &'a Stmt) {
    let _ = (ch, stmt);
}

/// Called for every expression before its children are walked.
pub(crate) fn on_expr<'a>(ch: &mut Checker<'a>, expr: &'a Expr) {
    match expr {
        Expr::Call(call) => check_call(ch, expr, call),
        Expr::Constant(c) => {
            if let crate::parse::ast::Constant::Str(s) = &c.value {
                check_string(ch, expr, s);
            }
        }
        _ => {}
    }
}

/// Everything bandit's `Call` tests look at, computed once per call.
pub(crate) struct CallSite<'a> {
    /// The call node (as an expression).
    pub expr: &'a Expr,
    /// The call.
    pub call: &'a crate::parse::ast::ExprCall,
    /// bandit's `call_function_name`.
    pub name: Cow<'a, str>,
    /// bandit's `call_function_name_qual`; empty unless `name` is one of
    /// [`INTERESTING_NAMES`].
    pub qual: String,
}

impl CallSite<'_> {
    /// The qualified name split on dots (bandit's `qualname_list`).
    pub(crate) fn parts(&self) -> impl Iterator<Item = &str> {
        self.qual.split('.')
    }

    /// Whether the qualified name has `part` as one dotted component.
    pub(crate) fn has_part(&self, part: &str) -> bool {
        self.parts().any(|p| p == part)
    }
}

fn check_call<'a>(ch: &mut Checker<'a>, expr: &'a Expr, call: &'a crate::parse::ast::ExprCall) {
    let name = call_context::last_name(ch, call);
    let interesting = INTERESTING_NAMES.binary_search(&name.as_ref()).is_ok();
    let qual = if interesting {
        call_context::qualname(ch, call)
    } else {
        String::new()
    };
    let site = CallSite {
        expr,
        call,
        name,
        qual,
    };
    // Tests that look at every call.
    hardcoded::check_funcarg(ch, &site);
    injection_shell::check_other_shell(ch, &site);
    crypto::check_ssl_method_kw(ch, &site);
    unsafe_calls::check_by_substring(ch, &site);
    django::check_by_name(ch, &site);
    injection_shell::check_paramiko(ch, &site);
    unsafe_calls::check_ssh_policy(ch, &site);
    if !interesting {
        return;
    }
    blacklist_calls::check(ch, &site);
    unsafe_calls::check(ch, &site);
    requests::check(ch, &site);
    crypto::check(ch, &site);
    injection_shell::check(ch, &site);
    templates::check(ch, &site);
}

/// Lines of the string's parent (bandit's context for `Str` tests).
fn parent_lines(ch: &Checker<'_>, expr: &Expr) -> (u32, u32) {
    let range = match ch.ancestors.last() {
        Some(super::checker::Ancestor::Stmt(s)) => s.range(),
        Some(super::checker::Ancestor::Expr(e)) => e.range(),
        None => expr.range(),
    };
    let span = ch.span(range);
    (span.line, span.end_line)
}

fn check_string<'a>(ch: &mut Checker<'a>, expr: &'a Expr, value: &'a str) {
    // bandit skips strings that are whole expression statements
    // (docstrings).
    if let Some(super::checker::Ancestor::Stmt(Stmt::Expr(_))) = ch.ancestors.last() {
        return;
    }
    let context = parent_lines(ch, expr);
    hardcoded::check_string(ch, expr, value, context);
    injection_sql::check(ch, expr, value, context);
}

/// Called once after the whole module was walked.
pub(crate) fn finish<'a>(ch: &mut Checker<'a>, suite: &'a [Stmt]) {
    let _ = suite;
    trojan_source::check(ch);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interesting_names_are_sorted_and_unique() {
        for w in INTERESTING_NAMES.windows(2) {
            assert!(w[0] < w[1], "{} before {}", w[0], w[1]);
        }
    }

    #[test]
    fn every_rule_has_a_bandit_name() {
        for r in RULES {
            assert!(
                BANDIT_NAMES.iter().any(|(c, _)| *c == r.code),
                "{} has no bandit name",
                r.code
            );
            assert_eq!(
                r.name.replace('-', "_"),
                bandit_plugin_name(r),
                "{}",
                r.code
            );
        }
    }
}
