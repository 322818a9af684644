import shutil

import pytest
from typer.testing import CliRunner

from huntbook.cli import app
from huntbook.data.lake.lake import Lake

pytest.importorskip("evtx")
runner = CliRunner(env={"COLUMNS": "2000"})  # no wrapping inside table cells
SAMPLE = "Command_and_Control/DE_RDP_Tunnel_5156.evtx"  # 101 Security records


def ingest(*args):
    return runner.invoke(app, ["lake", "ingest", *map(str, args)])


def test_a_folder_of_evtx_without_a_table_fills_the_event_tables(tmp_path, shared_data):
    folder = shared_data / "evtx"
    result = ingest(folder, "--lake", tmp_path / "lake")
    assert result.exit_code == 0, result.output
    files = sorted(folder.rglob("*.evtx"))
    assert f"{len(files)} files: {len(files)} ingested, 0 skipped, 0 failed; 1,808 records" in result.output
    assert "rows into SysmonEvent" in result.output and "rows into SecurityEvent" in result.output
    assert set(Lake(tmp_path / "lake").tables()) == {"Event", "SecurityEvent", "SysmonEvent"}
    again = ingest(folder, "--lake", tmp_path / "lake")
    assert again.exit_code == 0, again.output
    assert f"{len(files)} files: 0 ingested, {len(files)} skipped, 0 failed" in again.output


def test_keep_going_reports_a_bad_file_and_ingests_the_others(tmp_path, shared_data):
    sources = tmp_path / "in"
    sources.mkdir()
    shutil.copy(shared_data / "evtx" / SAMPLE, sources / "good.evtx")
    data = (shared_data / "evtx" / SAMPLE).read_bytes()
    (sources / "bad.evtx").write_bytes(data[: 4096 + 30000])
    lake = tmp_path / "lake"

    stopped = ingest(sources, "--lake", lake)
    assert stopped.exit_code == 2
    assert "bad.evtx: the file is truncated" in " ".join(stopped.output.split())
    assert Lake(lake).tables() == []

    result = ingest(sources, "--lake", lake, "--keep-going")
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "2 files: 1 ingested, 0 skipped, 1 failed; 101 records, 101 rows" in text
    assert "failed, nothing written" in text and "the file is truncated" in text
    assert "101 rows into SecurityEvent" in text
    assert int(Lake(lake).info()["rows"].sum()) == 101


def test_json_lines_that_are_not_events_are_kept_raw(tmp_path):
    source = tmp_path / "notes.jsonl"
    source.write_text('{"hello": 1}\n')
    result = ingest(source, "--lake", tmp_path / "lake")
    assert result.exit_code == 0, result.output
    assert "1 rows into UnparsedEvent_CL" in result.output
