//! Weak cryptography: insecure hashes (B324), bad SSL/TLS versions (B502,
//! B503, B504), short keys (B505) and insecure SNMP (B508, B509).

use rustpython_parser::ast::Ranged;

use super::call_context::{arg_at, attr_or_literal, kw_value, Lit};
use super::{emit, emit_default, kw_line, meta, CallSite};
use crate::parse::ast::{self, Expr, Stmt};
use crate::report::Severity;
use crate::rules::{Checker, Confidence, RuleMeta};

/// ## What it does
/// Flags MD4, MD5, SHA and SHA1 from `hashlib` unless
/// `usedforsecurity=False`, and weak `crypt` methods (bandit B324).
///
/// ## Why is this bad?
/// These hashes have practical collision attacks.
///
/// ## Example
/// ```python
/// digest = hashlib.md5(password).hexdigest()
/// ```
///
/// ## Use instead
/// ```python
/// digest = hashlib.sha256(password).hexdigest()
/// ```
pub(crate) const HASHLIB: RuleMeta = meta(
    "B324",
    "hashlib",
    33,
    327,
    Severity::High,
    Confidence::High,
    "Use of weak hash for security.",
);

/// ## What it does
/// Flags SSL/TLS protocol versions known to be broken (SSLv2, SSLv3,
/// TLSv1, TLSv1.1) passed to `ssl.wrap_socket`, `SSL.Context` or any call's
/// `method`/`ssl_version` argument (bandit B502).
///
/// ## Why is this bad?
/// These protocol versions can be downgraded or decrypted.
///
/// ## Example
/// ```python
/// ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_SSLv3)
/// ```
///
/// ## Use instead
/// ```python
/// ssl.create_default_context().wrap_socket(sock)
/// ```
pub(crate) const SSL_BAD_VERSION: RuleMeta = meta(
    "B502",
    "ssl-with-bad-version",
    48,
    327,
    Severity::High,
    Confidence::High,
    "ssl.wrap_socket call with insecure SSL/TLS protocol version identified, security issue.",
);

/// ## What it does
/// Flags functions whose parameter defaults are broken SSL/TLS versions
/// (bandit B503).
///
/// ## Why is this bad?
/// See B502: callers get the broken protocol unless they override it.
///
/// ## Example
/// ```python
/// def connect(version=ssl.PROTOCOL_TLSv1): ...
/// ```
///
/// ## Use instead
/// ```python
/// def connect(version=ssl.PROTOCOL_TLS_CLIENT): ...
/// ```
pub(crate) const SSL_BAD_DEFAULTS: RuleMeta = meta(
    "B503",
    "ssl-with-bad-defaults",
    49,
    327,
    Severity::Medium,
    Confidence::Medium,
    "Function definition identified with insecure SSL/TLS protocol version by default, possible security issue.",
);

/// ## What it does
/// Flags `ssl.wrap_socket` without `ssl_version` (bandit B504).
///
/// ## Why is this bad?
/// The default may negotiate an insecure protocol.
///
/// ## Example
/// ```python
/// ssl.wrap_socket(sock)
/// ```
///
/// ## Use instead
/// ```python
/// ssl.create_default_context().wrap_socket(sock)
/// ```
pub(crate) const SSL_NO_VERSION: RuleMeta = meta(
    "B504",
    "ssl-with-no-version",
    50,
    327,
    Severity::Low,
    Confidence::Medium,
    "ssl.wrap_socket call with no SSL/TLS protocol version specified, the default SSLv23 could be insecure, possible security issue.",
);

/// ## What it does
/// Flags RSA/DSA keys under 2048 bits and EC keys under 224 bits
/// (bandit B505); high severity under 1024 (RSA/DSA) or 160 (EC) bits.
///
/// ## Why is this bad?
/// Short keys can be factored or solved with modest resources.
///
/// ## Example
/// ```python
/// rsa.generate_private_key(public_exponent=65537, key_size=1024)
/// ```
///
/// ## Use instead
/// ```python
/// rsa.generate_private_key(public_exponent=65537, key_size=3072)
/// ```
pub(crate) const WEAK_KEY: RuleMeta = meta(
    "B505",
    "weak-cryptographic-key",
    51,
    326,
    Severity::Medium,
    Confidence::High,
    "Key sizes below the minimum are considered breakable.",
);

/// ## What it does
/// Flags `pysnmp` `CommunityData(..., mpModel=0|1)` (bandit B508).
///
/// ## Why is this bad?
/// SNMPv1 and v2 send the community string in clear text.
///
/// ## Example
/// ```python
/// CommunityData("public", mpModel=0)
/// ```
///
/// ## Use instead
/// ```python
/// UsmUserData("user", "authkey", "privkey")
/// ```
pub(crate) const SNMP_INSECURE_VERSION: RuleMeta = meta(
    "B508",
    "snmp-insecure-version-check",
    54,
    319,
    Severity::Medium,
    Confidence::High,
    "The use of SNMPv1 and SNMPv2 is insecure. You should use SNMPv3 if able.",
);

