// Projector view of a round's live top 20 (or a unit's / a group's): ?round=ID&unit=CODE.
// Listens to the leaderboard stream (Server-Sent Events); the browser reconnects by itself
// and sends Last-Event-ID, so the server only resends when the board changed meanwhile.
(function () {
  "use strict";
  var q = new URLSearchParams(location.search);
  var round = q.get("round");
  var unit = q.get("unit") || "";
  var group = q.get("group") || "";
  var $ = function (id) { return document.getElementById(id); };

  if (!round || !/^\d+$/.test(round)) {
    $("status").textContent = "Thiếu mã đợt thi: thêm ?round=<mã đợt> vào địa chỉ trang " +
      "(có thể thêm &unit=<mã đơn vị>).";
    return;
  }
  var scope = unit ? "&unit=" + encodeURIComponent(unit)
    : group ? "&group=" + encodeURIComponent(group) : "";
  $("scope").textContent = unit ? "Đơn vị: " + unit : group ? "Đối tượng: " + group : "Toàn đợt thi";

  function time(ms) {
    var s = ms / 1000, m = Math.floor(s / 60);
    return m + ":" + (s - m * 60).toFixed(1).padStart(4, "0");
  }
  function score(x) { return String(x).replace(".", ","); }

  var previous = {};
  function render(board) {
    var body = $("rows");
    var rows = document.createDocumentFragment();
    var seen = {};
    board.entries.forEach(function (e) {
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
    $("empty").hidden = board.entries.length > 0;
    $("frozen").hidden = !board.frozen;
  }

  function stats() {
    fetch("/api/v1/rounds/" + round + "/stats?" + scope.slice(1))
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        $("participants").textContent = s.participants.toLocaleString("vi-VN");
        $("attempts").textContent = s.attempts.toLocaleString("vi-VN");
        $("perfect").textContent = s.perfect.toLocaleString("vi-VN");
      })
      .catch(function () { /* the next update retries */ });
  }

  var source = new EventSource("/api/v1/rounds/" + round + "/leaderboard/stream?limit=20" + scope);
  source.addEventListener("leaderboard", function (ev) {
    render(JSON.parse(ev.data));
    stats();
    $("status").textContent = "Cập nhật lúc " + new Date().toLocaleTimeString("vi-VN");
  });
  source.onerror = function () {
    $("status").textContent = "Mất kết nối, đang thử kết nối lại…";
  };
  stats();
})();
