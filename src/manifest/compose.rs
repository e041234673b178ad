//! Compose files over the spanned YAML tree. Anchors and merge keys are
//! resolved by the YAML layer; `extends` (same file or another file) is
//! resolved here into a layered view of each service.

use super::yaml::{Entry, Node, Pos};
use std::path::Path;

/// A service with the chain of services it extends: own settings first.
pub struct ServiceView<'a> {
    pub name: &'a str,
    /// Position of the service's key under `services:`.
    pub pos: Pos,
    pub layers: Vec<&'a Node>,
}

impl<'a> ServiceView<'a> {
    /// The first layer's entry for `key` (a scalar setting; the extending
    /// service wins).
    pub fn entry(&self, key: &str) -> Option<&'a Entry> {
        self.layers.iter().find_map(|l| l.entry(key))
    }

    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Every layer's entry for `key` (list settings such as `cap_add`,
    /// `volumes` and `ports` are merged by compose).
    pub fn entries(&self, key: &str) -> Vec<&'a Entry> {
        self.layers.iter().filter_map(|l| l.entry(key)).collect()
    }

    /// Items of a list setting across all layers.
    pub fn items(&self, key: &str) -> Vec<&'a Node> {
        self.entries(key)
            .into_iter()
            .flat_map(|e| e.value.as_seq().iter())
            .collect()
    }

    /// `deploy.resources.limits.<key>` or similar nested path.
    pub fn path_entry(&self, path: &[&str]) -> Option<&'a Entry> {
        self.layers.iter().find_map(|l| l.path_entry(path))
    }

    pub fn label(&self) -> String {
        format!("service \"{}\"", self.name)
    }
}

/// A compose file with the other files its services extend.
pub struct ComposeDoc {
    pub root: Node,
    /// (file name as written, parsed root relocated to the `extends` key).
    pub foreign: Vec<(String, Node)>,
    /// Problems resolving `extends` (reported as notes, never fatal).
    pub notes: Vec<(Pos, String)>,
}

impl ComposeDoc {
    /// Load the files named by `extends.file`, relative to `dir`.
    pub fn load(root: Node, dir: &Path, max_size: u64) -> ComposeDoc {
        let mut foreign: Vec<(String, Node)> = Vec::new();
        let mut notes = Vec::new();
        if let Some(services) = root.get("services").and_then(Node::as_map) {
            for s in services {
                let Some(ext) = s.value.entry("extends") else {
                    continue;
                };
                let Some(file) = ext.value.get_str("file") else {
                    continue;
                };
                if foreign.iter().any(|(f, _)| f == file) {
                    continue;
                }
                let path = dir.join(file);
                let loaded = std::fs::metadata(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|m| {
                        if m.len() > max_size {
                            Err("file too large".to_string())
                        } else {
                            std::fs::read_to_string(&path).map_err(|e| e.to_string())
                        }
                    })
                    .and_then(|t| super::yaml::parse_documents(&t).map_err(|e| e.message))
                    .and_then(|d| d.into_iter().next().ok_or_else(|| "empty file".to_string()));
                match loaded {
                    Ok(mut n) => {
                        n.relocate(ext.key_pos);
                        foreign.push((file.to_string(), n));
                    }
                    Err(e) => notes.push((
                        ext.key_pos,
                        format!("cannot resolve extends file {file}: {e}"),
                    )),
                }
            }
        }
        let mut doc = ComposeDoc {
            root,
            foreign,
            notes,
        };
        let cycles: Vec<(Pos, String)> = doc.chains().into_iter().filter_map(|(_, c)| c).collect();
        doc.notes.extend(cycles);
        doc
    }

    /// Every service with its `extends` chain resolved.
    pub fn services(&self) -> Vec<ServiceView<'_>> {
        self.chains().into_iter().map(|(v, _)| v).collect()
    }

    /// Every service with its `extends` chain, and an `extends` cycle
    /// found from it (reported once per cycle, at the `extends` that
    /// closes it).
    fn chains(&self) -> Vec<(ServiceView<'_>, Option<(Pos, String)>)> {
        let Some(services) = self.root.get("services").and_then(Node::as_map) else {
            return Vec::new();
        };
        services
            .iter()
            .filter(|s| s.value.as_map().is_some())
            .map(|s| {
                let mut cycle = None;
                let mut names: Vec<&str> = vec![s.key.as_str()];
                let mut layers = vec![&s.value];
                let mut cur = &s.value;
                let mut file_root: &Node = &self.root;
                for _ in 0..16 {
                    let Some(ext) = cur.get("extends") else { break };
                    let (target, root) = match &ext.value {
                        super::yaml::Value::Str(name) => (name.as_str(), file_root),
                        _ => {
                            let Some(name) = ext.get_str("service") else {
                                break;
                            };
                            let root = match ext.get_str("file") {
                                Some(f) => match self.foreign.iter().find(|(n, _)| n == f) {
                                    Some((_, r)) => r,
                                    None => break,
                                },
                                None => file_root,
                            };
                            (name, root)
                        }
                    };
                    let Some(base) = root.path(&["services", target]) else {
                        break;
                    };
                    if let Some(at) = layers.iter().position(|l| std::ptr::eq(*l, base)) {
                        let ring = &names[at..];
                        let first = ring.iter().min().copied().unwrap_or_default();
                        if at == 0 && first == s.key {
                            let mut path: Vec<&str> = ring.to_vec();
                            path.push(target);
                            cycle = Some((
                                cur.entry("extends").map_or(ext.pos, |e| e.key_pos),
                                format!(
                                    "extends cycle: {}; a service cannot extend itself",
                                    path.join(" → ")
                                ),
                            ));
                        }
                        break;
                    }
                    names.push(target);
                    layers.push(base);
                    cur = base;
                    file_root = root;
                }
                (
                    ServiceView {
                        name: &s.key,
                        pos: s.key_pos,
                        layers,
                    },
                    cycle,
                )
            })
            .collect()
    }
}