/// ## What it does
/// Flags `pysnmp` `UsmUserData` with fewer than three positional
/// arguments (no privacy key; bandit B509).
///
/// ## Why is this bad?
/// SNMPv3 without encryption sends data in clear text.
///
/// ## Example
/// ```python
/// UsmUserData("user")
/// ```
///
/// ## Use instead
/// ```python
/// UsmUserData("user", "authkey", "privkey")
/// ```
pub(crate) const SNMP_CRYPTO: RuleMeta = meta(
    "B509",
    "snmp-crypto-check",
    55,
    319,
    Severity::Medium,
    Confidence::High,
    "You should not use SNMPv3 without encryption. noAuthNoPriv & authNoPriv is insecure",
);

const BAD_SSL: [&str; 9] = [
    "PROTOCOL_SSLv2",
    "SSLv2_METHOD",
    "SSLv23_METHOD",
    "PROTOCOL_SSLv3",
    "PROTOCOL_TLSv1",
    "SSLv3_METHOD",
    "TLSv1_METHOD",
    "PROTOCOL_TLSv1_1",
    "TLSv1_1_METHOD",
];

fn is_bad_ssl(l: &Lit<'_>) -> bool {
    l.as_str().is_some_and(|s| BAD_SSL.contains(&s))
}

/// B502 on any call: `method=`/`ssl_version=` with a broken version, for
/// callees other than `ssl.wrap_socket` and `pyOpenSSL.SSL.Context` (those
/// are checked in [`check`]).
pub(crate) fn check_ssl_method_kw(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    if site.call.keywords.is_empty() || !ch.enabled(&SSL_BAD_VERSION) {
        return;
    }
    if matches!(
        site.qual.as_str(),
        "ssl.wrap_socket" | "pyOpenSSL.SSL.Context"
    ) {
        return;
    }
    if is_bad_ssl(&kw_value(site.call, "method")) || is_bad_ssl(&kw_value(site.call, "ssl_version"))
    {
        let line =
            kw_line(ch, site.call, "method").or_else(|| kw_line(ch, site.call, "ssl_version"));
        emit(
            ch,
            &SSL_BAD_VERSION,
            (Severity::Medium, Confidence::Medium),
            "Function call with insecure SSL/TLS protocol identified, possible security issue.",
            site.expr.range(),
            line,
        );
    }
}

/// B503 on a `def`.
pub(crate) fn check_ssl_defaults(ch: &mut Checker<'_>, stmt: &Stmt, f: &ast::StmtFunctionDef) {
    if !ch.enabled(&SSL_BAD_DEFAULTS) {
        return;
    }
    let bad = f
        .args
        .posonlyargs
        .iter()
        .chain(&f.args.args)
        .filter_map(|a| a.default.as_deref())
        .any(|d| matches!(d, Expr::Attribute(a) if BAD_SSL.contains(&a.attr.as_str())));
    if bad {
        emit_default(
            ch,
            &SSL_BAD_DEFAULTS,
            SSL_BAD_DEFAULTS.summary,
            stmt.range(),
            None,
        );
    }
}

/// Tests on calls whose last name is interesting.
pub(crate) fn check(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    let range = site.expr.range();
    match site.qual.as_str() {
        "ssl.wrap_socket" => {
            let version = kw_value(site.call, "ssl_version");
            let line = kw_line(ch, site.call, "ssl_version");
            if is_bad_ssl(&version) {
                emit_default(ch, &SSL_BAD_VERSION, SSL_BAD_VERSION.summary, range, line);
            }
            if version == Lit::Unknown {
                emit_default(ch, &SSL_NO_VERSION, SSL_NO_VERSION.summary, range, line);
            }
        }
        "pyOpenSSL.SSL.Context" if is_bad_ssl(&kw_value(site.call, "method")) => {
            let line = kw_line(ch, site.call, "method");
            emit_default(
                ch,
                &SSL_BAD_VERSION,
                "SSL.Context call with insecure SSL/TLS protocol version identified, security issue.",
                range,
                line,
            );
        }
        "pysnmp.hlapi.CommunityData" => {
            let m = kw_value(site.call, "mpModel");
            if matches!(m, Lit::Int(0 | 1)) || matches!(m, Lit::Float(f) if f == 0.0 || f == 1.0) {
                emit_default(
                    ch,
                    &SNMP_INSECURE_VERSION,
                    SNMP_INSECURE_VERSION.summary,
                    range,
                    None,
                );
            }
        }
        "pysnmp.hlapi.UsmUserData" if site.call.args.len() < 3 => {
            emit_default(ch, &SNMP_CRYPTO, SNMP_CRYPTO.summary, range, None);
        }
        _ => {}
    }
    check_hashlib(ch, site);
    check_key_size(ch, site);
}

