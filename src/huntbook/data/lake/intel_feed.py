"""A STIX 2.1 intel feed for a demo lake: a partner's report on the planted attacks' infrastructure.

The lake's ``ThreatIntelligenceIndicator`` table knows only some attacker
indicators (those with ``in_ti``). This feed plays the second source an analyst
has beside it: a partner's STIX 2.1 bundle (built with the ``stix2`` package)
on the intrusion — its C2 address and domain, download URLs, exfiltration
address and payload hashes — and on every attacker indicator the table lacks.
The bundle is deterministic: the same ground truth gives the same bytes::

    from huntbook.data.lake.intel_feed import write_stix_feed
    write_stix_feed(load_ground_truth(lake), lake / "feeds" / "demo-intel.stix.json")
"""

from __future__ import annotations

import importlib
import os
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huntbook.errors import MissingExtraError

if TYPE_CHECKING:
    from huntbook.data.lake._demo_truth import GroundTruth, Indicator

FEED_FILE = Path("feeds") / "demo-intel.stix.json"
"""Where a demo lake's feed goes, relative to the lake folder."""

STIX_PATTERNS = {
    "ip": "[ipv4-addr:value = '{}']",
    "domain": "[domain-name:value = '{}']",
    "url": "[url:value = '{}']",
    "md5": "[file:hashes.MD5 = '{}']",
    "sha1": "[file:hashes.'SHA-1' = '{}']",
    "sha256": "[file:hashes.'SHA-256' = '{}']",
}
"""Ground-truth indicator type -> STIX pattern (other types, such as file paths, are left out)."""

ROLE_NAMES = {
    "c2_ip": "C2 server address",
    "c2_domain": "C2 domain",
    "cradle_url": "PowerShell download cradle URL",
    "payload_url": "Payload download URL",
    "exfil_ip": "Exfiltration destination",
    "cron_download_url": "Download URL of a cron persistence script",
}

_NAMESPACE = uuid.UUID("6f1d3c36-52d5-4a8e-9c55-6a3b1f0e2d71")


def _stix2() -> Any:
    try:
        return importlib.import_module("stix2")
    except ImportError:
        raise MissingExtraError("stix2", "ti", feature="Writing the demo STIX feed") from None


def feed_indicators(truth: GroundTruth) -> list[Indicator]:
    """The ground-truth indicators the feed reports: the intrusion's, and every one the TI table lacks."""
    return [
        i for i in truth.indicators if i.type in STIX_PATTERNS and (i.scenario == "intrusion" or not i.in_ti)
    ]


def _id(kind: str, key: str) -> str:
    return f"{kind}--{uuid.uuid5(_NAMESPACE, key)}"


def stix_bundle(truth: GroundTruth) -> str:
    """Return the feed of *truth* as STIX 2.1 bundle JSON text (deterministic)."""
    stix2 = _stix2()
    when = truth.start
    author = stix2.Identity(
        id=_id("identity", "author"),
        name="Fabrikam CERT (demo partner feed)",
        identity_class="organization",
        created=when,
        modified=when,
    )
    common = {"created_by_ref": author.id, "created": when, "modified": when}
    payload = truth.intrusion.payload_path.rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    families = {
        "intrusion": stix2.Malware(
            id=_id("malware", "intrusion"),
            name=f"{payload} loader",
            is_family=False,
            malware_types=["remote-access-trojan"],
            **common,
        ),
        "ssh_brute_force": stix2.Malware(
            id=_id("malware", "ssh"),
            name="cron miner dropper",
            is_family=False,
            malware_types=["resource-exploitation"],
            **common,
        ),
    }
    objects: list[Any] = [author, *families.values()]
    for ioc in feed_indicators(truth):
        value = ioc.value.replace("\\", "\\\\").replace("'", "\\'")
        name = ROLE_NAMES.get(ioc.role, ioc.role.replace("_", " ").capitalize())
        indicator = stix2.Indicator(
            id=_id("indicator", f"{ioc.role}:{ioc.value}"),
            name=name,
            description=f"{name} seen in the {ioc.scenario.replace('_', ' ')} (demo).",
            indicator_types=["malicious-activity"],
            pattern=STIX_PATTERNS[ioc.type].format(value),
            pattern_type="stix",
            valid_from=when,
            confidence=85,
            **common,
        )
        objects.append(indicator)
        family = families.get(ioc.scenario)
        if family is not None:
            objects.append(
                stix2.Relationship(
                    id=_id("relationship", indicator.id),
                    relationship_type="indicates",
                    source_ref=indicator.id,
                    target_ref=family.id,
                    **common,
                )
            )
    bundle = stix2.Bundle(objects=objects, id=_id("bundle", f"{truth.seed}:{truth.scale}"))
    text: str = bundle.serialize(pretty=True)
    return text


def write_stix_feed(truth: GroundTruth, path: Path) -> Path:
    """Write the feed of *truth* to *path* (atomically; unchanged files are left alone); return *path*.

    Raises
    ------
    MissingExtraError
        ``stix2`` is not installed.
    OSError
        *path* cannot be written.
    """
    text = stix_bundle(truth)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".feed-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path


def demo_feed(lake: Path, scratch: Path | None = None) -> Path | None:
    """Return the partner feed of demo lake *lake*, writing it first if it is not there yet.

    The feed goes to ``lake / FEED_FILE``; when the lake folder cannot be
    written, to ``scratch / FEED_FILE.name`` (the user cache folder by default).

    Returns
    -------
    Path or None
        The feed file, or None when *lake* is not a demo lake (no ground truth).

    Raises
    ------
    MissingExtraError
        ``stix2`` is not installed.
    """
    from huntbook.data.lake.demo import GROUND_TRUTH_FILE, load_ground_truth

    lake = Path(lake).expanduser()
    if not (lake / GROUND_TRUTH_FILE).is_file():
        return None
    truth = load_ground_truth(lake)
    try:
        return write_stix_feed(truth, lake / FEED_FILE)
    except OSError:
        if scratch is None:
            from platformdirs import user_cache_dir

            scratch = Path(user_cache_dir("huntbook")) / "feeds" / lake.name
        return write_stix_feed(truth, scratch / FEED_FILE.name)
