//! Redaction of secret values, shared by the collector (so snapshots never
//! carry them) and by every report (so scan snippets and messages do not
//! either). The name of a secret stays visible; its value becomes `***`.
//!
//! What counts as a secret:
//! - a `NAME=value` (or `NAME: value`) whose name looks secret-like
//!   ([`is_secret_name`]);
//! - the value of a secret-like command-line flag, as `--password=x`,
//!   `--token x`, or split over two argv elements;
//! - the password (or a bare token) in a URL's user-info,
//!   `scheme://user:pass@host` → `scheme://user:***@host`.

/// The replacement for every redacted value.
pub const MASK: &str = "***";

/// Word fragments that make a name secret-like wherever they appear.
const SECRET_FRAGMENTS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "credential",
    "clientkey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "sessionkey",
    "connectionstring",
];

/// Whole words (between `_`, `-`, `.`) that make a name secret-like.
const SECRET_WORDS: &[&str] = &["pass", "pwd", "pw", "auth", "key", "dsn", "cred", "creds"];

/// Names that contain a secret word but hold no secret.
const NOT_SECRET: &[&str] = &["pwd", "oldpwd", "key", "keys", "auth"];

/// Suffixes naming where a secret lives rather than the secret itself.
const REFERENCE_SUFFIXES: &[&str] = &["_file", "-file", "_path", "-path", "_dir", "-dir"];

/// Suffixes and parts of names that hold a switch about authentication, not
/// a credential (`POSTGRES_HOST_AUTH_METHOD=trust`,
/// `MYSQL_ALLOW_EMPTY_PASSWORD=yes`): the value is what a reviewer must see.
const SWITCH_SUFFIXES: &[&str] = &["_method", "_mode", "_enabled", "_disabled", "_required"];
const SWITCH_PARTS: &[&str] = &["allow_empty", "empty_password", "skip_"];

