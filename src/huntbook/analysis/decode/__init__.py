"""Decoding: find obfuscated payloads in text and unpack them, layer by layer, safely.

`unpack` turns one text (or bytes) into a tree of `Layer` objects; `unpack_frame`
does it for every text in a Series or DataFrame and returns one row per layer.
Both find candidates with one RE2 scan (linear time on any input), decode with
bounded output, and stop at the depth, size and count limits they are given.
"""

from huntbook.analysis.decode.errors import UnpackError, UnpackInputError, UnpackLimitError
from huntbook.analysis.decode.frame import unpack_frame
from huntbook.analysis.decode.layers import Layer
from huntbook.analysis.decode.unpack import unpack

__all__ = [
    "Layer",
    "UnpackError",
    "UnpackInputError",
    "UnpackLimitError",
    "unpack",
    "unpack_frame",
]
