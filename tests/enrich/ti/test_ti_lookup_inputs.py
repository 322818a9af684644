"""What TILookup.lookup accepts, how it infers types, and how it runs inside an event loop."""

from __future__ import annotations

import asyncio

import pandas as pd
import pytest

from huntbook.config import Settings
from huntbook.enrich.ti import (
    Assessment,
    LocalProvider,
    LocalResult,
    LookupInputError,
    TILookup,
    UnknownProviderError,
)
from huntbook.enrich.ti.classify import classify


class Listed(LocalProvider):
    """A test-only offline provider: a fixed set of bad values."""

    name = "listed"
    types = frozenset({"ipv4", "domain", "url", "sha256"})
    bad = frozenset({"203.0.113.9", "evil-site.com", "http://evil-site.com/x"})

    def __init__(self, **options):
        super().__init__(**options)
        self.batches = []

    def lookup_batch(self, items):
        self.batches.append(list(items))
        return [
            LocalResult(Assessment("malicious", "high", "listed") if v in self.bad else None, {"v": v})
            for v, _ in items
        ]


class Broken(LocalProvider):
    name = "broken"
    types = frozenset({"ipv4"})

    def lookup_batch(self, items):
        raise OSError("feed disk unplugged")


def make(*providers):
    return TILookup(list(providers) or [Listed()], settings=Settings(), cache=False, progress=False)


def test_a_string_a_list_a_series_and_a_column():
    ti = make()
    assert list(ti.lookup("203.0.113.9")["verdict"]) == ["malicious"]
    assert list(ti.lookup(["203.0.113.9", "198.51.100.1"])["status"]) == ["ok", "not_found"]
    series = pd.Series(["evil-site.com", None, "198.51.100.1"])
    assert list(ti.lookup(series)["observable"]) == ["evil-site.com", "198.51.100.1"]
    frame = pd.DataFrame({"dst": ["203.0.113.9", "203.0.113.9"], "n": [1, 2]})
    out = ti.lookup(frame, column="dst")
    assert list(out["observable"]) == ["203.0.113.9"]  # duplicates are looked up once


def test_types_are_inferred_and_defanged_values_refanged():
    frame = make().lookup(["hxxp://evil-site[.]com/x", "EVIL-SITE.com", "203.0.113.9 ", "nonsense"])
    assert list(frame["observable"]) == ["http://evil-site.com/x", "evil-site.com", "203.0.113.9", "nonsense"]
    assert list(frame["type"]) == ["url", "domain", "ipv4", ""]
    assert list(frame["status"]) == ["ok", "ok", "ok", "error"]
    assert "pass types=" in frame.loc[3, "reason"]


def test_explicit_types():
    ti = make()
    out = ti.lookup(["evil-site.com", "203.0.113.9"], types=["domain", None])
    assert list(out["type"]) == ["domain", "ipv4"]
    out = ti.lookup("a" * 64, types="sha256")
    assert out.loc[0, "type"] == "sha256" and out.loc[0, "status"] == "not_found"
    with pytest.raises(LookupInputError, match="types has 1 entries for 2 observables"):
        ti.lookup(["a", "b"], types=["ipv4"])


def test_a_type_no_provider_takes_gets_one_row():
    out = make().lookup("someone@contoso.com")
    assert out.loc[0, "type"] == "email" and out.loc[0, "status"] == "error"
    assert out.loc[0, "reason"] == "no selected provider looks up type 'email' (providers: listed)"


def test_bad_input_is_a_clear_error():
    ti = make()
    with pytest.raises(LookupInputError, match="needs column="):
        ti.lookup(pd.DataFrame({"a": ["1.2.3.4"]}))
    with pytest.raises(LookupInputError, match=r"no column 'dts'\. Did you mean 'dst'"):
        ti.lookup(pd.DataFrame({"dst": ["1.2.3.4"]}), column="dts")
    with pytest.raises(LookupInputError, match="not int"):
        ti.lookup(42)
    with pytest.raises(UnknownProviderError, match="Did you mean 'virustotal'"):
        TILookup(["virustotl"], settings=Settings(), cache=False)