/// Whether `name` (an env variable, build argument, label key or flag name,
/// with or without leading dashes) looks like it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.trim_start_matches('-').trim();
    if name.is_empty() || name.len() > 128 {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    if NOT_SECRET.contains(&lower.as_str()) {
        return false;
    }
    if REFERENCE_SUFFIXES.iter().any(|s| lower.ends_with(s))
        || SWITCH_SUFFIXES.iter().any(|s| lower.ends_with(s))
        || SWITCH_PARTS.iter().any(|p| lower.contains(p))
    {
        return false;
    }
    let squashed: String = lower
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | '.'))
        .collect();
    if SECRET_FRAGMENTS.iter().any(|f| squashed.contains(f)) {
        return true;
    }
    // camelCase words count as words too: `dbPass`, `apiKey`.
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if matches!(ch, '_' | '-' | '.' | '/' | ':') {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_ascii_lowercase() || ch.is_ascii_digit();
        cur.push(ch.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Characters that end an unquoted value.
fn ends_value(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | ',' | ';' | ']' | '}' | ')' | '&' | '|' | '`'
        )
}

/// Redact secrets in free text: a command line, a history entry, a YAML or
/// Dockerfile line, a message. Returns the input unchanged when it holds
/// nothing secret-like.
pub fn redact_text(s: &str) -> String {
    let s = redact_urls(s);
    if !may_name_a_secret(&s) {
        return s;
    }
    redact_pairs(&s)
}

/// Needles of which every secret-like name holds one, lower-cased and
/// without `_`, `-` and `.` (how [`is_secret_name`] squashes a name): each
/// entry of [`SECRET_FRAGMENTS`] and [`SECRET_WORDS`] contains one.
const NAME_NEEDLES: &[&[u8]] = &[
    b"pass",
    b"pw",
    b"auth",
    b"key",
    b"dsn",
    b"cred",
    b"secret",
    b"token",
    b"connectionstring",
];

/// A cheap test that is true for every text in which [`redact_pairs`] could
/// find a secret-like name with a value: the text has a separator (`=`,
/// `:` or a flag's `-`) and its squashed, lower-cased form holds one of
/// [`NAME_NEEDLES`]. Most scan messages and source lines fail it and skip
/// the character-by-character pass.
fn may_name_a_secret(s: &str) -> bool {
    // Whether `text`, squashed as names are, starts with `needle`.
    fn squashed_starts_with(text: &[u8], needle: &[u8]) -> bool {
        let mut letters = text
            .iter()
            .filter(|b| !matches!(b, b'_' | b'-' | b'.'))
            .map(|b| b.to_ascii_lowercase());
        needle.iter().all(|n| letters.next() == Some(*n))
    }
    // The first two letters of every needle, as a 26 x 26 table: a text
    // is only searched further where two squashed letters in a row start
    // a needle, which is rare.
    const PAIRS: [[bool; 26]; 26] = {
        let mut t = [[false; 26]; 26];
        let mut i = 0;
        while i < NAME_NEEDLES.len() {
            let n = NAME_NEEDLES[i];
            t[(n[0] - b'a') as usize][(n[1] - b'a') as usize] = true;
            i += 1;
        }
        t
    };
    // A pair needs a separator: `=`, `:` or a flag's `-`. Many messages
    // have none, and one pass over the bytes settles them.
    let b = s.as_bytes();
    if !b.iter().any(|c| matches!(c, b'=' | b':' | b'-')) {
        return false;
    }
    // Walk the squashed letters, remembering where the previous one was.
    let mut prev: Option<(usize, usize)> = None;
    for (i, &c) in b.iter().enumerate() {
        if matches!(c, b'_' | b'-' | b'.') {
            continue;
        }
        let letter = c.to_ascii_lowercase().wrapping_sub(b'a');
        if letter >= 26 {
            prev = None;
            continue;
        }
        let letter = usize::from(letter);
        if let Some((start, first)) = prev {
            if PAIRS[first][letter]
                && NAME_NEEDLES
                    .iter()
                    .any(|n| squashed_starts_with(&b[start..], n))
            {
                return true;
            }
        }
        prev = Some((i, letter));
    }
    false
}

/// `scheme://user:pass@host` → `scheme://user:***@host`; a user-info with
/// no `:` (a bare token) becomes `***`.
pub fn redact_urls(s: &str) -> String {
    if !s.contains("://") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        // The authority ends at the first `/`, `?`, `#` or value end.
        let end = tail
            .char_indices()
            .find(|&(_, c)| matches!(c, '/' | '?' | '#') || ends_value(c))
            .map(|(j, _)| j)
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) if at > 0 => {
                let info = &authority[..at];
                match info.split_once(':') {
                    Some((user, pass)) if !pass.is_empty() => {
                        out.push_str(user);
                        out.push(':');
                        out.push_str(MASK);
                    }
                    Some((user, _)) => {
                        out.push_str(user);
                        out.push(':');
                    }
                    None => out.push_str(MASK),
                }
                out.push_str(&authority[at..]);
            }
            _ => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Redact `NAME=value`, `NAME: value`, `"NAME": "value"`, `--flag=value` and
/// `--flag value` where NAME or flag is secret-like.
fn redact_pairs(s: &str) -> String {
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let n = chars.len();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut copied = 0; // byte offset copied so far
    while i < n {
        let (start_b, c) = chars[i];
        let at_word_start = is_name_char(c) && (i == 0 || !is_name_char(chars[i - 1].1));
        if !at_word_start {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && is_name_char(chars[j].1) {
            j += 1;
        }
        let name_end_b = if j < n { chars[j].0 } else { s.len() };
        let name = &s[start_b..name_end_b];
        let flag = name.starts_with('-');
        // A path component (`/etc/passwd: …`) is not a name.
        if i > 0 && matches!(chars[i - 1].1, '/' | '\\') {
            i = j;
            continue;
        }
        // What separates the name from its value.
        let mut k = j;
        // A quoted key: `"password": "x"` or `"--token" "x"`.
        let quoted_key = k < n && matches!(chars[k].1, '"' | '\'');
        if quoted_key {
            k += 1;
        }
        // `name: value` only as a mapping key: first on its line (after
        // indentation, `- `, `{` or `,`) or quoted.
        let key_position = quoted_key || {
            let mut b = i;
            while b > 0 && matches!(chars[b - 1].1, ' ' | '\t' | '-' | '{' | ',') {
                b -= 1;
            }
            b == 0 || chars[b - 1].1 == '\n'
        };
        let sep = if k < n { chars[k].1 } else { '\0' };
        let mapping_key = sep == ':' && k + 1 < n && chars[k + 1].1 == ' ' && !flag && key_position;
        let value_start = if sep == '=' || mapping_key {
            Some(k + 1)
        } else if flag && (sep.is_whitespace() || sep == ',') {
            // `--token x`, `"--token", "x"`, `"--token" "x"`.
            Some(k)
        } else {
            None
        };
        // The name test is the costly part, so it comes after the cheap
        // look at what follows the word: most words are not keys at all.
        let Some(mut v) = value_start.filter(|_| is_secret_name(name)) else {
            i = j;
            continue;
        };
        while v < n && (chars[v].1 == ' ' || chars[v].1 == '\t' || (flag && chars[v].1 == ',')) {
            v += 1;
        }
        let quote = if v < n && matches!(chars[v].1, '"' | '\'') {
            let q = chars[v].1;
            v += 1;
            Some(q)
        } else {
            None
        };
        // A flag followed by another flag has no value of its own.
        if flag && value_start == Some(k) && v < n && chars[v].1 == '-' {
            i = j;
            continue;
        }
        let mut e = v;
        match quote {
            Some(q) => {
                while e < n && chars[e].1 != q && chars[e].1 != '\n' {
                    if chars[e].1 == '\\' && e + 1 < n {
                        e += 1;
                    }
                    e += 1;
                }
            }
            None => {
                while e < n && !ends_value(chars[e].1) {
                    e += 1;
                }
            }
        }
        if e == v {
            i = j;
            continue;
        }
        let vb = chars[v].0;
        let eb = if e < n { chars[e].0 } else { s.len() };
        let value = &s[vb..eb];
        // Leave references and already-redacted values alone.
        let reference = value == MASK
            || value.starts_with("${")
            || value.starts_with("$(")
            || (value.starts_with('$') && value.len() > 1 && !value.contains(' '))
            || value.starts_with("{{");
        if !reference {
            out.push_str(&s[copied..vb]);
            out.push_str(MASK);
            copied = eb;
        }
        i = e.max(j);
    }
    out.push_str(&s[copied..]);
    out
}

/// A source line on which a rule found a secret at 1-based column `col`:
/// everything after the first `=` or `: ` from that column on is masked,
/// whatever the key's name (`value: hunter2` under `name: DB_PASSWORD`).
pub fn mask_value_after(line: &str, col: u32) -> String {
    let start = line
        .char_indices()
        .nth(col.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let sep = match (rest.find('='), rest.find(": ")) {
        (Some(a), Some(b)) => Some(if a < b { (a, 1) } else { (b, 2) }),
        (Some(a), None) => Some((a, 1)),
        (None, Some(b)) => Some((b, 2)),
        (None, None) => rest.strip_suffix(':').map(|r| (r.len(), 1)),
    };
    match sep {
        Some((i, w)) => {
            let cut = start + i + w;
            let value = line[cut..].trim();
            if value.is_empty() || value == MASK {
                redact_text(line)
            } else {
                let lead = &line[cut..cut + (line[cut..].len() - line[cut..].trim_start().len())];
                format!("{}{lead}{MASK}", &line[..cut])
            }
        }
        None => redact_text(line),
    }
}

/// Redact an argv vector: `--password=x`, `--password x` (two elements),
/// `NAME=value` with a secret-like name, URL credentials, and secrets inside
/// shell strings (`sh -c "... --token x"`).
pub fn redact_argv(argv: &mut [String]) {
    let mut mask_next = false;
    for a in argv.iter_mut() {
        if mask_next {
            mask_next = false;
            if !a.starts_with('-') && !a.is_empty() {
                *a = MASK.to_string();
                continue;
            }
        }
        if a.starts_with('-') && !a.contains('=') && is_secret_name(a) {
            mask_next = true;
            continue;
        }
        let r = redact_text(a);
        if r != *a {
            *a = r;
        }
    }
}

/// Redact one `NAME=value` environment-style entry when NAME is secret-like,
/// plus URL credentials in any value.
pub fn redact_assignment(entry: &str) -> String {
    match entry.split_once('=') {
        Some((name, value)) if !value.is_empty() && is_secret_name(name) => {
            format!("{name}={MASK}")
        }
        _ => redact_urls(entry),
    }
}

/// Redact a label map: secret-like keys lose their value; any value loses
/// URL credentials and secret pairs.
pub fn redact_labels(labels: &mut std::collections::BTreeMap<String, String>) {
    for (k, v) in labels.iter_mut() {
        if !v.is_empty() && is_secret_name(k) {
            *v = MASK.to_string();
        } else {
            let r = redact_text(v);
            if r != *v {
                *v = r;
            }
        }
    }
}

/// Redact a JSON value in place: a string under a secret-like key becomes
/// `***`; every other string loses URL credentials.
pub fn redact_json(key: Option<&str>, v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            if key.is_some_and(is_secret_name) && !s.is_empty() {
                *s = MASK.to_string();
            } else if s.contains("://") {
                *s = redact_urls(s);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| redact_json(key, x)),
        serde_json::Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                redact_json(Some(k), x);
            }
        }
        _ => {}
    }
}

