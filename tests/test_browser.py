"""The demo report in a real browser: headless Chromium (Debian's package) driven over the
DevTools protocol (``--remote-debugging-pipe``: JSON messages on two pipes, standard library only).

The page is the sample account's design.html with its diagrams drawn as the report draws
them (icons embedded). It must load with no console error and no request leaving the page,
every TOC and cross-reference link must land on an element (in Top risks and the findings,
on a section heading, with no "section N.N" left as text), every diagram must be visible
and zoom (the viewer's function and a Ctrl+wheel event both change its transform), and a
screenshot is written to the test's temporary folder (its path is printed).

Skipped, saying why, where no Chromium is installed (``make setup`` installs Debian's
``chromium`` when run as root; set AWSSCAN_CHROMIUM to use another binary).
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from renderers.diagrams import build
from renderers.diagrams.render import dot_output
from renderers.html import render_html

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars")
TIMEOUT = 60.0


def chromium() -> str | None:
    given = os.environ.get("AWSSCAN_CHROMIUM")
    if given:
        return given if shutil.which(given) else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """Chromium with the DevTools protocol on fds 3 (commands in) and 4 (replies and events out)."""

    def __init__(self, binary: str, profile: Path) -> None:
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()

        def wire() -> None:
            # in the child: the protocol's fixed descriptors 3 and 4 (copied out of the way
            # first, since the pipe ends may themselves be 3 or 4), inheritable by exec
            a, b = os.dup(cmd_r), os.dup(out_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        # close_fds=False: descriptors 3 and 4 are made in wire(); every other descriptor of
        # this process is non-inheritable (PEP 446), so nothing else leaks into the browser
        self.proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe",
                                      "about:blank"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, preexec_fn=wire, close_fds=False)
        os.close(cmd_r)
        os.close(out_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def close(self) -> None:
        try:
            self.send("Browser.close", session=False)
        except Exception:  # noqa: BLE001 - already gone is fine
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for fd in (self._cmd_w, self._out_r):
            try:
                os.close(fd)
            except OSError:
                pass

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer from Chromium")
            ready, _, _ = select.select([self._out_r], [], [], left)
            if ready:
                chunk = os.read(self._out_r, 1 << 20)
                if not chunk:
                    raise EOFError("Chromium closed the DevTools pipe")
                self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, params: dict[str, Any] | None = None, session: bool = True) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        for e in self.events:
            if e.get("method") == method:
                return e
        while True:
            e = self._read(deadline)
            self.events.append(e)
            if e.get("method") == method:
                return e

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")


@pytest.fixture(scope="module")
def page(sample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """design.html of the sample account with the diagrams rendered with their icons."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    out = tmp_path_factory.mktemp("browser")
    folder = out / "diagrams"
    folder.mkdir()
    for d in build(sample.inv, sample.analysis):
        proc = dot_output(d, "svg")
        assert proc.returncode == 0, proc.stderr.decode()[:300]
        (folder / f"{d.filename}.svg").write_bytes(proc.stdout)
    path = out / "design.html"
    path.write_text(render_html(sample.doc, folder, None), encoding="utf-8")
    return path


CHECKS = r"""
(() => {
  const ids = a => decodeURIComponent(a.getAttribute("href").slice(1));
  const links = [...document.querySelectorAll('a[href^="#"]')];
  const toc = [...document.querySelectorAll("nav.toc a")];
  const refs = links.filter(a => !a.closest("nav.toc") && !a.classList.contains("full-size"));
  const missing = links.filter(a => !document.getElementById(ids(a))).map(a => a.getAttribute("href"));
  const figures = [...document.querySelectorAll("figure.diagram")].map(f => {
    const svg = f.querySelector("svg"), r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    return {id: f.id, width: r.width, height: r.height, uses: svg ? svg.querySelectorAll("use").length : 0,
            images: svg ? [...svg.querySelectorAll("image")].map(i => (i.getAttribute("href") ||
                            i.getAttributeNS("http://www.w3.org/1999/xlink", "href") || "").slice(0, 22)) : []};
  });
  // Top risks and the findings: every link lands on a heading, no "section N.N" is left as text
  const findings = [...document.querySelectorAll("main li")].filter(li => li.querySelector(":scope > .sev, :scope > p > .sev"));
  const inFindings = findings.flatMap(li => [...li.querySelectorAll('a[href^="#"]')]);
  const targets = [...new Set(inFindings.map(a => (document.getElementById(ids(a)) || {tagName: "none"}).tagName))];
  const unlinked = [];
  findings.forEach(li => {
    const walk = document.createTreeWalker(li, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const m = n.parentElement.closest("a") ? null : n.textContent.match(/\b(?:sections?|see)\s+\d{1,2}\.\d{1,2}\b/i);
      if (m) { unlinked.push(m[0]); }
    }
  });
  const topRisks = findings.filter(li => li.closest("ol")).length;
  return {toc: toc.length, refs: refs.length, missing, figures, findings: findings.length, topRisks,
          findingLinks: inFindings.length, targets, unlinked,
          viewers: window.awsscanViewer ? window.awsscanViewer.count() : -1,
          sticky: getComputedStyle(document.querySelector(".table-wrap td")).position,
          lists: document.querySelectorAll("ul.not-drawn li").length};
})()
"""

