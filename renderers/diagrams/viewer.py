"""The diagram viewer the HTML report carries: pan, zoom and a full-size view, in one inline script.

Each diagram sits in ``<figure class="diagram">`` with a small tool bar (zoom in, zoom out,
fit, full size) above a view box. The script (no library, no network) gives every view:

- buttons and ``+`` / ``-`` / ``0`` keys (when the view has focus) to zoom and reset;
- Ctrl/⌘ + wheel to zoom at the pointer (a plain wheel still scrolls the page), and drag
  to pan once zoomed;
- "Full size": the diagram's SVG opened on its own in a new tab, from a ``blob:`` URL of the
  inline SVG, so it needs no file next to the HTML.

``window.awsscanViewer.zoom(i, factor)``, ``.reset(i)`` and ``.state(i)`` let a test (tests/test_browser.py)
drive figure ``i`` directly. The page's Content-Security-Policy allows exactly this script
by its SHA-256 hash (:data:`SCRIPT_HASH`); nothing else can run.
"""

from __future__ import annotations

import base64
import hashlib

SCRIPT = r"""
(function () {
  "use strict";
  var views = [];
  function setup(fig, index) {
    var view = fig.querySelector(".zoom-view"), inner = fig.querySelector(".zoom-inner");
    if (!view || !inner) { return; }
    var st = {scale: 1, x: 0, y: 0};
    function apply() {
      inner.style.transform = "translate(" + st.x + "px," + st.y + "px) scale(" + st.scale + ")";
      fig.setAttribute("data-scale", st.scale.toFixed(3));
      view.classList.toggle("zoomed", st.scale !== 1);
    }
    function zoom(factor, cx, cy) {
      var r = view.getBoundingClientRect();
      if (cx === undefined) { cx = r.width / 2; cy = r.height / 2; }
      var next = Math.min(24, Math.max(0.25, st.scale * factor));
      st.x = cx - (cx - st.x) * next / st.scale;
      st.y = cy - (cy - st.y) * next / st.scale;
      st.scale = next;
      apply();
    }
    function reset() { st.scale = 1; st.x = 0; st.y = 0; apply(); }
    view.addEventListener("wheel", function (e) {
      if (!(e.ctrlKey || e.metaKey)) { return; }
      e.preventDefault();
      var r = view.getBoundingClientRect();
      zoom(e.deltaY < 0 ? 1.25 : 0.8, e.clientX - r.left, e.clientY - r.top);
    }, {passive: false});
    var drag = null;
    view.addEventListener("pointerdown", function (e) {
      if (st.scale === 1) { return; }
      drag = {x: e.clientX - st.x, y: e.clientY - st.y};
      view.setPointerCapture(e.pointerId);
    });
    view.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      st.x = e.clientX - drag.x; st.y = e.clientY - drag.y; apply();
    });
    view.addEventListener("pointerup", function () { drag = null; });
    view.addEventListener("dblclick", function (e) {
      var r = view.getBoundingClientRect();
      zoom(2, e.clientX - r.left, e.clientY - r.top);
    });
    view.addEventListener("keydown", function (e) {
      if (e.key === "+" || e.key === "=") { zoom(1.25); e.preventDefault(); }
      else if (e.key === "-") { zoom(0.8); e.preventDefault(); }
      else if (e.key === "0") { reset(); e.preventDefault(); }
    });
    fig.querySelectorAll("[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var how = b.getAttribute("data-zoom");
        if (how === "in") { zoom(1.25); } else if (how === "out") { zoom(0.8); } else { reset(); }
      });
    });
    var full = fig.querySelector("a.full-size");
    if (full) {
      full.addEventListener("click", function (e) {
        var svg = inner.querySelector("svg");
        if (!svg || !window.Blob || !window.URL) { return; }
        e.preventDefault();
        var text = new XMLSerializer().serializeToString(svg);
        var url = URL.createObjectURL(new Blob([text], {type: "image/svg+xml"}));
        window.open(url, "_blank", "noopener");
        full.setAttribute("data-opened", url);
      });
    }
    views[index] = {zoom: zoom, reset: reset, state: function () { return {scale: st.scale, x: st.x, y: st.y}; }};
  }
  document.querySelectorAll("figure.diagram").forEach(setup);
  window.awsscanViewer = {
    count: function () { return views.length; },
    zoom: function (i, f) { if (views[i]) { views[i].zoom(f); return views[i].state(); } return null; },
    reset: function (i) { if (views[i]) { views[i].reset(); return views[i].state(); } return null; },
    state: function (i) { return views[i] ? views[i].state() : null; }
  };
})();
""".strip()

#: the CSP source that allows exactly this script
SCRIPT_HASH = "'sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii") + "'"

CSS = """
figure.diagram{margin:1.5rem 0;padding:0;border:1px solid var(--line);border-radius:4px;background:#fff}
.zoom-bar{display:flex;gap:.3rem;align-items:center;padding:.3rem .5rem;border-bottom:1px solid var(--line);background:#f7f8fa;font-size:.85rem}
.zoom-bar button{font:inherit;min-width:2rem;padding:.1rem .5rem;border:1px solid var(--line);border-radius:3px;background:#fff;cursor:pointer}
.zoom-bar .hint{color:var(--muted);margin-left:auto}
.zoom-view{overflow:hidden;position:relative;touch-action:none;outline:none}
.zoom-view:focus-visible{box-shadow:inset 0 0 0 2px var(--link)}
.zoom-view.zoomed{cursor:grab;max-height:85vh}
.zoom-inner{transform-origin:0 0}
.zoom-inner svg{display:block;max-width:100%;height:auto;margin:0 auto}
""".strip()


def toolbar(fig_id: str) -> str:
    """The buttons above one diagram (they work through SCRIPT; the link falls back to the figure)."""
    return (f'<div class="zoom-bar" role="toolbar" aria-label="Diagram view">'
            '<button type="button" data-zoom="in" aria-label="Zoom in">+</button>'
            '<button type="button" data-zoom="out" aria-label="Zoom out">&#8722;</button>'
            '<button type="button" data-zoom="fit">Fit</button>'
            f'<a class="full-size" href="#{fig_id}">Full size</a>'
            '<span class="hint">Ctrl + wheel to zoom, drag to pan</span></div>')
