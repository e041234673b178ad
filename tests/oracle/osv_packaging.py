#!/usr/bin/env python3
"""Independent oracle for shipshape's dependency matcher.

It reads the same OSV advisories (PyPA YAML layout or OSV JSON) and decides
which of them affect a package version, using the `packaging` library's PEP 440
implementation and the OSV schema's range rules. It shares no code with
shipshape.

Usage: osv_packaging.py DATA_DIR REQUEST...
  table             a table of (package, version) rows around every range bound
  lockfile=FILE     every pinned package of a lockfile or requirements file
  pin=NAME==VER     one package version (all pins are answered under "pins")

Output is one JSON object keyed by request; each value is a list of
{"package", "version", "advisories", "fixed"}.
"""
import json
import os
import sys
import tomllib

import yaml
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # every scalar a string


def load(data_dir):
    by_pkg = {}
    for root, _dirs, files in os.walk(data_dir):
        for f in sorted(files):
            path = os.path.join(root, f)
            if f.endswith(".json"):
                with open(path) as fh:
                    rec = json.load(fh)
            elif f.endswith((".yaml", ".yml")):
                with open(path) as fh:
                    rec = yaml.load(fh, Loader=Loader)
            else:
                continue
            if rec.get("withdrawn"):
                continue
            for aff in rec.get("affected") or []:
                pkg = aff.get("package") or {}
                if pkg.get("ecosystem") != "PyPI":
                    continue
                ranges = []
                fixes = []
                for rng in aff.get("ranges") or []:
                    if rng.get("type") != "ECOSYSTEM":
                        continue
                    events, usable = [], True
                    for ev in rng.get("events") or []:
                        ((kind, raw),) = ev.items()
                        raw = str(raw).strip()
                        if kind == "introduced" and raw == "0":
                            events.append((kind, None))
                            continue
                        if kind == "limit" and raw == "*":
                            events.append((kind, "inf"))
                            continue
                        try:
                            v = Version(raw)
                        except InvalidVersion:
                            usable = False
                            continue
                        events.append((kind, v))
                        if kind == "fixed":
                            fixes.append(v)
                    if usable:
                        ranges.append(events)
                versions = set()
                for raw in aff.get("versions") or []:
                    try:
                        versions.add(Version(str(raw).strip()))
                    except InvalidVersion:
                        pass
                entry = {
                    "id": rec["id"],
                    "ranges": ranges,
                    "versions": versions,
                    "fixes": sorted(set(fixes)),
                    "raw": [e.get("introduced") or e.get("fixed") or e.get("last_affected")
                            for r in aff.get("ranges") or [] if r.get("type") == "ECOSYSTEM"
                            for e in r.get("events") or []] + list(aff.get("versions") or []),
                }
                by_pkg.setdefault(canonicalize_name(pkg["name"]), []).append(entry)
    return by_pkg


def in_range(v, events):
    limits = [b for k, b in events if k == "limit"]
    if limits and not any(b == "inf" or v < b for b in limits):
        return False
    ordered = sorted(
        (e for e in events if e[0] != "limit"),
        key=lambda e: (0, Version("0")) if e[1] is None else (1, e[1]),
    )
    hit = False
    for kind, bound in ordered:
        if kind == "introduced":
            if bound is None or v >= bound:
                hit = True
        elif kind == "fixed":
            if v >= bound:
                hit = False
        elif kind == "last_affected":
            if v > bound:
                hit = False
    return hit


def affects(entry, v):
    return v in entry["versions"] or any(in_range(v, r) for r in entry["ranges"])


def evaluate(by_pkg, name, version):
    v = Version(version)
    ids, fixes = set(), {}
    for entry in by_pkg.get(canonicalize_name(name), []):
        if affects(entry, v):
            ids.add(entry["id"])
            fix = next((f for f in entry["fixes"] if f > v and not affects(entry, f)), None)
            if fix is not None:
                old = fixes.get(entry["id"])
                fixes[entry["id"]] = fix if old is None else max(old, fix)
    fixed = max(fixes.values()) if fixes else None
    return {
        "package": canonicalize_name(name),
        "version": version,
        "advisories": sorted(ids),
        "fixed": str(fixed) if fixed is not None else None,
    }


def candidates(entries):
    """Versions worth testing for one package: every bound and listed version,
    and variants around each bound (pre, post, dev, local, epoch)."""
    out = {"0", "0.0.1", "9999"}
    for entry in entries:
        for raw in entry["raw"]:
            if raw is None or str(raw) == "0":
                continue
            raw = str(raw).strip()
            for cand in (raw, raw + "rc1", raw + "a1", raw + ".post1", raw + ".dev0",
                         raw + "+local.7", "1!" + raw):
                try:
                    Version(cand)
                except InvalidVersion:
                    continue
                out.add(cand)
    ordered = sorted(out, key=Version)
    if len(ordered) > 48:
        step = len(ordered) / 48
        ordered = [ordered[int(i * step)] for i in range(48)] + [ordered[-1]]
    return ordered


def lockfile_pins(path):
    base = os.path.basename(path)
    pins = []
    if base == "Pipfile.lock":
        with open(path) as fh:
            doc = json.load(fh)
        for section in ("default", "develop"):
            for name, entry in (doc.get(section) or {}).items():
                if "version" in entry:
                    pins.append((name, entry["version"].lstrip("=")))
    elif base.endswith(".toml") or base.endswith(".lock"):
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
        for entry in doc.get("package", []) + doc.get("packages", []):
            src = entry.get("source") or {}
            if any(k in src for k in ("editable", "virtual", "directory", "path")):
                continue
            if "version" in entry:
                pins.append((entry["name"], entry["version"]))
    else:  # requirements: NAME==VERSION lines
        with open(path) as fh:
            text = fh.read().replace("\\\n", " ")
        for line in text.splitlines():
            line = line.split(" #")[0].strip()
            if not line or line.startswith(("#", "-")):
                continue
            spec = line.split(";")[0].split(" --")[0].strip()
            if "==" in spec:
                name, ver = spec.split("==", 1)
                pins.append((name.split("[")[0].strip(), ver.strip()))
    return pins


def main():
    data_dir, requests = sys.argv[1], sys.argv[2:]
    by_pkg = load(data_dir)
    out = {}
    for req in requests:
        if req == "table":
            out[req] = [evaluate(by_pkg, name, ver)
                        for name in sorted(by_pkg) for ver in candidates(by_pkg[name])]
        elif req.startswith("lockfile="):
            out[req] = [evaluate(by_pkg, n, v) for n, v in lockfile_pins(req[len("lockfile="):])]
        elif req.startswith("pin="):
            out.setdefault("pins", []).append(evaluate(by_pkg, *req[len("pin="):].split("==", 1)))
        else:
            sys.exit(f"unknown request {req!r}")
    json.dump(out, sys.stdout, indent=0)


if __name__ == "__main__":
    main()
