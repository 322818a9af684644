"""`huntbook iocs` on files and stdin, and the ``.huntbook`` pandas accessor."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import huntbook
from huntbook.cli import app

runner = CliRunner(env={"COLUMNS": "220"})
TEXT = "beacon to hxxp://evil[.]com/a from 10.1.2.3\nnothing here\nhash 68b329da9893e34099c7d8ad5cb9c940\n"


def test_text_file_as_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(TEXT)
    result = runner.invoke(app, ["iocs", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["type"], r["observable"], r["line"]) for r in rows] == [
        ("url", "http://evil.com/a", 1),
        ("ipv4", "10.1.2.3", 1),
        ("md5", "68b329da9893e34099c7d8ad5cb9c940", 3),
    ]
    assert rows[0]["original"] == "hxxp://evil[.]com/a"


def test_stdin_as_csv_with_a_type_filter() -> None:
    result = runner.invoke(app, ["iocs", "-", "-f", "csv", "-t", "ipv4"], input=TEXT)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "type,observable,original,line,start,end",
        "ipv4,10.1.2.3,10.1.2.3,1,35,43",
    ]


def test_table_file_columns(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    pd.DataFrame({"Cmd": ["ping 8.8.8.8", "dir"], "Other": ["1.1.1.1", ""]}).to_csv(path, index=False)
    result = runner.invoke(app, ["iocs", str(path), "-c", "Cmd", "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == "ipv4,8.8.8.8,8.8.8.8,0,Cmd,5,12"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["iocs", "no-such-file.txt"], "No such file"),
        (["iocs", "-", "-t", "ipv5"], "Unknown IoC type 'ipv5'"),
    ],
)
def test_errors_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, args, input="")
    assert result.exit_code == 2
    assert message in result.output


def test_accessor_on_frames_and_series() -> None:
    frame = pd.DataFrame({"cmd": ["ping 8.8.8.8"], "n": [1]})
    assert frame.huntbook.extract_iocs()["observable"].tolist() == ["8.8.8.8"]
    assert frame["cmd"].huntbook.extract_iocs()["column"].tolist() == ["cmd"]
    assert huntbook.extract_iocs("x 9.9.9.9")["observable"].tolist() == ["9.9.9.9"]


def test_accessor_unpacks() -> None:
    encoded = "SQBFAFgAIAAoACcAaAB0AHQAcAA6AC8ALwBlAHYAaQBsAC4AZQB4AGEAbQBwAGwAZQAuAGMAbwBtACcAKQA="
    frame = pd.DataFrame({"cmd": [f"powershell -enc {encoded}", "dir"]})
    layers = frame.huntbook.unpack(columns="cmd")
    assert "http://evil.example.com" in " ".join(layers["text"])
    assert huntbook.unpack(f"x {encoded}").children


def test_unpack_command(tmp_path: Path) -> None:
    encoded = "SQBFAFgAIAAoACcAaAB0AHQAcAA6AC8ALwBlAHYAaQBsAC4AZQB4AGEAbQBwAGwAZQAuAGMAbwBtACcAKQA="
    result = runner.invoke(app, ["unpack", "-", "-f", "json"], input=f"powershell -enc {encoded}\n")
    assert result.exit_code == 0, result.output
    (layer,) = [json.loads(line) for line in result.output.splitlines()]
    assert (layer["encoding"], layer["text"]) == ("base64", "IEX ('http://evil.example.com')")
    tree = runner.invoke(app, ["unpack", "-"], input=f"x {encoded}")
    assert "base64" in tree.output and "evil.example.com" in tree.output
    missing = runner.invoke(app, ["unpack", str(tmp_path / "none.bin")])
    assert missing.exit_code == 2 and "No such file" in missing.output
