//! Matching packages against the advisories of the offline index.
//!
//! OSV ECOSYSTEM range semantics: the events of a range are sorted by
//! version (`introduced: "0"` first); walking them, `introduced` at or below
//! the version opens the range, `fixed` at or below closes it, and
//! `last_affected` strictly below closes it. `limit` events cap the range: a
//! version must be below one of them. Explicit `versions` are affected too.
//! Any event version that is not PEP 440 makes its range unusable, and that
//! range is skipped (the import reports such records).

use super::db::Index;
use super::osv::{Advisory, Event, Severity};
use super::version::{self, Version, VersionSpecifiers};
use super::{Package, Requirement, SourceKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::str::FromStr;

/// A bound of a compiled range event.
#[derive(Debug, Clone)]
enum Bound {
    /// `introduced: "0"`: below every version.
    Zero,
    At(Version),
    /// `limit: "*"`.
    Infinity,
}

#[derive(Debug, Clone)]
enum Kind {
    Introduced,
    Fixed,
    LastAffected,
}

#[derive(Debug, Clone)]
struct CompiledRange {
    /// Sorted events, limits excluded.
    events: Vec<(Kind, Bound)>,
    limits: Vec<Bound>,
}

/// One `affected` entry of one advisory, with its versions parsed.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub advisory: usize,
    ranges: Vec<CompiledRange>,
    versions: Vec<Version>,
    /// Every `fixed` version of the entry, ascending.
    fixes: Vec<Version>,
}

fn ge(v: &Version, b: &Bound) -> bool {
    match b {
        Bound::Zero => true,
        Bound::At(x) => v >= x,
        Bound::Infinity => false,
    }
}

fn cmp_bound(a: &Bound, b: &Bound) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Bound::Zero, Bound::Zero) | (Bound::Infinity, Bound::Infinity) => Equal,
        (Bound::Zero, _) | (_, Bound::Infinity) => Less,
        (_, Bound::Zero) | (Bound::Infinity, _) => Greater,
        (Bound::At(x), Bound::At(y)) => x.cmp(y),
    }
}

fn compile_range(events: &[Event]) -> Option<CompiledRange> {
    let mut evs = Vec::new();
    let mut limits = Vec::new();
    for e in events {
        let raw = e.version().trim();
        let b = match (e, raw) {
            (Event::Introduced(_), "0") => Bound::Zero,
            (Event::Limit(_), "*") => Bound::Infinity,
            _ => Bound::At(Version::from_str(raw).ok()?),
        };
        match e {
            Event::Introduced(_) => evs.push((Kind::Introduced, b)),
            Event::Fixed(_) => evs.push((Kind::Fixed, b)),
            Event::LastAffected(_) => evs.push((Kind::LastAffected, b)),
            Event::Limit(_) => limits.push(b),
        }
    }
    // Stable: events at the same version keep their order in the record.
    evs.sort_by(|a, b| cmp_bound(&a.1, &b.1));
    Some(CompiledRange {
        events: evs,
        limits,
    })
}

impl CompiledRange {
    fn contains(&self, v: &Version) -> bool {
        if !self.limits.is_empty() && !self.limits.iter().any(|l| !ge(v, l)) {
            return false;
        }
        let mut affected = false;
        for (k, b) in &self.events {
            match k {
                Kind::Introduced => {
                    if ge(v, b) {
                        affected = true
                    }
                }
                Kind::Fixed => {
                    if ge(v, b) {
                        affected = false
                    }
                }
                Kind::LastAffected => {
                    let above = match b {
                        Bound::Zero => true,
                        Bound::At(x) => v > x,
                        Bound::Infinity => false,
                    };
                    if above {
                        affected = false
                    }
                }
            }
        }
        affected
    }
}

impl Compiled {
    pub fn new(advisory: usize, a: &super::osv::Affected) -> Compiled {
        let ranges: Vec<CompiledRange> = a.ranges.iter().filter_map(|r| compile_range(r)).collect();
        let mut versions: Vec<Version> = a
            .versions
            .iter()
            .filter_map(|v| Version::from_str(v.trim()).ok())
            .collect();
        // Sorted for binary search; PEP 440 equality is the ordering's.
        versions.sort();
        versions.dedup();
        let mut fixes: Vec<Version> = a
            .ranges
            .iter()
            .flatten()
            .filter_map(|e| match e {
                Event::Fixed(v) => Version::from_str(v.trim()).ok(),
                _ => None,
            })
            .collect();
        fixes.sort();
        fixes.dedup();
        Compiled {
            advisory,
            ranges,
            versions,
            fixes,
        }
    }

