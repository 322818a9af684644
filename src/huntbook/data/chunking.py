"""Split a long time range into chunks and run a query on each, in parallel.

::

    qp.WindowsSecurity.list_host_processes(host_name="WS-017", start=..., end=..., split_by="1d")

Catalog queries compare time inclusively at both ends (``TimeGenerated
between (start .. end)``), so each chunk but the last ends one microsecond
(the finest step a Python datetime has) before the next one starts: a row
exactly on a boundary falls into exactly one chunk, and together the chunks
cover ``[start, end]`` with no gap. (A backend storing finer times, such as
Kusto's 100 ns ticks, could hold a row strictly inside that last microsecond
of a chunk; such a row is missed.)

When a chunk fails, the others' rows are kept: the result carries them, a
`PartialResultWarning` names each failed chunk and its error, and
``frame.attrs["huntbook"]["failed_chunks"]`` lists them. Only when every
chunk fails is the first error raised.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING

from huntbook.data.params import parse_timedelta
from huntbook.errors import ParameterError, PartialResultWarning

if TYPE_CHECKING:
    import pandas as pd

TimeChunk = tuple[dt.datetime, dt.datetime]

MAX_CHUNKS = 10_000
"""Most chunks one query may be split into (a guard against ``split_by="1s"`` over a year)."""

DEFAULT_WORKERS = 4
"""Chunks run at once unless told otherwise."""

_RESOLUTION = dt.timedelta(microseconds=1)


def split_time_range(start: dt.datetime, end: dt.datetime, split_by: object) -> list[TimeChunk]:
    """Return the chunks of ``[start, end]`` (both inclusive) that are *split_by* long.

    Parameters
    ----------
    start, end : datetime
        The whole range, inclusive at both ends.
    split_by : str or timedelta
        Chunk length such as ``"1d"``, ``"6h"`` or a `datetime.timedelta`.

    Returns
    -------
    list of (datetime, datetime)
        Chunks in time order, inclusive at both ends; each ends one
        microsecond before the next starts and the last ends at *end*.

    Raises
    ------
    ParameterError
        A length that is not positive, *start* after *end*, or more than
        `MAX_CHUNKS` chunks.
    """
    step = parse_timedelta(split_by)
    if step <= dt.timedelta(0):
        raise ParameterError(f"split_by must be a positive length such as '1d', not {split_by!r}.")
    if start > end:
        raise ParameterError(f"start ({start}) is after end ({end}); nothing to split.")
    count = max(1, -(-(end - start) // step))
    if count > MAX_CHUNKS:
        raise ParameterError(
            f"split_by={split_by!r} cuts {start} .. {end} into about {count:,} chunks; at most "
            f"{MAX_CHUNKS:,} are allowed. Use a longer split_by."
        )
    chunks: list[TimeChunk] = []
    low = start
    while True:
        high = low + step
        if high >= end:
            chunks.append((low, end))
            return chunks
        chunks.append((low, high - _RESOLUTION))
        low = high


def run_chunks(
    run_one: Callable[[dt.datetime, dt.datetime], pd.DataFrame],
    chunks: Sequence[TimeChunk],
    *,
    max_workers: int | None = None,
    progress: bool = True,
    label: str = "query",
) -> pd.DataFrame:
    """Run *run_one* on each chunk in a small thread pool and concatenate the rows in time order.

    Parameters
    ----------
    run_one : callable
        ``run_one(start, end)`` returns the rows of one chunk.
    chunks : sequence of (datetime, datetime)
        From `split_time_range`, in time order.
    max_workers : int, optional
        Chunks run at once (`DEFAULT_WORKERS` by default).
    progress : bool
        Show a progress bar.
    label : str
        What the progress bar and warnings call the query.

    Returns
    -------
    pandas.DataFrame
        The chunks' rows, earliest chunk first; ``attrs["huntbook"]``
        holds ``chunks`` and ``failed_chunks`` (``[{"start", "end", "error"}]``).

    Raises
    ------
    Exception
        The first chunk's error when every chunk failed.
    """
    import pandas as pd

    workers = max(1, min(max_workers or DEFAULT_WORKERS, len(chunks)))
    results: dict[int, pd.DataFrame] = {}
    errors: dict[int, BaseException] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="huntbook-chunk") as pool:
        futures = {pool.submit(run_one, low, high): index for index, (low, high) in enumerate(chunks)}
        done: Iterable[Future[pd.DataFrame]] = as_completed(futures)
        if progress:
            from rich.progress import track

            done = track(
                done, total=len(futures), description=f"{label}: {len(chunks)} chunks", transient=True
            )
        for future in done:
            index = futures[future]
            try:
                results[index] = future.result()
            except Exception as exc:  # a chunk's failure is reported, not raised: the others are kept
                errors[index] = exc
    if not results:
        raise errors[min(errors)]
    frames = [results[i] for i in sorted(results)]
    non_empty = [f for f in frames if len(f)]
    frame = pd.concat(non_empty or frames[:1], ignore_index=True)
    failed = [
        {"start": chunks[i][0], "end": chunks[i][1], "error": f"{type(errors[i]).__name__}: {errors[i]}"}
        for i in sorted(errors)
    ]
    if failed:
        listed = "; ".join(
            f"{f['start']:%Y-%m-%d %H:%M:%S} .. {f['end']:%Y-%m-%d %H:%M:%S}: {f['error']}" for f in failed
        )
        warnings.warn(
            PartialResultWarning(
                f"{label}: {len(failed)} of {len(chunks)} time chunks failed and their rows are missing "
                f"({listed}). The rows of the other chunks are kept; run the failed range(s) again."
            ),
            stacklevel=3,
        )
    frame.attrs["huntbook"] = {"chunks": len(chunks), "failed_chunks": failed}
    return frame
