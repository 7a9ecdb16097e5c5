// Projector view of a round's live top 20 (or a unit's / a group's): ?round=ID&unit=CODE.
// Listens to the leaderboard stream (Server-Sent Events); the browser reconnects by itself
// and sends Last-Event-ID, so the server only resends when the board changed meanwhile.
// Texts come from the i18n catalogue of the `lang` cookie's language (static/i18n/*.json,
// keys projector.*); until it arrives, or if it never does, the page shows the Vietnamese
// written in index.html (elements marked data-i18n) and in VI below: the board never waits.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  // ---- strings ----------------------------------------------------------------------------
  // the Vietnamese of the texts only this script writes (the same as in i18n/vi.json)
  var VI = {
    "projector.no_round": "Thiếu mã đợt thi: thêm ?round=<mã đợt> vào địa chỉ trang " +
      "(có thể thêm &unit=<mã đơn vị>).",
    "projector.scope_unit": "Đơn vị: {unit}",
    "projector.scope_group": "Đối tượng: {group}",
    "projector.scope_all": "Toàn đợt thi",
    "projector.updated": "Cập nhật lúc {time}",
    "projector.reconnecting": "Mất kết nối, đang thử kết nối lại…"
  };
  var S = {};  // the loaded catalogue
  var locale = "vi-VN";
  var fallback = {};  // the page's own Vietnamese, by key
  var marked = document.querySelectorAll("[data-i18n], [data-i18n-label]");
  Array.prototype.forEach.call(marked, function (el) {
    var key = el.getAttribute("data-i18n"), label = el.getAttribute("data-i18n-label");
    if (key && !(key in fallback)) fallback[key] = el.textContent;
    if (label && !(label in fallback)) fallback[label] = el.getAttribute("aria-label");
  });

  function plain(key) {
    return S[key] != null ? S[key] : fallback[key] != null ? fallback[key]
      : VI[key] != null ? VI[key] : key;
  }
  // a text by key; for a count, its form `key.one` / `key.other` in the shown language
  function t(key, args, count) {
    if (S[key] == null && S[key + ".other"] != null) {  // a count's forms (none yet: other)
      var form = key + "." + (count == null ? "other" : new Intl.PluralRules(locale).select(count));
      key = S[form] != null ? form : key + ".other";
    }
    return String(plain(key)).replace(/\{(\w+)\}/g, function (m, k) {
      if (!args || !(k in args)) return m;
      var v = args[k];
      return v instanceof Date ? v.toLocaleTimeString(locale) : v;
    });
  }
  // an element's text by key, kept so that a catalogue arriving later can redo it
  function say(el, key, args, count) {
    el.setAttribute("data-i18n", key);
    el.i18nArgs = args;
    el.i18nCount = count;
    el.textContent = t(key, args, count);
  }
  function translate() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (el) {
      el.textContent = t(el.getAttribute("data-i18n"), el.i18nArgs, el.i18nCount);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n-label]"), function (el) {
      el.setAttribute("aria-label", t(el.getAttribute("data-i18n-label")));
    });
  }

  var repaint = function () {};  // set below once the board runs
  function language() {
    var assets = {};
    try { assets = JSON.parse($("assets").textContent); } catch (e) { return; }
    var m = /(?:^|;\s*)lang=([^;]*)/.exec(document.cookie);
    var code = m ? decodeURIComponent(m[1]) : "vi";
    if (!assets["i18n/" + code + ".json"]) code = "vi";
    var url = assets["i18n/" + code + ".json"];
    if (!url) return;
    fetch(url)
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (strings) {
        S = strings;
        locale = strings._locale || locale;
        document.documentElement.lang = code;
        translate();
        repaint();
      })
      .catch(function () { /* keep the Vietnamese already on the page */ });
  }
  language();

  // ---- the board ---------------------------------------------------------------------------
  var q = new URLSearchParams(location.search);
  var round = q.get("round");
  var unit = q.get("unit") || "";
  var group = q.get("group") || "";

  if (!round || !/^\d+$/.test(round)) {
    say($("status"), "projector.no_round");
    return;
  }
  var scope = unit ? "&unit=" + encodeURIComponent(unit)
    : group ? "&group=" + encodeURIComponent(group) : "";
  if (unit) say($("scope"), "projector.scope_unit", { unit: unit });
  else if (group) say($("scope"), "projector.scope_group", { group: group });
  else say($("scope"), "projector.scope_all");

  function time(ms) {
    var s = ms / 1000, m = Math.floor(s / 60);
    return m + ":" + (s - m * 60).toFixed(1).padStart(4, "0");
  }
  function score(x) {
    var point = (1.5).toLocaleString(locale).charAt(1);  // "," in Vietnamese, "." in English
    return String(x).replace(".", point);
  }

  var previous = {}, board = null, figures = null;
  function render(b) {
    board = b;
    var body = $("rows");
    var rows = document.createDocumentFragment();
    var seen = {};
    b.entries.forEach(function (e) {
      var tr = document.createElement("tr");
      [e.rank, e.name, e.unit, score(e.score), time(e.duration_ms)].forEach(function (v) {
        var td = document.createElement("td");
        td.textContent = v;  // names are data: never HTML
        tr.appendChild(td);
      });
      var key = e.name + "|" + e.unit;
      seen[key] = e.rank + "|" + e.score + "|" + e.duration_ms;
      if (previous[key] !== seen[key]) tr.className = "changed";
      rows.appendChild(tr);
    });
    previous = seen;
    body.replaceChildren(rows);
    $("empty").hidden = b.entries.length > 0;
    $("frozen").hidden = !b.frozen;
  }

  function paintStats(s) {
    figures = s;
    ["participants", "attempts", "perfect"].forEach(function (name) {
      var box = $(name);
      box.textContent = s[name].toLocaleString(locale);
      var label = box.nextElementSibling;
      if (name !== "perfect") say(label, label.getAttribute("data-i18n"), null, s[name]);
    });
  }
  function stats() {
    fetch("/api/v1/rounds/" + round + "/stats?" + scope.slice(1))
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s) paintStats(s); })
      .catch(function () { /* the next update retries */ });
  }
  repaint = function () {  // the catalogue arrived: numbers and scores in its locale
    if (board) render(board);
    if (figures) paintStats(figures);
  };

  var source = new EventSource("/api/v1/rounds/" + round + "/leaderboard/stream?limit=20" + scope);
  source.addEventListener("leaderboard", function (ev) {
    render(JSON.parse(ev.data));
    stats();
    say($("status"), "projector.updated", { time: new Date() });
  });
  source.onerror = function () {
    say($("status"), "projector.reconnecting");
  };
  stats();
})();
