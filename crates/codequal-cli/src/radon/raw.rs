//! `codequal radon raw`: radon 6.0.1's `raw` command.
//!
//! File discovery, parallel mapping and output come from the helpers in
//! [`super::cc`]; only reading differs: `radon raw` never parses, so a
//! byte-order mark or a NUL character reaches radon's tokenizer (and fails
//! there) instead of being rejected up front.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use codequal_analyzer::metrics::raw::{analyze_source, RawMetrics};

use super::cc::{par_map, radon_files, write_output};

/// Arguments of `radon raw`.
#[derive(Debug, clap::Args)]
pub struct RawArgs {
    /// Print JSON in radon's shape.
    #[arg(short = 'j', long)]
    pub json: bool,
    /// Print the totals after the per-file metrics (text output only).
    #[arg(short = 's', long)]
    pub summary: bool,
    /// Comma-separated glob patterns: skip files whose path matches one.
    #[arg(short = 'e', long)]
    pub exclude: Option<String>,
    /// Comma-separated glob patterns: do not descend into directories whose
    /// name matches one (hidden directories are always skipped).
    #[arg(short = 'i', long)]
    pub ignore: Option<String>,
    /// Write the output to this file instead of standard output.
    #[arg(short = 'O', long)]
    pub output_file: Option<PathBuf>,
    /// Files or directories (searched recursively for Python files).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// Runs the command.
pub fn run(args: &RawArgs) -> anyhow::Result<ExitCode> {
    let files = radon_files(&args.paths, args.exclude.as_deref(), args.ignore.as_deref());
    let metrics = par_map(&files, |name| {
        read_text(Path::new(name)).and_then(|text| analyze_source(&text).map_err(|e| e.to_string()))
    });
    let results: Vec<(String, Result<RawMetrics, String>)> =
        files.into_iter().zip(metrics).collect();
    let out = if args.json {
        let mut out = String::from("{");
        for (i, (name, r)) in results.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{}: ", py_json_string(name));
            match r {
                Ok(m) => {
                    let _ = write!(
                        out,
                        "{{\"loc\": {}, \"lloc\": {}, \"sloc\": {}, \"comments\": {}, \"multi\": {}, \"blank\": {}, \"single_comments\": {}}}",
                        m.loc, m.lloc, m.sloc, m.comments, m.multi, m.blank, m.single_comments
                    );
                }
                Err(e) => {
                    let _ = write!(out, "{{\"error\": {}}}", py_json_string(e));
                }
            }
        }
        out.push_str("}\n");
        out
    } else {
        to_terminal(&results, args.summary)
    };
    write_output(args.output_file.as_deref(), &out)?;
    Ok(ExitCode::SUCCESS)
}

fn to_terminal(results: &[(String, Result<RawMetrics, String>)], summary: bool) -> String {
    let mut out = String::new();
    let mut total = RawMetrics::default();
    for (name, r) in results {
        let _ = writeln!(out, "{name}");
        match r {
            Ok(m) => {
                write_metrics(&mut out, m);
                total.loc += m.loc;
                total.lloc += m.lloc;
                total.sloc += m.sloc;
                total.comments += m.comments;
                total.single_comments += m.single_comments;
                total.multi += m.multi;
                total.blank += m.blank;
            }
            Err(e) => {
                let _ = writeln!(out, "    ERROR: {e}");
            }
        }
    }
    if summary {
        out.push_str("** Total **\n");
        write_metrics(&mut out, &total);
    }
    out
}

fn write_metrics(out: &mut String, m: &RawMetrics) {
    for (header, value) in [
        ("LOC", m.loc),
        ("LLOC", m.lloc),
        ("SLOC", m.sloc),
        ("Comments", m.comments),
        ("Single comments", m.single_comments),
        ("Multi", m.multi),
        ("Blank", m.blank),
    ] {
        let _ = writeln!(out, "    {header}: {value}");
    }
    // radon divides by `float(x) or 1`.
    let ratio = |n: u32, d: u32| f64::from(n) / f64::from(d.max(1));
    out.push_str("    - Comment Stats\n");
    let _ = writeln!(
        out,
        "        (C % L): {:.0}%",
        100.0 * ratio(m.comments, m.loc)
    );
    let _ = writeln!(
        out,
        "        (C % S): {:.0}%",
        100.0 * ratio(m.comments, m.sloc)
    );
    let _ = writeln!(
        out,
        "        (C + M % L): {:.0}%",
        100.0 * ratio(m.comments + m.multi, m.loc)
    );
}

/// Reads a file the way radon does (`open(path, encoding='utf-8')`):
/// strict UTF-8 with a byte-order mark kept as `\u{feff}`, and universal
/// newlines (`\r\n` and `\r` become `\n`). The error is Python's
/// `UnicodeDecodeError` message, or the OS error.
pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => return Err(utf8_error_message(&bytes, &e)),
    };
    if !text.contains('\r') {
        return Ok(text.to_owned());
    }
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

fn utf8_error_message(bytes: &[u8], e: &std::str::Utf8Error) -> String {
    let start = e.valid_up_to();
    let first = bytes.get(start).copied().unwrap_or_default();
    let (end, reason) = if matches!(first, 0x80..=0xC1 | 0xF5..=0xFF) {
        (start + 1, "invalid start byte")
    } else if e.error_len().is_some() {
        (start + 1, "invalid continuation byte")
    } else {
        (bytes.len(), "unexpected end of data")
    };
    if end - start == 1 {
        format!("'utf-8' codec can't decode byte 0x{first:02x} in position {start}: {reason}")
    } else {
        format!(
            "'utf-8' codec can't decode bytes in position {start}-{}: {reason}",
            end - 1
        )
    }
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii`).
fn py_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_like_python() {
        assert_eq!(
            py_json_string("a\"é\u{1f600}"),
            "\"a\\\"\\u00e9\\ud83d\\ude00\""
        );
    }

    #[test]
    fn utf8_errors_read_like_python() {
        // Built at run time so the compiler does not flag the literal.
        let bytes: Vec<u8> = [&b"x = \""[..], &[0xe9], &b"\"\n"[..]].concat();
        let e = std::str::from_utf8(&bytes).err();
        assert_eq!(
            e.map(|e| utf8_error_message(&bytes, &e)).as_deref(),
            Some("'utf-8' codec can't decode byte 0xe9 in position 5: invalid continuation byte")
        );
    }
}