/// Redact an image-history `CreatedBy` line. Every `KEY=value` set by an
/// `ENV` or `ARG` step, and every build argument in the `|N A=x B=y` prefix
/// of a `RUN` step, loses its value (as environment values do); other
/// secret-like pairs, flags and URL credentials are redacted as in text.
pub fn redact_history(created_by: &str) -> String {
    let s = created_by;
    // Legacy builder: `/bin/sh -c #(nop)  ENV A=b`; BuildKit: `ENV A=b`.
    let body_start = s.find("#(nop)").map(|i| i + 6).unwrap_or(0);
    let body = s[body_start..].trim_start();
    let word = body.split_whitespace().next().unwrap_or("");
    if word.eq_ignore_ascii_case("ENV") || word.eq_ignore_ascii_case("ARG") {
        let prefix_len = s.len() - body.len() + word.len();
        let mut out = s[..prefix_len].to_string();
        out.push_str(&mask_all_assignments(&s[prefix_len..]));
        // Drop trailing BuildKit comment markers untouched.
        return out;
    }
    // `|2 A=1 B=2 /bin/sh -c …` (legacy) or `RUN |2 A=1 B=2 /bin/sh -c …`.
    let (lead, rest) = match s.strip_prefix("RUN ") {
        Some(r) => ("RUN ", r),
        None => ("", s),
    };
    if let Some(after_bar) = rest.strip_prefix('|') {
        let digits: String = after_bar
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if let Ok(count) = digits.parse::<usize>() {
            let mut out = format!("{lead}|{digits}");
            let mut remaining = &after_bar[digits.len()..];
            for _ in 0..count {
                let trimmed = remaining.trim_start();
                out.push_str(&remaining[..remaining.len() - trimmed.len()]);
                let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
                let tok = &trimmed[..end];
                match tok.split_once('=') {
                    Some((k, v)) if !v.is_empty() => {
                        out.push_str(k);
                        out.push('=');
                        out.push_str(MASK);
                    }
                    _ => out.push_str(tok),
                }
                remaining = &trimmed[end..];
            }
            out.push_str(&redact_text(remaining));
            return out;
        }
    }
    redact_text(s)
}