    /// Is this exact version affected?
    pub fn affects(&self, v: &Version) -> bool {
        self.ranges.iter().any(|r| r.contains(v)) || self.versions.binary_search(v).is_ok()
    }

    /// The smallest fixed version above `v` that this entry does not affect.
    pub fn fix_above(&self, v: &Version) -> Option<&Version> {
        self.fixes.iter().find(|f| *f > v && !self.affects(f))
    }

    /// Can a version satisfying `spec` be affected? Candidates are the
    /// advisory's own versions and range bounds and the specifier's bounds.
    pub fn may_resolve(&self, spec: &VersionSpecifiers) -> bool {
        let mut cands: Vec<&Version> = self.versions.iter().collect();
        for r in &self.ranges {
            for (k, b) in &r.events {
                if let (Kind::Introduced | Kind::LastAffected, Bound::At(x)) = (k, b) {
                    cands.push(x);
                }
            }
        }
        let spec_bounds: Vec<Version> = spec.iter().map(|s| s.version().clone()).collect();
        cands.extend(spec_bounds.iter());
        // `introduced: 0` with no bound of the specifier: any low version.
        let zero = Version::from_str("0").expect("0 is a version");
        if self
            .ranges
            .iter()
            .any(|r| r.events.iter().any(|(_, b)| matches!(b, Bound::Zero)))
        {
            cands.push(&zero);
        }
        cands
            .into_iter()
            .any(|c| spec.contains(c) && self.affects(c))
    }
}

/// Match status of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The exact version is affected.
    Vulnerable,
    /// A range requirement admits an affected version.
    MayResolveVulnerable,
}

/// One vulnerable package, with the advisories (merged by alias) that
/// affect it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub package: String,
    pub raw_name: String,
    pub status: Status,
    /// The exact version, for pins, lockfiles and installed packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed: Option<String>,
    /// The range, for `status = may_resolve_vulnerable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specifier: Option<String>,
    /// Record ids that matched (one per merged record), sorted.
    pub advisories: Vec<String>,
    /// Those ids and all their aliases, sorted, without duplicates.
    pub ids: Vec<String>,
    pub summary: String,
    pub severity: Severity,
    /// The smallest version above the installed one that none of the merged
    /// advisories affect, when one is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    pub remediation: String,
    pub origin: super::Origin,
    pub source: SourceKind,
}

/// A package whose version or range could not be matched, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unmatched {
    pub package: String,
    pub origin: super::Origin,
    pub reason: String,
}

/// Parsed advisories of one package, built once per name.
pub struct Matcher<'a> {
    index: &'a Index,
    cache: HashMap<String, Vec<Compiled>>,
}

