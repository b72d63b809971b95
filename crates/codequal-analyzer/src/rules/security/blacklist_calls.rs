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

/// ## What it does
/// Flags calls that deserialise pickle data (bandit B301): `pickle.load`,
/// `pickle.loads` and `pickle.Unpickler`, their `dill` equivalents,
/// `shelve.open`, `shelve.DbfilenameShelf`, `jsonpickle.decode`,
/// `jsonpickle.unpickler.decode`, `jsonpickle.unpickler.Unpickler` and
/// `pandas.read_pickle`.
///
/// ## Why is this bad?
/// Unpickling can construct arbitrary objects and call arbitrary functions,
/// so loading pickle data from an untrusted source lets its author run code
/// in your process. Shelve, dill, jsonpickle and `read_pickle` all use
/// pickle underneath.
///
/// ## Example
/// ```python
/// import pickle
///
/// def load_profile(request):
///     return pickle.loads(request.body)
/// ```
///
/// ## Use instead
/// ```python
/// import json
///
/// def load_profile(request):
///     return json.loads(request.body)
/// ```
pub(crate) const B301: RuleMeta = meta("B301", "pickle", 13, 502, Severity::Medium, H, "Pickle and modules that wrap it can be unsafe when used to deserialize untrusted data, possible security issue.");
/// ## What it does
/// Flags `marshal.load` and `marshal.loads` (bandit B302).
///
/// ## Why is this bad?
/// The marshal format is an internal format for Python bytecode. It is not
/// secure against erroneous or maliciously constructed data, and it can
/// change between Python versions, so it should never read data from an
/// untrusted source.
///
/// ## Example
/// ```python
/// import marshal
///
/// settings = marshal.loads(received_bytes)
/// ```
///
/// ## Use instead
/// ```python
/// import json
///
/// settings = json.loads(received_bytes)
/// ```
pub(crate) const B302: RuleMeta = meta(
    "B302",
    "marshal",
    14,
    502,
    Severity::Medium,
    H,
    "Deserialization with the marshal module is possibly dangerous.",
);
/// ## What it does
/// Flags MD2, MD4, MD5 and SHA-1 hash objects created through pycrypto or
/// pycryptodome (`Crypto.Hash.MD5.new` and so on, also under `Cryptodome`)
/// and through `cryptography` (`hashes.MD5`, `hashes.SHA1`) (bandit B303).
/// `hashlib` calls are checked by B324 instead.
///
/// ## Why is this bad?
/// These hash functions are broken: collisions can be computed in practice,
/// so they cannot protect signatures, certificates, integrity checks or
/// passwords.
///
/// ## Example
/// ```python
/// from Crypto.Hash import MD5
///
/// digest = MD5.new(data).hexdigest()
/// ```
///
/// ## Use instead
/// ```python
/// import hashlib
///
/// digest = hashlib.sha256(data).hexdigest()
/// ```
pub(crate) const B303: RuleMeta = meta(
    "B303",
    "md5",
    15,
    327,
    Severity::Medium,
    H,
    "Use of insecure MD2, MD4, MD5, or SHA1 hash function.",
);
/// ## What it does
/// Flags the broken ciphers ARC2, ARC4, Blowfish, DES and XOR from pycrypto
/// or pycryptodome (`Crypto.Cipher.*.new`, also under `Cryptodome`) and
/// ARC4, Blowfish, CAST5, IDEA, SEED and TripleDES from
/// `cryptography.hazmat.primitives.ciphers.algorithms` (bandit B304).
///
/// ## Why is this bad?
/// These ciphers have short keys, small blocks or known practical attacks,
/// so data encrypted with them can be recovered or tampered with. Use a
/// modern authenticated cipher such as AES-GCM.
///
/// ## Example
/// ```python
/// from Crypto.Cipher import DES
///
/// ciphertext = DES.new(key, DES.MODE_CBC, iv).encrypt(padded)
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
pub(crate) const B304: RuleMeta = meta(
    "B304",
    "ciphers",
    16,
    327,
    Severity::High,
    H,
    "Use of insecure cipher {name}. Replace with a known secure cipher such as AES.",
);
/// ## What it does
/// Flags `cryptography.hazmat.primitives.ciphers.modes.ECB` (bandit B305).
///
/// ## Why is this bad?
/// ECB encrypts every block independently, so identical plaintext blocks
/// give identical ciphertext blocks: patterns in the data stay visible and
/// blocks can be reordered or replayed without detection.
///
/// ## Example
/// ```python
/// from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
///
/// encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
/// ```
///
/// ## Use instead
/// ```python
/// import os
/// from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
///
/// nonce = os.urandom(12)
/// encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
/// ```
pub(crate) const B305: RuleMeta = meta(
    "B305",
    "cipher-modes",
    17,
    327,
    Severity::Medium,
    H,
    "Use of insecure cipher mode {name}.",
);
/// ## What it does
/// Flags `tempfile.mktemp` (bandit B306).
///
/// ## Why is this bad?
/// `mktemp` only returns a name; the file is created later. Between the two
/// steps another process can create a file or symlink with that name, and
/// the program then writes into a file the attacker controls. The function
/// is deprecated for this reason.
///
/// ## Example
/// ```python
/// import tempfile
///
/// path = tempfile.mktemp(suffix=".csv")
/// with open(path, "w") as f:
///     f.write(report)
/// ```
///
/// ## Use instead
/// ```python
/// import tempfile
///
/// with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
///     f.write(report)
/// ```
pub(crate) const B306: RuleMeta = meta(
    "B306",
    "mktemp-q",
    18,
    377,
    Severity::Medium,
    H,
    "Use of insecure and deprecated function (mktemp).",
);
/// ## What it does
/// Flags calls to the built-in `eval` (bandit B307).
///
/// ## Why is this bad?
/// `eval` runs any Python expression, so a string that comes from a user,
/// a file or the network can execute arbitrary code. To read Python
/// literals, `ast.literal_eval` accepts only strings, numbers, tuples,
/// lists, dicts, sets, booleans and `None`.
///
/// ## Example
/// ```python
/// value = eval(request.args["filter"])
/// ```
///
/// ## Use instead
/// ```python
/// import ast
///
/// value = ast.literal_eval(request.args["filter"])
/// ```
pub(crate) const B307: RuleMeta = meta(
    "B307",
    "eval",
    19,
    78,
    Severity::Medium,
    H,
    "Use of possibly insecure function - consider using safer ast.literal_eval.",
);
/// ## What it does
/// Flags `django.utils.safestring.mark_safe` (bandit B308).
///
/// ## Why is this bad?
/// `mark_safe` tells Django's templates not to escape a string. If any part
/// of it comes from a user, it can carry HTML or scripts into the page
/// (cross-site scripting).
///
/// ## Example
/// ```python
/// from django.utils.safestring import mark_safe
///
/// def greeting(user):
///     return mark_safe(f"<b>Hello, {user.name}</b>")
/// ```
///
/// ## Use instead
/// ```python
/// from django.utils.html import format_html
///
/// def greeting(user):
///     return format_html("<b>Hello, {}</b>", user.name)
/// ```
pub(crate) const B308: RuleMeta = meta(
    "B308",
    "mark-safe",
    20,
    79,
    Severity::Medium,
    H,
    "Use of mark_safe() may expose cross-site scripting vulnerabilities and should be reviewed.",
);
/// ## What it does
/// Flags `urllib.request.urlopen`, `urlretrieve`, `URLopener` and
/// `FancyURLopener`, also through `six.moves.urllib.request` (bandit B310).
///
/// ## Why is this bad?
/// These functions accept `file:` and other schemes besides HTTP(S). When
/// the URL comes from outside, a caller can make the program read local
/// files or reach unexpected resources. Check the scheme, or use a client
/// that only speaks HTTP(S).
///
/// ## Example
/// ```python
/// from urllib.request import urlopen
///
/// def fetch(url):
///     return urlopen(url).read()
/// ```
///
/// ## Use instead
/// ```python
/// import requests
///
/// def fetch(url):
///     return requests.get(url, timeout=10).content
/// ```
pub(crate) const B310: RuleMeta = meta("B310", "urllib-urlopen", 21, 22, Severity::Medium, H, "Audit url open for permitted schemes. Allowing use of file:/ or custom schemes is often unexpected.");
/// ## What it does
/// Flags the pseudo-random functions of the `random` module (`random`,
/// `randrange`, `randint`, `choice`, `choices`, `uniform`, `triangular`,
/// `randbytes`, `sample`, `getrandbits`) and `random.Random` (bandit B311).
///
/// ## Why is this bad?
/// The `random` module uses the Mersenne Twister, whose output can be
/// predicted after observing enough of it. Tokens, passwords, keys and
/// nonces made with it can be guessed. The `secrets` module uses the
/// operating system's cryptographic generator.
///
/// ## Example
/// ```python
/// import random
/// import string
///
/// token = "".join(random.choice(string.ascii_letters) for _ in range(32))
/// ```
///
/// ## Use instead
/// ```python
/// import secrets
///
/// token = secrets.token_urlsafe(32)
/// ```
pub(crate) const B311: RuleMeta = meta(
    "B311",
    "random",
    22,
    330,
    Severity::Low,
    H,
    "Standard pseudo-random generators are not suitable for security/cryptographic purposes.",
);
/// ## What it does
/// Flags `telnetlib.Telnet` (bandit B312).
///
/// ## Why is this bad?
/// Telnet sends everything, passwords included, in clear text, so anyone on
/// the network path can read or alter the session. `telnetlib` was removed
/// in Python 3.13. Use SSH instead.
///
/// ## Example
/// ```python
/// import telnetlib
///
/// tn = telnetlib.Telnet("router.example.com")
/// tn.write(b"admin\n" + password + b"\n")
/// ```
///
/// ## Use instead
/// ```python
/// import paramiko
///
/// client = paramiko.SSHClient()
/// client.load_system_host_keys()
/// client.connect("router.example.com", username="admin", password=password)
/// ```
pub(crate) const B312: RuleMeta = meta("B312", "telnetlib", 23, 319, Severity::High, H, "Telnet-related functions are being called. Telnet is considered insecure. Use SSH or some other encrypted protocol.");

