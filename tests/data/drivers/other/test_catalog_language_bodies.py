"""A query may get bodies in other languages from another file (queries/spl, queries/sql, ...)."""

from __future__ import annotations

import pytest

from huntbook.data.catalog import Catalog, load_catalog
from huntbook.errors import CatalogError

KQL = """family: Hunts
queries:
  by_host:
    description: d
    parameters:
      host_name: {type: str, description: h}
    kql: SecurityEvent | where Computer == host_name
"""

SPL = """family: Hunts
queries:
  by_host:
    description: d
    parameters:
      host_name: {type: str, description: "the host, in other words"}
    spl: search sourcetype=SecurityEvent Computer=$host_name$
"""


def _load(tmp_path, **files):
    for name, text in files.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "hunts.yaml").write_text(text)
    catalog = Catalog()
    catalog.load_folder(tmp_path)
    return catalog


def test_bodies_in_other_languages_merge(tmp_path):
    query = _load(tmp_path, kql=KQL, spl=SPL)["Hunts.by_host"]
    assert query.languages == ("kql", "spl")
    assert query.source.endswith("kql/hunts.yaml")
    assert query.body("spl").startswith("search")


def test_other_parameters_are_an_error(tmp_path):
    with pytest.raises(CatalogError, match=r"spl/hunts.yaml:3.*same parameters.*host_name"):
        _load(tmp_path, kql=KQL, spl=SPL.replace("host_name: {type: str", "host_name: {type: int"))


def test_the_same_language_twice_is_still_a_duplicate(tmp_path):
    with pytest.raises(CatalogError, match="duplicate query name"):
        _load(tmp_path, kql=KQL, spl=KQL)


def test_builtin_catalog_has_bodies_per_backend():
    catalog = load_catalog()
    by_language = {
        lang: {n for n, q in catalog.items() if lang in q.bodies} for lang in ("spl", "opensearch", "sql")
    }
    families = {lang: {n.split(".")[0] for n in names} for lang, names in by_language.items()}
    for lang in ("spl", "opensearch"):
        assert {"WindowsSecurity", "Network", "DNS", "SecurityAlert"} <= families[lang], lang
    assert {"LinuxSyslog", "AzureAD", "ThreatIntelligence", "Heartbeat"} <= families["sql"]  # for Spark
    assert all("kql" in catalog[n].bodies for names in by_language.values() for n in names)
