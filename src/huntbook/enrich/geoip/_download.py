"""Download MaxMind GeoLite2/GeoIP2 databases with an account ID and licence key.

Uses MaxMind's documented direct-download endpoint
``https://download.maxmind.com/geoip/databases/{edition}/download?suffix=tar.gz``
with HTTP basic authentication (account ID, licence key); the archive's
``suffix=tar.gz.sha256`` companion is fetched first and checked. Only the
``.mmdb`` member of the archive is written, under a fixed name, and replaces
the old file atomically, so a failed download never leaves a broken database.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from huntbook.errors import HuntbookError, MissingExtraError

if TYPE_CHECKING:
    from huntbook.config import Settings

MAXMIND_BASE_URL = "https://download.maxmind.com"
DOWNLOAD_PATH = "/geoip/databases/{edition}/download"
DEFAULT_EDITIONS = ("GeoLite2-City", "GeoLite2-ASN")
#: Largest archive accepted (GeoIP2 City is ~120 MB compressed).
MAX_ARCHIVE_BYTES = 2 * 1024**3
_EDITION = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class MaxMindDownloadError(HuntbookError):
    """A MaxMind database could not be downloaded (the message never contains the licence key)."""

    def __init__(self, message: str, *, edition: str, status: int | None = None):
        self.edition = edition
        self.status = status
        super().__init__(f"MaxMind {edition}: {message}")


def default_database_folder() -> Path:
    """Return the folder downloaded databases go to by default (user data dir)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("huntbook")) / "maxmind"


def _fail_for_status(edition: str, status: int) -> None:
    if status in (401, 403):
        raise MaxMindDownloadError(
            f"MaxMind refused the account ID / licence key (HTTP {status}). Check both in huntbook.yaml "
            "(providers.maxmind.account_id and api_key) and that the key is active.",
            edition=edition, status=status)
    if status == 404:
        raise MaxMindDownloadError("no such edition, or your account may not download it (HTTP 404).",
                                   edition=edition, status=status)
    if status == 429:
        raise MaxMindDownloadError("daily download limit reached (HTTP 429); try again tomorrow.",
                                   edition=edition, status=status)
    if status >= 400:
        raise MaxMindDownloadError(f"download failed with HTTP {status}.", edition=edition, status=status)


def _extract_mmdb(archive: Path, edition: str, target: Path) -> None:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = next((m for m in tar if m.isfile() and m.name.endswith(f"{edition}.mmdb")), None)
            if member is None:
                raise MaxMindDownloadError(f"the archive holds no {edition}.mmdb file.", edition=edition)
            source = tar.extractfile(member)
            assert source is not None  # a regular file member always has contents
            partial = target.with_suffix(".mmdb.partial")
            with source, partial.open("wb") as out:
                shutil.copyfileobj(source, out)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise MaxMindDownloadError(f"the downloaded archive is not a valid tar.gz ({exc}).",
                                   edition=edition) from None
    os.replace(partial, target)


@dataclass(frozen=True)
class MaxMindConfig:
    """``providers.maxmind`` in huntbook.yaml: account_id, api_key (licence key), db_folder, city/asn_db."""

    account_id: str = ""
    license_key: SecretStr | None = None
    folder: Path | None = None
    city_db: Path | None = None
    asn_db: Path | None = None


def maxmind_config(settings: Settings | None = None) -> MaxMindConfig | None:
    """Return the configured MaxMind settings, or ``None`` when ``providers.maxmind`` is absent."""
    from huntbook.config import load_settings

    maxmind = (settings or load_settings()).providers.get("maxmind")
    if maxmind is None:
        return None
    extra = maxmind.model_extra or {}

    def path(key: str) -> Path | None:
        return Path(str(extra[key])).expanduser() if extra.get(key) else None

    return MaxMindConfig(str(extra.get("account_id") or ""), maxmind.api_key, path("db_folder"),
                         path("city_db"), path("asn_db"))


