"""`unpack`: decode the payloads hidden in a text, layer by layer, within limits."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from huntbook.analysis.decode.codecs import CODECS, accept
from huntbook.analysis.decode.containers import Found, container_kind, members
from huntbook.analysis.decode.errors import UnpackInputError
from huntbook.analysis.decode.filetype import charset_of
from huntbook.analysis.decode.finders import Candidate, find_candidates, first_line
from huntbook.analysis.decode.layers import Layer
from huntbook.analysis.decode.limits import Budget, Limits
from huntbook.analysis.decode.text import BINARY, shorten

DEFAULT = Limits()


def unpack(
    text: str | bytes,
    *,
    max_depth: int = DEFAULT.max_depth,
    max_layer_bytes: int = DEFAULT.max_layer_bytes,
    max_total_bytes: int = DEFAULT.max_total_bytes,
    max_layers: int = DEFAULT.max_layers,
) -> Layer:
    """Find and decode the encoded payloads in *text*, and those inside them, recursively.

    Decodes base64 (standard and URL-safe, padded or not, wrapped on lines),
    hex (plain, ``\\x41`` and ``0x41,`` forms), URL ``%XX`` escapes, PowerShell
    character codes (``[char]72+[char]105``, ``[char[]](72,105)``), gzip,
    zlib and raw deflate streams, and zip and tar members. UTF-16LE text (as
    in PowerShell's ``-EncodedCommand``) is recognised in any layer. Base64 and
    hex runs are kept only if they decode to text, a known file format or a
    compressed stream. Time is linear in the size of *text*.

    Parameters
    ----------
    text : str or bytes
        The text (a command line, a log, a script) or raw bytes (a file).
    max_depth : int, default 8
        How deep layers may nest (the input is depth 0).
    max_layer_bytes : int, default 16 MiB
        The most bytes one layer may decode to.
    max_total_bytes : int, default 64 MiB
        The most bytes all layers together may decode to.
    max_layers : int, default 256
        The most layers to decode.

    Returns
    -------
    Layer
        The root of the tree: *text* itself, with the decoded layers below it
        (``root.layers()`` walks them). A layer cut short by a limit has
        ``truncated=True`` and ``limit`` naming it; a layer below which a limit
        stopped the search has ``limit`` set.

    Raises
    ------
    UnpackInputError
        *text* is neither a string nor bytes.
    UnpackLimitError
        A limit is not a positive integer.

    Examples
    --------
    >>> root = unpack("powershell -enc SQBFAFgAIAAoACcAaABpACcAKQA=")
    >>> [(layer.chain, layer.text) for layer in root.layers()]
    [(('base64',), "IEX ('hi')")]
    """
    limits = Limits(max_depth, max_layer_bytes, max_total_bytes, max_layers)
    return unpack_within(text, limits)


def unpack_within(text: str | bytes, limits: Limits) -> Layer:
    """`unpack` with its limits already checked."""
    if isinstance(text, bytearray | memoryview):
        text = bytes(text)
    if not isinstance(text, str | bytes):
        raise UnpackInputError(
            f"unpack takes a string or bytes, not {type(text).__name__}; "
            "for a Series or DataFrame use unpack_frame.",
            argument="text",
            value=type(text).__name__,
        )
    root = Layer.input(text)
    budget = Budget(limits)
    stack = [root]
    while stack:
        layer = stack.pop()
        _decode_children(layer, budget)
        stack.extend(reversed(layer.children))
    return root


def _decode_children(layer: Layer, budget: Budget) -> None:
    for found in _found_in(layer):
        stop = "max_depth" if layer.depth >= budget.limits.max_depth else budget.exhausted()
        if stop is not None:
            layer.limit = stop
            return
        allowance, limit = budget.allowance()
        decoded = found.read(allowance)
        if decoded is None or not decoded.data:
            continue
        child = Layer(
            found.encoding,
            decoded.data,
            charset_of(decoded.data),
            start=found.start,
            end=found.end,
            source=found.source,
            name=found.name,
            depth=layer.depth + 1,
            path=(*layer.path, len(layer.children)),
            chain=(*layer.chain, found.encoding),
            truncated=decoded.more or decoded.damaged,
            limit=limit if decoded.more else None,
        )
        budget.spend(child.size)
        layer.children.append(child)


def _found_in(layer: Layer) -> Iterator[Found]:
    """What decodes in *layer*: the members of a container, else the candidates in its content."""
    if layer.charset == BINARY:
        kind = container_kind(layer.data)
        if kind is not None:
            yield from members(kind, layer.data)
            return
    for candidate in find_candidates(layer.content, worth_decoding, utf8=layer.content_utf8):
        codec = CODECS[candidate.kind]
        read = partial(codec.decode, candidate.raw)
        source = shorten(candidate.raw.decode("latin-1"))
        yield Found(codec.name, candidate.start, candidate.end, source, None, read)


def worth_decoding(candidate: Candidate) -> Candidate | None:
    """*candidate* if worth decoding; of a wrapped base64 run that is not, its first line if that is."""
    if accept(candidate.kind, candidate.raw):
        return candidate
    if b"\n" in candidate.raw:
        line = first_line(candidate)
        if line is not None and accept(line.kind, line.raw):
            return line
    return None
