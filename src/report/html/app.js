"use strict";
// Draws the findings table from the embedded JSON. Every value reaches the
// page through textContent or option.value, never through innerHTML.
(function () {
  var D = JSON.parse(document.getElementById("data").textContent);
  var SEV = ["info", "low", "medium", "high", "critical"];
  var CLS = { FAIL: "fail", "open-confirmed": "fail", "partially-mitigated": "fail",
    WARN: "warn", "open-unverified": "warn", "needs-review": "warn", "not-assessed": "warn",
    ERROR: "error", PASS: "pass", mitigated: "pass" };
  var RANK = { FAIL: 0, "open-confirmed": 0, "partially-mitigated": 1, ERROR: 2, WARN: 3,
    "open-unverified": 3, "not-assessed": 4, "needs-review": 4, PASS: 6, mitigated: 6 };
  var PAGE = 250;
  var rows = D.rows.map(function (r, i) {
    var rule = D.rules[r.r];
    return { i: i, r: r, rule: rule, o: r.o, s: r.s, id: rule.id, title: rule.title,
      b: rule.bench + " \u00b7 " + rule.section, x: rule.stride, t: r.t,
      text: (rule.id + " " + rule.title + " " + r.m + " " + r.t).toLowerCase() };
  });
  var F = { o: "", s: "", b: "", c: "", x: "", t: "", q: "" };
  var sortKey = "o", sortDir = 1, limit = PAGE, open = {};
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function cls(o) { return CLS[o] || "na"; }
  function uniq(f) {
    var seen = {}, out = [];
    rows.forEach(function (r) { f(r).forEach(function (v) { if (v && !seen[v]) { seen[v] = 1; out.push(v); } }); });
    return out.sort();
  }
  function fill(id, values, label) {
    var s = document.getElementById(id);
    values.forEach(function (v) { var o = el("option", null, label ? label(v) : v); o.value = v; s.appendChild(o); });
  }
  fill("f-o", uniq(function (r) { return [r.o]; }));
  fill("f-s", ["4", "3", "2", "1", "0"], function (v) { return SEV[+v]; });
  fill("f-b", uniq(function (r) { return [r.rule.bench]; }));
  fill("f-c", uniq(function (r) { return [r.rule.section]; }));
  fill("f-x", ["S", "T", "R", "I", "D", "E"], function (v) {
    return { S: "Spoofing", T: "Tampering", R: "Repudiation", I: "Information disclosure",
      D: "Denial of service", E: "Elevation of privilege" }[v];
  });
  var ids = { o: "f-o", s: "f-s", b: "f-b", c: "f-c", x: "f-x", t: "f-t", q: "f-q" };
  function readHash() {
    var h = location.hash.replace(/^#/, "");
    if (h.indexOf("=") < 0) return;
    h.split("&").forEach(function (kv) {
      var p = kv.split("="), k = decodeURIComponent(p[0] || ""), v = decodeURIComponent((p[1] || "").replace(/\+/g, " "));
      if (k === "sort") { sortKey = v.replace(/^-/, ""); sortDir = v.charAt(0) === "-" ? -1 : 1; }
      else if (Object.prototype.hasOwnProperty.call(F, k)) F[k] = v;
    });
  }
  function writeHash() {
    var parts = [];
    Object.keys(F).forEach(function (k) { if (F[k]) parts.push(k + "=" + encodeURIComponent(F[k])); });
    if (sortKey !== "o" || sortDir !== 1) parts.push("sort=" + (sortDir < 0 ? "-" : "") + sortKey);
    try { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search); } catch (e) { /* file:// in some browsers */ }
  }
  function match(r) {
    if (F.o && r.o !== F.o) return false;
    if (F.s && String(r.s) !== F.s) return false;
    if (F.b && r.rule.bench !== F.b) return false;
    if (F.c && r.rule.section !== F.c) return false;
    if (F.x && r.x.indexOf(F.x) < 0) return false;
    if (F.t && r.t.toLowerCase().indexOf(F.t.toLowerCase()) < 0) return false;
    if (F.q && r.text.indexOf(F.q.toLowerCase()) < 0) return false;
    return true;
  }
  function key(r, k) {
    if (k === "o") return RANK[r.o] === undefined ? 5 : RANK[r.o];
    if (k === "s") return -r.s;
    return String(r[k] || "").toLowerCase();
  }
  function cmp(a, b) {
    var x = key(a, sortKey), y = key(b, sortKey);
    if (x < y) return -sortDir;
    if (x > y) return sortDir;
    var s = b.s - a.s;
    return s !== 0 ? s : a.i - b.i;
  }
  function detail(r) {
    var td = el("td");
    td.colSpan = 7;
    td.appendChild(el("h4", null, "Message"));
    td.appendChild(el("pre", null, r.r.m));
    if (r.r.e.length) {
      td.appendChild(el("h4", null, "Evidence"));
      var t = el("table", "ev"), head = el("tr");
      ["Target", "Outcome", "Observed", "Expected", "Source"].forEach(function (h) { head.appendChild(el("th", null, h)); });
      t.appendChild(head);
      r.r.e.forEach(function (ev) {
        var tr = el("tr");
        ev.forEach(function (v) { tr.appendChild(el("td", null, v)); });
        t.appendChild(tr);
      });
      td.appendChild(t);
    }
    td.appendChild(el("h4", null, "Remediation"));
    td.appendChild(el("pre", null, r.rule.fix || "-"));
    if (r.rule.acts.length) {
      td.appendChild(el("h4", null, "Harden action"));
      r.rule.acts.forEach(function (a) { td.appendChild(el("pre", "act", a)); });
    }
    var tr = el("tr", "detail");
    tr.appendChild(td);
    return tr;
  }
  function draw() {
    var list = rows.filter(match).sort(cmp);
    var body = document.getElementById("rows"), frag = document.createDocumentFragment();
    list.slice(0, limit).forEach(function (r) {
      var tr = el("tr", "row");
      tr.setAttribute("data-outcome", r.o);
      tr.appendChild(el("td", "out o-" + cls(r.o), r.o));
      var sv = el("td");
      sv.appendChild(el("span", "pill p-" + SEV[r.s], SEV[r.s]));
      tr.appendChild(sv);
      tr.appendChild(el("td", null, r.id));
      tr.appendChild(el("td", null, r.title));
      tr.appendChild(el("td", null, r.b));
      tr.appendChild(el("td", null, r.x));
      tr.appendChild(el("td", "t", r.t));
      tr.addEventListener("click", function () { open[r.i] = !open[r.i]; draw(); });
      frag.appendChild(tr);
      if (open[r.i]) frag.appendChild(detail(r));
    });
    body.textContent = "";
    body.appendChild(frag);
    var shown = Math.min(limit, list.length);
    document.getElementById("count").textContent = shown + " of " + list.length + " matching results shown (" + rows.length + " in all)" +
      (D.omitted ? "; " + D.omitted + " less severe results are counted in the charts but not listed here: use -f json or -f sarif for all of them" : "");
    document.getElementById("count").setAttribute("data-matching", String(list.length));
    var more = document.getElementById("more");
    more.hidden = list.length <= limit;
    document.querySelectorAll("#findings-table thead th").forEach(function (th) {
      th.classList.remove("asc", "desc");
      if (th.getAttribute("data-k") === sortKey) th.classList.add(sortDir > 0 ? "asc" : "desc");
    });
  }
  readHash();
  Object.keys(ids).forEach(function (k) {
    var e = document.getElementById(ids[k]);
    e.value = F[k];
    e.addEventListener("input", function () { F[k] = e.value; limit = PAGE; writeHash(); draw(); });
  });
  document.getElementById("f-reset").addEventListener("click", function () {
    Object.keys(ids).forEach(function (k) { F[k] = ""; document.getElementById(ids[k]).value = ""; });
    limit = PAGE; writeHash(); draw();
  });
  document.getElementById("more").addEventListener("click", function () { limit += 1000; draw(); });
  document.querySelectorAll("#findings-table thead th").forEach(function (th) {
    th.addEventListener("click", function () {
      var k = th.getAttribute("data-k");
      if (k === sortKey) sortDir = -sortDir; else { sortKey = k; sortDir = 1; }
      writeHash(); draw();
    });
  });
  window.addEventListener("hashchange", function () { readHash(); Object.keys(ids).forEach(function (k) { document.getElementById(ids[k]).value = F[k]; }); draw(); });
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  draw();
})();
