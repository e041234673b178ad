//! systemd unit discovery: the fragment that wins on the unit search path,
//! plus every drop-in, and the effective `ExecStart=`/`ListenStream=`.

use super::hostfs::HostFs;
use crate::snapshot::SystemdUnit;
use std::collections::BTreeMap;

/// System unit directories, highest precedence first (systemd.unit(5)).
pub const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system.control",
    "/run/systemd/system.control",
    "/run/systemd/transient",
    "/run/systemd/generator.early",
    "/etc/systemd/system",
    "/etc/systemd/system.attached",
    "/run/systemd/system",
    "/run/systemd/system.attached",
    "/run/systemd/generator",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
    "/run/systemd/generator.late",
];

/// Find and read one unit.
pub fn find_unit(fs: &HostFs, name: &str) -> SystemdUnit {
    let mut seen_dirs = Vec::new();
    let mut fragment = None;
    let mut dropins: BTreeMap<String, String> = BTreeMap::new();
    let mut errors = Vec::new();
    for dir in UNIT_DIRS {
        // /lib is usually a link to /usr/lib: visit each real dir once.
        let real = fs.resolve(dir, true);
        if seen_dirs.contains(&real) {
            continue;
        }
        seen_dirs.push(real);
        let candidate = format!("{dir}/{name}");
        if fragment.is_none() && fs.exists(&candidate) {
            fragment = Some(candidate);
        }
        let ddir = format!("{dir}/{name}.d");
        if let Ok(names) = fs.list_dir(&ddir) {
            for n in names.into_iter().filter(|n| n.ends_with(".conf")) {
                // The same file name in a higher-precedence dir masks this one.
                dropins
                    .entry(n.clone())
                    .or_insert_with(|| format!("{ddir}/{n}"));
            }
        }
    }
    // Drop-ins apply in file-name order across all directories.
    let drop_ins: Vec<String> = dropins.into_values().collect();
    let mut exec_start = Vec::new();
    let mut listen_stream = Vec::new();
    for file in fragment.iter().chain(drop_ins.iter()) {
        match fs.read_to_string(file) {
            Ok(text) => {
                for (k, v) in directives(&text) {
                    let list = match k.as_str() {
                        "ExecStart" => &mut exec_start,
                        "ListenStream" => &mut listen_stream,
                        _ => continue,
                    };
                    if v.is_empty() {
                        list.clear();
                    } else {
                        list.push(crate::redact::redact_text(&v));
                    }
                }
            }
            Err(e) => errors.push(format!("{file}: {e}")),
        }
    }
    SystemdUnit {
        name: name.to_string(),
        fragment,
        drop_ins,
        exec_start,
        listen_stream,
        errors,
    }
}

/// `Key=Value` pairs of a unit file, with `\` line continuations joined and
/// comments dropped.
pub fn directives(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        if pending.is_empty()
            && (line.trim_start().starts_with('#') || line.trim_start().starts_with(';'))
        {
            continue;
        }
        if let Some(stripped) = line.strip_suffix('\\') {
            pending.push_str(stripped);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let full = std::mem::take(&mut pending);
        if let Some((k, v)) = full.split_once('=') {
            let k = k.trim();
            if !k.starts_with('[') {
                out.push((k.to_string(), v.trim().to_string()));
            }
        }
    }
    out
}

/// Split an `ExecStart=` command line into words (double and single quotes,
/// backslash escapes), dropping systemd's `-@:+!` prefixes.
pub fn split_command(cmd: &str) -> Vec<String> {
    let cmd = cmd.trim_start_matches(['-', '@', ':', '+', '!']);
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = cmd.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"') | (None, '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropins_override_and_empty_assignment_resets() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("lib/systemd/system")).unwrap();
        std::fs::create_dir_all(root.join("etc/systemd/system/docker.service.d")).unwrap();
        std::fs::write(
            root.join("lib/systemd/system/docker.service"),
            "[Service]\nExecStart=/usr/bin/dockerd -H fd:// \\\n  --containerd=/run/containerd/containerd.sock\n",
        )
        .unwrap();
        std::fs::write(
            root.join("etc/systemd/system/docker.service.d/override.conf"),
            "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375\n",
        )
        .unwrap();
        let fs = HostFs::new(root);
        let u = find_unit(&fs, "docker.service");
        assert_eq!(
            u.fragment.as_deref(),
            Some("/lib/systemd/system/docker.service")
        );
        assert_eq!(
            u.drop_ins,
            vec!["/etc/systemd/system/docker.service.d/override.conf"]
        );
        assert_eq!(u.exec_start, vec!["/usr/bin/dockerd -H tcp://0.0.0.0:2375"]);
        let none = find_unit(&fs, "docker.socket");
        assert!(none.fragment.is_none());
    }

    #[test]
    fn command_splitting_honours_quotes() {
        assert_eq!(
            split_command(r#"-/usr/bin/dockerd --label "a b" -H fd://"#),
            vec!["/usr/bin/dockerd", "--label", "a b", "-H", "fd://"]
        );
    }
}
