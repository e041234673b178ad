//! A typed SVG writer: element and attribute names are `'static` strings
//! of ours, every value and every text node is escaped on the way out, so
//! nothing from a host or a file can become markup. The dashboard charts
//! and the built-in data-flow diagram are drawn with it.

use std::fmt::Write;

/// Escape text or an attribute value for XML/HTML.
pub fn esc(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
}

/// An attribute: a name of ours, a value of anyone's.
pub type Attr<'a> = (&'static str, String);

pub struct Svg {
    out: String,
    open: Vec<&'static str>,
}

/// Format a coordinate with at most one decimal, so output is stable.
pub fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

impl Svg {
    /// A new `<svg>` of `w` × `h` user units, labelled for screen readers.
    pub fn new(w: f64, h: f64, label: &str, class: &'static str) -> Svg {
        let mut s = Svg {
            out: String::with_capacity(4096),
            open: Vec::new(),
        };
        s.open(
            "svg",
            &[
                ("xmlns", "http://www.w3.org/2000/svg".into()),
                ("viewBox", format!("0 0 {} {}", n(w), n(h))),
                ("class", class.into()),
                ("role", "img".into()),
                ("aria-label", label.into()),
            ],
        );
        s
    }

    fn tag(&mut self, name: &'static str, attrs: &[Attr<'_>]) {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            let _ = write!(self.out, " {k}=\"");
            esc(v, &mut self.out);
            self.out.push('"');
        }
    }

    pub fn open(&mut self, name: &'static str, attrs: &[Attr<'_>]) {
        self.tag(name, attrs);
        self.out.push('>');
        self.open.push(name);
    }

    pub fn close(&mut self) {
        if let Some(name) = self.open.pop() {
            let _ = write!(self.out, "</{name}>");
        }
    }

    /// An empty element.
    pub fn leaf(&mut self, name: &'static str, attrs: &[Attr<'_>]) {
        self.tag(name, attrs);
        self.out.push_str("/>");
    }

    /// An element holding only text.
    pub fn text(&mut self, name: &'static str, attrs: &[Attr<'_>], text: &str) {
        self.tag(name, attrs);
        self.out.push('>');
        esc(text, &mut self.out);
        let _ = write!(self.out, "</{name}>");
    }

    pub fn finish(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }
}

/// One stacked bar: a label and (class, count) segments.
pub struct Bar {
    pub label: String,
    pub parts: Vec<(&'static str, &'static str, usize)>,
}

/// Horizontal stacked bars, one per label, with counts in a `<title>`.
pub fn stacked_bars(title: &str, bars: &[Bar]) -> String {
    let (label_w, bar_w, row_h) = (280.0, 320.0, 22.0);
    let h = 8.0 + row_h * bars.len().max(1) as f64;
    let mut s = Svg::new(label_w + bar_w + 50.0, h, title, "chart");
    let max = bars
        .iter()
        .map(|b| b.parts.iter().map(|p| p.2).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let ty = n(y + 15.0);
        s.text(
            "text",
            &[
                ("x", n(label_w - 6.0)),
                ("y", ty.clone()),
                ("text-anchor", "end".into()),
            ],
            &crate::sanitize::truncate(&b.label, 44),
        );
        let mut x = label_w;
        let mut total = 0;
        for (class, name, count) in b.parts.iter().filter(|p| p.2 > 0) {
            let w = bar_w * *count as f64 / max;
            s.open(
                "rect",
                &[
                    ("x", n(x)),
                    ("y", n(y + 3.0)),
                    ("width", n(w.max(1.0))),
                    ("height", n(row_h - 6.0)),
                    ("class", format!("o-{class}")),
                ],
            );
            s.text("title", &[], &format!("{}: {name} {count}", b.label));
            s.close();
            x += w;
            total += count;
        }
        s.text("text", &[("x", n(x + 4.0)), ("y", ty)], &total.to_string());
    }
    s.finish()
}

/// A donut showing a 0–100 score, or "n/a".
pub fn score_donut(score: Option<u32>, caption: &str) -> String {
    let mut s = Svg::new(120.0, 120.0, caption, "donut");
    let (r, c) = (48.0_f64, 60.0);
    let circ = 2.0 * std::f64::consts::PI * r;
    let circle = |class: &'static str| -> Vec<Attr<'static>> {
        vec![
            ("cx", n(c)),
            ("cy", n(c)),
            ("r", n(r)),
            ("class", class.into()),
        ]
    };
    s.leaf("circle", &circle("donut-bg"));
    if let Some(v) = score {
        let mut a = circle(if v >= 80 {
            "donut-good"
        } else if v >= 50 {
            "donut-mid"
        } else {
            "donut-bad"
        });
        let len = circ * f64::from(v.min(100)) / 100.0;
        a.push(("stroke-dasharray", format!("{} {}", n(len), n(circ))));
        a.push(("transform", format!("rotate(-90 {} {})", n(c), n(c))));
        s.leaf("circle", &a);
    }
    let label = score
        .map(|v| format!("{v}%"))
        .unwrap_or_else(|| "n/a".into());
    s.text(
        "text",
        &[
            ("x", n(c)),
            ("y", n(c + 7.0)),
            ("text-anchor", "middle".into()),
            ("class", "donut-label".into()),
        ],
        &label,
    );
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_text_are_escaped() {
        let bars = [Bar {
            label: "<img src=x onerror=alert(1)>\"'".into(),
            parts: vec![("fail", "FAIL", 2)],
        }];
        let out = stacked_bars("t\"><script>", &bars);
        assert!(!out.contains("<img") && !out.contains("<script"));
        assert!(out.contains("&lt;img src=x"));
        assert!(out.contains("aria-label=\"t&quot;&gt;&lt;script&gt;\""));
    }

    #[test]
    fn donut_draws_the_score() {
        assert!(score_donut(Some(75), "score").contains("75%"));
        assert!(score_donut(None, "score").contains("n/a"));
    }
}
