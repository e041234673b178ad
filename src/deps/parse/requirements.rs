//! pip requirements files: pins, ranges, `-r`/`-c` includes, `--hash`,
//! environment markers, comments and `\` line continuations.
//!
//! Markers are not evaluated (the target interpreter is unknown), so a
//! requirement guarded by a marker is still reported. A constraint file's
//! `==` pin narrows a requirement of the same name to that exact version.

use super::Parsed;
use crate::deps::version::{exact_pin, parse_specifiers};
use crate::deps::{normalize_name, InputError, Origin, Package, Requirement, SourceKind};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Options that take a value and carry no requirement.
const VALUE_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--trusted-host",
    "--no-binary",
    "--only-binary",
    "--use-feature",
    "--config-settings",
    "--global-option",
    "--install-option",
];

/// Flags without a value.
const FLAG_OPTIONS: &[&str] = &[
    "--pre",
    "--no-index",
    "--prefer-binary",
    "--require-hashes",
    "--no-deps",
];

/// One logical line: its text, 1-based line number of its first physical
/// line, and the column offset map is not needed because continuations
/// rarely precede the name.
struct Logical {
    text: String,
    line: usize,
}

fn logical_lines(text: &str) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut cur: Option<Logical> = None;
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let (body, cont) = match raw.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (raw, false),
        };
        match &mut cur {
            Some(l) => l.text.push_str(body),
            None => {
                cur = Some(Logical {
                    text: body.to_string(),
                    line: i + 1,
                })
            }
        }
        if !cont {
            out.extend(cur.take());
        }
    }
    out.extend(cur);
    out
}

/// Remove a comment: `#` at the start or after whitespace.
fn strip_comment(s: &str) -> &str {
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()) {
            return &s[..i];
        }
    }
    s
}

struct Ctx {
    seen: HashSet<PathBuf>,
    out: Parsed,
    /// name → (pinned version, origin) from constraint files.
    constraints: HashMap<String, (String, Origin)>,
}

/// Parse a requirements file and everything it includes.
pub fn parse_path(path: &Path) -> Parsed {
    let mut cx = Ctx {
        seen: HashSet::new(),
        out: Parsed::default(),
        constraints: HashMap::new(),
    };
    file(path, false, &mut cx);
    // Apply constraint pins to ranges of the same name.
    for p in &mut cx.out.packages {
        if let Requirement::Range { .. } = p.requirement {
            if let Some((v, o)) = cx.constraints.get(&p.name) {
                p.requirement = Requirement::Exact { version: v.clone() };
                p.origin = o.clone();
            }
        }
    }
    cx.out
}

fn file(path: &Path, constraint: bool, cx: &mut Ctx) {
    let shown = path.display().to_string();
    let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if !cx.seen.insert(canon) {
        return; // already read (an include cycle or a repeated include)
    }
    let text = match std::fs::read(path) {
        Ok(b) => match String::from_utf8(b) {
            Ok(t) => t,
            Err(_) => {
                cx.out
                    .errors
                    .push(InputError::file(&shown, "not UTF-8 text"));
                return;
            }
        },
        Err(e) => {
            cx.out
                .errors
                .push(InputError::file(&shown, format!("cannot read: {e}")));
            return;
        }
    };
    let base = path.parent().unwrap_or(Path::new("."));
    for l in logical_lines(&text) {
        let body = strip_comment(&l.text);
        let trimmed = body.trim_start();
        if trimmed.trim().is_empty() {
            continue;
        }
        let col = body.len() - trimmed.len() + 1;
        let at = |c: usize, m: String| InputError::at(&shown, l.line, c, m);
        if trimmed.starts_with('-') {
            let (opt, rest) = split_option(trimmed);
            match opt {
                "-r" | "--requirement" | "-c" | "--constraint" => {
                    if rest.is_empty() {
                        cx.out
                            .errors
                            .push(at(col, format!("`{opt}` needs a file name")));
                        continue;
                    }
                    let inc = base.join(rest);
                    if !inc.exists() {
                        cx.out.errors.push(at(
                            col,
                            format!(
                                "included file {rest} does not exist (looked at {})",
                                inc.display()
                            ),
                        ));
                        continue;
                    }
                    file(&inc, opt == "-c" || opt == "--constraint", cx);
                }
                "-e" | "--editable" => {} // local or VCS checkout: no PyPI version
                o if VALUE_OPTIONS.contains(&o) || FLAG_OPTIONS.contains(&o) => {}
                o => cx.out.errors.push(at(
                    col,
                    format!("unknown option `{o}`; expected a requirement or a pip option"),
                )),
            }
            continue;
        }
        match requirement(trimmed) {
            Ok(None) => {} // URL or path: not a PyPI release
            Ok(Some((name, spec, name_len))) => {
                let _ = name_len;
                let origin = Origin::at(&shown, l.line, col);
                if constraint {
                    if let Some(v) = exact_pin(&spec) {
                        cx.constraints.insert(normalize_name(&name), (v, origin));
                    }
                    continue;
                }
                let requirement = match exact_pin(&spec) {
                    Some(v) => Requirement::Exact { version: v },
                    None => Requirement::Range { specifier: spec },
                };
                cx.out.packages.push(Package {
                    name: normalize_name(&name),
                    raw_name: name,
                    requirement,
                    origin,
                    source: SourceKind::Requirements,
                    distro_owned: false,
                });
            }
            Err((off, msg)) => cx.out.errors.push(at(col + off, msg)),
        }
    }
}