fn check_hashlib(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    let func = site.name.as_ref();
    let range = site.expr.range();
    if site.has_part("hashlib") {
        // bandit: `keywords.get("usedforsecurity", "True") == "True"`.
        let secure_use = || !has_used_kw(site) || kw_value(site.call, "usedforsecurity").is("True");
        if matches!(func, "md4" | "md5" | "sha" | "sha1") {
            if secure_use() {
                emit_default(
                    ch,
                    &HASHLIB,
                    format!(
                        "Use of weak {} hash for security. Consider usedforsecurity=False",
                        func.to_uppercase()
                    ),
                    range,
                    None,
                );
            }
        } else if func == "new" {
            let name = if site.call.args.is_empty() {
                kw_value(site.call, "name")
            } else {
                attr_or_literal(&site.call.args[0])
            };
            if let Some(name) = name.as_str() {
                if matches!(name.to_lowercase().as_str(), "md4" | "md5" | "sha" | "sha1")
                    && secure_use()
                {
                    emit_default(
                        ch,
                        &HASHLIB,
                        format!(
                            "Use of weak {} hash for security. Consider usedforsecurity=False",
                            name.to_uppercase()
                        ),
                        range,
                        None,
                    );
                }
            }
        }
    } else if site.has_part("crypt") && matches!(func, "crypt" | "mksalt") {
        let name = if func == "crypt" {
            if site.call.args.len() > 1 {
                attr_or_literal(&site.call.args[1])
            } else {
                kw_value(site.call, "salt")
            }
        } else if site.call.args.is_empty() {
            kw_value(site.call, "method")
        } else {
            attr_or_literal(&site.call.args[0])
        };
        if let Some(name) = name.as_str() {
            if matches!(name, "METHOD_CRYPT" | "METHOD_MD5" | "METHOD_BLOWFISH") {
                emit(
                    ch,
                    &HASHLIB,
                    (Severity::Medium, Confidence::High),
                    format!(
                        "Use of insecure crypt.{} hash function.",
                        name.to_uppercase()
                    ),
                    range,
                    None,
                );
            }
        }
    }
}

fn has_used_kw(site: &CallSite<'_>) -> bool {
    super::call_context::has_kw(site.call, "usedforsecurity")
}

/// bandit's `a or b or c` over literal values.
fn first_truthy<'a>(items: impl IntoIterator<Item = Lit<'a>>) -> Option<Lit<'a>> {
    items.into_iter().find(Lit::truthy)
}

fn check_key_size(ch: &mut Checker<'_>, site: &CallSite<'_>) {
    let (key_type, size) = match site.qual.as_str() {
        "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key" => (
            "DSA",
            first_truthy([kw_value(site.call, "key_size"), arg_at(site.call, 0)]),
        ),
        "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key" => (
            "RSA",
            first_truthy([kw_value(site.call, "key_size"), arg_at(site.call, 1)]),
        ),
        "cryptography.hazmat.primitives.asymmetric.ec.generate_private_key" => {
            let curve = first_truthy([kw_value(site.call, "curve")])
                .or_else(|| site.call.args.first().map(attr_or_literal));
            let bits = curve.as_ref().and_then(Lit::as_str).map_or(224, curve_bits);
            ("EC", Some(Lit::Int(bits)))
        }
        "Crypto.PublicKey.DSA.generate" | "Cryptodome.PublicKey.DSA.generate" => (
            "DSA",
            first_truthy([kw_value(site.call, "bits"), arg_at(site.call, 0)]),
        ),
        "Crypto.PublicKey.RSA.generate" | "Cryptodome.PublicKey.RSA.generate" => (
            "RSA",
            first_truthy([kw_value(site.call, "bits"), arg_at(site.call, 0)]),
        ),
        _ => return,
    };
    let size = match size {
        None => 2048.0,
        Some(Lit::Int(i)) => i as f64,
        Some(Lit::Float(f)) => f,
        // Strings (names) are skipped; other values make bandit's
        // comparison raise.
        Some(_) => return,
    };
    let (high, medium) = match key_type {
        "EC" => (160.0, 224.0),
        _ => (1024.0, 2048.0),
    };
    let (severity, limit) = if size < high {
        (Severity::High, high)
    } else if size < medium {
        (Severity::Medium, medium)
    } else {
        return;
    };
    emit(
        ch,
        &WEAK_KEY,
        (severity, Confidence::High),
        format!("{key_type} key sizes below {limit} bits are considered breakable. "),
        site.expr.range(),
        None,
    );
}

fn curve_bits(curve: &str) -> i128 {
    match curve {
        "SECT571K1" => 571,
        "SECT571R1" => 570,
        "SECP521R1" => 521,
        "BrainpoolP512R1" => 512,
        "SECT409K1" | "SECT409R1" => 409,
        "BrainpoolP384R1" | "SECP384R1" => 384,
        "SECT283K1" | "SECT283R1" => 283,
        "BrainpoolP256R1" | "SECP256K1" | "SECP256R1" => 256,
        "SECT233K1" | "SECT233R1" => 233,
        "SECP224R1" => 224,
        "SECP192R1" => 192,
        "SECT163K1" | "SECT163R2" => 163,
        _ => 224,
    }
}
