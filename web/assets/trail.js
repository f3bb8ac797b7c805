(function () {
  var svg = document.getElementById("map");
  if (!svg || !svg.getBoundingClientRect) return;
  document.documentElement.classList.add("js");
  var home = svg.getAttribute("data-home").split(" ").map(Number);
  var vb = home.slice();
  var sized = [].slice.call(svg.querySelectorAll("[data-r],[data-fs]"));
  function apply() {
    svg.setAttribute("viewBox", vb.map(function (v) { return Math.round(v * 10) / 10; }).join(" "));
    var k = vb[2] / home[2];
    sized.forEach(function (el) {
      var r = el.getAttribute("data-r"), fs = el.getAttribute("data-fs");
      if (fs) { el.setAttribute("font-size", fs * k); return; }
      if (el.tagName === "rect") {
        var s = r * k, cx = +el.getAttribute("x") + +el.getAttribute("width") / 2, cy = +el.getAttribute("y") + +el.getAttribute("height") / 2;
        el.setAttribute("x", cx - s / 2); el.setAttribute("y", cy - s / 2); el.setAttribute("width", s); el.setAttribute("height", s);
      } else {
        el.setAttribute("r", r * k);
      }
    });
  }
  // Map units of a point of the window.
  function at(x, y) {
    var r = svg.getBoundingClientRect();
    var s = Math.max(vb[2] / r.width, vb[3] / r.height);
    return [vb[0] + vb[2] / 2 + (x - r.left - r.width / 2) * s, vb[1] + vb[3] / 2 + (y - r.top - r.height / 2) * s];
  }
  function zoom(f, cx, cy) {
    var w = vb[2] * f;
    if (w < home[2] / 64 || w > 262144 / 3) return;
    vb = [cx - (cx - vb[0]) * f, cy - (cy - vb[1]) * f, w, vb[3] * f];
    apply();
  }
  function center() { return [vb[0] + vb[2] / 2, vb[1] + vb[3] / 2]; }
  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var p = at(e.clientX, e.clientY);
    zoom(e.deltaY > 0 ? 1.25 : 0.8, p[0], p[1]);
  }, { passive: false });
  svg.addEventListener("dblclick", function (e) { var p = at(e.clientX, e.clientY); zoom(0.5, p[0], p[1]); });
  var pts = {}, last = null;
  function list() { return Object.keys(pts).map(function (k) { return pts[k]; }); }
  function state() {
    var l = list();
    if (l.length === 0) return null;
    if (l.length === 1) return { x: l[0].x, y: l[0].y, d: 0 };
    return { x: (l[0].x + l[1].x) / 2, y: (l[0].y + l[1].y) / 2, d: Math.hypot(l[0].x - l[1].x, l[0].y - l[1].y) };
  }
  svg.addEventListener("pointerdown", function (e) {
    pts[e.pointerId] = { x: e.clientX, y: e.clientY };
    try { svg.setPointerCapture(e.pointerId); } catch (_) {}
    last = state();
  });
  svg.addEventListener("pointermove", function (e) {
    if (!pts[e.pointerId]) return;
    pts[e.pointerId] = { x: e.clientX, y: e.clientY };
    var s = state();
    if (!s || !last) { last = s; return; }
    var a = at(last.x, last.y), b = at(s.x, s.y);
    vb[0] -= b[0] - a[0]; vb[1] -= b[1] - a[1];
    if (s.d && last.d) { var p = at(s.x, s.y); zoom(last.d / s.d, p[0], p[1]); } else { apply(); }
    last = s;
  });
  function up(e) { delete pts[e.pointerId]; last = state(); }
  svg.addEventListener("pointerup", up);
  svg.addEventListener("pointercancel", up);
  function button(id, fn) { var b = document.getElementById(id); if (b) b.addEventListener("click", fn); }
  button("zin", function () { var c = center(); zoom(0.6, c[0], c[1]); });
  button("zout", function () { var c = center(); zoom(1 / 0.6, c[0], c[1]); });
  button("zreset", function () { vb = home.slice(); apply(); });
})();