const XML_MSG: &str = "Using {name} to parse untrusted XML data is known to be vulnerable to XML attacks. Replace {name} with its defusedxml equivalent function or make sure defusedxml.defuse_stdlib() is called";

/// ## What it does
/// Flags `parse`, `iterparse`, `fromstring` and `XMLParser` from
/// `xml.etree.cElementTree` (bandit B313).
///
/// ## Why is this bad?
/// The standard library XML parsers are vulnerable to entity expansion
/// ("billion laughs") and related attacks, so parsing untrusted XML can
/// exhaust memory and CPU. defusedxml provides drop-in replacements that
/// reject these constructs.
///
/// ## Example
/// ```python
/// import xml.etree.cElementTree as ET
///
/// root = ET.fromstring(request.body)
/// ```
///
/// ## Use instead
/// ```python
/// import defusedxml.ElementTree as ET
///
/// root = ET.fromstring(request.body)
/// ```
pub(crate) const B313: RuleMeta = meta(
    "B313",
    "xml-bad-cElementTree",
    24,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// ## What it does
/// Flags `parse`, `iterparse`, `fromstring` and `XMLParser` from
/// `xml.etree.ElementTree` (bandit B314).
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
///
/// root = ET.parse(uploaded_file).getroot()
/// ```
///
/// ## Use instead
/// ```python
/// import defusedxml.ElementTree as ET
///
/// root = ET.parse(uploaded_file).getroot()
/// ```
pub(crate) const B314: RuleMeta = meta(
    "B314",
    "xml-bad-ElementTree",
    25,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// ## What it does
/// Flags `xml.sax.expatreader.create_parser` (bandit B315).
///
/// ## Why is this bad?
/// The standard library XML parsers are vulnerable to entity expansion
/// ("billion laughs") and related attacks, so parsing untrusted XML can
/// exhaust memory and CPU. defusedxml provides drop-in replacements that
/// reject these constructs.
///
/// ## Example
/// ```python
/// from xml.sax import expatreader
///
/// parser = expatreader.create_parser()
/// parser.setContentHandler(handler)
/// parser.parse(uploaded_file)
/// ```
///
/// ## Use instead
/// ```python
/// from defusedxml import expatreader
///
/// parser = expatreader.create_parser()
/// parser.setContentHandler(handler)
/// parser.parse(uploaded_file)
/// ```
pub(crate) const B315: RuleMeta = meta(
    "B315",
    "xml-bad-expatreader",
    26,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// ## What it does
/// Flags `xml.dom.expatbuilder.parse` and `parseString` (bandit B316).
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
///
/// document = expatbuilder.parseString(request.body)
/// ```
///
/// ## Use instead
/// ```python
/// from defusedxml import expatbuilder
///
/// document = expatbuilder.parseString(request.body)
/// ```
pub(crate) const B316: RuleMeta = meta(
    "B316",
    "xml-bad-expatbuilder",
    27,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// ## What it does
/// Flags `xml.sax.parse`, `xml.sax.parseString` and `xml.sax.make_parser`
/// (bandit B317).
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
///
/// xml.sax.parseString(request.body, handler)
/// ```
///
/// ## Use instead
/// ```python
/// import defusedxml.sax
///
/// defusedxml.sax.parseString(request.body, handler)
/// ```
pub(crate) const B317: RuleMeta = meta("B317", "xml-bad-sax", 28, 20, Severity::Medium, H, XML_MSG);
/// ## What it does
/// Flags `xml.dom.minidom.parse` and `parseString` (bandit B318).
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
///
/// document = minidom.parseString(request.body)
/// ```
///
/// ## Use instead
/// ```python
/// from defusedxml import minidom
///
/// document = minidom.parseString(request.body)
/// ```
pub(crate) const B318: RuleMeta = meta(
    "B318",
    "xml-bad-minidom",
    29,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// ## What it does
/// Flags `xml.dom.pulldom.parse` and `parseString` (bandit B319).
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
///
/// events = pulldom.parse(uploaded_file)
/// ```
///
/// ## Use instead
/// ```python
/// from defusedxml import pulldom
///
/// events = pulldom.parse(uploaded_file)
/// ```
pub(crate) const B319: RuleMeta = meta(
    "B319",
    "xml-bad-pulldom",
    30,
    20,
    Severity::Medium,
    H,
    XML_MSG,
);
/// ## What it does
/// Flags `ftplib.FTP` (bandit B321).
///
/// ## Why is this bad?
/// Plain FTP sends the login and the data in clear text, so anyone on the
/// network path can read the password and the files or alter them. Use an
/// encrypted protocol such as SFTP.
///
/// ## Example
/// ```python
/// import ftplib
///
/// ftp = ftplib.FTP("files.example.com", "deploy", password)
/// with open("report.csv", "rb") as f:
///     ftp.storbinary("STOR report.csv", f)
/// ```
///
/// ## Use instead
/// ```python
/// import paramiko
///
/// client = paramiko.SSHClient()
/// client.load_system_host_keys()
/// client.connect("files.example.com", username="deploy", password=password)
/// client.open_sftp().put("report.csv", "report.csv")
/// ```
pub(crate) const B321: RuleMeta = meta("B321", "ftplib", 31, 319, Severity::High, H, "FTP-related functions are being called. FTP is considered insecure. Use SSH/SFTP/SCP or some other encrypted protocol.");
/// ## What it does
/// Flags `ssl._create_unverified_context` (bandit B323).
///
/// ## Why is this bad?
/// The context it returns checks neither the server's certificate nor its
/// host name, so a man in the middle can impersonate the server and read or
/// change the traffic. `ssl.create_default_context()` verifies both.
///
/// ## Example
/// ```python
/// import ssl
/// import urllib.request
///
/// context = ssl._create_unverified_context()
/// urllib.request.urlopen("https://api.example.com", context=context)
/// ```
///
/// ## Use instead
/// ```python
/// import ssl
/// import urllib.request
///
/// context = ssl.create_default_context()
/// urllib.request.urlopen("https://api.example.com", context=context)
/// ```
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
