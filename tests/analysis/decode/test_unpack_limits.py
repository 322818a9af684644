"""Bombs, deep nesting and huge declared sizes stay within the limits, fast; bad limits are errors."""

from __future__ import annotations

import base64
import gzip
import io
import struct
import tarfile
import tracemalloc
import zipfile
import zlib

import pytest

from huntbook.analysis.decode import UnpackError, UnpackInputError, UnpackLimitError, unpack
from huntbook.errors import HuntbookError
from work_growth import cpu_time

MiB = 1 << 20


def gzip_of_zeros(gib: int = 1) -> bytes:
    """A valid gzip of *gib* GiB of zeros, built from one compressed 16 MiB block (about 1 MB)."""
    chunk = bytes(16 * MiB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    copies = gib * 64
    crc = 0
    for _ in range(copies):
        crc = zlib.crc32(chunk, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (copies * len(chunk)) & 0xFFFFFFFF)
    return header + block * copies + compressor.flush() + trailer


def test_the_gzip_bomb_is_valid_but_small():
    bomb = gzip_of_zeros()
    assert len(bomb) < 2 * MiB
    with gzip.GzipFile(fileobj=io.BytesIO(bomb)) as stream:
        assert stream.read(MiB) == bytes(MiB)


def test_a_gigabyte_gzip_bomb_stops_at_the_layer_limit():
    text = "data:application/gzip;base64," + base64.b64encode(gzip_of_zeros()).decode()
    tracemalloc.start()
    root = unpack(text, max_layer_bytes=4 * MiB)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    b64, bomb = root.layers()
    assert bomb.encoding == "gzip" and bomb.size == 4 * MiB and bomb.data == bytes(4 * MiB)
    assert bomb.truncated and bomb.limit == "max_layer_bytes"
    assert not b64.truncated and b64.file_type == "gzip"
    assert peak < 40 * MiB
    # The work is that of inflating 4 MiB, not 1 GiB: CPU time against a gzip of 4 MiB (1.6x seen;
    # 256x if the limit did not stop the inflating).
    reference = "data:application/gzip;base64," + base64.b64encode(gzip.compress(bytes(4 * MiB))).decode()
    work = cpu_time(lambda: unpack(text, max_layer_bytes=4 * MiB))
    assert work < 16 * cpu_time(lambda: unpack(reference, max_layer_bytes=4 * MiB))


def test_total_limit_cuts_the_layer_that_crosses_it():
    payload = base64.b64encode(gzip.compress(bytes(3 * MiB))).decode()
    root = unpack(f"{payload} {payload}", max_total_bytes=4 * MiB)
    sizes = [(layer.encoding, layer.size, layer.limit) for layer in root.layers()]
    first_gzip = len(base64.b64decode(payload))
    assert sizes[:2] == [("base64", first_gzip, None), ("gzip", 3 * MiB, None)]
    assert sizes[2] == ("base64", first_gzip, None)
    assert sizes[3] == ("gzip", 4 * MiB - 3 * MiB - 2 * first_gzip, "max_total_bytes")
    assert sum(layer.size for layer in root.layers()) == 4 * MiB


def nested_zip_bomb(width: int = 8) -> bytes:
    """A zip of *width* zips of *width* zips of 64 MiB of zeros: width² × 64 MiB in all."""
    inner = io.BytesIO()
    zero = bytes(MiB)
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("zeros.bin", "w") as out:
        for _ in range(64):
            out.write(zero)
    level = inner.getvalue()
    for depth in range(2):
        outer = io.BytesIO()
        with zipfile.ZipFile(outer, "w", zipfile.ZIP_STORED) as archive:
            for i in range(width):
                archive.writestr(f"level{depth}-{i}.zip", level)
        level = outer.getvalue()
    return level


def test_a_nested_zip_bomb_stays_within_the_total():
    bomb = nested_zip_bomb()
    limits = {"max_layer_bytes": 4 * MiB, "max_total_bytes": 16 * MiB}
    root = unpack(bomb, **limits)
    layers = list(root.layers())
    assert sum(layer.size for layer in layers) <= 16 * MiB
    zeros = [layer for layer in layers if layer.name == "zeros.bin"]
    assert zeros and all(layer.truncated for layer in zeros)
    assert zeros[0].limit == "max_layer_bytes" and zeros[0].chain == ("zip", "zip", "zip")
    stopped = [layer for layer in [root, *layers] if layer.limit == "max_total_bytes"]
    assert stopped
    # The work is that of 16 MiB, not 4 GiB: CPU time against one zip of 16 MiB of zeros (3x seen).
    reference = io.BytesIO()
    with zipfile.ZipFile(reference, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", bytes(16 * MiB))
    work = cpu_time(lambda: unpack(bomb, **limits), repeat=2)
    assert work < 32 * cpu_time(lambda: unpack(reference.getvalue(), **limits), repeat=2)


def test_deeply_nested_base64_stops_at_the_depth_limit():
    text = "Write-Host 'the bottom of the well'"
    for _ in range(30):
        text = base64.b64encode(text.encode()).decode()
    root = unpack(f"x={text}", max_depth=8)
    # No more work than for one layer of random base64 of the same length (1.8x seen).
    flat = base64.b64encode(bytes(range(256)) * (len(text) // 342 + 1)).decode()[: len(text) // 4 * 4]
    assert cpu_time(lambda: unpack(f"x={text}", max_depth=8)) < 16 * cpu_time(lambda: unpack(f"x={flat}"))
    layers = list(root.layers())
    assert [layer.depth for layer in layers] == list(range(1, 9))
    assert layers[-1].limit == "max_depth" and not layers[-1].truncated
    assert all(layer.limit is None for layer in layers[:-1])


def test_the_layer_count_is_bounded():
    payloads = " ".join(base64.b64encode(f"payload number {i:03}".encode()).decode() for i in range(50))
    root = unpack(payloads, max_layers=10)
    assert len(list(root.layers())) == 10
    assert root.limit == "max_layers"


def tar_with_a_huge_declared_member(available: int) -> bytes:
    info = tarfile.TarInfo("huge.bin")
    info.size = 8 << 30
    return info.tobuf(format=tarfile.GNU_FORMAT) + b"A" * available


def test_a_tar_member_declaring_eight_gigabytes_is_read_as_far_as_it_goes():
    data = tar_with_a_huge_declared_member(10_000)
    (member,) = unpack(data).layers()
    assert (member.name, member.data) == ("huge.bin", b"A" * 10_000)
    assert member.truncated and member.limit is None
    assert member.end == len(data)


def test_a_tar_member_over_the_layer_limit_is_cut():
    data = tar_with_a_huge_declared_member(3 * MiB)
    (member,) = unpack(data, max_layer_bytes=MiB).layers()
    assert member.size == MiB and member.limit == "max_layer_bytes"


def test_a_damaged_gzip_keeps_what_came_before_the_damage():
    stream = gzip.compress("".join(f"line {i} of the log\n" for i in range(2000)).encode())
    (layer,) = unpack(stream[: len(stream) // 2]).layers()
    assert layer.text.startswith("line 0 of the log\nline 1 of the log\n")
    assert layer.truncated and layer.limit is None


def test_many_gzip_members_are_bounded():
    member = gzip.compress(b"x")
    (layer,) = unpack(member * 3000).layers()
    assert layer.data == b"x" * 1024 and layer.truncated


def test_zip_members_that_cannot_be_read_safely_are_skipped():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.bz2.txt", b"bzip2 member " * 100, compress_type=zipfile.ZIP_BZIP2)
        archive.writestr("b.txt", b"plain member")
    assert [layer.name for layer in unpack(buffer.getvalue()).layers()] == ["b.txt"]


def test_a_zip_with_an_oversized_central_directory_is_not_opened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", b"some text")
    data = bytearray(buffer.getvalue())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<I", data, end + 12, 2 * MiB)
    assert list(unpack(bytes(data)).layers()) == []


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("max_depth", 0),
        ("max_depth", -1),
        ("max_layer_bytes", -5),
        ("max_total_bytes", 0),
        ("max_layers", -1),
        ("max_depth", 2.5),
        ("max_depth", "3"),
        ("max_layers", True),
        ("max_total_bytes", None),
    ],
)
def test_bad_limits_are_clear_errors(argument, value):
    with pytest.raises(UnpackLimitError, match=argument) as raised:
        unpack("text", **{argument: value})
    assert raised.value.argument == argument
    assert isinstance(raised.value, ValueError | UnpackError | HuntbookError)
    assert "positive integer" in str(raised.value)


@pytest.mark.parametrize("value", [None, 42, ["a list"], {"a": "dict"}])
def test_unpack_takes_text_or_bytes(value):
    with pytest.raises(UnpackInputError, match="string or bytes") as raised:
        unpack(value)
    assert isinstance(raised.value, TypeError)
