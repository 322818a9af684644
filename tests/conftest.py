"""Shared fixtures: an isolated config, the demo lake (generated once per machine), and a headless browser.

`render_html` opens saved HTML in headless Chromium as a person would: it screenshots the page and
reads its console. Chromium is driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: it reads file descriptor 3 and writes 4, JSON messages ending in a NUL
byte), so console messages come with their level and uncaught exceptions with their text. One browser
start per page. `browser_page` keeps a page open to script it (JavaScript, real mouse moves for hover
cards; helpers in tests/html_probe.py). Every frame's ``alert``/``confirm``/``prompt`` is hooked before
the page's scripts run: a call shows as a console error.
"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# Never read the developer's own huntbook.yaml, and keep the generated demo lake
# in one place that every xdist worker (and the next run) finds.
_CONFIG = Path(tempfile.gettempdir()) / "huntbook-tests-empty-config.yaml"
_CONFIG.write_text("{}\n")
os.environ["HUNTBOOK_CONFIG"] = str(_CONFIG)
os.environ.setdefault("HUNTBOOK_DEMO_DIR", str(Path(tempfile.gettempdir()) / "huntbook-tests-demo"))


@pytest.fixture(scope="session")
def demo_lake():
    """The default demo lake (generated on first use, then reused)."""
    from huntbook.data.lake.lake import Lake

    return Lake.demo()


@pytest.fixture(scope="session")
def ground_truth(demo_lake):
    """What the generator planted in the demo lake."""
    truth = demo_lake.ground_truth()
    assert truth is not None
    return truth


@pytest.fixture(scope="session")
def qp(demo_lake):
    """A connected QueryProvider over the demo lake."""
    from huntbook.data.provider import QueryProvider

    provider = QueryProvider("Local", lake=demo_lake)
    provider.connect()
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip when this checkout has none beside it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA


# -- headless Chromium ------------------------------------------------------------

PERFORMANCE_NOTE = re.compile(r"GL Driver Message \(OpenGL, Performance")
"""Software WebGL's notes that reading pixels (the screenshot) stalls: not a fault of the page."""
SETTLE_SECONDS = 1.5
"""How long a page may keep drawing after its load event before the screenshot."""


@dataclass
class RenderedPage:
    """What Chromium showed for one page: a screenshot and the console."""

    screenshot: Path
    console: list[str] = field(default_factory=list)
    """Every console message and uncaught exception, as ``level: text``."""
    console_problems: list[str] = field(default_factory=list)
    """The errors and warnings among them (uncaught exceptions, console.error/warn, failed loads)."""
    script_result: Any = None
    """What the *script* given to `render_page` returned (after the page had drawn)."""

    def drawn_fraction(self) -> float:
        """Share of the screenshot's pixels that are not the page background (near white)."""
        from PIL import Image

        histogram = Image.open(self.screenshot).convert("L").histogram()
        return 1 - sum(histogram[245:]) / sum(histogram)

    def colours_seen(self, colours: list[str], *, min_pixels: int = 20) -> list[str]:
        """Which of *colours* (``#rrggbb``) cover at least *min_pixels* pixels of the screenshot."""
        from PIL import Image

        pixels = Image.open(self.screenshot).convert("RGB").getcolors(maxcolors=1 << 24) or []
        counts = {"#{:02x}{:02x}{:02x}".format(*rgb): n for n, rgb in pixels}
        return [c for c in colours if counts.get(c.lower(), 0) >= min_pixels]


class _DevTools:
    """A minimal DevTools-protocol client over Chromium's debugging pipe."""

    def __init__(self, chromium: str, profile: Path, width: int, height: int):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def wire_pipes() -> None:  # in the child, before exec: Chromium reads fd 3 and writes fd 4
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.process = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-extensions",
                "--remote-debugging-pipe",
                "--enable-unsafe-swiftshader",  # software WebGL: Bokeh's WebGL output is drawn
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=wire_pipes,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._last_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, session: str | None = None, timeout: float = 30, **params: Any) -> Any:
        """Call *method* and return its result; events read meanwhile are kept in `events`."""
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while (reply := self._read(deadline)) is not None:
            if reply.get("id") != self._last_id:
                self.events.append(reply)
            elif "error" in reply:
                raise RuntimeError(f"{method}: {reply['error']}")
            else:
                return reply.get("result", {})
        raise TimeoutError(f"Chromium did not answer {method} within {timeout} s")

    def wait_for(self, method: str, timeout: float) -> bool:
        """Read events until one named *method* arrives (False after *timeout* seconds)."""
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            event = self._read(deadline)
            if event is None:
                return False
            self.events.append(event)
        return True

    def drain(self, seconds: float) -> None:
        """Keep reading events for *seconds*."""
        deadline = time.monotonic() + seconds
        while (event := self._read(deadline)) is not None:
            self.events.append(event)

    def _read(self, deadline: float) -> dict[str, Any] | None:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                return None
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                return None
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        result: dict[str, Any] = json.loads(message)
        return result

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)
        os.close(self._to_chrome)
        os.close(self._from_chrome)


