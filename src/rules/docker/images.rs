//! 4.x: images and how they were built.

use super::*;
use crate::findings::Severity;
use crate::knowledge::secrets::is_literal_secret_item;
use crate::rules::Scope;
use crate::snapshot::Probe;

pub(super) static CHECKS: &[Check] = &[
    Check {
        meta: RuleMeta::cis_docker("4.1", "Containers run as a non-root user", Severity::High, &[E], "Create an unprivileged user in the image (USER 10001 in the Dockerfile) or run with --user UID:GID; never as uid 0.")
            .rationale(
                "A container process running as uid 0 holds root's rights over everything \
                mounted into it and is one kernel or runtime bug away from root on the host. \
                Running as an unprivileged user means a compromised application can only touch \
                what that user owns, and many escape techniques stop working altogether.",
            )
            .refs(&[cwe("250")])
            .fix(Fix::RunOption { flag: "--user" }),
        automated: true,
        scope: Scope::Container,
        eval: non_root_user,
    },
    Check {
        meta: RuleMeta::cis_docker("4.2", "Images come from trusted base images", Severity::Medium, &[S, T], "Build only from base images you trust and pin them by digest; keep an allow-list of registries.")
            .rationale(
                "A base image is code you run with your application's privileges, so one taken \
                from an unknown publisher or pulled by a mutable tag can carry a backdoor or \
                silently change between builds. Building from a small set of trusted, \
                digest-pinned bases makes the content known and reviewable.",
            )
            .refs(&[cwe("1357")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Image,
        eval: trusted_base,
    },
    Check {
        meta: RuleMeta::cis_docker("4.3", "Images carry no unnecessary packages", Severity::Low, &[E, T], "Use minimal or distroless bases and multi-stage builds so only runtime files ship.")
            .rationale(
                "Every extra package in an image, such as a shell, compiler or network tool, is \
                more code that can hold a vulnerability and more tooling for an attacker who \
                gets in. Minimal images shrink both the patching burden and what an intruder \
                can do after landing inside the container.",
            )
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Manual,
        eval: minimal_packages,
    },
    Check {
        meta: RuleMeta::cis_docker("4.4", "Images are scanned and rebuilt with security patches", Severity::Medium, &[T, E], "Scan images for vulnerabilities in CI and on a schedule, and rebuild them when their base or packages are patched.")
            .rationale(
                "Images are frozen at build time, so the libraries inside them age while new \
                vulnerabilities are published. Without scanning and regular rebuilds, known \
                and exploitable flaws stay in production long after fixes exist. Scanning in \
                CI and on a schedule, then rebuilding on patched bases, closes that gap.",
            )
            .refs(&[cwe("1104")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Manual,
        eval: scanned,
    },
    Check {
        meta: RuleMeta::cis_docker("4.5", "Docker Content Trust is enabled for users", Severity::Medium, &[S, T], "Set DOCKER_CONTENT_TRUST=1 for every user (e.g. in /etc/environment) so pulls and pushes require signed images.")
            .rationale(
                "Without content trust, the Docker client accepts whatever image a registry, a \
                mirror or a man in the middle returns for a tag. Enabling it makes pulls and \
                pushes require a valid publisher signature, so a tampered or substituted image \
                is refused instead of run.",
            )
            .refs(&[cwe("494")])
            .fix(Fix::Environment {
                name: "DOCKER_CONTENT_TRUST",
                value: "1",
            }),
        automated: true,
        scope: Scope::Host,
        eval: content_trust,
    },
    Check {
        meta: RuleMeta::cis_docker("4.6", "Images define a HEALTHCHECK", Severity::Low, &[D], "Add a HEALTHCHECK instruction (exec form, e.g. HEALTHCHECK CMD [\"/app\",\"health\"]) to each image you run.")
            .rationale(
                "A container whose process is alive but hung looks healthy to Docker, so it \
                keeps receiving traffic and nobody restarts it. A HEALTHCHECK lets the engine \
                and orchestrators see the real state, mark it unhealthy and replace it, which \
                limits how long a fault or a resource attack keeps the service down.",
            )
            .fix(Fix::Manual),
        automated: true,
        scope: Scope::Image,
        eval: image_healthcheck,
    },
    Check {
        meta: RuleMeta::cis_docker("4.7", "Package index updates are not cached in their own layer", Severity::Low, &[T], "Run the index update and the install in one RUN (apt-get update && apt-get install …) so a stale index is never cached.")
            .rationale(
                "When the package index update sits in its own RUN step, the build cache keeps \
                that layer and later builds install from a stale index. Packages fixed since \
                then are silently skipped, so rebuilt images keep old vulnerable versions. \
                Updating and installing in one step makes each build fetch the current index.",
            )
            .refs(&[cwe("1104")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Image,
        eval: update_alone,
    },
    Check {
        meta: RuleMeta::cis_docker("4.8", "Images have no unneeded setuid or setgid binaries", Severity::Medium, &[E], "Strip setuid/setgid bits during the build (find / -perm /6000 -type f -exec chmod a-s {} +) except where required.")
            .rationale(
                "Setuid and setgid programs run with their owner's rights, usually root, \
                whoever starts them. In a container they offer a compromised process a ready \
                path to raise its privileges. Removing the bits from everything that does not \
                need them takes that path away.",
            )
            .refs(&[cwe("250")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Manual,
        eval: setuid,
    },
    Check {
        meta: RuleMeta::cis_docker("4.9", "Build files use COPY rather than ADD", Severity::Low, &[T], "Replace ADD with COPY; fetch remote files with a verified download step instead of ADD URL.")
            .rationale(
                "ADD quietly unpacks archives and can fetch remote URLs, so what ends up in the \
                image may differ from what a reviewer sees in the build context, and a \
                compromised download lands without any checksum. COPY only copies local files, \
                which keeps the image's contents explicit and reproducible.",
            )
            .refs(&[cwe("494")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Image,
        eval: add_instead_of_copy,
    },
    Check {
        meta: RuleMeta::cis_docker("4.10", "No secrets are stored in images or build files", Severity::High, &[I], "Pass secrets at build time with BuildKit secret mounts and at run time with secrets or a vault; never in ENV, ARG or layers.")
            .rationale(
                "Anything placed in an image through ENV, ARG, a copied file or a layer stays \
                in the image and its history, readable by everyone who can pull it, including \
                registries and backups. A leaked credential lets an attacker reach the systems \
                it protects. Supplying secrets only at build or run time keeps them out of the \
                artifact.",
            )
            .refs(&[cwe("798"), cwe("538")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Image,
        eval: secrets,
    },
    Check {
        meta: RuleMeta::cis_docker("4.11", "Only verified packages are installed", Severity::Medium, &[T, S], "Install packages only from signed repositories and verify checksums or signatures of anything downloaded.")
            .rationale(
                "Packages from unsigned repositories or downloads without checksums can be \
                swapped on the way in, and the swapped code then runs inside every container \
                built from the image. Installing only signed packages and verifying digests \
                makes such tampering fail the build instead of shipping.",
            )
            .refs(&[cwe("494")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Manual,
        eval: verified_packages,
    },
    Check {
        meta: RuleMeta::cis_docker("4.12", "Signed artifacts are validated", Severity::Medium, &[T, S], "Verify image and artifact signatures (e.g. cosign, Notary) before use, and enforce it at admission.")
            .rationale(
                "A signature only protects you if it is checked. When images and other \
                artifacts are used without verifying their signatures, a forged or altered \
                artifact is accepted as if it came from its publisher. Validating signatures \
                before use, and enforcing it at admission, rejects artifacts that were not \
                signed by a trusted key.",
            )
            .refs(&[cwe("347")])
            .fix(Fix::Manual),
        automated: false,
        scope: Scope::Manual,
        eval: signed_artifacts,
    },
];

/// Is a `User` value root? Empty, `root`, `0`, and any of those with a
/// group (`0:0`, `root:staff`) all run as uid 0.
pub(crate) fn is_root_user(user: &str) -> bool {
    let u = user.split(':').next().unwrap_or("").trim();
    u.is_empty()
        || u == "root"
        || (u.chars().all(|c| c.is_ascii_digit()) && u.trim_start_matches('0').is_empty())
}

fn non_root_user(cx: &Context) -> Verdict {
    per_container(cx, |c| {
        let u = &c.config.user;
        if is_root_user(u) {
            let shown = if u.is_empty() {
                "no user set (root)".to_string()
            } else {
                format!("User={u} (root)")
            };
            obs(Outcome::Fail, shown, "a non-root user")
        } else {
            obs(Outcome::Pass, format!("User={u}"), "")
        }
    })
}

/// Images worth judging: tagged ones and any a container uses. Untagged,
/// unused images (dangling build leftovers) are left out.
fn images_in_scope<'a>(cx: &'a Context) -> Vec<&'a crate::snapshot::Image> {
    let eng = engine(cx);
    let used: Vec<&str> = eng.containers.iter().map(|c| c.image.as_str()).collect();
    eng.images
        .iter()
        .filter(|i| i.is_tagged() || used.contains(&i.id.as_str()))
        .collect()
}

fn per_image(
    cx: &Context,
    f: impl Fn(&crate::snapshot::Image) -> (Outcome, String, &'static str),
) -> Verdict {
    let imgs = images_in_scope(cx);
    if imgs.is_empty() {
        return Verdict::not_applicable("no images on this host");
    }
    summarise(
        imgs.iter()
            .map(|i| {
                let (o, observed, expected) = f(i);
                Evidence::new(image_target(i), o, observed, expected)
            })
            .collect(),
        "image",
    )
}

fn trusted_base(cx: &Context) -> Verdict {
    let mut v = per_image(cx, |i| {
        let digest = i
            .repo_digests
            .first()
            .cloned()
            .unwrap_or_else(|| "no registry digest".into());
        (
            Outcome::Warn,
            format!("{} ({digest})", i.display_name()),
            "a trusted, pinned base",
        )
    });
    if v.outcome == Outcome::Warn {
        v.message = format!(
            "manual check: confirm the origin of {} images",
            v.evidence.len()
        );
    }
    v
}

fn minimal_packages(_: &Context) -> Verdict {
    manual("review each image's installed packages and remove what the application does not need")
}

fn scanned(_: &Context) -> Verdict {
    manual("confirm images are scanned for vulnerabilities and rebuilt when patches appear (see `shipshape scan` for build files)")
}

fn content_trust(cx: &Context) -> Verdict {
    let settings = &cx.snap.host.content_trust;
    let scanner = cx
        .snap
        .host
        .scanner_content_trust
        .as_deref()
        .unwrap_or("unset");
    match settings.last() {
        Some(s) if s.value == "1" || s.value.eq_ignore_ascii_case("true") => Verdict::pass(format!(
            "DOCKER_CONTENT_TRUST={} in {}:{}",
            s.value, s.file, s.line
        ))
        .with(Evidence::new(Target::Host, Outcome::Pass, format!("DOCKER_CONTENT_TRUST={}", s.value), "").with_source(format!("{}:{}", s.file, s.line))),
        Some(s) => Verdict::fail(format!("DOCKER_CONTENT_TRUST={} disables content trust", s.value)).with(
            Evidence::new(Target::Host, Outcome::Fail, format!("DOCKER_CONTENT_TRUST={}", s.value), "DOCKER_CONTENT_TRUST=1")
                .with_source(format!("{}:{}", s.file, s.line)),
        ),
        None => Verdict::fail("the host does not set DOCKER_CONTENT_TRUST for its users").with(Evidence::new(
            Target::Host,
            Outcome::Fail,
            format!("not set in /etc/environment or /etc/profile.d (shipshape's own environment: {scanner})"),
            "DOCKER_CONTENT_TRUST=1",
        )),
    }
}

fn image_healthcheck(cx: &Context) -> Verdict {
    per_image(cx, |i| match &i.config.healthcheck {
        Some(h) if h.is_enabled() => (
            Outcome::Pass,
            format!("HEALTHCHECK {}", h.test.join(" ")),
            "",
        ),
        Some(_) => (
            Outcome::Fail,
            "HEALTHCHECK NONE".into(),
            "a HEALTHCHECK instruction",
        ),
        None => (
            Outcome::Fail,
            "no HEALTHCHECK".into(),
            "a HEALTHCHECK instruction",
        ),
    })
}

const UPDATE_CMDS: &[&str] = &[
    "apt-get update",
    "apt update",
    "apk update",
    "yum makecache",
    "dnf makecache",
    "zypper refresh",
    "yum check-update",
];
const INSTALL_CMDS: &[&str] = &["install", "apk add", "upgrade"];

fn history_verdict(
    i: &crate::snapshot::Image,
    find: impl Fn(&[crate::snapshot::HistoryEntry]) -> Option<String>,
    expected: &'static str,
) -> (Outcome, String, &'static str) {
    match &i.history {
        None => (Outcome::Error, "image history was not collected".into(), ""),
        Some(Probe::Error(e)) => (Outcome::Error, e.clone(), ""),
        Some(Probe::Ok(h)) => match find(h) {
            Some(layer) => (Outcome::Warn, layer, expected),
            None => (Outcome::Pass, format!("{} layers reviewed", h.len()), ""),
        },
    }
}

fn update_alone(cx: &Context) -> Verdict {
    per_image(cx, |i| {
        history_verdict(
            i,
            |h| {
                h.iter()
                    .find(|e| {
                        let c = e.created_by.as_str();
                        UPDATE_CMDS.iter().any(|u| c.contains(u))
                            && !INSTALL_CMDS.iter().any(|x| c.contains(x))
                    })
                    .map(|e| format!("layer `{}` updates the index alone", short(&e.created_by)))
            },
            "update and install in one RUN",
        )
    })
}

fn setuid(_: &Context) -> Verdict {
    manual("list setuid/setgid files in each image (find / -perm /6000 -type f) and remove the bits that are not needed")
}

/// Is a history entry an ADD instruction (and not the base image's rootfs)?
pub(crate) fn is_add(created_by: &str, oldest: bool) -> bool {
    let c = created_by.trim();
    let c = c
        .strip_prefix("/bin/sh -c #(nop) ")
        .unwrap_or(c)
        .trim_start();
    if !c.starts_with("ADD ") {
        return false;
    }
    // `ADD file:<hash> in /` as the oldest layer is how a base rootfs is made.
    !(oldest && c.starts_with("ADD file:") && c.trim_end().ends_with(" in /"))
}

fn add_instead_of_copy(cx: &Context) -> Verdict {
    per_image(cx, |i| {
        history_verdict(
            i,
            |h| {
                let last = h.len().saturating_sub(1);
                h.iter()
                    .enumerate()
                    .find(|(n, e)| is_add(&e.created_by, *n == last))
                    .map(|(_, e)| format!("layer `{}` uses ADD", short(&e.created_by)))
            },
            "COPY",
        )
    })
}

fn secrets(cx: &Context) -> Verdict {
    let mut v = per_image(cx, |i| {
        match i.config.env.iter().find(|e| is_literal_secret_item(e)) {
            // A secret-looking value in the image config is a finding, not a question.
            Some(e) => {
                let name = e.split('=').next().unwrap_or(e);
                (
                    Outcome::Fail,
                    format!("ENV {name}=… is baked into the image"),
                    "no secrets in ENV",
                )
            }
            None => (
                Outcome::Warn,
                "no secret-like ENV; layers and build files need review".into(),
                "no secrets in layers",
            ),
        }
    });
    if v.outcome == Outcome::Warn {
        v.message = format!("manual check: {}", v.message);
    }
    v
}

fn verified_packages(_: &Context) -> Verdict {
    manual("confirm builds install packages only from signed repositories with verification on")
}

fn signed_artifacts(_: &Context) -> Verdict {
    manual("confirm image signatures are verified before deployment")
}

fn short(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use crate::snapshot::{EnvSetting, HistoryEntry};

    #[test]
    fn root_users_in_every_spelling() {
        for u in ["", "root", "0", "0:0", "root:root", "00", "0:1000"] {
            assert!(is_root_user(u), "{u:?}");
        }
        for u in ["1000", "app", "1000:0", "10001:10001"] {
            assert!(!is_root_user(u), "{u:?}");
        }
    }

    #[test]
    fn user_check_fires_for_0_0() {
        let mut s = hardened();
        expect("4.1", &s, Outcome::Pass);
        web(&mut s).config.user = "0:0".into();
        let f = expect("4.1", &s, Outcome::Fail);
        assert_eq!(f.offenders().next().unwrap().target.label(), "web");
    }

    #[test]
    fn content_trust_comes_from_the_host_not_the_scanner() {
        let mut s = hardened();
        expect("4.5", &s, Outcome::Pass);
        s.host.content_trust.clear();
        s.host.scanner_content_trust = Some("1".into());
        expect("4.5", &s, Outcome::Fail);
        s.host.content_trust.push(EnvSetting {
            file: "/etc/profile.d/dct.sh".into(),
            line: 1,
            value: "0".into(),
        });
        expect("4.5", &s, Outcome::Fail);
    }

    #[test]
    fn healthcheck_on_images() {
        let mut s = hardened();
        expect("4.6", &s, Outcome::Pass);
        engine_mut(&mut s).images[0].config.healthcheck = None;
        expect("4.6", &s, Outcome::Fail);
        // Dangling, unused images are not judged.
        let mut s = hardened();
        let mut dangling = good_image("x");
        dangling.repo_tags.clear();
        dangling.id = "sha256:dangling".into();
        dangling.config.healthcheck = None;
        engine_mut(&mut s).images.push(dangling);
        expect("4.6", &s, Outcome::Pass);
    }

    #[test]
    fn update_alone_is_flagged_but_update_and_install_is_not() {
        let mut s = hardened();
        expect("4.7", &s, Outcome::Pass);
        if let Some(Probe::Ok(h)) = &mut engine_mut(&mut s).images[0].history {
            h.push(HistoryEntry {
                created_by: "RUN /bin/sh -c apt-get update # buildkit".into(),
                ..Default::default()
            });
        }
        expect("4.7", &s, Outcome::Warn);
    }

    #[test]
    fn add_detection_ignores_base_rootfs_and_lookalikes() {
        assert!(is_add("/bin/sh -c #(nop) ADD file:abc in /app", false));
        assert!(is_add("ADD https://x/y.tgz /opt # buildkit", false));
        assert!(!is_add("/bin/sh -c #(nop) ADD file:abc in / ", true));
        assert!(!is_add("/bin/sh -c #(nop)  ENV PADDING=ADDRESS", false));
        assert!(!is_add("COPY app /app # buildkit", false));
        let mut s = hardened();
        expect("4.9", &s, Outcome::Pass);
        if let Some(Probe::Ok(h)) = &mut engine_mut(&mut s).images[0].history {
            h.insert(
                0,
                HistoryEntry {
                    created_by: "ADD conf.tar /etc/app # buildkit".into(),
                    ..Default::default()
                },
            );
        }
        expect("4.9", &s, Outcome::Warn);
    }

    #[test]
    fn secret_like_env_is_named() {
        assert!(is_literal_secret_item("DB_PASSWORD=hunter2"));
        // Collected values are redacted to *** and still count as set.
        assert!(is_literal_secret_item("DB_PASSWORD=***"));
        assert!(!is_literal_secret_item("DB_PASSWORD_FILE=/run/secrets/db"));
        assert!(!is_literal_secret_item("PATH=/usr/bin"));
        let mut s = hardened();
        expect("4.10", &s, Outcome::Warn);
        engine_mut(&mut s).images[0]
            .config
            .env
            .push("API_TOKEN=abc".into());
        let f = expect("4.10", &s, Outcome::Fail);
        assert!(f.evidence[0].observed.contains("API_TOKEN"));
        assert!(
            !f.evidence[0].observed.contains("abc"),
            "never print the secret"
        );
    }

    #[test]
    fn manual_image_checks_ask_for_review() {
        let s = hardened();
        for id in ["4.2", "4.3", "4.4", "4.8", "4.11", "4.12"] {
            expect(id, &s, Outcome::Warn);
        }
    }
}