def download_maxmind(
    editions: tuple[str, ...] = DEFAULT_EDITIONS,
    *,
    account_id: str | None = None,
    license_key: SecretStr | str | None = None,
    folder: str | Path | None = None,
    settings: Settings | None = None,
    base_url: str = MAXMIND_BASE_URL,
    timeout: float = 60.0,
    progress: bool = True,
) -> dict[str, Path]:
    """Download MaxMind databases and return ``{edition: path of its .mmdb}``.

    Parameters
    ----------
    editions : tuple of str
        Edition IDs, e.g. ``("GeoLite2-City", "GeoLite2-ASN")``.
    account_id, license_key : str, optional
        Your MaxMind account ID and licence key (the key is a secret: it is sent
        as basic-auth password only and never printed); default
        ``providers.maxmind.account_id`` and ``api_key`` in ``huntbook.yaml``.
    folder : path, optional
        Where the ``.mmdb`` files go; default ``providers.maxmind.db_folder``,
        else `default_database_folder` (where `geo_lookup` also looks once
        ``providers.maxmind`` is configured).
    settings : Settings, optional
        Configuration to read (default: `load_settings`).
    base_url : str
        The download host (tests point it at a local server).

    Raises
    ------
    MaxMindDownloadError
        Refused credentials, unknown edition, rate limit, checksum mismatch or a bad archive.
    """
    try:
        import httpx
    except ImportError:
        raise MissingExtraError("httpx", "geo", feature="Downloading MaxMind databases") from None
    from rich.progress import DownloadColumn, Progress, TransferSpeedColumn

    config = maxmind_config(settings) or MaxMindConfig()
    account_id = account_id or config.account_id
    if license_key is None:
        license_key = config.license_key
    if not account_id or license_key is None:
        raise MaxMindDownloadError(
            "no account ID / licence key: pass account_id= and license_key=, or set "
            "providers.maxmind.account_id and providers.maxmind.api_key in huntbook.yaml "
            "(free GeoLite2 account: https://www.maxmind.com/en/geolite2/signup).",
            edition=", ".join(editions))
    key = license_key if isinstance(license_key, SecretStr) else SecretStr(license_key)
    target_folder = Path(folder or config.folder or default_database_folder()).expanduser()
    target_folder.mkdir(parents=True, exist_ok=True)
    auth = httpx.BasicAuth(str(account_id), key.get_secret_value())
    paths: dict[str, Path] = {}
    with httpx.Client(base_url=base_url, auth=auth, timeout=timeout, follow_redirects=True) as client, \
            Progress(*Progress.get_default_columns(), DownloadColumn(), TransferSpeedColumn(),
                     disable=not progress, transient=True) as bar:
        for edition in editions:
            if not _EDITION.match(edition):
                raise MaxMindDownloadError("not a valid edition ID (letters, digits and '-').",
                                           edition=edition[:80])
            url = DOWNLOAD_PATH.format(edition=edition)
            try:
                checksum = client.get(url, params={"suffix": "tar.gz.sha256"})
                _fail_for_status(edition, checksum.status_code)
                expected = checksum.text.split()[0].lower() if checksum.text.split() else ""
                with tempfile.TemporaryDirectory(dir=target_folder) as tmp:
                    archive = Path(tmp) / f"{edition}.tar.gz"
                    digest = hashlib.sha256()
                    with client.stream("GET", url, params={"suffix": "tar.gz"}) as response:
                        _fail_for_status(edition, response.status_code)
                        total = int(response.headers.get("Content-Length", 0)) or None
                        task = bar.add_task(f"MaxMind {edition}", total=total)
                        size = 0
                        with archive.open("wb") as out:
                            for chunk in response.iter_bytes(1 << 20):
                                size += len(chunk)
                                if size > MAX_ARCHIVE_BYTES:
                                    raise MaxMindDownloadError(
                                        f"archive larger than {MAX_ARCHIVE_BYTES} bytes; stopped.",
                                        edition=edition)
                                digest.update(chunk)
                                out.write(chunk)
                                bar.advance(task, len(chunk))
                    if digest.hexdigest() != expected:
                        raise MaxMindDownloadError(
                            f"checksum mismatch (expected {expected[:16]}..., "
                            f"got {digest.hexdigest()[:16]}...); "
                            "the download was corrupted, nothing was replaced.", edition=edition)
                    target = target_folder / f"{edition}.mmdb"
                    _extract_mmdb(archive, edition, target)
            except httpx.HTTPError as exc:
                raise MaxMindDownloadError(f"download failed: {type(exc).__name__}: {exc}",
                                           edition=edition) from None
            paths[edition] = target
    return paths
