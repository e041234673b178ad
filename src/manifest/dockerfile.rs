//! A Dockerfile parser that keeps positions: parser directives, line
//! continuations (with the `escape` directive), comment lines inside
//! continuations, heredocs (`RUN <<EOF`) and multi-stage builds.
//!
//! It never fails: an unknown instruction is kept as-is, so one odd line does
//! not hide findings on the others.

use super::yaml::Pos;

#[derive(Debug, Clone)]
pub struct Instruction {
    /// Upper-cased keyword (`RUN`, `FROM`…).
    pub keyword: String,
    /// Position of the keyword.
    pub pos: Pos,
    /// The arguments as Docker sees them: continuations joined, comment lines
    /// dropped. For `RUN`, heredoc bodies follow on new lines.
    pub args: String,
    /// Offsets in `args` where a new source segment starts, with its position.
    segments: Vec<(usize, Pos)>,
    /// Heredocs of the instruction: (delimiter, body).
    pub heredocs: Vec<(String, String)>,
    /// Index of the build stage the instruction belongs to (`FROM` starts one).
    pub stage: usize,
    /// [`Instruction::commands`], parsed on first use: many rules look at
    /// the same instruction's commands.
    commands: std::sync::OnceLock<Vec<Command>>,
}

impl Instruction {
    /// The source position of a byte offset in `args`.
    pub fn pos_at(&self, offset: usize) -> Pos {
        let idx = self
            .segments
            .partition_point(|(o, _)| *o <= offset)
            .saturating_sub(1);
        let Some(&(start, pos)) = self.segments.get(idx) else {
            return self.pos;
        };
        let end = offset.min(self.args.len());
        let chars = self
            .args
            .get(start..end)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        Pos::new(pos.line, pos.col + chars as u32)
    }

    /// Leading `--flag[=value]` options and the byte offset where the rest starts.
    pub fn flags(&self) -> (Vec<(&str, &str)>, usize) {
        let mut flags = Vec::new();
        let mut off = 0;
        let s = &self.args;
        loop {
            let rest = &s[off..];
            let trimmed = rest.trim_start();
            let start = off + (rest.len() - trimmed.len());
            if !trimmed.starts_with("--") {
                return (flags, start);
            }
            let end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
            let tok = &trimmed[2..end];
            let (k, v) = tok.split_once('=').unwrap_or((tok, ""));
            flags.push((k, v));
            off = start + end;
        }
    }

    /// Arguments after the leading flags, with their offset.
    pub fn operands(&self) -> (&str, usize) {
        let (_, off) = self.flags();
        (&self.args[off..], off)
    }

    /// Whether the arguments use the JSON (exec) form.
    pub fn is_exec_form(&self) -> bool {
        self.operands().0.trim_start().starts_with('[')
    }

    /// The arguments as shell text: an exec form's JSON brackets, quotes
    /// and commas become spaces (byte offsets are kept), so its words can
    /// be read like a shell command's.
    pub fn shell_text(&self) -> String {
        if !self.is_exec_form() {
            return self.args.clone();
        }
        let mut out = String::with_capacity(self.args.len());
        let mut in_q = false;
        let mut prev = '\0';
        for ch in self.args.chars() {
            if ch == '"' && prev != '\\' {
                in_q = !in_q;
                out.push(' ');
            } else if !in_q && matches!(ch, '[' | ']' | ',') {
                out.push(' ');
            } else {
                out.push(ch);
            }
            prev = ch;
        }
        out
    }

    /// The simple commands of [`Instruction::shell_text`], parsed once.
    pub fn commands(&self) -> &[Command] {
        self.commands
            .get_or_init(|| shell_commands(&self.shell_text()))
    }
}

/// A build stage: a `FROM` and what follows it.
#[derive(Debug, Clone)]
pub struct Stage {
    /// Index of the `FROM` instruction.
    pub from: usize,
    /// The image reference as written.
    pub image: String,
    /// Byte offset of the image in the FROM arguments.
    pub image_offset: usize,
    /// `AS name`, lower-cased.
    pub alias: Option<String>,
    /// The earlier stage this one builds on, if it names one.
    pub parent: Option<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    pub escape: char,
    /// Parser directives (`syntax`, `escape`, `check`), lower-cased keys.
    pub directives: Vec<(String, String)>,
}

