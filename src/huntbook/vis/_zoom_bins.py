"""Many events on timeline lanes: time bins when zoomed out, single events when zoomed in.

The page carries every event's time (float64) and lane (uint8), sorted by time,
as binary arrays: 9 bytes an event. A small script on the x range counts the
events in view by binary search whenever the view changes; up to
``max_points`` are drawn one by one, more are counted again into
``bins`` equal time bins per lane over the view. So zooming in goes from
aggregates down to single events with no server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    from bokeh.models import Range1d
    from bokeh.models.annotations import Title
    from bokeh.plotting import figure

EMPTY_BINS: dict[str, list[Any]] = {
    k: [] for k in ("x", "lane", "start", "end", "width", "count", "alpha", "colour")
}
EMPTY_POINTS: dict[str, list[Any]] = {"x": [], "lane": [], "colour": []}
DEBOUNCE_MS = 120

REBIN_JS = """
clearTimeout(events._rebin_timer);
events._rebin_timer = setTimeout(() => {
  const t = events.data.t, lane = events.data.lane;
  const x0 = x_range.start, x1 = x_range.end;
  const first = (v) => {  // index of the first event at or after time v
    let lo = 0, hi = t.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (t[mid] < v) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const lo = first(x0), hi = first(x1), n = hi - lo;
  if (n <= max_points) {
    const xs = new Float64Array(n), ls = new Array(n), cs = new Array(n);
    for (let i = 0; i < n; i++) {
      const l = lane[lo + i];
      xs[i] = t[lo + i]; ls[i] = lanes[l]; cs[i] = colours[l];
    }
    boxes.data = empty_bins;
    points.data = {x: xs, lane: ls, colour: cs};
    note.text = `${n.toLocaleString()} events in view, drawn one by one (zoom out for time bins).`;
    return;
  }
  const step = (x1 - x0) / bins, width = lanes.length * bins;
  const counts = new Uint32Array(width);
  for (let i = lo; i < hi; i++) {
    const b = Math.min(bins - 1, Math.floor((t[i] - x0) / step));
    counts[lane[i] * bins + b] += 1;
  }
  let most = 1;
  for (let k = 0; k < width; k++) { if (counts[k] > most) most = counts[k]; }
  const d = {x: [], lane: [], start: [], end: [], width: [], count: [], alpha: [], colour: []};
  for (let k = 0; k < width; k++) {
    const c = counts[k];
    if (c === 0) continue;
    const l = Math.floor(k / bins), s = x0 + (k % bins) * step;
    d.x.push(s + step / 2); d.lane.push(lanes[l]); d.start.push(s); d.end.push(s + step); d.width.push(step);
    d.count.push(c); d.alpha.push(0.25 + 0.75 * Math.log1p(c) / Math.log1p(most)); d.colour.push(colours[l]);
  }
  points.data = empty_points;
  boxes.data = d;
  note.text = `${n.toLocaleString()} events in view (more than ${max_points.toLocaleString()}): ` +
    `${bins} time bins per lane, shaded by count; zoom in to see single events.`;
}, DEBOUNCE_MS);
""".replace("DEBOUNCE_MS", str(DEBOUNCE_MS))


def bin_counts(
    times: np.ndarray, lane_of: np.ndarray, lanes: int, bins: int, start: float, end: float
) -> dict[str, np.ndarray]:
    """Events counted per (lane, time bin) over [start, end]: one row per non-empty bin."""
    step = max((end - start) / bins, 1.0)
    bin_of = np.clip(((times - start) // step).astype(np.int64), 0, bins - 1)
    counts = np.bincount(lane_of.astype(np.int64) * bins + bin_of, minlength=lanes * bins)
    cells = np.flatnonzero(counts)
    cell_lane, cell_bin = np.divmod(cells, bins)
    starts = start + cell_bin * step
    return {
        "x": starts + step / 2,
        "lane_index": cell_lane,
        "start": starts,
        "end": starts + step,
        "width": np.full(len(cells), step),
        "count": counts[cells],
        "alpha": 0.25 + 0.75 * np.log1p(counts[cells]) / np.log1p(max(int(counts.max()), 1)),
    }


def draw_zoomable_bins(
    plot: figure,
    x_range: Range1d,
    events: pd.DataFrame,
    lanes: list[str],
    lane_colours: list[str],
    *,
    bins: int,
    max_points: int,
    note: Title,
) -> list[Any]:
    """Draw *events* (``_t``, ``_lane``) as bins, re-counted in the browser as the view changes.

    Returns the renderers to hover: the bins and the single events.
    """
    from bokeh.models import ColumnDataSource, CustomJS

    ordered = events.sort_values("_t", kind="stable")
    times = ordered["_t"].to_numpy(dtype=np.float64)
    lane_index = {lane: i for i, lane in enumerate(lanes)}
    lane_of = ordered["_lane"].map(lane_index).to_numpy(dtype=np.uint8)
    counted = bin_counts(times, lane_of, len(lanes), bins, float(times[0]), float(times[-1]))
    names = np.array(lanes, dtype=object)
    shades = np.array(lane_colours, dtype=object)
    index = counted.pop("lane_index")
    boxes = ColumnDataSource({**counted, "lane": names[index], "colour": shades[index]}, name="timeline_bins")
    points = ColumnDataSource(dict(EMPTY_POINTS), name="timeline_points")
    everything = ColumnDataSource({"t": times, "lane": lane_of}, name="timeline_events")
    bin_glyphs = plot.rect(
        "x",
        "lane",
        width="width",
        height=0.7,
        source=boxes,
        fill_color="colour",
        fill_alpha="alpha",
        line_color=None,
    )
    point_glyphs = plot.scatter(
        "x",
        "lane",
        source=points,
        size=9,
        marker="diamond",
        fill_color="colour",
        line_color="colour",
        fill_alpha=0.55,
    )
    rebin = CustomJS(
        args={
            "events": everything, "boxes": boxes, "points": points, "x_range": x_range, "note": note,
            "lanes": lanes, "colours": lane_colours, "bins": bins, "max_points": max_points,
            "empty_bins": EMPTY_BINS, "empty_points": EMPTY_POINTS,
        },
        code=REBIN_JS,
    )  # fmt: skip
    x_range.js_on_change("start", rebin)
    x_range.js_on_change("end", rebin)
    return [bin_glyphs, point_glyphs]
