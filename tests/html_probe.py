"""What a page opened in headless Chromium shows: text of elements, injected elements, Bokeh hover cards.

Import from any test (``tests/`` is on ``sys.path``): ``from html_probe import ...``. Each helper takes
the `LivePage` of the ``browser_page`` fixture (tests/conftest.py). Every helper looks into open shadow
roots too (BokehJS draws its tooltips in them). Frames sandboxed away from the page (``<iframe
sandbox srcdoc>``) are not reachable from it: open their page on its own.
"""

from __future__ import annotations

import json
from typing import Any

DEEP = """
const deepAll = (selector) => {
  const found = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.matches(selector)) found.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return found;
};
"""
"""JavaScript prelude: ``deepAll(selector)``, every matching element of the page and its shadow roots."""


def texts(page: Any, selector: str) -> list[str]:
    """The ``textContent`` of every element matching *selector* (CSS), in document order."""
    result: list[str] = page.evaluate(
        DEEP + f"return deepAll({json.dumps(selector)}).map(e => e.textContent);"
    )
    return result


def injected_elements(page: Any, values: list[str]) -> list[str]:
    """Elements of the page that parsing one of *values* as HTML would make (same tag, attributes, text).

    Each value is parsed on its own (``DOMParser``); an element of the page equal to one of the parsed
    elements means the value became markup. Returns ``"<tag attrs>text" from value`` descriptions.
    """
    script = (
        DEEP
        + """
const values = VALUES;
const attributes = (el) => [...el.attributes].map((a) => `${a.name}=${a.value}`).sort().join(" ");
const sig = (el) => `<${el.localName} ${attributes(el)}>` + el.textContent;
const wanted = new Map();
for (const value of values) {
  const parsed = new DOMParser().parseFromString(value, "text/html");
  for (const el of parsed.querySelectorAll("head *, body *")) wanted.set(sig(el), value);
}
return deepAll("*").map(sig).filter((s) => wanted.has(s)).map((s) => `${s} from ${wanted.get(s)}`);
"""
    ).replace("VALUES", json.dumps(values))
    result: list[str] = page.evaluate(script)
    return result


def glyph_points(page: Any, field: str, *, glyph: str | None = None) -> list[list[float]]:
    """Viewport points (x, y) of every item the renderer drawing column *field* draws, in data order.

    The plot is scrolled into view first. The renderer is the first whose data source has *field*
    (and, when given, whose glyph type is *glyph*, e.g. ``"Scatter"``). Items without a screen y
    (a ``VSpan``) are placed half way down the plot's frame.
    """
    script = (
        (
            DEEP
            + """
const field = FIELD, kind = KIND;
const walk = (view, acc) => {
  acc.push(view);
  for (const c of view.child_views ?? []) walk(c, acc);
  return acc;
};
const views = [...Bokeh.index.roots].flatMap((root) => walk(root, []));
for (const plot of views.filter((v) => v.renderer_views)) {
  const renderers = [...plot.renderer_views.values()].flatMap((r) => r.node_view ? [r.node_view] : [r]);
  const hit = renderers.find((r) => r.glyph && r.model.data_source && field in r.model.data_source.data
    && (kind === null || r.model.glyph.type === kind));
  if (!hit) continue;
  plot.el.scrollIntoView({block: "center", inline: "start"});
  const box = plot.canvas_view.el.getBoundingClientRect();
  const frame = plot.frame.bbox;
  const sx = hit.glyph.sx, sy = hit.glyph.sy;
  return Array.from(sx, (x, i) => [box.left + x, box.top + (sy ? sy[i] : frame.top + frame.height / 2)]);
}
throw new Error(`no renderer draws the column ${field}`);
"""
        )
        .replace("FIELD", json.dumps(field))
        .replace("KIND", json.dumps(glyph))
    )
    result: list[list[float]] = page.evaluate(script)
    return result


TOOLTIP_ROWS = (
    DEEP
    + """
return deepAll(".bk-tooltip-content .bk-tooltip-row-label").map((label) => [
  label.textContent.replace(/: $/, ""),
  [...label.parentElement.querySelectorAll(".bk-tooltip-row-value [data-value]")]
    .map((v) => v.textContent).join(""),
]).filter(([, value]) => value !== "");
"""
)


def hover_each(page: Any, points: list[list[float]]) -> list[list[tuple[str, str]]]:
    """Move the mouse onto each point in turn; the hover card's (label, value) rows at each."""
    seen = []
    for x, y in points:
        page.move_mouse(x - 1, y, settle=0.05)  # arrive as a hand does: a first move only enters the canvas
        page.move_mouse(x, y)
        seen.append([(label, value) for label, value in page.evaluate(TOOLTIP_ROWS)])
    page.move_mouse(1, 1)
    return seen
