//! bandit's blacklisted imports (B401-B415, `blacklists/imports.py`).
//!
//! ## What it does
//! Flags imports of modules that are insecure by design or unmaintained:
//! telnetlib, ftplib, pickle and friends, subprocess, the stdlib XML
//! parsers, xmlrpc, CGI handlers (httpoxy), pycrypto and pyghmi.
//!
//! ## Why is this bad?
//! Their presence marks code that needs a security review (see the row's
//! message).
//!
//! ## Example
//! ```python
//! import telnetlib
//! ```
//!
//! ## Use instead
//! ```python
//! import paramiko
//! ```
//!
//! Matching is bandit's: the imported dotted name (`module.name` for `from`
//! imports) *starts with* a listed name, so `import pickletools` is B403 as
//! in bandit. The first table row that matches any alias wins.

use rustpython_parser::ast::Ranged;

use super::{emit_default, meta};
use crate::parse::ast::Stmt;
use crate::report::Severity;
use crate::rules::{Checker, Confidence, RuleMeta};

use Confidence::High as H;

const XML_MSG: &str = "Using {name} to parse untrusted XML data is known to be vulnerable to XML attacks. Replace {name} with the equivalent defusedxml package, or make sure defusedxml.defuse_stdlib() is called.";

/// telnetlib.
pub(crate) const B401: RuleMeta = meta("B401", "import-telnetlib", 34, 319, Severity::High, H, "A telnet-related module is being imported.  Telnet is considered insecure. Use SSH or some other encrypted protocol.");
/// ftplib.
pub(crate) const B402: RuleMeta = meta("B402", "import-ftplib", 35, 319, Severity::High, H, "A FTP-related module is being imported.  FTP is considered insecure. Use SSH/SFTP/SCP or some other encrypted protocol.");
/// pickle, cPickle, dill, shelve.
pub(crate) const B403: RuleMeta = meta(
    "B403",
    "import-pickle",
    36,
    502,
    Severity::Low,
    H,
    "Consider possible security implications associated with {name} module.",
);
/// subprocess.
pub(crate) const B404: RuleMeta = meta(
    "B404",
    "import-subprocess",
    37,
    78,
    Severity::Low,
    H,
    "Consider possible security implications associated with the subprocess module.",
);
/// xml.etree.
pub(crate) const B405: RuleMeta = meta(
    "B405",
    "import-xml-etree",
    38,
    20,
    Severity::Low,
    H,
    XML_MSG,
);
/// xml.sax.
pub(crate) const B406: RuleMeta = meta("B406", "import-xml-sax", 39, 20, Severity::Low, H, XML_MSG);
/// xml.dom.expatbuilder.
pub(crate) const B407: RuleMeta = meta(
    "B407",
    "import-xml-expat",
    40,
    20,
    Severity::Low,
    H,
    XML_MSG,
);
/// xml.dom.minidom.
pub(crate) const B408: RuleMeta = meta(
    "B408",
    "import-xml-minidom",
    41,
    20,
    Severity::Low,
    H,
    XML_MSG,
);
/// xml.dom.pulldom.
pub(crate) const B409: RuleMeta = meta(
    "B409",
    "import-xml-pulldom",
    42,
    20,
    Severity::Low,
    H,
    XML_MSG,
);
/// xmlrpc.
pub(crate) const B411: RuleMeta = meta("B411", "import-xmlrpclib", 43, 20, Severity::High, H, "Using {name} to parse untrusted XML data is known to be vulnerable to XML attacks. Use defusedxml.xmlrpc.monkey_patch() function to monkey-patch xmlrpclib and mitigate XML vulnerabilities.");
/// CGI handlers (httpoxy).
pub(crate) const B412: RuleMeta = meta(
    "B412",
    "import-httpoxy",
    44,
    284,
    Severity::High,
    H,
    "Consider possible security implications associated with {name} module.",
);
/// pycrypto.
pub(crate) const B413: RuleMeta = meta("B413", "import-pycrypto", 45, 327, Severity::High, H, "The pyCrypto library and its module {name} are no longer actively maintained and have been deprecated. Consider using pyca/cryptography library.");
/// pyghmi.
pub(crate) const B415: RuleMeta = meta("B415", "import-pyghmi", 46, 319, Severity::High, H, "An IPMI-related module is being imported. IPMI is considered insecure. Use an encrypted protocol.");

/// The table, in bandit's order.
static TABLE: &[(&RuleMeta, &[&str])] = &[
    (&B401, &["telnetlib"]),
    (&B402, &["ftplib"]),
    (&B403, &["pickle", "cPickle", "dill", "shelve"]),
    (&B404, &["subprocess"]),
    (&B405, &["xml.etree.cElementTree", "xml.etree.ElementTree"]),
    (&B406, &["xml.sax"]),
    (&B407, &["xml.dom.expatbuilder"]),
    (&B408, &["xml.dom.minidom"]),
    (&B409, &["xml.dom.pulldom"]),
    (&B411, &["xmlrpc"]),
    (
        &B412,
        &[
            "wsgiref.handlers.CGIHandler",
            "twisted.web.twcgi.CGIScript",
            "twisted.web.twcgi.CGIDirectory",
        ],
    ),
    (
        &B413,
        &[
            "Crypto.Cipher",
            "Crypto.Hash",
            "Crypto.IO",
            "Crypto.Protocol",
            "Crypto.PublicKey",
            "Crypto.Random",
            "Crypto.Signature",
            "Crypto.Util",
        ],
    ),
    (&B415, &["pyghmi"]),
];

/// Whether a code is one of this table's.
pub(crate) fn is_blacklist(code: &str) -> bool {
    code.starts_with("B4")
}

/// A call whose (module) name equals a listed name exactly (bandit runs the
/// import blacklist on calls too, e.g. `__import__("telnetlib")`).
pub(crate) fn lookup_call(name: &str) -> Option<&'static RuleMeta> {
    TABLE
        .iter()
        .find(|(_, names)| names.contains(&name))
        .map(|(m, _)| *m)
}

/// Checks an `import` or `from ... import` statement.
pub(crate) fn check_import(ch: &mut Checker<'_>, stmt: &Stmt) {
    let (prefix, names) = match stmt {
        Stmt::Import(i) => (String::new(), &i.names),
        Stmt::ImportFrom(i) => (
            i.module
                .as_ref()
                .map_or_else(String::new, |m| format!("{m}.")),
            &i.names,
        ),
        _ => return,
    };
    let full: Vec<String> = names
        .iter()
        .map(|a| format!("{prefix}{}", a.name))
        .collect();
    for (rule, qualnames) in TABLE {
        for (alias, full) in names.iter().zip(&full) {
            if qualnames.iter().any(|q| full.starts_with(q)) {
                emit_default(
                    ch,
                    rule,
                    rule.summary.replace("{name}", alias.name.as_str()),
                    stmt.range(),
                    None,
                );
                return;
            }
        }
    }
}
