//! What every human-readable renderer shares: the one colour painter (on
//! `anstyle`), the `--color` decision (through `anstream`), and [`esc`], the
//! single place host and file data pass through on their way to a terminal.

pub mod audit;

use crate::findings::{Outcome, Severity};
use anstyle::{AnsiColor, Style};
use std::borrow::Cow;

/// Text from the host or a scanned file, on its way into human-readable
/// output. Every renderer of terminal text routes such data through here:
/// control characters (C0, C1, DEL, escape sequences, bidi overrides) are
/// shown visibly (`\x1b`) by [`crate::sanitize::visible`].
pub fn esc(s: &str) -> Cow<'_, str> {
    crate::sanitize::visible(s)
}

/// `--color WHEN`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// Colour when writing to a terminal and NO_COLOR is unset
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Whether to colour output going to stdout (`to_file` = false) or to a
    /// file. `auto` asks `anstream`, which honours NO_COLOR and
    /// CLICOLOR_FORCE and colours only a terminal; a file is never coloured
    /// unless asked for.
    pub fn enabled(self, to_file: bool) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto if to_file => false,
            ColorWhen::Auto => {
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
            }
        }
    }
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn fg(c: AnsiColor) -> Style {
    Style::new().bold().fg_color(Some(c.into()))
}

/// The one colour painter: styles text when colour is on, passes it through
/// when it is off.
#[derive(Debug, Clone, Copy)]
pub struct Painter(pub bool);

impl Painter {
    pub fn paint(&self, style: Style, s: &str) -> String {
        if self.0 {
            format!("{}{s}{}", style.render(), style.render_reset())
        } else {
            s.to_string()
        }
    }

    pub fn bold(&self, s: &str) -> String {
        self.paint(BOLD, s)
    }

    pub fn dim(&self, s: &str) -> String {
        self.paint(DIM, s)
    }

    /// Gutters and arrows of a snippet.
    pub fn accent(&self, s: &str) -> String {
        self.paint(fg(AnsiColor::Blue), s)
    }

    pub fn error(&self, s: &str) -> String {
        self.paint(fg(AnsiColor::Red), s)
    }

    pub fn outcome(&self, o: Outcome, s: &str) -> String {
        let style = match o {
            Outcome::Pass => fg(AnsiColor::Green),
            Outcome::Fail => fg(AnsiColor::Red),
            Outcome::Warn => fg(AnsiColor::Yellow),
            Outcome::Error => fg(AnsiColor::Magenta),
            Outcome::Info => fg(AnsiColor::Blue),
            Outcome::NotApplicable => DIM,
        };
        self.paint(style, s)
    }

    pub fn severity(&self, sev: Severity, s: &str) -> String {
        let style = match sev {
            Severity::Critical => fg(AnsiColor::Magenta),
            Severity::High => fg(AnsiColor::Red),
            Severity::Medium => fg(AnsiColor::Yellow),
            Severity::Low => fg(AnsiColor::Cyan),
            Severity::Info => fg(AnsiColor::Blue),
        };
        self.paint(style, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_painter_styles_only_when_on() {
        let on = Painter(true).outcome(Outcome::Fail, "[FAIL]");
        assert!(on.starts_with("\x1b[") && on.ends_with("\x1b[0m"), "{on:?}");
        assert_eq!(Painter(false).outcome(Outcome::Fail, "[FAIL]"), "[FAIL]");
    }

    #[test]
    fn always_and_never_do_not_depend_on_the_terminal() {
        assert!(ColorWhen::Always.enabled(true));
        assert!(!ColorWhen::Never.enabled(false));
        assert!(
            !ColorWhen::Auto.enabled(true),
            "a file is not coloured by default"
        );
    }
}