impl Dockerfile {
    /// Instructions of one stage.
    pub fn stage_instructions(&self, stage: usize) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .iter()
            .filter(move |i| i.stage == stage && i.keyword != "FROM")
    }

    /// The final stage and the chain of earlier stages it builds on,
    /// nearest first.
    pub fn final_chain(&self) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut cur = self.stages.len().checked_sub(1);
        while let Some(s) = cur {
            if chain.contains(&s) {
                break;
            }
            chain.push(s);
            cur = self.stages[s].parent;
        }
        chain
    }

    /// Instructions with `keyword` in the final image: the final stage first,
    /// then the stages it inherits from; latest instruction first in each.
    pub fn final_image_instructions<'a>(&'a self, keyword: &'a str) -> Vec<&'a Instruction> {
        let mut out = Vec::new();
        for s in self.final_chain() {
            let mut v: Vec<_> = self
                .stage_instructions(s)
                .filter(|i| i.keyword == keyword)
                .collect();
            v.reverse();
            out.extend(v);
        }
        out
    }

    pub fn final_from(&self) -> Option<&Instruction> {
        self.stages.last().map(|s| &self.instructions[s.from])
    }
}

fn char_col(line: &str, byte: usize) -> u32 {
    line[..byte].chars().count() as u32 + 1
}

/// Read the parser directives (`# key=value` lines at the very top) into
/// `df`; returns the index of the first line after them.
fn parse_directives(lines: &[&str], df: &mut Dockerfile) -> usize {
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        let Some(body) = t.strip_prefix('#') else {
            break;
        };
        let Some((k, v)) = body.split_once('=') else {
            break;
        };
        let k = k.trim().to_ascii_lowercase();
        if !matches!(k.as_str(), "syntax" | "escape" | "check") || k.contains(' ') {
            break;
        }
        let v = v.trim().to_string();
        if k == "escape" && v == "`" {
            df.escape = '`';
        }
        df.directives.push((k, v));
        i += 1;
    }
    i
}

/// One instruction's keyword and arguments as read from the source, before
/// heredocs.
struct Logical {
    keyword: String,
    pos: Pos,
    args: String,
    segments: Vec<(usize, Pos)>,
    /// The line after the instruction's last line.
    next: usize,
}

/// The first line at or after `from` that is neither blank nor a comment.
fn next_code_line(lines: &[&str], from: usize) -> Option<usize> {
    (from..lines.len()).find(|&j| {
        let t = lines[j].trim_start();
        !(t.starts_with('#') || t.is_empty())
    })
}

/// Read the instruction starting on line `i` (not blank, not a comment),
/// joining continuation lines (those ending in the escape character) and
/// skipping comment lines between them.
fn read_instruction(lines: &[&str], i: usize, esc: char) -> Logical {
    let line = lines[i];
    let trimmed = line.trim_start();
    let lead = line.len() - trimmed.len();
    let kw_end = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
    let keyword = trimmed[..kw_end].to_ascii_uppercase();
    let pos = Pos::new(i as u32 + 1, char_col(line, lead));
    let after_kw = &trimmed[kw_end..];
    let arg_start = lead + kw_end + (after_kw.len() - after_kw.trim_start().len());
    let mut args = String::new();
    let mut segments = Vec::new();
    let mut cur = &line[arg_start..];
    let mut cur_line = i;
    let mut cur_col = char_col(line, arg_start);
    loop {
        segments.push((args.len(), Pos::new(cur_line as u32 + 1, cur_col)));
        let Some(stripped) = cur.trim_end().strip_suffix(esc) else {
            args.push_str(cur);
            break;
        };
        args.push_str(stripped);
        let Some(j) = next_code_line(lines, cur_line + 1) else {
            cur_line = lines.len().max(cur_line + 1) - 1;
            break;
        };
        cur_line = j;
        cur = lines[j];
        cur_col = 1;
    }
    Logical {
        keyword,
        pos,
        args,
        segments,
        next: cur_line + 1,
    }
}

/// Read the heredoc bodies that follow a `RUN`/`COPY`/`ADD` starting at
/// line `l.next`; a `RUN` gets them appended to its arguments (with their
/// positions). Returns the heredocs and advances `l.next` past them.
fn read_heredocs(lines: &[&str], l: &mut Logical) -> Vec<(String, String)> {
    let mut heredocs = Vec::new();
    if !matches!(l.keyword.as_str(), "RUN" | "COPY" | "ADD") {
        return heredocs;
    }
    let mut i = l.next;
    for (name, strip_tabs) in heredoc_markers(&l.args) {
        let mut body = String::new();
        let mut body_lines = Vec::new();
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            let cmp = if strip_tabs {
                line.trim_start_matches('\t')
            } else {
                line
            };
            if cmp.trim_end() == name {
                break;
            }
            body_lines.push((body.len(), i - 1));
            body.push_str(line);
            body.push('\n');
        }
        if l.keyword == "RUN" {
            for (off, ln) in body_lines {
                l.segments
                    .push((l.args.len() + 1 + off, Pos::new(ln as u32 + 1, 1)));
            }
            l.args.push('\n');
            l.args.push_str(&body);
        }
        heredocs.push((name, body));
    }
    l.next = i;
    heredocs
}

