"""The time-range picker drives the default start/end of a QueryProvider's catalog queries."""

import datetime as dt

import pytest

from huntbook.data.provider import QueryProvider
from huntbook.errors import QueryError
from huntbook.notebook.widgets import QueryTimeRange

UTC = dt.UTC


@pytest.fixture
def provider(demo_lake):
    """A provider of its own: binding a widget changes its state."""
    qp = QueryProvider("Local", lake=demo_lake)
    qp.connect()
    yield qp
    qp.close()


def test_queries_run_with_the_widget_range(provider):
    widget = QueryTimeRange(provider=provider)
    widget.set("2026-11-09 00:00", "2026-11-10 12:00")
    alerts = provider.SecurityAlert.list_alerts()
    ran = alerts.attrs["huntbook"]["parameters"]
    assert (ran["start"], ran["end"]) == (
        dt.datetime(2026, 11, 9, tzinfo=UTC),
        dt.datetime(2026, 11, 10, 12, tzinfo=UTC),
    )
    assert len(alerts) > 0
    assert alerts["TimeGenerated"].between(ran["start"], ran["end"]).all()
    everything = provider.exec_query("SecurityAlert")
    inside = everything["TimeGenerated"].between(ran["start"], ran["end"])
    assert len(alerts) == inside.sum() < len(everything)


def test_the_lookback_slider_moves_start_and_the_next_query_follows(provider):
    widget = provider.time_range_widget(end="2026-11-12 00:00", lookback="1d")
    first = provider.SecurityAlert.list_alerts().attrs["huntbook"]["parameters"]
    assert first["start"] == dt.datetime(2026, 11, 11, tzinfo=UTC)
    widget._slider.value = "7 d"  # as a person drags the slider
    assert widget.start == dt.datetime(2026, 11, 5, tzinfo=UTC)
    second = provider.SecurityAlert.list_alerts()
    ran = second.attrs["huntbook"]["parameters"]
    assert ran["start"] == dt.datetime(2026, 11, 5, tzinfo=UTC)
    assert ran["end"] == dt.datetime(2026, 11, 12, tzinfo=UTC)
    assert second["TimeGenerated"].min() >= ran["start"]
    assert len(second) > len(provider.SecurityAlert.list_alerts(start="2026-11-11", end="2026-11-12"))


def test_explicit_parameters_still_win_over_the_widget(provider):
    QueryTimeRange(provider=provider, start="2026-11-10", end="2026-11-11")
    frame = provider.SecurityAlert.list_alerts(start="2026-11-06", end="2026-11-20")
    assert frame.attrs["huntbook"]["parameters"]["start"] == dt.datetime(2026, 11, 6, tzinfo=UTC)


def test_a_backwards_range_fails_the_query_with_a_clear_error(provider):
    widget = QueryTimeRange(provider=provider, start="2026-11-10", end="2026-11-11")
    widget.end = "2026-11-01"
    assert "after its end" in widget._status.value
    with pytest.raises(QueryError, match=r"start .* is after its end"):
        provider.SecurityAlert.list_alerts()


def test_unbinding_restores_the_lake_span(provider):
    span = provider.time_range
    QueryTimeRange(provider=provider, lookback="1h", end="2026-11-10")
    assert provider.time_range[0] == dt.datetime(2026, 11, 9, 23, tzinfo=UTC)
    provider.set_time_range()
    assert provider.time_range == span


def test_defaults_come_from_the_provider_and_observers_hear_changes(provider):
    span = provider.time_range
    widget = QueryTimeRange(provider=provider)
    assert widget.value == span
    heard = []
    widget.observe(heard.append)
    widget.lookback = "2d"
    widget.set("2026-11-08", "now")
    assert heard[0][1] - heard[0][0] == dt.timedelta(days=2)
    assert heard[-1][0] == dt.datetime(2026, 11, 8, tzinfo=UTC)
    assert len(heard) == 2


def test_an_empty_picker_is_reported():
    widget = QueryTimeRange(start="2026-11-10", end="2026-11-11")
    widget._start_picker.value = None
    with pytest.raises(QueryError, match="no start"):
        widget.time_range  # noqa: B018


def test_it_displays_as_a_widget():
    bundle = QueryTimeRange(lookback="6h")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
