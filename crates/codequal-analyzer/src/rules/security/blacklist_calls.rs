//! bandit's blacklisted calls (B301-B323, `blacklists/calls.py`).
//!
//! ## What it does
//! Flags calls to functions known to be risky: deserialisers (pickle,
//! marshal), broken hashes and ciphers, `mktemp`, `eval`, `mark_safe`,
//! `urlopen`, the `random` module, telnet/FTP clients, the stdlib XML
//! parsers and unverified SSL contexts. One table row per bandit id.
//!
//! ## Why is this bad?
//! Each is a well-known source of vulnerabilities (see the row's message).
//!
//! ## Example
//! ```python
//! data = pickle.loads(payload)
//! ```
//!
//! ## Use instead
//! ```python
//! data = json.loads(payload)
//! ```
//!
//! Matching is bandit's: the callee's qualified name equals a listed name;
//! `__import__("x")` and `importlib.import_module("x")` are matched by the
//! imported module's name (against this table and then the import
//! blacklist).

use rustpython_parser::ast::Ranged;

use super::call_context::{attr_or_literal, kw_value, Lit};
use super::{emit_default, meta, CallSite};
use crate::parse::ast::Expr;
use crate::report::Severity;
use crate::rules::{Checker, Confidence, RuleMeta};

use Confidence::High as H;

/// Pickle and modules that wrap it.
pub(crate) const B301: RuleMeta = meta("B301", "pickle", 13, 502, Severity::Medium, H, "Pickle and modules that wrap it can be unsafe when used to deserialize untrusted data, possible security issue.");
/// marshal.
pub(crate) const B302: RuleMeta = meta(
    "B302",
    "marshal",
    14,
    502,
    Severity::Medium,
    H,
    "Deserialization with the marshal module is possibly dangerous.",
);
/// MD2/MD4/MD5/SHA1 from pycrypto and cryptography.
pub(crate) const B303: RuleMeta = meta(
    "B303",
    "md5",
    15,
    327,
    Severity::Medium,
    H,
    "Use of insecure MD2, MD4, MD5, or SHA1 hash function.",
);
/// Broken ciphers.
pub(crate) const B304: RuleMeta = meta(
    "B304",
    "ciphers",
    16,
    327,
    Severity::High,
    H,
    "Use of insecure cipher {name}. Replace with a known secure cipher such as AES.",
);
/// ECB mode.
pub(crate) const B305: RuleMeta = meta(
    "B305",
    "cipher-modes",
    17,
    327,
    Severity::Medium,
    H,
    "Use of insecure cipher mode {name}.",
);
/// tempfile.mktemp.
pub(crate) const B306: RuleMeta = meta(
    "B306",
    "mktemp-q",
    18,
    377,
    Severity::Medium,
    H,
    "Use of insecure and deprecated function (mktemp).",
);
/// eval.
pub(crate) const B307: RuleMeta = meta(
    "B307",
    "eval",
    19,
    78,
    Severity::Medium,
    H,
    "Use of possibly insecure function - consider using safer ast.literal_eval.",
);
/// django mark_safe.
pub(crate) const B308: RuleMeta = meta(
    "B308",
    "mark-safe",
    20,
    79,
    Severity::Medium,
    H,
    "Use of mark_safe() may expose cross-site scripting vulnerabilities and should be reviewed.",
);
/// urlopen and friends.
pub(crate) const B310: RuleMeta = meta("B310", "urllib-urlopen", 21, 22, Severity::Medium, H, "Audit url open for permitted schemes. Allowing use of file:/ or custom schemes is often unexpected.");
/// The random module.
pub(crate) const B311: RuleMeta = meta(
    "B311",
    "random",
    22,
    330,
    Severity::Low,
    H,
    "Standard pseudo-random generators are not suitable for security/cryptographic purposes.",
);
/// telnetlib.Telnet.
pub(crate) const B312: RuleMeta = meta("B312", "telnetlib", 23, 319, Severity::High, H, "Telnet-related functions are being called. Telnet is considered insecure. Use SSH or some other encrypted protocol.");

const XML_MSG: &str = "Using {name} to parse untrusted XML data is known to be vulnerable to XML attacks. Replace {name} with its defusedxml equivalent function or make sure defusedxml.defuse_stdlib() is called";