/// Split `--opt value`, `--opt=value` or `-rfile`.
fn split_option(s: &str) -> (&str, &str) {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix("--") {
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .map(|i| i + 2)
            .unwrap_or(s.len());
        let value = s[end..].trim_start_matches('=').trim();
        return (&s[..end], value);
    }
    if s.len() > 2 && !s[2..].starts_with(char::is_whitespace) {
        return (&s[..2], s[2..].trim());
    }
    (&s[..s.len().min(2)], s.get(2..).unwrap_or("").trim())
}

/// Parse `name[extras] specifier ; marker --hash=…`. Returns the name, the
/// specifier (may be empty) and the name's length; `None` for URL and path
/// requirements. Errors give a byte offset into `s` and a message.
#[allow(clippy::type_complexity)]
fn requirement(s: &str) -> Result<Option<(String, String, usize)>, (usize, String)> {
    // Per-requirement options start at the first ` --`.
    let s = match s.find(" --").or_else(|| s.find("\t--")) {
        Some(i) => &s[..i],
        None => s,
    };
    // Markers.
    let s = match s.find(';') {
        Some(i) => &s[..i],
        None => s,
    };
    let first = s.chars().next().unwrap_or(' ');
    if first == '.' || first == '/' || s.contains("://") && !s.contains('@') {
        return Ok(None);
    }
    let name_len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(s.len());
    if name_len == 0 || !first.is_ascii_alphanumeric() {
        return Err((
            0,
            "expected a requirement: NAME[extras] [version specifier] [; marker]".into(),
        ));
    }
    let name = s[..name_len].to_string();
    let mut rest = s[name_len..].trim_start();
    let mut off = s.len() - rest.len();
    if let Some(r) = rest.strip_prefix('[') {
        let Some(close) = r.find(']') else {
            return Err((off, "unclosed `[` in the extras".into()));
        };
        rest = r[close + 1..].trim_start();
        off = s.len() - rest.len();
    }
    if rest.starts_with('@') {
        return Ok(None); // `name @ url`
    }
    let mut spec = rest.trim();
    if let Some(inner) = spec.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        spec = inner.trim();
    }
    if !spec.is_empty() {
        if let Err(e) = parse_specifiers(spec) {
            return Err((off, e));
        }
    }
    let spec: String = spec.split_whitespace().collect();
    Ok(Some((name, spec, name_len)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn pins_ranges_includes_hashes_markers_continuations() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "base.txt", "Jinja2==2.10  # old\n");
        write(d.path(), "cons.txt", "urllib3==1.26.4\n");
        let p = write(
            d.path(),
            "requirements.txt",
            "# comment\n-r base.txt\n-c cons.txt\n--index-url https://example.org/simple\n\
             requests[socks] >=2.0,<3 ; python_version >= \"3.8\"\n\
             Django==3.2.0 \\\n    --hash=sha256:abc \\\n    --hash=sha256:def\n\
             urllib3>=1.0\n-e ./local\nflask\n",
        );
        let r = parse_path(&p);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let find = |n: &str| r.packages.iter().find(|p| p.name == n).unwrap();
        assert_eq!(
            find("jinja2").requirement,
            Requirement::Exact {
                version: "2.10".into()
            }
        );
        assert!(find("jinja2").origin.path.ends_with("base.txt"));
        assert_eq!(
            find("requests").requirement,
            Requirement::Range {
                specifier: ">=2.0,<3".into()
            }
        );
        let dj = find("django");
        assert_eq!(
            dj.requirement,
            Requirement::Exact {
                version: "3.2.0".into()
            }
        );
        assert_eq!(dj.origin.line, Some(6));
        let u = find("urllib3");
        assert_eq!(
            u.requirement,
            Requirement::Exact {
                version: "1.26.4".into()
            }
        );
        assert!(u.origin.path.ends_with("cons.txt"));
        assert_eq!(
            find("flask").requirement,
            Requirement::Range {
                specifier: String::new()
            }
        );
        assert_eq!(r.packages.len(), 5);
    }

    #[test]
    fn bad_lines_name_line_and_column_and_the_rest_still_parses() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "requirements.txt",
            "ok==1.0\n  bad>>1\n!!!\n-r missing.txt\nalso-ok==2\n",
        );
        let r = parse_path(&p);
        let msgs: Vec<String> = r.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(r.errors.len(), 3, "{msgs:?}");
        assert_eq!(
            (r.errors[0].line, r.errors[0].column),
            (Some(2), Some(6)),
            "{msgs:?}"
        );
        assert_eq!((r.errors[1].line, r.errors[1].column), (Some(3), Some(1)));
        assert!(msgs[2].contains("missing.txt"));
        assert_eq!(r.packages.len(), 2);
    }

    #[test]
    fn include_cycles_terminate() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "a.txt", "-r b.txt\nx==1\n");
        write(d.path(), "b.txt", "-r a.txt\ny==1\n");
        let r = parse_path(&d.path().join("a.txt"));
        assert_eq!(r.packages.len(), 2);
    }
}
