"""Reading and driving a `plot_timeline` page in headless Chromium: its x range, where each event is
drawn, and real mouse clicks on its zoom buttons. Import from any test (``tests/`` is on ``sys.path``).
"""

from __future__ import annotations

import json
from typing import Any

VIEWS = """
const walk = (view, acc) => {
  acc.push(view);
  for (const c of view.child_views ?? []) walk(c, acc);
  return acc;
};
const views = [...Bokeh.index.roots].flatMap((root) => walk(root, []));
"""

X_RANGE = "const r = Bokeh.documents[0].get_model_by_name('timeline_x'); return [r.start, r.end];"
"""The main plot's x range (epoch ms), as the page holds it now."""

DRAWN = (
    VIEWS
    + """
const x_range = Bokeh.documents[0].get_model_by_name('timeline_x');
const plot = views.find((v) => v.renderer_views && v.model.x_range === x_range);
const frame = plot.frame.bbox;
for (const r of plot.renderer_views.values()) {
  const data = r.model.data_source?.data;
  if (!r.glyph || r.model.glyph.type !== 'Scatter' || !data || !('lane' in data) || !data.x.length) continue;
  const out = [];
  for (let i = 0; i < data.x.length; i++) {
    const sx = r.glyph.sx[i];
    if (sx >= frame.left && sx <= frame.right) out.push([data.lane[i], sx - frame.left, data.x[i]]);
  }
  return out;
}
return [];
"""
)
"""Every event drawn inside the main plot's frame: ``[lane, x pixel from the frame's left, time]``."""


def x_range(page: Any) -> list[float]:
    """The main plot's x range now: ``[start, end]`` in epoch ms."""
    result: list[float] = page.evaluate(X_RANGE)
    return result


def drawn_events(page: Any) -> list[tuple[str, float, float]]:
    """The events drawn in the main plot's frame now: (lane, pixel x in the frame, epoch ms)."""
    return [(lane, x, t) for lane, x, t in page.evaluate(DRAWN)]


def click_button(page: Any, name: str, settle: float = 1.0) -> str:
    """Scroll the Bokeh button named *name* into view and click it with the mouse; its label."""
    script = (
        VIEWS
        + """
const view = views.find((v) => v.model.name === NAME);
view.el.scrollIntoView({block: "center"});
const button = view.shadow_el.querySelector(".bk-btn");
const box = button.getBoundingClientRect();
return [box.left + box.width / 2, box.top + box.height / 2, button.textContent];
"""
    ).replace("NAME", json.dumps(name))
    x, y, label = page.evaluate(script)
    for kind in ("mousePressed", "mouseReleased"):
        page._browser.send(
            "Input.dispatchMouseEvent",
            session=page._session,
            type=kind,
            x=x,
            y=y,
            button="left",
            clickCount=1,
        )
    page._browser.drain(settle)
    return str(label)


def first_pixels(events: list[tuple[str, float, float]]) -> dict[str, float]:
    """Each lane's first drawn event: lane -> its pixel x."""
    first: dict[str, tuple[float, float]] = {}
    for lane, x, t in events:
        if lane not in first or t < first[lane][1]:
            first[lane] = (x, t)
    return {lane: x for lane, (x, _) in first.items()}


def apart(pixels: list[float], gap: float) -> int:
    """How many groups *pixels* fall into when those closer than *gap* count as one place."""
    groups, last = 0, None
    for x in sorted(pixels):
        if last is None or x - last >= gap:
            groups += 1
        last = x
    return groups


def buttons(page: Any) -> dict[str, str]:
    """The page's Bokeh buttons: label -> model name."""
    script = (
        VIEWS
        + """
const named = views.filter((v) => v.model.type === "Button" && v.model.name);
return named.map((v) => [v.model.label, v.model.name]);
"""
    )
    return dict(page.evaluate(script))
