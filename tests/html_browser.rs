//! The HTML reports in a real headless Chromium (Debian's `chromium`,
//! installed by scripts/setup.sh). Every report (`audit`, `scan`,
//! `threats`, `report`) must render (a screenshot with real content), log
//! nothing to the console (no error, no CSP violation), and filter through
//! its URL fragment; hostile container labels, users and working dirs and
//! hostile scanned files must not run any planted script or handler.
//!
//! Chromium missing is a failure that says to run scripts/setup.sh, never
//! a silent pass.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::*;

/// What the planted code would do if it ran.
const PWNED: &str = "PWNED-by-planted-code";

fn chromium() -> PathBuf {
    for c in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(c).exists() {
            return PathBuf::from(c);
        }
    }
    panic!("Chromium is not installed: the HTML report tests need Debian's `chromium`. Run scripts/setup.sh");
}

/// Run headless Chromium on `url` with `extra` args; (stdout, stderr).
fn browse(url: &str, extra: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--window-size=1280,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn url(file: &Path, fragment: &str) -> String {
    format!("file://{}{fragment}", file.display())
}

/// Console messages Chromium logged for the page (our script logs none, so
/// any is an error, an uncaught exception or a CSP violation).
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

/// The page after its scripts ran.
fn dom(file: &Path, fragment: &str) -> String {
    let (dom, stderr) = browse(&url(file, fragment), &["--dump-dom"]);
    let console = console_lines(&stderr);
    assert!(
        console.is_empty(),
        "{}: console messages: {console:#?}",
        file.display()
    );
    assert!(
        dom.contains("<tbody id=\"rows\">"),
        "no findings table: {}",
        &dom[..dom.len().min(400)]
    );
    dom
}

/// Screenshot the page and check it is not blank: many colours, and a fair
/// share of pixels that are not background.
fn assert_renders(file: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("shot.png");
    let (_, stderr) = browse(
        &url(file, ""),
        &[&format!("--screenshot={}", png.display())],
    );
    let console = console_lines(&stderr);
    assert!(
        console.is_empty(),
        "{}: console messages: {console:#?}",
        file.display()
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().expect("a PNG screenshot");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bpp = info.color_type.samples();
    let px = &buf[..info.buffer_size()];
    let mut colours = std::collections::HashSet::new();
    let mut ink = 0usize;
    for p in px.chunks(bpp) {
        colours.insert((p[0], p[1], p[2]));
        if p[0] < 200 || p[1] < 200 || p[2] < 200 {
            ink += 1;
        }
    }
    let total = px.len() / bpp;
    assert!(
        (info.width, info.height) == (1280, 900),
        "size {}x{}",
        info.width,
        info.height
    );
    assert!(
        colours.len() > 50,
        "{}: only {} colours: blank?",
        file.display(),
        colours.len()
    );
    assert!(
        ink * 100 / total >= 3,
        "{}: only {ink} of {total} pixels drawn",
        file.display()
    );
}

fn rows_of(dom: &str) -> Vec<&str> {
    dom.split("<tr class=\"row\" data-outcome=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect()
}

fn matching(dom: &str) -> usize {
    let s = dom.split("data-matching=\"").nth(1).expect("count element");
    s.split('"').next().unwrap().parse().unwrap()
}

/// A hostile scan tree: markup, script break-outs and escapes in names,
/// values and the file name itself.
fn hostile_files(dir: &Path) {
    let p = format!("<img src=x onerror=\"document.title='{PWNED}'\">");
    std::fs::write(
        dir.join("pod\x1b[2J.yaml"),
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"{}\"\n  namespace: \"</script><script>document.title='{PWNED}'</script>\"\n  annotations:\n    x: \"\\u2028</script><svg onload=document.title='{PWNED}'>\"\nspec:\n  containers:\n  - name: c\n    image: \"x:1\\e[2J{}\"\n    securityContext:\n      privileged: true\n",
            p.replace('"', "\\\""),
            p.replace('"', "\\\""),
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        format!("services:\n  \"<script>document.title='{PWNED}'</script>\":\n    image: \"w:1\"\n    privileged: true\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        format!("FROM scratch\nUSER root\nLABEL x=\"<img src=x onerror=document.title='{PWNED}'>\"\nENV API_TOKEN=tok-{PWNED}-secretvalue\n"),
    )
    .unwrap();
}

fn shipshape_ok(dir: &Path, args: &[&str]) {
    let o = shipshape_in(dir, &[], args);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "shipshape {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn every_html_report_renders_filters_and_runs_no_planted_code() {
    chromium();
    let mut lab = Lab::new("html");
    let image = lab.image(
        "evil",
        "/app",
        &[&format!(
            "LABEL note=\"</script><script>document.title='{PWNED}'</script>\""
        )],
    );
    let handler = format!("<img src=x onerror=\"document.title='{PWNED}'\">");
    lab.create(
        "evil",
        &[
            "--privileged",
            "--label",
            &format!("html={handler}"),
            "--label",
            "esc=\x1b]0;pwned\x07\x1b[2J",
            "--user",
            &format!("<script>document.title='{PWNED}'</script>"),
            "-w",
            &format!("/srv/</script><svg onload=document.title='{PWNED}'>"),
            "-e",
            &format!("DB_PASSWORD=hunter2-{PWNED}"),
        ],
        &image,
    );
    let files = tempfile::tempdir().unwrap();
    hostile_files(files.path());
    let dir = lab.dir.path().to_path_buf();
    let scan = files.path().to_str().unwrap();
    let out = |n: &str| dir.join(n).to_str().unwrap().to_string();
    shipshape_ok(
        &dir,
        &["audit", "--all", "-f", "html", "-o", &out("audit.html")],
    );
    shipshape_ok(
        &dir,
        &[
            "scan",
            "--no-config",
            "-f",
            "html",
            "-o",
            &out("scan.html"),
            scan,
        ],
    );
    shipshape_ok(
        &dir,
        &["threats", "--all", "-f", "html", "-o", &out("threats.html")],
    );
    shipshape_ok(&dir, &["report", "--all", "-o", &out("report.html"), scan]);
    shipshape_ok(
        &dir,
        &[
            "report",
            "--all",
            "--diagram",
            "builtin",
            "-o",
            &out("builtin.html"),
            scan,
        ],
    );

    for name in [
        "audit.html",
        "scan.html",
        "threats.html",
        "report.html",
        "builtin.html",
    ] {
        let file = dir.join(name);
        let html = std::fs::read_to_string(&file).unwrap();
        assert!(!html.contains("hunter2"), "{name}: a secret's value");
        assert!(!html.contains("secretvalue"), "{name}: a secret's value");
        assert!(!html.contains('\x1b'), "{name}: a raw escape");
        assert_eq!(
            html.matches("<script").count(),
            2,
            "{name}: only our two scripts"
        );
        if name != "threats.html" {
            assert!(
                html.contains(PWNED),
                "{name}: the hostile data is shown, as text"
            );
        }
        assert_renders(&file);
        let dom = dom(&file, "");
        assert!(
            dom.contains("<title>shipshape"),
            "{name}: title changed: planted code ran"
        );
        assert!(
            !dom.contains(&format!("<title>{PWNED}")),
            "{name}: planted code ran"
        );
        for bad in ["<img src=\"x\"", "<svg onload", "<script>document.title"] {
            assert!(
                !dom.contains(bad),
                "{name}: planted element {bad} is in the DOM"
            );
        }
    }
    let fails = dom(&dir.join("report.html"), "#o=FAIL");
    let rows = rows_of(&fails);
    assert!(
        !rows.is_empty() && rows.iter().all(|o| *o == "FAIL"),
        "outcome filter: {rows:?}"
    );
    // The hostile data did reach the pages, as text.
    let report = dom(&dir.join("report.html"), "#t=ss-");
    assert!(
        matching(&report) > 0,
        "the lab container's findings are listed"
    );
    let scan_dom = dom(&dir.join("scan.html"), "#q=privileged");
    assert!(matching(&scan_dom) > 0);
}

#[test]
fn the_url_fragment_filters_the_table() {
    chromium();
    let files = tempfile::tempdir().unwrap();
    hostile_files(files.path());
    let out = files.path().join("scan.html");
    let o = shipshape(&[
        "scan",
        "--no-config",
        "-f",
        "html",
        "-o",
        out.to_str().unwrap(),
        files.path().to_str().unwrap(),
    ]);
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let all = dom(&out, "");
    let total = matching(&all);
    assert!(total >= 3, "findings in the hostile files: {total}");
    let high = dom(&out, "#s=3");
    let n_high = matching(&high);
    assert!(
        n_high > 0 && n_high < total,
        "severity filter: {n_high} of {total}"
    );
    for (frag, check) in [
        ("#b=shipshape%20scan&c=Dockerfiles", "Dockerfiles"),
        ("#c=Compose%20files", "Compose files"),
    ] {
        let d = dom(&out, frag);
        let n = matching(&d);
        assert!(n > 0 && n < total, "{frag}: {n} of {total}");
        assert_eq!(rows_of(&d).len(), n, "{frag}: every match drawn");
        assert!(d.contains(check));
    }
    let none = dom(&out, "#q=no-such-text-anywhere");
    assert_eq!(matching(&none), 0);
    assert!(rows_of(&none).is_empty());
    let stride = dom(&out, "#x=R");
    assert!(matching(&stride) < total, "STRIDE filter narrows");
}