/// The build stage a `FROM` instruction (the `index`-th instruction) starts.
fn stage_of(df: &Dockerfile, from: &Instruction, index: usize) -> Stage {
    let (rest, off) = from.operands();
    let mut words = rest.split_whitespace();
    let image = words.next().unwrap_or("").to_string();
    let image_offset = off + rest.find(&image).unwrap_or(0);
    let alias = match (words.next(), words.next()) {
        (Some(a), Some(n)) if a.eq_ignore_ascii_case("as") => Some(n.to_ascii_lowercase()),
        _ => None,
    };
    let lower = image.to_ascii_lowercase();
    let parent = df
        .stages
        .iter()
        .position(|s| s.alias.as_deref() == Some(lower.as_str()));
    Stage {
        from: index,
        image,
        image_offset,
        alias,
        parent,
    }
}

/// Parse a Dockerfile. Never fails.
pub fn parse(text: &str) -> Dockerfile {
    let lines: Vec<&str> = text.lines().collect();
    let mut df = Dockerfile {
        escape: '\\',
        ..Default::default()
    };
    let mut next = Some(parse_directives(&lines, &mut df));
    let mut stage = 0usize;
    while let Some(i) = next.and_then(|from| next_code_line(&lines, from)) {
        let mut l = read_instruction(&lines, i, df.escape);
        let heredocs = read_heredocs(&lines, &mut l);
        next = Some(l.next);
        let is_from = l.keyword == "FROM";
        if is_from && !df.stages.is_empty() {
            stage += 1;
        }
        let instr = Instruction {
            keyword: l.keyword,
            pos: l.pos,
            args: l.args,
            segments: l.segments,
            heredocs,
            stage,
            commands: std::sync::OnceLock::new(),
        };
        if is_from {
            let st = stage_of(&df, &instr, df.instructions.len());
            df.stages.push(st);
        }
        df.instructions.push(instr);
    }
    df
}

/// Heredoc delimiters in an instruction's first line: `<<EOF`, `<<-EOF`,
/// `<<"EOF"`, `<<'EOF'`.
fn heredoc_markers(args: &str) -> Vec<(String, bool)> {
    let first = args.lines().next().unwrap_or("");
    let b = first.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    while k + 2 < b.len() {
        if b[k] == b'<' && b[k + 1] == b'<' && (k == 0 || b[k - 1] != b'<') {
            let mut j = k + 2;
            let strip = b.get(j) == Some(&b'-');
            if strip {
                j += 1;
            }
            let quote = matches!(b.get(j), Some(b'"') | Some(b'\''));
            if quote {
                j += 1;
            }
            let start = j;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                j += 1;
            }
            if j > start && !b[start].is_ascii_digit() {
                out.push((first[start..j].to_string(), strip));
            }
            k = j.max(k + 2);
        } else {
            k += 1;
        }
    }
    out
}

/// One simple command of a shell script, with each word's byte offset.
#[derive(Debug, Clone)]
pub struct Command {
    pub words: Vec<(String, usize)>,
    /// The command reads the previous command's output through `|`.
    pub piped: bool,
}

/// Close the command being built (if it has words) and start a new one.
fn end_command(cur: &mut Command, cmds: &mut Vec<Command>) {
    if !cur.words.is_empty() {
        cmds.push(std::mem::replace(
            cur,
            Command {
                words: Vec::new(),
                piped: false,
            },
        ));
    }
}

impl Command {
    /// Words after wrappers such as `sudo`, `env VAR=x`, `exec`.
    pub fn effective(&self) -> &[(String, usize)] {
        let mut w = &self.words[..];
        loop {
            match w.first().map(|(s, _)| s.as_str()) {
                Some("sudo") | Some("exec") | Some("nohup") | Some("time") | Some("command") => {
                    w = &w[1..];
                    while w.first().is_some_and(|(s, _)| s.starts_with('-')) {
                        w = &w[1..];
                    }
                }
                Some("env") => w = &w[1..],
                Some(s) if s.contains('=') && !s.starts_with('-') => w = &w[1..],
                _ => return w,
            }
        }
    }

    pub fn name(&self) -> &str {
        self.effective()
            .first()
            .map(|(s, _)| s.as_str())
            .unwrap_or("")
    }
}

