"""Reading many Windows event files at once, on every core this process may use.

The files are cut into chunks of about equal size. Worker processes, forked
so that nothing is imported again, take chunks from the back of the list
while this process takes them from the front, until they meet: each chunk
is read once, and no process waits for another for longer than one chunk.
A chunk comes back as Arrow tables (typed the same way in every process)
and a report per file, and chunks are put together in file order, so the
rows are the same as if one process had read every file in turn.

Forking is only safe when this process runs no other thread. A process with
threads (a Jupyter kernel) starts its workers from a fork server instead,
unless its main module is a script, which each such worker would run again;
then it reads every file itself.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huntbook.data.lake.winevents import EventRows
from huntbook.data.lake.winfiles import digest_of, event_format, file_bytes, read_event_file
from huntbook.errors import IngestError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkContext, ForkServerContext

    import pyarrow as pa

PARALLEL_MIN_BYTES = 16 << 20
"""Below this many bytes of files, one process reads them all (forking would cost more than it saves)."""
FORK_SERVER_MIN_BYTES = 256 << 20
"""Below this many bytes, a process with threads reads the files itself (fork-server workers start slowly)."""
CHUNKS_PER_PROCESS = 2
"""Chunks per reading process. Each chunk costs its own typing and transfer (about 30 ms for the
bench's 20 copies), so few: two per process still lets a slow-starting worker leave its share to others."""
MAX_WORKERS = 7


@dataclass(frozen=True)
class FileRead:
    """What reading one file gave: its digest and rows per table, or why it was skipped or failed."""

    path: Path
    digest: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    records: int = 0
    skipped: bool = False
    error: IngestError | None = None


@dataclass(frozen=True)
class ChunkRead:
    """The files of one chunk, in order, and the rows of all of them per table."""

    files: list[FileRead]
    tables: dict[str, pa.Table]

    def __reduce__(self) -> tuple[Any, tuple[list[FileRead], dict[str, bytes]]]:
        """Pickle the tables as Arrow IPC streams: one copy of their buffers, many times faster."""
        return _chunk_from_ipc, (self.files, {name: _ipc(table) for name, table in self.tables.items()})


def _ipc(table: pa.Table) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    data: bytes = sink.getvalue().to_pybytes()
    return data


def _chunk_from_ipc(files: list[FileRead], streams: dict[str, bytes]) -> ChunkRead:
    import pyarrow as pa

    return ChunkRead(files, {name: pa.ipc.open_stream(data).read_all() for name, data in streams.items()})


def read_files(
    paths: list[Path],
    seen: set[str],
    fmt: str | None,
    *,
    advance: Callable[[int], None] = lambda _: None,
) -> list[ChunkRead]:
    """Read the event files *paths* whose SHA-256 is not in *seen*, on every core when it pays.

    Parameters
    ----------
    paths : list of Path
        The files, in the order their rows should come.
    seen : set of str
        Digests of contents already ingested: such files are skipped, as is
        a second file with the content of an earlier one.
    fmt : str, optional
        ``evtx`` or ``jsonl`` (default: told from each file's suffix).
    advance : callable, optional
        Called with a number of files each time that many have been read.

    Returns
    -------
    list of ChunkRead
        In file order. A file that cannot be read is reported with its error;
        the others are read all the same.
    """
    sizes = _sizes(paths)
    workers, start_method = _workers(len(paths), sum(sizes))
    if not workers:
        return [read_chunk(paths, seen, fmt, advance)]
    chunks = _chunks(paths, sizes, CHUNKS_PER_PROCESS * (workers + 1))
    context: ForkContext | ForkServerContext
    if start_method == "forkserver":
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])  # workers start with this module imported
    else:
        context = multiprocessing.get_context("fork")
    bounds = context.Array("q", [0, len(chunks)])  # the untaken chunks: [front, back)
    pipes = [context.Pipe(duplex=False) for _ in range(workers)]
    processes = [
        context.Process(target=_work_from_back, args=(chunks, bounds, seen, fmt, sender), daemon=True)
        for _, sender in pipes
    ]
    results: dict[int, ChunkRead] = {}
    try:
        for process in processes:
            process.start()
        for _, sender in pipes:
            sender.close()
        while (index := _take(bounds, front=True)) is not None:
            results[index] = read_chunk(chunks[index], seen, fmt, advance)
        for receiver, _ in pipes:
            for index, result in _received(receiver, chunks, bounds):
                results[index] = result
                advance(len(chunks[index]))
    except BaseException:  # interrupted, or a worker failed: the others' work is of no use
        for process in processes:
            if process.is_alive():
                process.kill()
        raise
    finally:
        for process in (p for p in processes if p.pid is not None):  # those that started
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
    return list(_without_repeats([results[i] for i in range(len(chunks))], chunks, seen, fmt))