def test_one_provider_name_is_a_name_not_a_list_of_letters():
    with pytest.raises(UnknownProviderError, match=r"provider 'virustotl'\. Did you mean 'virustotal'"):
        TILookup("virustotl", settings=Settings(), cache=False)
    assert TILookup("tor", settings=Settings(), cache=False).provider_order == ["tor"]


def test_provider_names_ignore_case():
    ti = TILookup(["VirusTotal", "LAKE", "Tor"], settings=Settings(), cache=False)
    assert ti.provider_order == ["virustotal", "lake", "tor"]
    assert ti.lookup(["203.0.113.9"], providers="TOR")["provider"].tolist() == ["tor"]


def test_a_failing_offline_provider_keeps_the_others():
    out = make(Listed(), Broken()).lookup(["203.0.113.9", "198.51.100.1"])
    broken = out[out["provider"] == "broken"]
    assert list(broken["reason"]) == ["OSError: feed disk unplugged"] * 2
    assert out[out["provider"] == "listed"]["status"].tolist() == ["ok", "not_found"]


def test_offline_providers_get_one_batch():
    listed = Listed()
    make(listed).lookup(["203.0.113.9", "198.51.100.1", "evil-site.com"])
    assert listed.batches == [
        [("203.0.113.9", "ipv4"), ("198.51.100.1", "ipv4"), ("evil-site.com", "domain")]
    ]


def test_the_sync_call_works_inside_a_running_event_loop():
    ti = make()

    async def notebook_cell():
        return ti.lookup("203.0.113.9")  # as in Jupyter, where a loop is already running

    assert asyncio.run(notebook_cell()).loc[0, "verdict"] == "malicious"


def test_providers_per_call():
    ti = make(Listed(), Broken())
    out = ti.lookup("203.0.113.9", providers=["listed"])
    assert list(out["provider"]) == ["listed"]


def test_a_registered_provider_whose_module_is_missing_breaks_only_itself(monkeypatch):
    from huntbook.enrich.ti import registry

    monkeypatch.setitem(registry.BUILTIN, "ghost", "huntbook.enrich.ti.providers.online.ghost:Ghost")
    ti = TILookup(["ghost", Listed()], settings=Settings(), cache=False, progress=False)
    assert "could not be loaded" in ti.problems["ghost"]
    out = ti.lookup("203.0.113.9")
    assert out.set_index("provider").loc["listed", "verdict"] == "malicious"
    assert "ModuleNotFoundError" in out.set_index("provider").loc["ghost", "reason"]


def test_classify_uses_huntbooks_validators():
    assert classify(
        ["10.1.2.3", "2001:db8::1", "a@contoso.com", "x.exe", "999.1.1.1", "D41D8CD98F00B204E9800998ECF8427E"]
    ) == [
        ("10.1.2.3", "ipv4"),
        ("2001:db8::1", "ipv6"),
        ("a@contoso.com", "email"),
        None,
        None,
        ("d41d8cd98f00b204e9800998ecf8427e", "md5"),
    ]


def test_progress_bar_counts_every_answer(monkeypatch):
    from huntbook.enrich.ti import lookup as lookup_module

    bars = []

    class Recording(lookup_module._Progress):
        def __exit__(self, *exc):
            bars.append(self.bar.tasks[0] if self.bar else None)
            super().__exit__(*exc)

    monkeypatch.setattr(lookup_module, "_Progress", Recording)
    ti = TILookup([Listed(), Broken()], settings=Settings(), cache=False, progress=None)
    ti.lookup([f"203.0.113.{i}" for i in range(lookup_module.PROGRESS_MIN_ITEMS)])
    assert (bars[0].total, bars[0].completed) == (40, 40)  # two providers x 20
    ti.lookup(["203.0.113.1"])  # too small for a bar
    assert bars[1] is None