ZOOM = r"""
(() => {
  const out = [];
  document.querySelectorAll("figure.diagram").forEach((f, i) => {
    const inner = f.querySelector(".zoom-inner"), before = inner.style.transform;
    const state = window.awsscanViewer.zoom(i, 2);
    out.push({before, after: inner.style.transform, scale: state && state.scale});
    window.awsscanViewer.zoom(i, 0.5);
  });
  const view = document.querySelector(".zoom-view"), inner = view.querySelector(".zoom-inner");
  view.dispatchEvent(new WheelEvent("wheel", {deltaY: -120, ctrlKey: true, clientX: 50, clientY: 50,
                                              bubbles: true, cancelable: true}));
  const wheel = inner.style.transform;
  document.querySelectorAll("figure.diagram").forEach((f, i) => window.awsscanViewer.reset(i));
  return {figures: out, wheel};
})()
"""


def test_demo_report_in_a_real_browser(page: Path, tmp_path: Path) -> None:
    binary = chromium()
    if binary is None:
        pytest.skip("no Chromium found (Debian: apt-get install chromium, or `make setup` as root; "
                    "or set AWSSCAN_CHROMIUM)")
    browser = Browser(binary, tmp_path / "profile")
    try:
        targets = browser.send("Target.getTargets", session=False)["targetInfos"]
        target = next(t["targetId"] for t in targets if t["type"] == "page")
        browser.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                       session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable")
        browser.send("Emulation.setDeviceMetricsOverride", {"width": 1400, "height": 1000, "deviceScaleFactor": 1,
                                                            "mobile": False})
        browser.send("Page.navigate", {"url": page.as_uri()})
        browser.wait_for("Page.loadEventFired")
        found = browser.evaluate(CHECKS)
        zoom = browser.evaluate(ZOOM)
        shot = browser.send("Page.captureScreenshot", {"format": "png"})["data"]
        browser.evaluate('document.getElementById("fig-1").scrollIntoView()')
        diagram_shot = browser.send("Page.captureScreenshot", {"format": "png"})["data"]
    finally:
        browser.close()
    screenshot = tmp_path / "design-1400.png"
    screenshot.write_bytes(base64.b64decode(shot))
    (tmp_path / "diagram-1400.png").write_bytes(base64.b64decode(diagram_shot))
    print(f"\nscreenshots of the demo report: {screenshot} and {tmp_path / 'diagram-1400.png'}")
    print(f"links: {found['toc']} in the TOC, {found['refs']} cross-references, {found['findingLinks']} in "
          f"{found['findings']} findings and top risks")

    errors = [e["params"] for e in browser.events if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") == "error")
              or (e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error")]
    assert errors == []
    urls = [e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"]
    assert [u for u in urls if not (u.startswith("data:") or u == page.as_uri())] == []

    assert found["toc"] > 20 and found["refs"] > 10
    assert found["missing"] == []
    assert found["findings"] > 10 and found["topRisks"] > 3 and found["findingLinks"] > found["findings"]
    assert set(found["targets"]) <= {"H2", "H3"}, found["targets"]      # each lands on its section's heading
    assert found["unlinked"] == []
    assert found["sticky"] == "sticky" and found["lists"] > 0
    assert len(found["figures"]) >= 3 and found["viewers"] == len(found["figures"])
    for fig in found["figures"]:
        assert fig["width"] > 100 and fig["height"] > 50, fig
        assert fig["uses"] > 0 and set(fig["images"]) == {"data:image/png;base64,"}, fig
    for z in zoom["figures"]:
        assert z["scale"] == 2 and "scale(2)" in z["after"] and z["after"] != z["before"], z
    assert "scale(1.25)" in zoom["wheel"]
    assert screenshot.stat().st_size > 10_000
