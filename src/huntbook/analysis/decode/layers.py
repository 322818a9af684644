"""`Layer`: one decoded payload in a tree of them, with its hashes, type, text and IoCs."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from huntbook.analysis.decode.filetype import charset_of, guess_file_type
from huntbook.analysis.decode.text import BINARY, UTF8, decode_text, printable, shorten

if TYPE_CHECKING:
    import pandas as pd
    from rich.tree import Tree

INPUT = "input"
BINARY_TEXT_BYTES = 64 * 1024
"""The `text` of a binary layer shows this many bytes of it."""
REPR_LAYERS = 24
"""The tree shown by ``repr`` lists this many layers."""


@dataclass(eq=False, repr=False)
class Layer:
    """One layer of decoded data and the layers decoded from it.

    The tree's root is the input itself (``encoding == "input"``, depth 0);
    `layers` walks the decoded layers below it, depth first.
    """

    encoding: str
    """How this layer was decoded from its parent: ``base64``, ``gzip``, ``zip``, ..."""
    data: bytes
    """The decoded bytes (at most the per-layer limit)."""
    charset: str
    """``"utf-16le"`` or ``"utf-8"`` when `data` is text, else ``"binary"``."""
    start: int = 0
    """Where the encoded form starts in the parent's `content`."""
    end: int = 0
    """Where the encoded form ends in the parent's `content`."""
    source: str = ""
    """The encoded form, shortened for display (empty for archive members and streams)."""
    name: str | None = None
    """The member's name, for a zip or tar member."""
    depth: int = 0
    path: tuple[int, ...] = ()
    """The child index at each level from the root: ``(0, 2)`` is the root's first child's third."""
    chain: tuple[str, ...] = ()
    """The encodings from the root down to this layer."""
    truncated: bool = False
    """`data` is incomplete: a limit cut it (see `limit`) or the stream was damaged."""
    limit: str | None = None
    """The limit that cut `data` short or stopped the search below this layer, if one did."""
    children: list[Layer] = field(default_factory=list)
    _input: str | None = None

    @classmethod
    def input(cls, value: str | bytes) -> Layer:
        """The root layer for *value*; the offsets of its children index *value* itself."""
        if isinstance(value, str):
            return cls(INPUT, value.encode("utf-8", "surrogatepass"), UTF8, end=len(value), _input=value)
        return cls(INPUT, value, charset_of(value), end=len(value))

    @property
    def content(self) -> str | bytes:
        """What the children's `start` and `end` index: the text (input string, UTF-8 or UTF-16LE
        decoded) for a text layer, the bytes for a binary one."""
        if self._input is not None:
            return self._input
        return self.data if self.charset == BINARY else decode_text(self.data, self.charset)

    @property
    def content_utf8(self) -> bytes | None:
        """`content` encoded as `finders.find_candidates` scans it, when that is `data` itself."""
        if self._input is not None or (self.charset == UTF8 and self.data.isascii()):
            return self.data
        return None

    @cached_property
    def text(self) -> str:
        """The layer as printable text: invisible and control characters escaped as ``\\xNN``.

        A binary layer shows its first 64 KiB, and ``…`` if it holds more.
        """
        if self._input is not None:
            return printable(self._input)
        if self.charset != BINARY:
            return printable(decode_text(self.data, self.charset, display=True))
        more = "…" if len(self.data) > BINARY_TEXT_BYTES else ""
        return printable(self.data[:BINARY_TEXT_BYTES].decode("ascii", "backslashreplace")) + more

    @property
    def size(self) -> int:
        """The number of decoded bytes."""
        return len(self.data)

    @cached_property
    def md5(self) -> str:
        """MD5 of `data`, hex."""
        return hashlib.md5(self.data, usedforsecurity=False).hexdigest()

    @cached_property
    def sha1(self) -> str:
        """SHA-1 of `data`, hex."""
        return hashlib.sha1(self.data, usedforsecurity=False).hexdigest()

    @cached_property
    def sha256(self) -> str:
        """SHA-256 of `data`, hex."""
        return hashlib.sha256(self.data).hexdigest()

    @cached_property
    def file_type(self) -> str:
        """What `data` is: ``"text"``, ``"gzip"``, ``"PE executable"``, ..., or ``"data"``."""
        return guess_file_type(self.data, self.charset)

    @cached_property
    def iocs(self) -> pd.DataFrame:
        """The indicators in `text`, as `huntbook.analysis.iocs.extract_iocs` finds them."""
        from huntbook.analysis.iocs import extract_iocs

        return extract_iocs(self.text)

    def layers(self) -> Iterator[Layer]:
        """Every layer below this one, depth first, in the order they appear."""
        for _, layer, _, _ in self._walk():
            yield layer

    def label(self) -> str:
        """One line about this layer: how it was decoded, from where, and what it holds."""
        content = self.content if self.encoding == INPUT else None
        text = printable(shorten(content, 60)) if isinstance(content, str) else self.text
        preview = shorten(text, 60).replace("\n", "\\n").replace("\t", "\\t")
        if self.encoding == INPUT:
            count = sum(1 for _ in self.layers())
            unit = "chars" if self._input is not None else "bytes"
            head = f"input, {len(self.content):,} {unit}, {count} decoded layer{'s' * (count != 1)}"
        else:
            where = f" {printable(self.name)!r}" if self.name is not None else f" [{self.start}:{self.end}]"
            head = f"{self.encoding}{where}: {self.size:,} bytes, {self.file_type}"
            if self.charset != BINARY:
                head += f" ({self.charset})"
        if self.truncated:
            head += f", truncated at {self.limit}" if self.limit else ", truncated (damaged)"
        elif self.limit:
            head += f", stopped at {self.limit}"
        return f"{head}: {preview}"

    def __repr__(self) -> str:
        lines = [self.label()]
        walk = self._walk()
        for _, layer, indent, last in itertools.islice(walk, REPR_LAYERS):
            lines.append(f"{indent}{'└── ' if last else '├── '}{layer.label()}")
        lines.extend(_more(walk))
        return "\n".join(lines)

    def __rich__(self) -> Tree:
        from rich.text import Text
        from rich.tree import Tree

        root = Tree(Text(self.label()))
        nodes = {id(self): root}
        walk = self._walk()
        for parent, layer, _, _ in itertools.islice(walk, REPR_LAYERS):
            nodes[id(layer)] = nodes[id(parent)].add(Text(layer.label()))
        for more in _more(walk):
            root.add(Text(more, style="dim"))
        return root

    def _walk(self) -> Iterator[tuple[Layer, Layer, str, bool]]:
        """(parent, layer, indent, is last child) for every layer below this one, depth first."""
        stack = [(self, self, "", True)]
        while stack:
            parent, layer, indent, last = stack.pop()
            if layer is not self:
                yield parent, layer, indent, last
                indent += "    " if last else "│   "
            count = len(layer.children)
            stack.extend((layer, layer.children[i], indent, i == count - 1) for i in reversed(range(count)))


def _more(walk: Iterator[object]) -> list[str]:
    """``["… N more layers"]`` for what is left of *walk*, or nothing."""
    rest = sum(1 for _ in walk)
    return [f"… {rest} more layer{'s' * (rest != 1)}"] if rest else []
