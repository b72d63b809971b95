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

/// ## What it does
/// Flags imports of `telnetlib` (bandit B401).
///
/// ## Why is this bad?
/// Telnet sends everything, passwords included, in clear text, so anyone on
/// the network path can read or alter the session. `telnetlib` was removed
/// in Python 3.13. Use SSH instead.
///
/// ## Example
/// ```python
/// import telnetlib
/// ```
///
/// ## Use instead
/// ```python
/// import paramiko
/// ```
pub(crate) const B401: RuleMeta = meta("B401", "import-telnetlib", 34, 319, Severity::High, H, "A telnet-related module is being imported.  Telnet is considered insecure. Use SSH or some other encrypted protocol.");
/// ## What it does
/// Flags imports of `ftplib` (bandit B402).
///
/// ## Why is this bad?
/// Plain FTP sends the login and the data in clear text, so anyone on the
/// network path can read the password and the files. Use an encrypted
/// protocol such as SFTP or SCP.
///
/// ## Example
/// ```python
/// from ftplib import FTP
/// ```
///
/// ## Use instead
/// ```python
/// import paramiko  # SFTP through paramiko.SSHClient().open_sftp()
/// ```
pub(crate) const B402: RuleMeta = meta("B402", "import-ftplib", 35, 319, Severity::High, H, "A FTP-related module is being imported.  FTP is considered insecure. Use SSH/SFTP/SCP or some other encrypted protocol.");
/// ## What it does
/// Flags imports of `pickle`, `cPickle`, `dill` and `shelve` (bandit B403).
/// As in bandit the name only has to start with a listed one, so
/// `pickletools` matches too.
///
/// ## Why is this bad?
/// These modules deserialise with pickle, which can run arbitrary code
/// while loading. Their import marks code to review: any data they load
/// must come from a trusted source. For data exchange, use a format such
/// as JSON.
///
/// ## Example
/// ```python
/// import pickle
///
/// state = pickle.loads(message)
/// ```
///
/// ## Use instead
/// ```python
/// import json
///
/// state = json.loads(message)
/// ```
pub(crate) const B403: RuleMeta = meta(
    "B403",
    "import-pickle",
    36,
    502,
    Severity::Low,
    H,
    "Consider possible security implications associated with {name} module.",
);
/// ## What it does
/// Flags imports of `subprocess` (bandit B404).
///
/// ## Why is this bad?
/// Starting processes is where command injection happens: a command
/// string built from input and run through a shell can be made to run
/// other commands. The import marks code to review. Prefer a library call
/// where one exists; otherwise pass a list of arguments without a shell.
///
/// ## Example
/// ```python
/// import subprocess
///
/// subprocess.run(f"cp {src} {dst}", shell=True)
/// ```
///
/// ## Use instead
/// ```python
/// import shutil
///
/// shutil.copy(src, dst)
/// ```
pub(crate) const B404: RuleMeta = meta(
    "B404",
    "import-subprocess",
    37,
    78,
    Severity::Low,
    H,
    "Consider possible security implications associated with the subprocess module.",
);
/// ## What it does
/// Flags imports of `xml.etree.ElementTree` and `xml.etree.cElementTree`
/// (bandit B405).
///
/// ## Why is this bad?
/// The standard library XML parsers are vulnerable to entity expansion
/// ("billion laughs") and related attacks, so parsing untrusted XML can
/// exhaust memory and CPU. defusedxml provides drop-in replacements that
/// reject these constructs.
///
/// ## Example
/// ```python
/// import xml.etree.ElementTree as ET
/// ```
///
/// ## Use instead
/// ```python
/// import defusedxml.ElementTree as ET
/// ```
pub(crate) const B405: RuleMeta = meta(
    "B405",
    "import-xml-etree",
    38,
    20,
    Severity::Low,
    H,
    XML_MSG,
);
/// ## What it does
/// Flags imports of `xml.sax` and anything under it (bandit B406).
///
/// ## Why is this bad?
/// The standard library XML parsers are vulnerable to entity expansion
/// ("billion laughs") and related attacks, so parsing untrusted XML can
/// exhaust memory and CPU. defusedxml provides drop-in replacements that
/// reject these constructs.
///
/// ## Example
/// ```python
/// import xml.sax
/// ```
///
/// ## Use instead
/// ```python
/// import defusedxml.sax
/// ```
pub(crate) const B406: RuleMeta = meta("B406", "import-xml-sax", 39, 20, Severity::Low, H, XML_MSG);
/// ## What it does
/// Flags imports of `xml.dom.expatbuilder` (bandit B407).
///
/// ## Why is this bad?
/// The standard library XML parsers are vulnerable to entity expansion
/// ("billion laughs") and related attacks, so parsing untrusted XML can
/// exhaust memory and CPU. defusedxml provides drop-in replacements that
/// reject these constructs.
///
/// ## Example
/// ```python
/// from xml.dom import expatbuilder
/// ```
///
/// ## Use instead
/// ```python
/// from defusedxml import expatbuilder
/// ```
pub(crate) const B407: RuleMeta = meta(
    "B407",
    "import-xml-expat",
    40,
    20,
    Severity::Low,
    H,
    XML_MSG,
);
/// ## What it does
/// Flags imports of `xml.dom.minidom` (bandit B408).
///
/// ## Why is this bad?
/// The standard library XML parsers are vulnerable to entity expansion
/// ("billion laughs") and related attacks, so parsing untrusted XML can
/// exhaust memory and CPU. defusedxml provides drop-in replacements that
/// reject these constructs.
///
/// ## Example
/// ```python
/// from xml.dom import minidom
/// ```
///
/// ## Use instead
/// ```python
/// from defusedxml import minidom
/// ```
pub(crate) const B408: RuleMeta = meta(
    "B408",
    "import-xml-minidom",
    41,
    20,
    Severity::Low,
    H,
    XML_MSG,
);
/// ## What it does
/// Flags imports of `xml.dom.pulldom` (bandit B409).
///
/// ## Why is this bad?
/// The standard library XML parsers are vulnerable to entity expansion
/// ("billion laughs") and related attacks, so parsing untrusted XML can
/// exhaust memory and CPU. defusedxml provides drop-in replacements that
/// reject these constructs.
///
/// ## Example
/// ```python
/// from xml.dom import pulldom
/// ```
///
/// ## Use instead
/// ```python
/// from defusedxml import pulldom
/// ```
pub(crate) const B409: RuleMeta = meta(
    "B409",
    "import-xml-pulldom",
    42,
    20,
    Severity::Low,
    H,
    XML_MSG,
);
/// ## What it does
/// Flags imports of `xmlrpc` and its modules (bandit B411). As in bandit
/// the name only has to start with `xmlrpc`, so Python 2's `xmlrpclib`
/// matches too.
///
/// ## Why is this bad?
/// The XML-RPC client and server parse XML with the standard library
/// parsers, which are open to entity expansion and related attacks, so a
/// malicious peer can exhaust memory and CPU. `defusedxml.xmlrpc` patches
/// them; once the patch is in place the finding can be reviewed and
/// suppressed.
///
/// ## Example
/// ```python
/// import xmlrpc.client
///
/// proxy = xmlrpc.client.ServerProxy("https://rpc.example.com")
/// ```
///
/// ## Use instead
/// ```python
/// import xmlrpc.client  # nosec B411: patched below
///
/// from defusedxml.xmlrpc import monkey_patch
///
/// monkey_patch()
/// proxy = xmlrpc.client.ServerProxy("https://rpc.example.com")
/// ```
pub(crate) const B411: RuleMeta = meta("B411", "import-xmlrpclib", 43, 20, Severity::High, H, "Using {name} to parse untrusted XML data is known to be vulnerable to XML attacks. Use defusedxml.xmlrpc.monkey_patch() function to monkey-patch xmlrpclib and mitigate XML vulnerabilities.");
/// ## What it does
/// Flags imports of the CGI handlers `wsgiref.handlers.CGIHandler`,
/// `twisted.web.twcgi.CGIScript` and `twisted.web.twcgi.CGIDirectory`
/// (bandit B412).
///
/// ## Why is this bad?
/// Under CGI, a request's `Proxy` header becomes the `HTTP_PROXY`
/// environment variable, which HTTP clients such as `requests` and `urllib`
/// take as their proxy ("httpoxy"). A caller can then route the
/// application's outgoing requests through a server of their choice. Serve
/// the application with a WSGI server instead.
///
/// ## Example
/// ```python
/// from wsgiref.handlers import CGIHandler
///
/// CGIHandler().run(app)
/// ```
///
/// ## Use instead
/// ```python
/// from waitress import serve
///
/// serve(app, host="127.0.0.1", port=8080)
/// ```
pub(crate) const B412: RuleMeta = meta(
    "B412",
    "import-httpoxy",
    44,
    284,
    Severity::High,
    H,
    "Consider possible security implications associated with {name} module.",
);
/// ## What it does
/// Flags imports from pycrypto's packages `Crypto.Cipher`, `Crypto.Hash`,
/// `Crypto.IO`, `Crypto.Protocol`, `Crypto.PublicKey`, `Crypto.Random`,
/// `Crypto.Signature` and `Crypto.Util` (bandit B413). pycryptodome, which
/// installs under the same `Crypto` name, matches too.
///
/// ## Why is this bad?
/// pycrypto has not been maintained since 2013 and has known
/// vulnerabilities that will not be fixed. Use the maintained pyca
/// `cryptography` library.
///
/// ## Example
/// ```python
/// from Crypto.Cipher import AES
///
/// ciphertext = AES.new(key, AES.MODE_CBC, iv).encrypt(padded)
/// ```
///
/// ## Use instead
/// ```python
/// import os
/// from cryptography.hazmat.primitives.ciphers.aead import AESGCM
///
/// nonce = os.urandom(12)
/// ciphertext = AESGCM(key).encrypt(nonce, data, None)
/// ```
pub(crate) const B413: RuleMeta = meta("B413", "import-pycrypto", 45, 327, Severity::High, H, "The pyCrypto library and its module {name} are no longer actively maintained and have been deprecated. Consider using pyca/cryptography library.");
/// ## What it does
/// Flags imports of `pyghmi`, an IPMI client library (bandit B415).
///
/// ## Why is this bad?
/// IPMI is insecure by design: IPMI 2.0 authentication hands a password
/// hash to anyone who asks for it, and many controllers accept
/// unauthenticated or weakly encrypted sessions. Manage servers over an
/// encrypted protocol such as Redfish over HTTPS.
///
/// ## Example
/// ```python
/// from pyghmi.ipmi import command
///
/// bmc = command.Command(bmc="10.0.0.5", userid="admin", password=password)
/// bmc.set_power("on")
/// ```
///
/// ## Use instead
/// ```python
/// import requests
///
/// requests.post(
///     "https://10.0.0.5/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
///     json={"ResetType": "On"},
///     auth=("admin", password),
///     timeout=10,
/// )
/// ```
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