/// Every `NAME=value` (value possibly quoted) loses its value; also the
/// legacy `ENV NAME value` form.
fn mask_all_assignments(s: &str) -> String {
    let trimmed = s.trim_start();
    let lead = &s[..s.len() - trimmed.len()];
    // Legacy single form `ENV NAME value with spaces` (no `=` in the name).
    let first = trimmed.split_whitespace().next().unwrap_or("");
    if !first.contains('=') {
        let rest = trimmed[first.len()..].trim();
        let tail = if rest.is_empty() {
            String::new()
        } else {
            format!(" {MASK}")
        };
        return format!("{lead}{first}{tail}");
    }
    let chars: Vec<char> = trimmed.chars().collect();
    let mut out = String::from(lead);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '=' {
            out.push('=');
            i += 1;
            let mut masked = false;
            if i < chars.len() && (chars[i] == '"' || chars[i] == '\'') {
                let q = chars[i];
                i += 1;
                while i < chars.len() && chars[i] != q {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
                masked = true;
            } else {
                while i < chars.len() && !chars[i].is_whitespace() {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                    masked = true;
                }
            }
            if masked {
                out.push_str(MASK);
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prefilter in `redact_text` may only skip texts that cannot hold
    /// a secret-like name: every fragment and word the name test knows
    /// contains one of its needles, and so does every name it accepts.
    #[test]
    fn prefilter_never_skips_a_text_the_full_pass_changes() {
        const PIECES: &[&str] = &[
            "pass",
            "Pa_ss",
            "word",
            "PW",
            "auth",
            "-",
            "--",
            "_",
            ".",
            "=",
            ": ",
            ":",
            " ",
            "key",
            "api",
            "K.e-Y",
            "secret",
            "tok",
            "en",
            "dsn",
            "cred",
            "x",
            "1",
            "\"",
            "'",
            "connection",
            "string",
            ",",
            "\n",
            "/",
            "value",
            "$",
            "{{",
        ];
        let mut seed: u64 = 7;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        let mut changed = 0;
        for _ in 0..20_000 {
            let text: String = (0..1 + next(10))
                .map(|_| PIECES[next(PIECES.len())])
                .collect();
            if redact_pairs(&text) != text {
                changed += 1;
                assert!(may_name_a_secret(&text), "skipped {text:?}");
            }
        }
        assert!(changed > 200, "only {changed} texts held a secret");
    }

    #[test]
    fn prefilter_covers_every_secret_name() {
        for w in SECRET_FRAGMENTS.iter().chain(SECRET_WORDS) {
            assert!(may_name_a_secret(&format!("{w}=x")), "{w}");
        }
        let names = [
            "DB_PASSWORD",
            "dbPass",
            "Pass-Word",
            "my.pw",
            "X_AUTH",
            "sec_ret",
            "to-ken",
        ];
        for n in names {
            assert!(is_secret_name(n), "{n}");
            for text in [format!("{n}=x"), format!("{n}: x"), format!("--{n} x")] {
                assert!(may_name_a_secret(&text), "{text}");
                assert!(redact_text(&text).ends_with(MASK), "{text}");
            }
        }
        // No separator, or no secret-like word: nothing to redact.
        for n in [
            "DB_PASSWORD x",
            "image: nginx",
            "replicas=3",
            "HOME",
            "run as root",
        ] {
            assert!(!may_name_a_secret(n), "{n}");
        }
    }

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "API_TOKEN",
            "apiKey",
            "AWS_SECRET_ACCESS_KEY",
            "--password",
            "--token",
            "STRIPE_KEY",
            "db_pass",
            "client-secret",
            "GITHUB_AUTH",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "PATH",
            "HOME",
            "PWD",
            "--tlskey",
            "--authorization-plugin",
            "POSTGRES_PASSWORD_FILE",
            "author",
            "keyboard",
            "--publish",
            "monkey",
            // Switches about authentication, whose value a reviewer needs.
            "POSTGRES_HOST_AUTH_METHOD",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "ALLOW_EMPTY_PASSWORD",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn text_pairs_flags_and_urls() {
        assert_eq!(redact_text("API_TOKEN=abc123 x"), "API_TOKEN=*** x");
        assert_eq!(
            redact_text("app --password=hunter2 --port 80"),
            "app --password=*** --port 80"
        );
        assert_eq!(redact_text("app --token s3cr3t -v"), "app --token *** -v");
        assert_eq!(
            redact_text(r#"CMD ["app", "--token", "s3cr3t"]"#),
            r#"CMD ["app", "--token", "***"]"#
        );
        assert_eq!(
            redact_text(r#"CMD ["app" "--token" "s3cr3t"]"#),
            r#"CMD ["app" "--token" "***"]"#
        );
        assert_eq!(
            redact_text("      password: hunter2"),
            "      password: ***"
        );
        assert_eq!(
            redact_text(r#"{"password": "hunter2"}"#),
            r#"{"password": "***"}"#
        );
        assert_eq!(
            redact_text("git clone https://bob:hunter2@example.com/r.git"),
            "git clone https://bob:***@example.com/r.git"
        );
        assert_eq!(
            redact_text("https://ghp_abc@github.com/x"),
            "https://***@github.com/x"
        );
        // References stay readable; nothing secret stays as it was.
        assert_eq!(redact_text("DB_PASSWORD=${PW}"), "DB_PASSWORD=${PW}");
        assert_eq!(redact_text("plain text, port=80"), "plain text, port=80");
        assert_eq!(redact_text("--token --verbose"), "--token --verbose");
        assert_eq!(
            redact_text("--root /etc/passwd: not a directory"),
            "--root /etc/passwd: not a directory"
        );
        assert_eq!(redact_text("the token: is fine"), "the token: is fine");
        assert_eq!(redact_text("- password: x"), "- password: ***");
        assert_eq!(
            redact_text("DB_PASSWORD=\"a b c\" x"),
            "DB_PASSWORD=\"***\" x"
        );
    }

    #[test]
    fn value_after_a_flagged_key() {
        assert_eq!(
            mask_value_after("        value: hunter2", 9),
            "        value: ***"
        );
        assert_eq!(mask_value_after("ENV A=b C=d", 5), "ENV A=***");
        assert_eq!(
            mask_value_after("  - API_KEY=abc # x", 5),
            "  - API_KEY=***"
        );
        assert_eq!(mask_value_after("plain", 1), "plain");
    }

    #[test]
    fn json_values() {
        let mut v = serde_json::json!({
            "registry-mirrors": ["https://u:pw@mirror.example"],
            "proxies": {"http-proxy": "http://a:b@p:3128", "password": "x"},
            "hosts": ["unix:///var/run/docker.sock"],
            "tlskey": "/etc/docker/key.pem"
        });
        redact_json(None, &mut v);
        assert_eq!(v["registry-mirrors"][0], "https://u:***@mirror.example");
        assert_eq!(v["proxies"]["http-proxy"], "http://a:***@p:3128");
        assert_eq!(v["proxies"]["password"], "***");
        assert_eq!(v["hosts"][0], "unix:///var/run/docker.sock");
        assert_eq!(v["tlskey"], "/etc/docker/key.pem");
    }

    #[test]
    fn argv() {
        let mut a: Vec<String> = [
            "app",
            "--token",
            "s3cr3t",
            "--password=pw",
            "-v",
            "DB_PASS=x",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        redact_argv(&mut a);
        assert_eq!(
            a,
            [
                "app",
                "--token",
                "***",
                "--password=***",
                "-v",
                "DB_PASS=***"
            ]
        );
        let mut b = vec!["/bin/sh".to_string(), "-c".into(), "run --token abc".into()];
        redact_argv(&mut b);
        assert_eq!(b[2], "run --token ***");
    }

    #[test]
    fn history_lines() {
        assert_eq!(
            redact_history("/bin/sh -c #(nop)  ENV API_TOKEN=abc PATH=/bin"),
            "/bin/sh -c #(nop)  ENV API_TOKEN=*** PATH=***"
        );
        assert_eq!(
            redact_history("ENV API_TOKEN=abc # buildkit"),
            "ENV API_TOKEN=*** # buildkit"
        );
        assert_eq!(
            redact_history("/bin/sh -c #(nop)  ARG SECRET=xyz"),
            "/bin/sh -c #(nop)  ARG SECRET=***"
        );
        assert_eq!(
            redact_history("|2 A=1 SECRET=xyz /bin/sh -c echo hi"),
            "|2 A=*** SECRET=*** /bin/sh -c echo hi"
        );
        assert_eq!(
            redact_history("RUN |1 NPM_TOKEN=xyz /bin/sh -c npm ci # buildkit"),
            "RUN |1 NPM_TOKEN=*** /bin/sh -c npm ci # buildkit"
        );
        assert_eq!(
            redact_history("/bin/sh -c #(nop)  LABEL password=hunter2 team=a"),
            "/bin/sh -c #(nop)  LABEL password=*** team=a"
        );
        assert_eq!(
            redact_history("/bin/sh -c #(nop)  ENV TOKEN value with spaces"),
            "/bin/sh -c #(nop)  ENV TOKEN ***"
        );
        assert_eq!(
            redact_history("/bin/sh -c apt-get update"),
            "/bin/sh -c apt-get update"
        );
    }

    #[test]
    fn labels_and_assignments() {
        let mut l = std::collections::BTreeMap::new();
        l.insert("db.password".to_string(), "hunter2".to_string());
        l.insert("repo".to_string(), "https://u:p@h/x".to_string());
        l.insert("team".to_string(), "web".to_string());
        redact_labels(&mut l);
        assert_eq!(l["db.password"], "***");
        assert_eq!(l["repo"], "https://u:***@h/x");
        assert_eq!(l["team"], "web");
        assert_eq!(redact_assignment("API_KEY=x"), "API_KEY=***");
        assert_eq!(redact_assignment("PATH=/bin"), "PATH=/bin");
    }
}