/// xml.etree.cElementTree parsers.
pub(crate) const B313: RuleMeta = meta(
    "B313",
    "xml-bad-cElementTree",
    24,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// xml.etree.ElementTree parsers.
pub(crate) const B314: RuleMeta = meta(
    "B314",
    "xml-bad-ElementTree",
    25,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// xml.sax.expatreader.
pub(crate) const B315: RuleMeta = meta(
    "B315",
    "xml-bad-expatreader",
    26,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// xml.dom.expatbuilder.
pub(crate) const B316: RuleMeta = meta(
    "B316",
    "xml-bad-expatbuilder",
    27,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// xml.sax.
pub(crate) const B317: RuleMeta = meta("B317", "xml-bad-sax", 28, 20, Severity::Medium, H, XML_MSG);
/// xml.dom.minidom.
pub(crate) const B318: RuleMeta = meta(
    "B318",
    "xml-bad-minidom",
    29,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// xml.dom.pulldom.
pub(crate) const B319: RuleMeta = meta(
    "B319",
    "xml-bad-pulldom",
    30,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// ftplib.FTP.
pub(crate) const B321: RuleMeta = meta("B321", "ftplib", 31, 319, Severity::High, H, "FTP-related functions are being called. FTP is considered insecure. Use SSH/SFTP/SCP or some other encrypted protocol.");
/// ssl._create_unverified_context.
pub(crate) const B323: RuleMeta = meta("B323", "unverified-context", 32, 295, Severity::Medium, H, "By default, Python will create a secure, verified ssl context for use in such classes as HTTPSConnection. However, it still allows using an insecure context via the _create_unverified_context that  reverts to the previous behavior that does not validate certificates or perform hostname checks.");

/// Whether a code is one of this table's.
pub(crate) fn is_blacklist(code: &str) -> bool {
    code.len() == 4 && code.starts_with("B3") && code != "B324"
}

/// The blacklisted call that `qualname` names, in bandit's table order.
fn lookup(q: &str) -> Option<&'static RuleMeta> {
    Some(match q {
        "pickle.loads"
        | "pickle.load"
        | "pickle.Unpickler"
        | "dill.loads"
        | "dill.load"
        | "dill.Unpickler"
        | "shelve.open"
        | "shelve.DbfilenameShelf"
        | "jsonpickle.decode"
        | "jsonpickle.unpickler.decode"
        | "jsonpickle.unpickler.Unpickler"
        | "pandas.read_pickle" => &B301,
        "marshal.load" | "marshal.loads" => &B302,
        "Crypto.Hash.MD2.new"
        | "Crypto.Hash.MD4.new"
        | "Crypto.Hash.MD5.new"
        | "Crypto.Hash.SHA.new"
        | "Cryptodome.Hash.MD2.new"
        | "Cryptodome.Hash.MD4.new"
        | "Cryptodome.Hash.MD5.new"
        | "Cryptodome.Hash.SHA.new"
        | "cryptography.hazmat.primitives.hashes.MD5"
        | "cryptography.hazmat.primitives.hashes.SHA1" => &B303,
        "Crypto.Cipher.ARC2.new"
        | "Crypto.Cipher.ARC4.new"
        | "Crypto.Cipher.Blowfish.new"
        | "Crypto.Cipher.DES.new"
        | "Crypto.Cipher.XOR.new"
        | "Cryptodome.Cipher.ARC2.new"
        | "Cryptodome.Cipher.ARC4.new"
        | "Cryptodome.Cipher.Blowfish.new"
        | "Cryptodome.Cipher.DES.new"
        | "Cryptodome.Cipher.XOR.new"
        | "cryptography.hazmat.primitives.ciphers.algorithms.ARC4"
        | "cryptography.hazmat.primitives.ciphers.algorithms.Blowfish"
        | "cryptography.hazmat.primitives.ciphers.algorithms.CAST5"
        | "cryptography.hazmat.primitives.ciphers.algorithms.IDEA"
        | "cryptography.hazmat.primitives.ciphers.algorithms.SEED"
        | "cryptography.hazmat.primitives.ciphers.algorithms.TripleDES" => &B304,
        "cryptography.hazmat.primitives.ciphers.modes.ECB" => &B305,
        "tempfile.mktemp" => &B306,
        "eval" => &B307,
        "django.utils.safestring.mark_safe" => &B308,
        "urllib.request.urlopen"
        | "urllib.request.urlretrieve"
        | "urllib.request.URLopener"
        | "urllib.request.FancyURLopener"
        | "six.moves.urllib.request.urlopen"
        | "six.moves.urllib.request.urlretrieve"
        | "six.moves.urllib.request.URLopener"
        | "six.moves.urllib.request.FancyURLopener" => &B310,
        "random.Random" | "random.random" | "random.randrange" | "random.randint"
        | "random.choice" | "random.choices" | "random.uniform" | "random.triangular"
        | "random.randbytes" | "random.sample" | "random.getrandbits" => &B311,
        "telnetlib.Telnet" => &B312,
        "xml.etree.cElementTree.parse"
        | "xml.etree.cElementTree.iterparse"
        | "xml.etree.cElementTree.fromstring"
        | "xml.etree.cElementTree.XMLParser" => &B313,
        "xml.etree.ElementTree.parse"
        | "xml.etree.ElementTree.iterparse"
        | "xml.etree.ElementTree.fromstring"
        | "xml.etree.ElementTree.XMLParser" => &B314,
        "xml.sax.expatreader.create_parser" => &B315,
        "xml.dom.expatbuilder.parse" | "xml.dom.expatbuilder.parseString" => &B316,
        "xml.sax.parse" | "xml.sax.parseString" | "xml.sax.make_parser" => &B317,
        "xml.dom.minidom.parse" | "xml.dom.minidom.parseString" => &B318,
        "xml.dom.pulldom.parse" | "xml.dom.pulldom.parseString" => &B319,
        "ftplib.FTP" => &B321,
        "ssl._create_unverified_context" => &B323,
        _ => return None,
    })
}

/// Checks a call whose last name is interesting.
pub(crate) fn check(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    let owned;
    let name: &str = match site.call.func.as_ref() {
        Expr::Name(n) if n.id.as_str() == "__import__" => match site.call.args.first() {
            Some(a) => super::call_context::str_value(a).unwrap_or("UNKNOWN"),
            None => "",
        },
        _ => match site.qual.as_str() {
            "importlib.import_module" | "importlib.__import__" => {
                let v = match site.call.args.first() {
                    Some(a) => attr_or_literal(a),
                    None => {
                        if !super::call_context::has_kw(site.call, "name") {
                            return;
                        }
                        kw_value(site.call, "name")
                    }
                };
                match v {
                    Lit::Str(s) => {
                        owned = s.to_owned();
                        owned.as_str()
                    }
                    _ => return,
                }
            }
            q => q,
        },
    };
    let rule = lookup(name).or_else(|| super::blacklist_imports::lookup_call(name));
    if let Some(rule) = rule {
        emit_default(
            ch,
            rule,
            rule.summary.replace("{name}", name),
            site.expr.range(),
            None,
        );
    }
}
