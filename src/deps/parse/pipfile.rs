//! `Pipfile.lock` (pipenv): JSON with `default` and `develop` sections
//! mapping names to `{"version": "==X", ...}`.

use super::Parsed;
use crate::deps::version::exact_pin;
use crate::deps::{line_col, InputError, Origin, Package, SourceKind};
use serde_json::Value;

/// The byte offset of the key `"name"` inside the section, for file:line.
fn key_offset(text: &str, section_start: usize, name: &str) -> usize {
    let needle = format!("\"{name}\"");
    text[section_start..]
        .find(&needle)
        .map(|i| i + section_start + 1)
        .unwrap_or(section_start)
}

pub fn parse(text: &str, shown: &str) -> Parsed {
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Parsed::error(InputError::at(
                shown,
                e.line(),
                e.column(),
                format!("invalid JSON in Pipfile.lock: {e}"),
            ))
        }
    };
    let Some(obj) = v.as_object() else {
        return Parsed::error(InputError::at(shown, 1, 1, "expected a JSON object"));
    };
    let mut out = Parsed::default();
    for section in ["default", "develop"] {
        let Some(pkgs) = obj.get(section) else {
            continue;
        };
        let start = text.find(&format!("\"{section}\"")).unwrap_or(0);
        let Some(pkgs) = pkgs.as_object() else {
            let (l, c) = line_col(text, start + 1);
            out.errors.push(InputError::at(
                shown,
                l,
                c,
                format!("`{section}` should be an object of packages"),
            ));
            continue;
        };
        for (name, entry) in pkgs {
            let (l, c) = line_col(text, key_offset(text, start, name));
            // Git, path and editable entries carry no version.
            let Some(spec) = entry.get("version").and_then(Value::as_str) else {
                continue;
            };
            match exact_pin(spec) {
                Some(ver) => out.packages.push(Package::exact(
                    name,
                    &ver,
                    SourceKind::PipfileLock,
                    Origin::at(shown, l, c),
                )),
                None => out.errors.push(InputError::at(
                    shown,
                    l,
                    c,
                    format!("version {spec:?} of {name} is not an `==` pin"),
                )),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_lines() {
        let t = "{\n  \"_meta\": {},\n  \"default\": {\n    \"jinja2\": {\"version\": \"==2.10\"}\n  },\n  \"develop\": {\n    \"pytest\": {\"version\": \"==7.0.0\"},\n    \"x\": {\"git\": \"https://example.org/x\"}\n  }\n}\n";
        let r = parse(t, "Pipfile.lock");
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.packages.len(), 2);
        assert_eq!(r.packages[0].origin.line, Some(4));
        assert_eq!(r.packages[1].origin.line, Some(7));
    }

    #[test]
    fn bad_json() {
        let r = parse("{\n \"default\": [,\n}", "Pipfile.lock");
        assert_eq!(r.errors[0].line, Some(2));
    }
}
