"""Telling text from binary, naming file types, and showing text safely."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pytest

import huntbook.analysis.decode as decode
from huntbook.analysis.decode import unpack
from huntbook.analysis.decode.filetype import guess_file_type, sniff
from huntbook.analysis.decode.text import detect_charset, printable, shorten


def test_the_package_exports_exactly_its_public_names():
    public = {name for name in dir(decode) if not name.startswith("_")}
    modules = {"codecs", "containers", "errors", "filetype", "finders", "frame", "layers", "limits", "text"}
    assert public - modules == set(decode.__all__)
    assert decode.__all__ == sorted(decode.__all__)


@pytest.mark.parametrize(
    ("data", "charset"),
    [
        (b"plain ascii text\r\n", "utf-8"),
        ("naïve café – ok".encode(), "utf-8"),
        ("Write-Host hi".encode("utf-16-le"), "utf-16le"),
        (b"\xff\xfe" + "with a BOM".encode("utf-16-le"), "utf-16le"),
        (b"one NUL\x00 in a long enough line of text", "utf-8"),
        (b"\x00\x01\x02\x03 mostly controls", "binary"),
        (b"\xc3\x28 invalid utf-8 \xff\xfe\xfd", "binary"),
        (b"", "binary"),
    ],
)
def test_detect_charset(data, charset):
    assert detect_charset(data) == charset


def tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("a.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"hi"))
    return buffer.getvalue()


def zip_() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hi")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (gzip.compress(b"x", mtime=0), "gzip"),
        (zip_(), "Zip archive"),
        (tar(), "tar archive"),
        (b"MZ\x90\x00\x03" + bytes(100), "PE executable"),
        (b"MZ" + bytes(0x3A) + b"\x80\x00\x00\x00" + bytes(0x40) + b"PE\x00\x00", "PE executable"),
        (b"\x7fELF\x02\x01\x01" + bytes(20), "ELF executable"),
        (b"%PDF-1.7\n", "PDF document"),
        (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(50), "OLE2 compound document (MS Office)"),
        (b"BZh91AY&SY" + bytes(10), "bzip2"),
        (b"MZ is not enough", None),
        (b"plain text", None),
    ],
)
def test_sniff(data, name):
    assert sniff(data) == name


def test_guess_file_type_falls_back_to_text_puremagic_and_data():
    assert guess_file_type(b"") == "empty"
    assert guess_file_type(b"just some text") == "text"
    assert guess_file_type(bytes(range(7, 40))) == "data"
    pytest.importorskip("puremagic")
    assert guess_file_type(b"SQLite format 3\x00" + bytes(100)) == "SQLite database file"


def test_guess_file_type_asks_puremagic_once_per_content(monkeypatch):
    from huntbook.analysis.decode import filetype

    asked = []
    monkeypatch.setattr(filetype, "_puremagic_name", lambda data: asked.append(data) or None)
    monkeypatch.setattr(filetype, "_GUESSED", {})
    monkeypatch.setattr(filetype, "_GUESSED_MAX", 2)
    payloads = [b"IEX (New-Object Net.WebClient)", b"whoami /all", b"net user"]
    assert [guess_file_type(p) for p in payloads * 2] == ["text"] * 6
    assert asked == payloads + payloads  # with room for two, the oldest goes first
    assert len(filetype._GUESSED) == 2
    assert guess_file_type(b"net user") == "text" and len(asked) == 6


def test_printable_escapes_what_could_hide_or_rewrite_text():
    assert printable("tab\tnewline\nkept") == "tab\tnewline\nkept"
    assert printable("cr\rbell\x07del\x7f") == "cr\\x0dbell\\x07del\\x7f"
    assert printable("rtl\u202eoverride zero\u200bwidth nbsp\xa0 bom\ufeff") == (
        "rtl\\u202eoverride zero\\u200bwidth nbsp\\xa0 bom\\ufeff"
    )
    assert printable("lone \ud800 surrogate, astral \U000e0001 tag") == (
        "lone \\ud800 surrogate, astral \\U000e0001 tag"
    )
    assert printable("letters ß 漢字 stay") == "letters ß 漢字 stay"


def test_shorten():
    assert shorten("short") == "short"
    assert shorten("a" * 50 + "b" * 50, 20) == "a" * 14 + "…" + "b" * 5


def test_offsets_index_a_string_with_non_ascii_and_lone_surrogates():
    payload = "SGVsbG8gV29ybGQhIFdyaXRlLUhvc3Q="
    text = f"é漢\ud800 \U0001f600 {payload} tail"
    (layer,) = unpack(text).layers()
    assert text[layer.start : layer.end] == payload
    assert layer.text == "Hello World! Write-Host"
