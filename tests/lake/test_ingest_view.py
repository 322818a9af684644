"""The ingest report table stays readable for a folder of thousands of files."""

from rich.console import Console

from huntbook.data.lake.ingest_view import ingest_report_table
from huntbook.data.lake.lake import IngestReport
from huntbook.errors import IngestError


def shown(reports, **kwargs):
    console = Console(record=True, width=200)
    console.print(ingest_report_table(reports, **kwargs))
    return console.export_text()


def reports(n):
    many = [IngestReport(f"/e/{i:04d}.evtx", {"SecurityEvent": 3}, records=3) for i in range(n)]
    many[5] = IngestReport("/e/bad.evtx", {}, error=IngestError("the file is truncated", path="/e/bad.evtx"))
    many[9] = IngestReport("/e/odd.evtx", {"SysmonEvent": 1, "UnparsedEvent_CL": 1}, records=2)
    many[11] = IngestReport("/e/again.evtx", {}, skipped=True)
    return many


def rows_of_files(text):
    return text.count("│ /e/")


def test_few_files_have_a_row_each():
    text = shown(reports(12))
    assert rows_of_files(text) == 12 and "/e/0000.evtx" in text


def test_many_files_keep_failures_and_unparsed_records_and_sum_up_the_rest():
    text = shown(reports(40))
    assert rows_of_files(text) == 2
    assert "/e/bad.evtx" in text and "truncated" in text
    assert "/e/odd.evtx" in text and "/e/0000.evtx" not in text
    assert "38 other files" in text and "111 rows into SecurityEvent" in text
    assert "37 ingested, 1 ingested before, skipped" in text
    assert "40 files: 38 ingested, 1 skipped, 1 failed; 113 records, 113 rows" in text


def test_the_limit_can_be_raised():
    assert rows_of_files(shown(reports(40), max_rows=100)) == 40