/// Split shell text into simple commands on `&&`, `||`, `;`, `|`, `&`,
/// newlines and parentheses, honouring quotes roughly. Quotes are removed
/// from words.
///
/// At about 80 lines this is one character-level state machine (quote,
/// suspended `$(` inside double quotes, current word and command); split up,
/// every piece would need all of that state passed back and forth.
pub fn shell_commands(script: &str) -> Vec<Command> {
    let mut cmds = Vec::new();
    let mut cur = Command {
        words: Vec::new(),
        piped: false,
    };
    let mut word = String::new();
    let mut word_start = None::<usize>;
    let mut quote: Option<char> = None;
    // Double quotes suspended by a `$(` inside them, restored at its `)`.
    let mut suspended = 0usize;
    let b = script.as_bytes();
    let mut chars = script.char_indices().peekable();
    let flush_word = |word: &mut String, start: &mut Option<usize>, cur: &mut Command| {
        if let Some(s) = start.take() {
            cur.words.push((std::mem::take(word), s));
        }
    };
    while let Some((idx, ch)) = chars.next() {
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            } else if q == '"' && ch == '$' && b.get(idx + 1) == Some(&b'(') {
                quote = None;
                suspended += 1;
                if word.is_empty() {
                    word_start = None;
                }
                flush_word(&mut word, &mut word_start, &mut cur);
                chars.next();
                end_command(&mut cur, &mut cmds);
            } else {
                word.push(ch);
            }
            continue;
        }
        if ch == ')' && suspended > 0 {
            suspended -= 1;
            flush_word(&mut word, &mut word_start, &mut cur);
            end_command(&mut cur, &mut cmds);
            quote = Some('"');
            continue;
        }
        match ch {
            '\'' | '"' => {
                quote = Some(ch);
                word_start.get_or_insert(idx);
            }
            ' ' | '\t' | '\r' => flush_word(&mut word, &mut word_start, &mut cur),
            '\n' | ';' | '&' | '|' | '(' | ')' | '`' => {
                flush_word(&mut word, &mut word_start, &mut cur);
                let pipe =
                    ch == '|' && b.get(idx + 1) != Some(&b'|') && (idx == 0 || b[idx - 1] != b'|');
                if ch == '|' || ch == '&' {
                    if let Some(&(_, n)) = chars.peek() {
                        if n == ch {
                            chars.next();
                        }
                    }
                }
                end_command(&mut cur, &mut cmds);
                cur.piped = pipe;
            }
            '$' if b.get(idx + 1) == Some(&b'(') => {
                // Command substitution: its body is a command of its own.
                flush_word(&mut word, &mut word_start, &mut cur);
                chars.next();
                end_command(&mut cur, &mut cmds);
            }
            _ => {
                word_start.get_or_insert(idx);
                word.push(ch);
            }
        }
    }
    flush_word(&mut word, &mut word_start, &mut cur);
    if !cur.words.is_empty() {
        cmds.push(cur);
    }
    cmds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_positions() {
        let df =
            parse("FROM alpine:3.20\nRUN apk add \\\n# a comment\n    curl && \\\n    echo hi\n");
        assert_eq!(df.instructions.len(), 2);
        let run = &df.instructions[1];
        assert_eq!(run.keyword, "RUN");
        assert_eq!(run.pos, Pos::new(2, 1));
        let off = run.args.find("curl").unwrap();
        assert_eq!(run.pos_at(off), Pos::new(4, 5));
        let off = run.args.find("echo").unwrap();
        assert_eq!(run.pos_at(off), Pos::new(5, 5));
    }

    #[test]
    fn escape_directive_and_heredoc() {
        let df = parse(
            "# escape=`\nFROM x:1\nRUN echo a `\n  b\nRUN <<EOF\ncurl -s x | sh\nEOF\nUSER app\n",
        );
        assert_eq!(df.escape, '`');
        assert_eq!(df.instructions[1].args, "echo a   b");
        let h = &df.instructions[2];
        assert_eq!(h.heredocs.len(), 1);
        let off = h.args.find("curl").unwrap();
        assert_eq!(h.pos_at(off), Pos::new(6, 1));
        assert_eq!(df.instructions[3].keyword, "USER");
        assert_eq!(df.instructions[3].pos.line, 8);
    }

    #[test]
    fn stages_and_parents() {
        let df =
            parse("FROM golang:1.22 AS build\nRUN go build\nFROM build AS test\nFROM scratch\n");
        assert_eq!(df.stages.len(), 3);
        assert_eq!(df.stages[1].parent, Some(0));
        assert_eq!(df.stages[2].parent, None);
        assert_eq!(df.final_chain(), vec![2]);
    }

    #[test]
    fn shell_splits_pipes_and_substitutions() {
        let c = shell_commands("curl -fsSL https://x | sudo bash && sh -c \"$(wget -O- y)\"");
        let names: Vec<_> = c.iter().map(|c| c.name().to_string()).collect();
        assert_eq!(names, ["curl", "bash", "sh", "wget"]);
        assert!(c[1].piped);
        assert!(!c[2].piped);
    }
}
