"""Event timeline: build-and-save time and HTML size, huntbook vs msticpy 3.0.2's display_timeline.

    .venv/bin/python bench/bench_timeline.py [--sizes 10000,100000,1000000] [--write-results]

The events are rows of the demo lake's ``SecurityEvent`` table drawn with
replacement up to N, their times spread over the lake's span, written once as
Parquet. Each plot is built in a fresh process that first reads the Parquet
file (not timed), then builds the timeline grouped by ``Computer`` with hover
columns ``Account``, ``EventID`` and ``Activity`` and writes it with Bokeh's
``file_html`` and INLINE resources (no network needed to open it): huntbook's
with this virtualenv's Python, msticpy's with /work/msticpy-venv/bin/python
(``display_timeline(..., hide=True)``, so no browser opens).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
MSTICPY_PYTHON = "/work/msticpy-venv/bin/python"
HOVER = ["Account", "EventID", "Activity"]

WORKER = f"""
import json, sys, time
from pathlib import Path
import pandas as pd
tool, data, out = sys.argv[1], sys.argv[2], Path(sys.argv[3])
events = pd.read_parquet(data)
hover = {HOVER!r}
started = time.perf_counter()
if tool == "huntbook":
    from huntbook.vis import plot_timeline
    plot_timeline(events, group_by="Computer", source_columns=hover, title="bench").save(out)
else:
    from bokeh.embed import file_html
    from bokeh.resources import INLINE
    from msticpy.vis.timeline import display_timeline
    figure = display_timeline(events, group_by="Computer", source_columns=hover, title="bench", hide=True)
    out.write_text(file_html(figure, INLINE, "bench"), encoding="utf-8")
seconds = time.perf_counter() - started
print(json.dumps({{"seconds": seconds, "bytes": out.stat().st_size}}))
"""


def make_events(n: int, folder: Path) -> Path:
    """*n* SecurityEvent rows of the demo lake (drawn with replacement), as a Parquet file."""
    from huntbook.data.lake.lake import Lake

    lake = Lake.demo()
    rows = pd.concat(
        [
            pd.read_parquet(f, columns=["TimeGenerated", "Computer", *HOVER])
            for f in lake.files("SecurityEvent")
        ],
        ignore_index=True,
    )
    rng = np.random.default_rng(7)
    sample = rows.iloc[rng.integers(0, len(rows), n)].reset_index(drop=True)
    low, high = rows["TimeGenerated"].min(), rows["TimeGenerated"].max()
    sample["TimeGenerated"] = low + pd.to_timedelta(rng.random(n) * (high - low).total_seconds(), unit="s")
    path = folder / f"events-{n}.parquet"
    sample.sort_values("TimeGenerated").to_parquet(path)
    return path


def run(tool: str, data: Path, folder: Path) -> dict[str, float]:
    python = sys.executable if tool == "huntbook" else MSTICPY_PYTHON
    out = folder / f"{tool}-{data.stem}.html"
    done = subprocess.run(
        [python, "-c", WORKER, tool, str(data), str(out)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{tool} failed on {data.name}:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--write-results", action="store_true", help="write the table into bench/RESULTS.md")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    lines = [
        "| events | huntbook s | msticpy s | huntbook / msticpy time | huntbook HTML MB | msticpy HTML MB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in sizes:
            data = make_events(n, folder)
            ours, theirs = run("huntbook", data, folder), run("msticpy", data, folder)
            row = (
                f"| {n:,} | {ours['seconds']:.2f} | {theirs['seconds']:.2f} | "
                f"{ours['seconds'] / theirs['seconds']:.2f} | "
                f"{ours['bytes'] / 1e6:.1f} | {theirs['bytes'] / 1e6:.1f} |"
            )
            print(row, flush=True)
            lines.append(row)
    table = "\n".join(lines)
    print(table)
    if args.write_results:
        from results_md import write_section

        body = (
            "## Event timeline: build + save as self-contained HTML\n\n"
            f"`.venv/bin/python bench/bench_timeline.py --sizes {args.sizes} --write-results`\n\n"
            "Demo-lake SecurityEvent rows drawn with replacement to N, grouped by Computer, hover "
            f"{', '.join(HOVER)}; each tool in a fresh process, Parquet read not timed (imports of the "
            "plotting code are); HTML written with Bokeh INLINE resources. huntbook draws up to 50,000 "
            "events one by one (WebGL, with hover columns); past that the page holds every event's time "
            "and lane (9 bytes an event) and shows 1,000 time bins per lane, re-counted in the browser "
            "for the range in view, and single events once 50,000 or fewer are in view (no hover columns "
            "then).\n\n" + table
        )
        write_section(HERE / "RESULTS.md", "timeline", body)


if __name__ == "__main__":
    main()
