//! Finding Python files and reading them as text the way CPython does.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Reads a Python source file as text.
///
/// A UTF-8 byte-order mark is dropped. Files that are not valid UTF-8 are
/// decoded by their PEP 263 coding declaration when it names Latin-1 (the
/// only single-byte codec common in practice); anything else is decoded
/// lossily, so the analyzer still reports on it (usually a syntax error).
pub fn read_python_source(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    Ok(decode_python_source(&bytes))
}

/// Decodes source bytes as described in [`read_python_source`].
pub fn decode_python_source(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) if declares_latin1(bytes) => bytes.iter().map(|&b| char::from(b)).collect(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

fn declares_latin1(bytes: &[u8]) -> bool {
    bytes
        .split(|&b| b == b'\n')
        .take(2)
        .filter_map(|line| {
            let line = String::from_utf8_lossy(line).to_ascii_lowercase();
            let rest = line.trim_start().strip_prefix('#')?.to_owned();
            let at = rest.find("coding")?;
            let after = rest[at + 6..]
                .trim_start_matches([':', '='])
                .trim_start()
                .to_owned();
            Some(after)
        })
        .any(|enc| {
            [
                "latin-1",
                "latin1",
                "iso-8859-1",
                "iso8859-1",
                "iso-latin-1",
                "l1",
                "cp1252",
                "windows-1252",
            ]
            .iter()
            .any(|name| enc.starts_with(name))
        })
}

/// Expands files and directories into the Python files they hold: a file is
/// taken as given; a directory is searched recursively for `*.py` (hidden
/// directories skipped, symlinked directories not followed). The result is
/// sorted and has no duplicates.
pub fn collect_python_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| Error::Io {
            path: p.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let io = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let kind = entry.file_type().map_err(io)?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if kind.is_dir() && !hidden {
            walk(&path, out)?;
        } else if (kind.is_file() || kind.is_symlink())
            && path.extension().is_some_and(|e| e == "py")
            && path.is_file()
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_cookie_decodes() {
        let src = b"# -*- coding: latin-1 -*-\nx = '\xe9'\n";
        assert_eq!(
            decode_python_source(src),
            "# -*- coding: latin-1 -*-\nx = '\u{e9}'\n"
        );
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(decode_python_source(b"\xef\xbb\xbfx = 1\n"), "x = 1\n");
    }
}