def _console(events: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(all messages, the problems among them) from DevTools events, each as ``level: text``."""
    messages, problems = [], []
    for event in events:
        params = event.get("params", {})
        if event.get("method") == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            level = "error"
            text = details.get("exception", {}).get("description") or details.get("text", "")
        elif event.get("method") == "Runtime.consoleAPICalled":
            level = params.get("type", "log")
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
        elif event.get("method") == "Log.entryAdded":
            entry = params["entry"]
            level, text = (
                entry.get("level", "info"),
                f"{entry.get('text', '')} {entry.get('url', '')}".strip(),
            )
        else:
            continue
        messages.append(f"{level}: {text}")
        if level in ("error", "assert", "warning") and not PERFORMANCE_NOTE.search(text):
            problems.append(messages[-1])
    return messages, problems


DIALOG_HOOK = """
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { console.error(`the page called ${name}(${args.map(String).join(", ")})`); };
}
"""
"""Run before any script of every frame: a dialog the page opens becomes a console error, never a wait."""


class LivePage:
    """An open page to script: JavaScript, real mouse moves (DevTools input), screenshots, the console."""

    def __init__(self, browser: _DevTools, session: str, out_dir: Path, name: str):
        self._browser, self._session, self._out_dir, self._name = browser, session, out_dir, name

    def evaluate(self, script: str) -> Any:
        """Run *script*, an async JavaScript function body, and return its (JSON) return value."""
        answer = self._browser.send(
            "Runtime.evaluate",
            session=self._session,
            expression=f"(async () => {{{script}}})()",
            awaitPromise=True,
            returnByValue=True,
        )
        assert "exceptionDetails" not in answer, answer["exceptionDetails"]
        return answer["result"].get("value")

    def move_mouse(self, x: float, y: float, settle: float = 0.3) -> None:
        """Move the mouse to (*x*, *y*) in CSS pixels of the viewport, as a person would (hover)."""
        self._browser.send("Input.dispatchMouseEvent", session=self._session, type="mouseMoved", x=x, y=y)
        self._browser.drain(settle)

    def screenshot(self, suffix: str = "") -> Path:
        """Save what the page shows as ``<page name><suffix>.png`` and return its path."""
        shot = self._browser.send("Page.captureScreenshot", session=self._session, format="png", timeout=60)
        path = self._out_dir / f"{self._name}{suffix}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def console(self) -> tuple[list[str], list[str]]:
        """(every console message so far, the problems among them), as in `RenderedPage`."""
        self._browser.drain(0.1)
        return _console(self._browser.events)


@contextmanager
def open_page(page: Path, out_dir: Path, *, width: int = 1400, height: int = 900) -> Iterator[LivePage]:
    """Open *page* in headless Chromium, wait for its load event and drawing, yield it; then close."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no headless Chromium on this machine")
    browser = _DevTools(chromium, out_dir / f"{page.stem}-profile", width, height)
    try:
        target = browser.send("Target.createTarget", url="about:blank")["targetId"]
        session = browser.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            browser.send(f"{domain}.enable", session=session)
        browser.send("Page.addScriptToEvaluateOnNewDocument", session=session, source=DIALOG_HOOK)
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            session=session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.send("Page.navigate", session=session, url=page.resolve().as_uri())
        assert browser.wait_for("Page.loadEventFired", timeout=60), f"{page} did not finish loading"
        browser.drain(SETTLE_SECONDS)
        yield LivePage(browser, session, out_dir, page.stem)
    finally:
        browser.close()


def render_page(
    page: Path, out_dir: Path, *, width: int = 1400, height: int = 900, script: str | None = None
) -> RenderedPage:
    """Open *page* in headless Chromium, let it draw, screenshot it (skips the test without Chromium).

    *script*, an async JavaScript function body, runs once the page has drawn (e.g. to zoom a plot);
    its return value is kept, and the screenshot is taken after it. A call of ``alert`` (or another
    dialog) shows as a console error.
    """
    with open_page(page, out_dir, width=width, height=height) as live:
        result = None
        if script is not None:
            result = live.evaluate(script)
            live._browser.drain(SETTLE_SECONDS)
        path = live.screenshot()
        messages, problems = live.console()
    return RenderedPage(path, messages, problems, result)


@pytest.fixture
def render_html(tmp_path: Path) -> Callable[..., RenderedPage]:
    """`render_page` for a test; screenshots go to ``$HUNTBOOK_SCREENSHOTS`` when set (to look at them)."""
    folder = Path(os.environ.get("HUNTBOOK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def render(
        page: Path, *, width: int = 1400, height: int = 900, script: str | None = None
    ) -> RenderedPage:
        return render_page(page, folder, width=width, height=height, script=script)

    return render


@pytest.fixture
def browser_page(tmp_path: Path) -> Callable[..., AbstractContextManager[LivePage]]:
    """`open_page` for a test: ``with browser_page(path) as page: page.evaluate(...)``."""
    folder = Path(os.environ.get("HUNTBOOK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def opened(page: Path, *, width: int = 1400, height: int = 900) -> AbstractContextManager[LivePage]:
        return open_page(page, folder, width=width, height=height)

    return opened
