"""Hostile input: random text never breaks unpack, and crafted text takes work linear in its size."""

from __future__ import annotations

import base64
import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from huntbook.analysis.decode import Layer, unpack
from huntbook.analysis.decode.text import shorten
from work_growth import growth

LIMITS = {"max_depth": 4, "max_layer_bytes": 4096, "max_total_bytes": 16384, "max_layers": 20}
STREAMS = {"gzip", "zlib", "deflate", "zip", "tar"}


def _fragment(data: bytes) -> list[str]:
    return [
        base64.b64encode(data).decode(),
        base64.urlsafe_b64encode(data).decode().rstrip("="),
        base64.b64encode(gzip.compress(data)).decode(),
        base64.b64encode(data.decode("latin-1").encode("utf-16-le")).decode(),
        data.hex(),
        "".join(f"%{b:02x}" for b in data),
        "+".join(f"[char]{b}" for b in data),
        "".join(f"\\x{b:02x}" for b in data),
    ]


FRAGMENTS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["[char]", "[char[]](", "%", "%4", "==", "\n", "\r\n", "\\x", "0x41,", "-enc ", "A" * 25]
    ),
    st.binary(min_size=1, max_size=60).flatmap(lambda data: st.sampled_from(_fragment(data))),
)
HOSTILE_TEXT = st.lists(FRAGMENTS, max_size=12).map("".join)


def parents(root: Layer):
    stack = [root]
    while stack:
        parent = stack.pop()
        for child in parent.children:
            yield parent, child
            stack.append(child)


def check_tree(root: Layer) -> None:
    layers = list(root.layers())
    assert len(layers) <= LIMITS["max_layers"]
    assert sum(layer.size for layer in layers) <= LIMITS["max_total_bytes"]
    for parent, layer in parents(root):
        assert 0 < layer.size <= LIMITS["max_layer_bytes"]
        assert layer.depth == parent.depth + 1 <= LIMITS["max_depth"]
        assert layer.path[:-1] == parent.path and layer.chain[:-1] == parent.chain
        content = parent.content
        assert 0 <= layer.start <= layer.end <= len(content)
        if layer.encoding not in STREAMS:
            encoded = content[layer.start : layer.end]
            encoded = encoded.decode("latin-1") if isinstance(encoded, bytes) else encoded
            assert shorten(encoded) == layer.source
        assert layer.text.replace("\n", "").replace("\t", "").isprintable()
    assert repr(root).startswith("input, ")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_TEXT)
def test_hostile_text_never_raises_and_stays_in_bounds(text):
    check_tree(unpack(text, **LIMITS))


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_any_string(text):
    check_tree(unpack(text, **LIMITS))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes(data):
    check_tree(unpack(data, **LIMITS))


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=1, max_size=300))
def test_any_bytes_inside_base64_inside_gzip(data):
    check_tree(unpack(base64.b64encode(gzip.compress(data * 3)).decode(), **LIMITS))


def self_nesting(size: int) -> str:
    text = "iex payload"
    while len(text) < size:
        text = f"{text} {base64.b64encode(text.encode()).decode()}"
    return text[:size]


ADVERSARIAL = {
    "A": lambda n: "A" * n,
    "equals": lambda n: "=" * n,
    "hex digits": lambda n: "0123456789abcdef" * (n // 16),
    "percent": lambda n: "%" * n,
    "escapes": lambda n: "%41" * (n // 3),
    "broken escapes": lambda n: "a%4" * (n // 3),
    "char": lambda n: "[char]" * (n // 6),
    "char codes": lambda n: "[char]65+" * (n // 9),
    "char array": lambda n: "[char[]](" + "65," * (n // 3) + "65)",
    "char spaced": lambda n: "[char]1 " * (n // 8),
    "hex escapes": lambda n: "\\x41" * (n // 4),
    "hex array": lambda n: "0x41, " * (n // 6),
    "dashes": lambda n: "-" * n,
    "wrapped lines": lambda n: ("A" * 20 + "\n") * (n // 21),
    "short lines": lambda n: "SGVsbG8gV29ybGQhISEhISEh\nAB\n" * (n // 28),
    "url run": lambda n: "a" * n + "%41%41%41",
    "self nesting": self_nesting,
}


@pytest.mark.parametrize("make", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_work_is_linear_in_the_size_of_crafted_text(make):
    small, large = make(125_000), make(2_000_000)
    assert len(large) >= 15.9 * len(small)
    # CPU time, best of 3 (work_growth): linear is at most 16x (25x seen at most), quadratic 256x.
    ratio = growth(unpack, small, large)
    assert ratio < 64, f"{ratio:.1f}x the work for 16x the text"
