//! Making host and file data safe to show to a human.
//!
//! Container fields, image history, file names and YAML strings come from
//! whoever controls the audited host or repository. Printed verbatim, an
//! escape sequence can rewrite or hide the rest of a terminal report, and
//! markup can inject HTML into a rendered Markdown page. Every human-readable
//! renderer passes such data through this module; JSON, SARIF and JUnit keep
//! it exact (their serialisers escape it).
//!
//! - [`visible`]: control characters (C0, DEL, C1) and bidirectional
//!   overrides become visible escapes (`\x1b`, `\u{202e}`), so an escape
//!   sequence is shown, never interpreted.
//! - [`truncate`]: cut to a number of characters at a character boundary,
//!   never inside an escape.
//! - [`markdown`] and [`code_span`]: Markdown text that cannot open markup.
//! - [`dot`] and [`mermaid`]: diagram label text.

use std::borrow::Cow;

/// Characters that must not reach a terminal or a page as they are.
fn needs_escape(c: char) -> bool {
    let u = c as u32;
    u < 0x20
        || u == 0x7f
        || (0x80..=0x9f).contains(&u)
        // Bidirectional embeddings, overrides and isolates ("trojan source").
        || (0x202a..=0x202e).contains(&u)
        || (0x2066..=0x2069).contains(&u)
        || u == 0x200e
        || u == 0x200f
        || u == 0x061c
}

/// The visible form of one character that needs escaping.
fn escape_char(c: char, out: &mut String) {
    use std::fmt::Write;
    let u = c as u32;
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        _ if u < 0x100 => {
            let _ = write!(out, "\\x{u:02x}");
        }
        _ => {
            let _ = write!(out, "\\u{{{u:x}}}");
        }
    }
}

/// Show every control character visibly (`\x1b`, `\n`, `\u{202e}`).
/// Borrowed when there is nothing to escape.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`visible`] but keeps line breaks (`\n`) for multi-line text such as
/// a whole message; every other control character is escaped.
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && needs_escape(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c != '\n' && needs_escape(c) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`visible`], cut to at most `max` characters of output (escapes count
/// with their full width) with `…` appended when cut. An escape is either
/// shown whole or not at all.
pub fn truncate(s: &str, max: usize) -> String {
    let pieces: Vec<String> = s
        .chars()
        .map(|c| {
            let mut p = String::new();
            if needs_escape(c) {
                escape_char(c, &mut p);
            } else {
                p.push(c);
            }
            p
        })
        .collect();
    let total: usize = pieces.iter().map(|p| p.chars().count()).sum();
    if total <= max {
        return pieces.concat();
    }
    let mut out = String::new();
    let mut width = 0;
    for p in &pieces {
        let w = p.chars().count();
        if width + w + 1 > max {
            break;
        }
        width += w;
        out.push_str(p);
    }
    out.push('…');
    out
}

/// Markdown inline text from host data: control characters visible, HTML
/// impossible (`<`, `>`, `&` as entities) and Markdown punctuation escaped
/// so the data cannot open code, emphasis, links or table cells.
pub fn markdown(s: &str) -> String {
    let v = visible(s);
    let mut out = String::with_capacity(v.len() + 8);
    for c in v.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // Enough to keep data from opening code, emphasis, links or
            // cells; `_` inside names (DOCKER_HOST) is left readable.
            '\\' | '`' | '*' | '[' | ']' | '|' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A Markdown code span holding `s` literally: a backtick fence longer than
/// any run of backticks inside, padded when the text starts or ends with a
/// backtick. `<` stays literal inside a code span, so it cannot become HTML;
/// `|` is escaped since a code span does not protect a table cell.
pub fn code_span(s: &str) -> String {
    let v = visible(s).replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in v.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if v.starts_with('`') || v.ends_with('`') || v.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{v}{pad}{fence}")
}

/// Text for a quoted Graphviz DOT label (without the quotes): control
/// characters visible, then `\` and `"` escaped, so neither an escape nor a
/// DOT escape sequence (`\N`, `\G`) from the data is interpreted.
pub fn dot(s: &str) -> String {
    let v = visible(s);
    let mut out = String::with_capacity(v.len() + 2);
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out
}

/// Text for a quoted Mermaid label (without the quotes): control characters
/// visible; quotes and markup-significant characters as Mermaid entity
/// codes (`#quot;`, `#lt;`), which Mermaid shows literally.
pub fn mermaid(s: &str) -> String {
    let v = visible(s);
    let mut out = String::with_capacity(v.len() + 8);
    for c in v.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '`' => out.push_str("#96;"),
            '|' => out.push_str("#124;"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether `s` holds a character a terminal would interpret.
pub fn has_control(s: &str) -> bool {
    s.chars().any(needs_escape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(visible("plain"), "plain");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
        assert_eq!(visible("a\x1b]0;x"), "a\\x1b]0;x");
        assert_eq!(visible("a\u{9b}b\u{7f}"), "a\\x9bb\\x7f");
        assert_eq!(visible("l1\nl2\t"), "l1\\nl2\\t");
        assert_eq!(visible("ab\u{202e}c"), "ab\\u{202e}c");
        assert_eq!(visible_lines("l1\nl2\x07"), "l1\nl2\\x07");
        assert!(!has_control(&visible("\x1b[2J\x00\u{85}")));
        // Ordinary non-ASCII text is left alone.
        assert_eq!(visible("café → ü"), "café → ü");
    }

    #[test]
    fn truncation_never_splits_an_escape_or_a_character() {
        assert_eq!(truncate("abcdef", 10), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("ab\x1bcdef", 4), "ab…");
        assert_eq!(truncate("ab\x1bcdef", 7), "ab\\x1b…");
        assert_eq!(truncate("ééééé", 3), "éé…");
        for n in 0..20 {
            let t = truncate("x\x1b[31mred\u{9b}\u{202e}é", n);
            assert!(!has_control(&t));
            assert!(!t.contains("\\x1…") && !t.contains("\\…"), "{t}");
        }
    }

    #[test]
    fn markdown_cannot_open_markup() {
        let m = markdown("<script>alert(1)</script> *x* [a](b) `c` |d|");
        assert!(!m.contains('<'));
        assert_eq!(
            m,
            "&lt;script&gt;alert(1)&lt;/script&gt; \\*x\\* \\[a\\](b) \\`c\\` \\|d\\|"
        );
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
        assert_eq!(code_span("a\x1bb"), "`a\\x1bb`");
    }

    #[test]
    fn diagram_labels() {
        assert_eq!(dot("a\"b\\N\x1b"), "a\\\"b\\\\N\\\\x1b");
        assert_eq!(mermaid("<b>\"x\"</b>"), "#lt;b#gt;#quot;x#quot;#lt;/b#gt;");
        assert!(!mermaid("\x1b]8;;").contains('\x1b'));
    }
}