def _take(bounds: Any, *, front: bool) -> int | None:
    """Take the next untaken chunk from the front or the back of the list; None when none is left."""
    with bounds.get_lock():
        if bounds[0] >= bounds[1]:
            return None
        if front:
            bounds[0] += 1
            return int(bounds[0] - 1)
        bounds[1] -= 1
        return int(bounds[1])


def _work_from_back(
    chunks: list[list[Path]], bounds: Any, seen: set[str], fmt: str | None, sender: Connection
) -> None:
    """In a worker process: read chunks from the back until none is left, then send them all."""
    gc.disable()  # short-lived: collecting would only touch (and so copy) the pages it shares
    done: list[tuple[int, ChunkRead]] = []
    try:
        while (index := _take(bounds, front=False)) is not None:
            done.append((index, read_chunk(chunks[index], seen, fmt)))
        sender.send(done)
    except BaseException as exc:  # anything at all: the parent must hear of it, not wait
        sender.send(repr(exc))
    finally:
        sender.close()


def _received(receiver: Connection, chunks: list[list[Path]], bounds: Any) -> list[tuple[int, ChunkRead]]:
    """The chunks one worker read; an IngestError naming the first file of the others when it failed."""
    try:
        message = receiver.recv()
    except EOFError:  # the worker died (killed, out of memory)
        message = "the process ended without a result"
    if isinstance(message, list):
        return message
    taken = chunks[int(bounds[1])]
    raise IngestError(f"a worker process reading Windows event files failed: {message}", path=str(taken[0]))


def read_chunk(
    paths: list[Path], seen: set[str], fmt: str | None, advance: Callable[[int], None] = lambda _: None
) -> ChunkRead:
    """Read the files *paths* in turn (see `read_files`), in this process."""
    seen = set(seen)
    rows = EventRows()
    files: list[FileRead] = []
    for path in paths:
        try:
            content = file_bytes(path) if event_format(path, fmt) == "evtx" else None
            digest = digest_of(path) if content is None else hashlib.sha256(content).hexdigest()
            if digest in seen:
                files.append(FileRead(path, digest, skipped=True))
                continue
            part = read_event_file(path, fmt, content)
        except IngestError as exc:
            files.append(FileRead(path, error=exc))
            continue
        finally:
            advance(1)
        seen.add(digest)
        rows.extend(part)
        files.append(FileRead(path, digest, part.counts(), part.records))
    return ChunkRead(files, rows.to_arrow())


def _workers(files: int, size: int) -> tuple[int, str]:
    """How many worker processes to start, and how: none for small inputs, on one core, or where unsafe.

    A process without other threads forks. One with threads (a Jupyter
    kernel) cannot fork safely; it starts workers from a fork server instead,
    but only when its main module is not a script file, which every worker
    would run again.
    """
    if sys.platform != "linux":
        return 0, "fork"
    cores = len(os.sched_getaffinity(0))
    if cores < 2 or files < 2 or size < PARALLEL_MIN_BYTES:
        return 0, "fork"
    if threading.active_count() == 1:
        return min(cores - 1, MAX_WORKERS), "fork"
    interactive = getattr(sys.modules.get("__main__"), "__file__", None) is None  # Jupyter, IPython, -c
    if interactive and size >= FORK_SERVER_MIN_BYTES:
        return min(cores - 1, MAX_WORKERS), "forkserver"
    return 0, "fork"


def _sizes(paths: list[Path]) -> list[int]:
    """The size of each file in bytes; 0 for one that cannot be read (that is reported when it is read)."""
    sizes = []
    for path in paths:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)
    return sizes


def _chunks(paths: list[Path], sizes: list[int], count: int) -> list[list[Path]]:
    """*paths* cut in order into up to *count* runs of about equal size in bytes."""
    target = max(sum(sizes) / count, 1)
    chunks: list[list[Path]] = [[]]
    filled = 0
    for path, size in zip(paths, sizes, strict=True):
        if filled >= target and chunks[-1]:
            chunks.append([])
            filled = 0
        chunks[-1].append(path)
        filled += size
    return chunks


def _without_repeats(
    results: list[ChunkRead], chunks: list[list[Path]], seen: set[str], fmt: str | None
) -> Iterator[ChunkRead]:
    """*results*, each chunk that holds a content read in an earlier chunk read again without it."""
    before = set(seen)
    for result, chunk in zip(results, chunks, strict=True):
        digests = {f.digest for f in result.files if f.digest is not None and not f.skipped}
        if digests & before:
            result = read_chunk(chunk, before, fmt)
            digests = {f.digest for f in result.files if f.digest is not None and not f.skipped}
        before |= digests
        yield result