impl<'a> Matcher<'a> {
    pub fn new(index: &'a Index) -> Matcher<'a> {
        Matcher {
            index,
            cache: HashMap::new(),
        }
    }

    fn compiled(&mut self, name: &str) -> &[Compiled] {
        if !self.cache.contains_key(name) {
            let mut out = Vec::new();
            for &(ai, ei) in self.index.entries(name) {
                out.push(Compiled::new(ai, &self.index.advisories[ai].affected[ei]));
            }
            self.cache.insert(name.to_string(), out);
        }
        &self.cache[name]
    }

    /// Match one package. Distro-owned packages are never matched.
    pub fn check(&mut self, p: &Package) -> Result<Vec<Finding>, Box<Unmatched>> {
        if p.distro_owned {
            return Ok(Vec::new());
        }
        let unmatched = |reason: String| {
            Box::new(Unmatched {
                package: p.raw_name.clone(),
                origin: p.origin.clone(),
                reason,
            })
        };
        let index = self.index;
        match &p.requirement {
            Requirement::Exact { version } => {
                let v = version::parse(version).map_err(unmatched)?;
                let hits: Vec<(usize, Option<Version>)> = self
                    .compiled(&p.name)
                    .iter()
                    .filter(|c| c.affects(&v))
                    .map(|c| (c.advisory, c.fix_above(&v).cloned()))
                    .collect();
                Ok(group(index, p, hits, Status::Vulnerable))
            }
            Requirement::Range { specifier } => {
                let spec = if specifier.trim().is_empty() {
                    VersionSpecifiers::from_str("").map_err(|e| unmatched(e.to_string()))?
                } else {
                    version::parse_specifiers(specifier).map_err(unmatched)?
                };
                let hits: Vec<(usize, Option<Version>)> = self
                    .compiled(&p.name)
                    .iter()
                    .filter(|c| c.may_resolve(&spec))
                    .map(|c| (c.advisory, c.fixes.last().cloned()))
                    .collect();
                Ok(group(index, p, hits, Status::MayResolveVulnerable))
            }
        }
    }
}

/// Merge matched advisories that share an id or alias into one finding.
fn group(
    index: &Index,
    p: &Package,
    mut hits: Vec<(usize, Option<Version>)>,
    status: Status,
) -> Vec<Finding> {
    hits.sort_by_key(|h| h.0);
    hits.dedup_by(|a, b| {
        if a.0 == b.0 {
            // Two entries of one advisory: keep the larger fix.
            if a.1 > b.1 {
                b.1 = a.1.take();
            }
            true
        } else {
            false
        }
    });
    // Union-find over the hits by shared identifiers.
    let n = hits.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while p[r] != r {
            r = p[r];
        }
        p[i] = r;
        r
    }
    // Records sharing an id or alias: sort (id, hit) pairs and join runs.
    let mut owner: Vec<(&str, usize)> = Vec::new();
    for (i, (ai, _)) in hits.iter().enumerate() {
        let a = &index.advisories[*ai];
        owner.extend(
            std::iter::once(&a.id)
                .chain(a.aliases.iter())
                .map(|id| (id.as_str(), i)),
        );
    }
    owner.sort_unstable();
    for w in owner.windows(2) {
        if w[0].0 == w[1].0 {
            let (ri, rj) = (find(&mut parent, w[0].1), find(&mut parent, w[1].1));
            parent[ri] = rj;
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut slot: Vec<(usize, usize)> = Vec::new();
    for i in 0..n {
        let r = find(&mut parent, i);
        let g = match slot.iter().find(|(root, _)| *root == r) {
            Some(&(_, g)) => g,
            None => {
                groups.push(Vec::new());
                slot.push((r, groups.len() - 1));
                groups.len() - 1
            }
        };
        groups[g].push(i);
    }
    let mut out: Vec<Finding> = groups
        .into_iter()
        .map(|members| {
            let advs: Vec<&Advisory> = members
                .iter()
                .map(|&i| &index.advisories[hits[i].0])
                .collect();
            let mut ids = BTreeSet::new();
            for a in &advs {
                ids.insert(a.id.clone());
                ids.extend(a.aliases.iter().cloned());
            }
            let mut advisories: Vec<String> = advs.iter().map(|a| a.id.clone()).collect();
            advisories.sort();
            // The most severe scored record speaks for the group.
            let severity = advs
                .iter()
                .map(|a| a.severity.clone())
                .max_by(|a, b| {
                    a.level.cmp(&b.level).then(
                        a.score
                            .partial_cmp(&b.score)
                            .unwrap_or(std::cmp::Ordering::Equal),
                    )
                })
                .unwrap_or_else(Severity::unknown);
            let summary = advs
                .iter()
                .map(|a| a.summary.as_str())
                .find(|s| !s.is_empty())
                .unwrap_or("")
                .to_string();
            let fixed = members.iter().filter_map(|&i| hits[i].1.clone()).max();
            let fixed = fixed.map(|v| v.to_string());
            let (installed, specifier) = match &p.requirement {
                Requirement::Exact { version } => (Some(version.clone()), None),
                Requirement::Range { specifier } => (None, Some(specifier.clone())),
            };
            Finding {
                package: p.name.clone(),
                raw_name: p.raw_name.clone(),
                status,
                installed,
                specifier,
                advisories,
                ids: ids.into_iter().collect(),
                summary,
                severity,
                remediation: remediation(p, fixed.as_deref()),
                fixed,
                origin: p.origin.clone(),
                source: p.source,
            }
        })
        .collect();
    out.sort_by(|a, b| a.advisories.cmp(&b.advisories));
    out
}

/// The exact change that removes the finding.
pub fn remediation(p: &Package, fixed: Option<&str>) -> String {
    let name = &p.raw_name;
    let Some(x) = fixed else {
        return format!("no fixed release of {name} is known; remove it or replace it");
    };
    match p.source {
        SourceKind::Requirements => match &p.origin.line {
            Some(l) => format!("{}:{l}: require {name}>={x}", p.origin.path),
            None => format!("{}: require {name}>={x}", p.origin.path),
        },
        SourceKind::PipfileLock => format!("pipenv install '{name}>={x}'"),
        SourceKind::PoetryLock => format!("poetry add '{name}>={x}'"),
        SourceKind::UvLock => format!("uv add '{name}>={x}'"),
        SourceKind::PdmLock => format!("pdm add '{name}>={x}'"),
        SourceKind::Pylock => {
            format!("require {name}>={x} and regenerate pylock.toml (e.g. pip lock)")
        }
        SourceKind::Installed => format!("pip install '{name}>={x}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deps::osv::Affected;

    fn ev(s: &[(&str, &str)]) -> Vec<Event> {
        s.iter()
            .map(|(k, v)| match *k {
                "i" => Event::Introduced(v.to_string()),
                "f" => Event::Fixed(v.to_string()),
                "l" => Event::LastAffected(v.to_string()),
                _ => Event::Limit(v.to_string()),
            })
            .collect()
    }

    fn c(ranges: Vec<Vec<Event>>, versions: &[&str]) -> Compiled {
        Compiled::new(
            0,
            &Affected {
                package: "x".into(),
                ranges,
                versions: versions.iter().map(|s| s.to_string()).collect(),
            },
        )
    }

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    #[test]
    fn introduced_fixed() {
        let a = c(vec![ev(&[("i", "0"), ("f", "1.2")])], &[]);
        assert!(a.affects(&v("1.1.9")));
        assert!(
            a.affects(&v("1.2rc1")),
            "pre-release of the fix is affected"
        );
        assert!(!a.affects(&v("1.2")));
        assert!(!a.affects(&v("1!0.1")), "epoch 1 sorts above");
        assert_eq!(a.fix_above(&v("1.0")), Some(&v("1.2")));
    }

    #[test]
    fn last_affected_and_limit() {
        let a = c(vec![ev(&[("i", "1.0"), ("l", "1.4")])], &[]);
        assert!(a.affects(&v("1.4")));
        // PEP 440: a local version sorts above its public version.
        assert!(!a.affects(&v("1.4+local")));
        assert!(a.affects(&v("1.3+local")));
        assert!(!a.affects(&v("1.4.post1")));
        assert!(!a.affects(&v("0.9")));
        let b = c(vec![ev(&[("i", "0"), ("lim", "2.0")])], &[]);
        assert!(b.affects(&v("1.9")));
        assert!(!b.affects(&v("2.0")));
    }

    #[test]
    fn several_ranges_pick_the_next_fix() {
        let a = c(
            vec![
                ev(&[("i", "0"), ("f", "1.2.5")]),
                ev(&[("i", "1.3.0"), ("f", "1.3.2")]),
            ],
            &[],
        );
        assert_eq!(a.fix_above(&v("1.3.1")), Some(&v("1.3.2")));
        assert_eq!(a.fix_above(&v("1.0")), Some(&v("1.2.5")));
        assert!(!a.affects(&v("1.2.7")));
    }

    #[test]
    fn explicit_versions() {
        let a = c(vec![], &["2.0", "2.1"]);
        assert!(a.affects(&v("2.0.0")));
        assert!(!a.affects(&v("2.2")));
    }

    #[test]
    fn ranges_may_resolve() {
        let a = c(vec![ev(&[("i", "0"), ("f", "2.5")])], &[]);
        let s = |x: &str| version::parse_specifiers(x).unwrap();
        assert!(a.may_resolve(&s(">=2.0,<3")));
        assert!(!a.may_resolve(&s(">=2.5")));
        assert!(a.may_resolve(&s("")));
        assert!(!a.may_resolve(&s("~=2.6")));
    }

    #[test]
    fn unparsable_ranges_are_skipped() {
        let a = c(vec![ev(&[("i", "0"), ("f", "not-a-version!")])], &[]);
        assert!(!a.affects(&v("1.0")));
    }
}
