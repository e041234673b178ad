//! PEP 440 versions and specifiers, from the `pep440_rs` crate.
//!
//! Ordering covers epochs (`1!0.1`), pre-releases (`a`, `b`, `rc`),
//! post-releases, dev-releases and local versions (`+ubuntu1`), exactly as
//! PEP 440 defines it.

pub use pep440_rs::{Version, VersionSpecifiers};
use std::str::FromStr;

/// Parse a PEP 440 version; the error says what was expected.
pub fn parse(s: &str) -> Result<Version, String> {
    Version::from_str(s.trim()).map_err(|e| format!("not a PEP 440 version {s:?}: {e}"))
}

/// Parse a comma-separated specifier set such as `>=2.0,<3`.
pub fn parse_specifiers(s: &str) -> Result<VersionSpecifiers, String> {
    VersionSpecifiers::from_str(s.trim())
        .map_err(|e| format!("not a PEP 440 version specifier {s:?}: {e}"))
}

/// An exact pin in a specifier set (`==1.2.3`, `===1.2.3`), if that is all
/// the set says.
pub fn exact_pin(spec: &str) -> Option<String> {
    let s = spec.trim();
    if s.contains(',') {
        return None;
    }
    let v = s
        .strip_prefix("===")
        .or_else(|| s.strip_prefix("=="))?
        .trim();
    if v.is_empty() || v.ends_with(".*") {
        return None;
    }
    Some(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        parse(s).unwrap()
    }

    #[test]
    fn pep440_ordering() {
        let ordered = [
            "1.0.dev1",
            "1.0a1",
            "1.0a2.dev1",
            "1.0a2",
            "1.0b1",
            "1.0rc1",
            "1.0",
            "1.0+local.1",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
            "1!0.1",
        ];
        for w in ordered.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(v("1.0"), v("1.0.0"));
        assert_eq!(v("0.8.0-alpha2"), v("0.8.0a2"));
    }

    #[test]
    fn pins_and_ranges() {
        assert_eq!(exact_pin("==1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(exact_pin("===1.2.3").as_deref(), Some("1.2.3"));
        assert_eq!(exact_pin("==1.2.*"), None);
        assert_eq!(exact_pin(">=1,<2"), None);
        assert!(parse_specifiers(">=2.0,<3").unwrap().contains(&v("2.5")));
        assert!(parse("not a version").is_err());
    }
}
