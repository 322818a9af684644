"""MaxMind .mmdb lookups and the licence-key download, against a local HTTP server.

The databases are real MaxMind DB files written with ``mmdb-writer`` in the
layout of GeoLite2-City / GeoLite2-ASN; the server answers as MaxMind's
documented direct-download endpoint does (basic auth with account ID and
licence key, ``suffix=tar.gz`` and ``suffix=tar.gz.sha256``, a redirect to the
file's storage URL).
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from pydantic import SecretStr

from huntbook.config import Settings
from huntbook.enrich.geoip import (
    MaxMindDatabase,
    MaxMindDatabaseError,
    MaxMindDownloadError,
    download_maxmind,
    geo_lookup,
)

mmdb_writer = pytest.importorskip("mmdb_writer")
netaddr = pytest.importorskip("netaddr")

ACCOUNT, KEY = "123456", "s3cret-licence-KEY"


def _write_city(path):
    writer = mmdb_writer.MMDBWriter(
        ip_version=6,
        database_type="GeoLite2-City",
        languages=["en"],
        description="test city",
        ipv4_compatible=True,
    )
    writer.insert_network(
        netaddr.IPSet(["8.8.8.0/24"]),
        {
            "city": {"names": {"en": "Mountain View"}},
            "country": {"iso_code": "US", "names": {"en": "United States"}},
            "location": {"latitude": 37.386, "longitude": -122.0838},
        },
    )
    writer.insert_network(
        netaddr.IPSet(["2001:4860::/32"]),
        {
            "country": {"iso_code": "US", "names": {"en": "United States"}},
        },
    )
    writer.to_db_file(str(path))
    return path


def _write_asn(path):
    writer = mmdb_writer.MMDBWriter(ip_version=6, database_type="GeoLite2-ASN", ipv4_compatible=True)
    writer.insert_network(
        netaddr.IPSet(["8.8.8.0/24"]),
        {
            "autonomous_system_number": 15169,
            "autonomous_system_organization": "GOOGLE",
        },
    )
    writer.to_db_file(str(path))
    return path


@pytest.fixture(scope="module")
def databases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mmdb")
    return _write_city(folder / "GeoLite2-City.mmdb"), _write_asn(folder / "GeoLite2-ASN.mmdb")


def test_city_and_asn_databases_fill_city_coordinates_and_asn(databases):
    city_db, asn_db = databases
    frame = geo_lookup(["8.8.8.8", "2001:4860::1", "1.1.1.1", "10.0.0.1"], city_db=city_db, asn_db=asn_db)
    google = frame.iloc[0]
    assert (google["city"], google["country_code"], google["asn"], google["as_org"]) == (
        "Mountain View",
        "US",
        15169,
        "GOOGLE",
    )
    assert google["latitude"] == pytest.approx(37.386) and google["location_precision"] == "city"
    assert google["network"] == "8.8.8.0/24"
    assert "GeoLite2-City" in google["source"] and "GeoLite2-ASN" in google["source"]
    # country-only record: centre point; AS name from the offline data, and the source says so
    v6 = frame.iloc[1]
    assert v6["location_precision"] == "country" and v6["city"] == ""
    assert "GeoLite2-City" in v6["source"] and "geoip2fast" in v6["source"]
    # unknown to both files: offline fallback
    assert frame.iloc[2]["country_code"] == "AU" and frame.iloc[2]["source"].startswith("geoip2fast")
    assert frame.iloc[3]["status"] == "not looked up (private)"


def test_databases_come_from_config(databases):
    city_db, asn_db = databases
    maxmind = {"city_db": str(city_db), "asn_db": str(asn_db)}
    settings = Settings.model_validate({"providers": {"maxmind": maxmind}})
    assert geo_lookup("8.8.8.8", settings=settings).loc[0, "city"] == "Mountain View"
    assert geo_lookup("8.8.8.8", settings=settings, offline_only=True).loc[0, "city"] == ""
    by_folder = Settings.model_validate({"providers": {"maxmind": {"db_folder": str(city_db.parent)}}})
    assert geo_lookup("8.8.8.8", settings=by_folder).loc[0, "asn"] == 15169


def test_bad_database_paths_say_what_to_do(tmp_path):
    with pytest.raises(MaxMindDatabaseError, match=r"no such file.*download_maxmind"):
        MaxMindDatabase(tmp_path / "missing.mmdb")
    junk = tmp_path / "junk.mmdb"
    junk.write_bytes(b"not a database" * 100)
    with pytest.raises(MaxMindDatabaseError, match="not a readable MaxMind database"):
        geo_lookup("8.8.8.8", city_db=junk)


def _archive(edition: str, mmdb_bytes: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        readme = tarfile.TarInfo(f"{edition}_20261128/COPYRIGHT.txt")
        text = b"Database and Contents Copyright (c) MaxMind"
        readme.size = len(text)
        tar.addfile(readme, io.BytesIO(text))
        member = tarfile.TarInfo(f"{edition}_20261128/{edition}.mmdb")
        member.size = len(mmdb_bytes)
        tar.addfile(member, io.BytesIO(mmdb_bytes))
    return buffer.getvalue()


class _MaxMindServer(BaseHTTPRequestHandler):
    archives: ClassVar[dict[str, bytes]] = {}
    corrupt = False
    requests: ClassVar[list[str]] = []

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", content_type="application/octet-stream", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        self.requests.append(self.path)
        if url.path.startswith("/r2/"):  # the storage URL MaxMind redirects to (no auth there)
            edition = url.path.split("/")[2]
            body = self.archives[edition]
            if self.corrupt:
                body = body[:-10] + b"0123456789"
            return self._send(200, body)
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{KEY}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._send(
                401,
                b'{"code":"UNAUTHORIZED","error":"Invalid account ID or license key"}',
                "application/json",
            )
        parts = url.path.split("/")  # /geoip/databases/<edition>/download
        edition, suffix = parts[3], parse_qs(url.query)["suffix"][0]
        if edition not in self.archives:
            return self._send(404, b"Not Found", "text/plain")
        if suffix == "tar.gz.sha256":
            digest = hashlib.sha256(self.archives[edition]).hexdigest()
            return self._send(200, f"{digest}  {edition}_20261128.tar.gz\n".encode(), "text/plain")
        return self._send(302, headers={"Location": f"/r2/{edition}/{edition}_20261128.tar.gz"})


@pytest.fixture
def maxmind_server(databases):
    city_db, asn_db = databases
    _MaxMindServer.archives = {
        "GeoLite2-City": _archive("GeoLite2-City", city_db.read_bytes()),
        "GeoLite2-ASN": _archive("GeoLite2-ASN", asn_db.read_bytes()),
    }
    _MaxMindServer.corrupt = False
    _MaxMindServer.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _MaxMindServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _download(server, folder, editions=None, key=KEY):
    editions = {} if editions is None else {"editions": editions}
    return download_maxmind(
        **editions, account_id=ACCOUNT, license_key=key, folder=folder, base_url=server, progress=False
    )


def test_download_with_licence_key(maxmind_server, tmp_path):
    paths = _download(maxmind_server, tmp_path, key=SecretStr(KEY))
    assert set(paths) == {"GeoLite2-City", "GeoLite2-ASN"}
    assert paths["GeoLite2-City"] == tmp_path / "GeoLite2-City.mmdb"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["GeoLite2-ASN.mmdb", "GeoLite2-City.mmdb"]
    frame = geo_lookup("8.8.8.8", city_db=paths["GeoLite2-City"], asn_db=paths["GeoLite2-ASN"])
    assert (frame.loc[0, "city"], frame.loc[0, "asn"]) == ("Mountain View", 15169)
    assert "/geoip/databases/GeoLite2-City/download?suffix=tar.gz.sha256" in _MaxMindServer.requests
    assert "/geoip/databases/GeoLite2-City/download?suffix=tar.gz" in _MaxMindServer.requests


def test_refused_key_is_one_clear_error_without_the_key(maxmind_server, tmp_path):
    with pytest.raises(MaxMindDownloadError) as caught:
        _download(maxmind_server, tmp_path, key="wrong-" + KEY)
    assert caught.value.status == 401
    assert "licence key" in str(caught.value) and KEY not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_unknown_edition_and_bad_edition_id(maxmind_server, tmp_path):
    with pytest.raises(MaxMindDownloadError, match="HTTP 404") as caught:
        _download(maxmind_server, tmp_path, ("GeoIP2-Enterprise",))
    assert caught.value.edition == "GeoIP2-Enterprise"
    with pytest.raises(MaxMindDownloadError, match="not a valid edition ID"):
        _download(maxmind_server, tmp_path, ("../../etc",))


def test_corrupted_download_keeps_the_old_database(maxmind_server, tmp_path):
    old = tmp_path / "GeoLite2-City.mmdb"
    old.write_bytes(b"previous database")
    _MaxMindServer.corrupt = True
    with pytest.raises(MaxMindDownloadError, match="checksum mismatch"):
        _download(maxmind_server, tmp_path, ("GeoLite2-City",))
    assert old.read_bytes() == b"previous database"
    assert [p.name for p in tmp_path.iterdir()] == ["GeoLite2-City.mmdb"]


def test_download_reads_the_key_from_config_and_geo_lookup_finds_the_files(maxmind_server, tmp_path):
    folder = tmp_path / "mm"
    settings = Settings.model_validate(
        {"providers": {"maxmind": {"account_id": ACCOUNT, "api_key": KEY, "db_folder": str(folder)}}}
    )
    assert KEY not in repr(settings)
    paths = download_maxmind(base_url=maxmind_server, settings=settings, progress=False)
    assert paths["GeoLite2-ASN"] == folder / "GeoLite2-ASN.mmdb"
    assert geo_lookup("8.8.8.8", settings=settings).loc[0, "asn"] == 15169
    with pytest.raises(MaxMindDownloadError, match="no account ID / licence key"):
        download_maxmind(base_url=maxmind_server, settings=Settings(), progress=False)
