"""The bounds on one unpacking: depth, bytes per layer, bytes in all, number of layers."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NamedTuple

from huntbook.analysis.decode.errors import UnpackLimitError

MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How far `unpack` may go; each value is checked to be a positive integer."""

    max_depth: int = 8
    """Layers nest at most this deep (the input is depth 0)."""
    max_layer_bytes: int = 16 * MiB
    """No layer holds more decoded bytes than this."""
    max_total_bytes: int = 64 * MiB
    """All layers of one input together hold at most this many bytes."""
    max_layers: int = 256
    """One input yields at most this many layers."""

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise UnpackLimitError(
                    f"{field.name} must be a positive integer, not {type(value).__name__} {value!r}.",
                    argument=field.name,
                    value=value,
                )
            if value < 1:
                raise UnpackLimitError(
                    f"{field.name} must be a positive integer, not {value}.", argument=field.name, value=value
                )


class Budget:
    """What is left of the limits while one input is unpacked."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.bytes_left = limits.max_total_bytes
        self.layers_left = limits.max_layers

    def allowance(self) -> tuple[int, str]:
        """The most bytes the next layer may hold, and the name of the limit that sets it."""
        if self.bytes_left < self.limits.max_layer_bytes:
            return self.bytes_left, "max_total_bytes"
        return self.limits.max_layer_bytes, "max_layer_bytes"

    def exhausted(self) -> str | None:
        """The name of the limit that allows no further layer, or None."""
        if self.layers_left <= 0:
            return "max_layers"
        if self.bytes_left <= 0:
            return "max_total_bytes"
        return None

    def spend(self, size: int) -> None:
        """Account for one more layer of *size* bytes."""
        self.layers_left -= 1
        self.bytes_left -= size


class Decoded(NamedTuple):
    """The output of one bounded decode (a tuple: candidates are decoded by the ten thousand)."""

    data: bytes
    more: bool = False
    """The output was cut at the size limit given; there was more."""
    damaged: bool = False
    """The input was corrupt or ended early; *data* is what came before."""
    unused: int = 0
    """Input bytes left over after the end of a compressed stream."""
