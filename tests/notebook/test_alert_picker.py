"""The alert picker over the demo lake's SecurityAlert rows, and the data viewer."""

import pandas as pd
import pytest

from huntbook.notebook.widgets import AlertPicker, DataViewer


@pytest.fixture(scope="module")
def alerts(qp):
    return qp.exec_query("SecurityAlert | sort by TimeGenerated asc")


def test_summary_counts_alerts_by_severity(alerts):
    picker = AlertPicker(alerts)
    counts = alerts["AlertSeverity"].value_counts()
    summary = picker.summary_html()
    assert f"<b>{len(alerts)} alerts</b>" in summary
    for severity, count in counts.items():
        assert f"{count} {severity}" in summary
    assert len(picker.labels) == len(alerts)


def test_choosing_an_alert_shows_details_and_runs_the_callback_query(qp, alerts):
    host_alerts = []

    def investigate(alert):
        host_alerts.append(qp.SecurityAlert.list_alerts_for_host(host_name=alert["CompromisedEntity"]))

    picker = AlertPicker(alerts, on_select=investigate)
    picker.filter_text = "powershell"
    assert picker.visible and all("powershell" in line.lower() for line in picker.visible)
    picker._picker._list.value = picker.visible[0]  # a click on the first line
    chosen = picker.value
    assert "PowerShell" in chosen["AlertName"]
    ran = host_alerts[0].attrs["huntbook"]["parameters"]
    assert ran["host_name"] == chosen["CompromisedEntity"]
    assert chosen["SystemAlertId"] in set(host_alerts[0]["SystemAlertId"])
    details = picker._details.value
    assert chosen["SystemAlertId"] in details
    assert "<pre" in details  # the Entities JSON, indented


def test_index_selection_and_hostile_fields_are_escaped(alerts):
    hostile = alerts.head(2).copy()
    hostile.loc[1, "AlertName"] = "<img src=x onerror=alert(1)>"
    hostile.loc[1, "Entities"] = '[{"Type": "host", "HostName": "<script>x</script>"}]'
    picker = AlertPicker(hostile)
    picker.index = 1
    html = picker.details_html()
    assert "<img" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    with pytest.raises(IndexError):
        picker.index = 5


def test_data_viewer_filters_chooses_columns_and_pages(qp):
    events = qp.exec_query("SecurityEvent | where EventID == 4688 | take 500 | sort by TimeGenerated asc")
    viewer = DataViewer(events, columns=["TimeGenerated", "Computer", "CommandLine"], page_size=25)
    assert viewer.page_count == 20
    viewer.filter_text = "POWERSHELL"
    expected = events[
        events["CommandLine"].str.contains("powershell", case=False, na=False)
        | events["Computer"].str.contains("powershell", case=False, na=False)
    ]
    assert len(viewer.value) == len(expected) > 0
    assert list(viewer.value.columns) == ["TimeGenerated", "Computer", "CommandLine"]
    viewer.filter_text = ""
    viewer.page = 3
    assert viewer.page_frame.index.tolist() == events.index[50:75].tolist()
    viewer._step(1)  # "Next ›"
    assert viewer.page == 4
    viewer.page_size = 100
    assert (viewer.page, viewer.page_count) == (1, 5)
    with pytest.raises(ValueError, match="out of range"):
        viewer.page = 6


def test_data_viewer_escapes_and_cuts_cells():
    frame = pd.DataFrame({"text": ["<b>bold</b>", "x" * 1000], "n": [1, 2]})
    viewer = DataViewer(frame)
    html = viewer.to_html()
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "x" * 200 not in html
    viewer.filter_text = "[unclosed("  # plain text, not a pattern
    assert len(viewer.value) == 0
    assert "rows 0–0 of 0 (filtered from 2)" in viewer._repr_html_()
