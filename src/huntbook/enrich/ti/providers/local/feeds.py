"""The ``feeds`` TI provider: indicators from local files (CSV, plain lists, STIX 2.1, MISP JSON).

::

    providers:
      feeds:
        paths: [~/intel/*.json, ~/intel/blocklist.txt, ~/intel/iocs.csv]
        verdict: malicious     # for CSV/list entries without their own (default)
        severity: high

Without ``paths`` the provider reads the demo lake's partner feed (the lake being
``lake:`` of this section, ``lake.path`` or the bundled demo lake), so
``huntbook lookup -p feeds`` works on a demo lake with no configuration.

The format is chosen per file: ``.json`` files are STIX 2.1 bundles
(``"type": "bundle"``) or MISP exports (``Event`` / ``response``); ``.csv``
files have a header row with a value column (``indicator``, ``ioc``, ``value``,
...) and optional ``type``, ``description``, ``threat``, ``severity``,
``verdict``, ``confidence``, ``reference`` columns; anything else is a list of
one indicator per line (``#`` starts a comment). IP entries may be CIDR ranges.
"""

from __future__ import annotations

import csv
import datetime as dt
import ipaddress
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, cast

from huntbook.enrich.ti.classify import LOOKUP_TYPES, classify
from huntbook.enrich.ti.local import LocalProvider, LocalResult
from huntbook.enrich.ti.provider import SEVERITIES, VERDICTS, ProviderError, Severity, Verdict
from huntbook.enrich.ti.providers.local.index import (
    Entry,
    FeedError,
    Index,
    WatchedIndex,
    severity_of_confidence,
)
from huntbook.errors import MissingExtraError

# -- STIX 2.1 -----------------------------------------------------------------

STIX_TYPES: Mapping[tuple[str, str], str] = {
    ("ipv4-addr", "value"): "ipv4",
    ("ipv6-addr", "value"): "ipv6",
    ("domain-name", "value"): "domain",
    ("url", "value"): "url",
    ("email-addr", "value"): "email",
    ("file", "hashes.MD5"): "md5",
    ("file", "hashes.SHA-1"): "sha1",
    ("file", "hashes.SHA-256"): "sha256",
}
"""STIX object path -> huntbook IoC type."""

_STIX_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'")
_SUSPICIOUS_STIX = frozenset({"anomalous-activity", "anonymization"})
_STIX_READ = frozenset({"indicator", "relationship", "malware", "threat-actor", "campaign"})


def _import(module: str) -> Any:
    """Import an untyped optional module (stix2 has no type information)."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError("stix2", "ti", feature="Reading STIX 2.1 feeds") from None


def _stix_strings(literal: str) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", m) for m in _STIX_STRING.findall(literal)]


def read_stix(path: Path, data: Mapping[str, Any]) -> Iterator[Entry]:
    """Yield the entries of the STIX indicators in a bundle (revoked ones skipped)."""
    stix2 = _import("stix2")
    Pattern = _import("stix2patterns.v21.pattern").Pattern  # noqa: N806 - a class

    # Only the objects read below are validated (stix2 costs about a millisecond per object).
    listed = data.get("objects") or []
    wanted = [o for o in listed if not isinstance(o, Mapping) or o.get("type") in _STIX_READ]
    try:
        bundle = stix2.parse({**data, "objects": wanted}, allow_custom=True, version="2.1")
    except (_import("stix2.exceptions").STIXError, ValueError, TypeError) as exc:
        raise FeedError(f"not a valid STIX 2.1 bundle: {exc}", path=str(path)) from None
    objects = list(getattr(bundle, "objects", None) or [])
    names = {
        o.id: getattr(o, "name", None) for o in objects if o.type in ("malware", "threat-actor", "campaign")
    }
    threats: dict[str, list[str]] = {}
    for o in objects:
        if o.type == "relationship" and o.relationship_type == "indicates" and names.get(o.target_ref):
            threats.setdefault(o.source_ref, []).append(str(names[o.target_ref]))
    now = dt.datetime.now(dt.UTC)
    for o in objects:
        if o.type != "indicator" or getattr(o, "revoked", False) or o.pattern_type != "stix":
            continue
        try:
            comparisons = Pattern(o.pattern).inspect().comparisons
        except Exception as exc:  # the pattern library raises its own parse errors
            raise FeedError(f"indicator {o.id}: unreadable pattern ({exc})", path=str(path)) from None
        expired = getattr(o, "valid_until", None) is not None and o.valid_until < now
        kinds = [str(k) for k in getattr(o, "indicator_types", None) or []]
        verdict: Verdict = "suspicious" if expired or _SUSPICIOUS_STIX & set(kinds) else "malicious"
        if "benign" in kinds:
            verdict = "benign"
        confidence = getattr(o, "confidence", None)
        severity: Severity = "info" if expired else severity_of_confidence(confidence)
        threat = (
            ", ".join(threats.get(o.id, [])) or getattr(o, "name", None) or ", ".join(kinds) or "indicator"
        )
        refs = [r.url for r in getattr(o, "external_references", None) or [] if getattr(r, "url", None)]
        details = {
            "stix_id": o.id,
            "name": getattr(o, "name", None),
            "description": getattr(o, "description", None),
            "indicator_types": kinds,
            "confidence": confidence,
            "valid_from": str(o.valid_from),
            "valid_until": str(o.valid_until) if getattr(o, "valid_until", None) else None,
            "threats": threats.get(o.id, []),
            "file": path.name,
        }
        summary = f"{threat} (STIX indicator{', expired' if expired else ''}) in {path.name}"
        for object_type, items in comparisons.items():
            for steps, op, literal in items:
                kind = STIX_TYPES.get((object_type, ".".join(str(s) for s in steps)))
                if kind is None or op not in ("=", "IN"):
                    continue
                for value in _stix_strings(literal):
                    yield Entry(
                        value, kind, path.name, verdict, severity, summary, refs[0] if refs else None, details
                    )


# -- MISP -------------------------------------------------------------------------

MISP_TYPES: Mapping[str, str] = {
    "ip-src": "ip",
    "ip-dst": "ip",
    "ip-src|port": "ip",
    "ip-dst|port": "ip",
    "domain": "domain",
    "hostname": "domain",
    "domain|ip": "domain|ip",
    "url": "url",
    "link": "url",
    "md5": "md5",
    "sha1": "sha1",
    "sha256": "sha256",
    "filename|md5": "md5",
    "filename|sha1": "sha1",
    "filename|sha256": "sha256",
    "email": "email",
    "email-src": "email",
    "email-dst": "email",
}
"""MISP attribute type -> huntbook IoC type (``ip``: v4 or v6 by value)."""

MISP_THREAT_LEVELS: Mapping[str, Severity] = {"1": "high", "2": "medium", "3": "low", "4": "info"}


def _misp_events(data: Any) -> list[Mapping[str, Any]]:
    if isinstance(data, Mapping) and "response" in data:
        data = data["response"]
    items = data if isinstance(data, list) else [data]
    events = []
    for item in items:
        event = item.get("Event", item) if isinstance(item, Mapping) else None
        if not isinstance(event, Mapping) or not ("Attribute" in event or "Object" in event):
            raise FeedError("not a MISP event export (no Event with Attribute or Object)", path="")
        events.append(event)
    return events


def _misp_values(misp_type: str, value: str) -> list[tuple[str, str]]:
    kind = MISP_TYPES[misp_type]
    if misp_type.startswith("filename|"):
        value = value.rpartition("|")[2]
    elif misp_type.endswith("|port"):
        value = value.partition("|")[0]
    if kind == "domain|ip":
        domain, _, ip = value.partition("|")
        return [(domain, "domain"), *_misp_values("ip-dst", ip)]
    if kind == "ip":
        try:
            kind = "ipv6" if ipaddress.ip_network(value.strip(), strict=False).version == 6 else "ipv4"
        except ValueError:
            return []
    return [(value, kind)]


def read_misp(path: Path, data: Any) -> Iterator[Entry]:
    """Yield the entries of the attributes (and objects' attributes) of MISP events."""
    try:
        events = _misp_events(data)
    except FeedError as exc:
        raise FeedError(str(exc).removeprefix(": "), path=str(path)) from None
    for event in events:
        severity = MISP_THREAT_LEVELS.get(str(event.get("threat_level_id", "4")), "info")
        info = str(event.get("info") or "MISP event")
        tags = [str(t.get("name")) for t in event.get("Tag") or [] if isinstance(t, Mapping)]
        attributes = list(event.get("Attribute") or [])
        for obj in event.get("Object") or []:
            attributes += list(obj.get("Attribute") or []) if isinstance(obj, Mapping) else []
        for attribute in attributes:
            if not isinstance(attribute, Mapping) or attribute.get("deleted") in (True, "1"):
                continue
            misp_type, value = str(attribute.get("type", "")), attribute.get("value")
            if misp_type not in MISP_TYPES or not isinstance(value, str):
                continue
            to_ids = attribute.get("to_ids") in (True, "1", 1)
            verdict: Verdict = "malicious" if to_ids else "suspicious"
            details = {
                "event": info,
                "event_uuid": event.get("uuid"),
                "event_date": event.get("date"),
                "category": attribute.get("category"),
                "misp_type": misp_type,
                "to_ids": to_ids,
                "comment": attribute.get("comment") or None,
                "tags": tags,
                "file": path.name,
            }
            summary = f"MISP: {info} ({attribute.get('category') or misp_type}) in {path.name}"
            for one, kind in _misp_values(misp_type, value):
                yield Entry(one, kind, path.name, verdict, severity, summary, None, details)


# -- CSV and plain lists -----------------------------------------------------------

VALUE_COLUMNS = ("indicator", "ioc", "value", "observable", "ip", "domain", "url", "hash")
TYPE_COLUMNS = ("type", "ioc_type", "indicator_type")


def _choose(header: Sequence[str], names: Sequence[str]) -> str | None:
    lowered = {h.strip().lower(): h for h in header}
    return next((lowered[n] for n in names if n in lowered), None)


def _typed(values: list[str], given: list[str | None], path: Path, lines: list[int]) -> list[tuple[str, str]]:
    """Return ``(value, type)`` for each entry; untyped values are classified (CIDR ranges too)."""
    untyped = [i for i, t in enumerate(given) if not t]
    guesses = classify([values[i] for i in untyped])
    out: list[tuple[str, str] | None] = [(v, t) if t else None for v, t in zip(values, given, strict=True)]
    for i, guess in zip(untyped, guesses, strict=True):
        if guess is None and "/" in values[i]:
            try:
                network = ipaddress.ip_network(values[i].strip(), strict=False)
                guess = (str(network), f"ipv{network.version}")
            except ValueError:
                guess = None
        if guess is None:
            raise FeedError(
                f"{values[i][:80]!r} is not an indicator huntbook knows ({', '.join(LOOKUP_TYPES)})",
                path=str(path),
                line=lines[i],
            )
        out[i] = guess
    return [o for o in out if o is not None]


def read_csv(path: Path, text: str, verdict: Verdict, severity: Severity) -> Iterator[Entry]:
    """Yield the entries of a CSV file with a header row."""
    reader = csv.DictReader(text.splitlines())
    header = list(reader.fieldnames or [])
    value_col = _choose(header, VALUE_COLUMNS)
    if value_col is None:
        raise FeedError(
            f"no indicator column; name one of {', '.join(VALUE_COLUMNS)} (columns: {header})",
            path=str(path),
            line=1,
        )
    type_col = _choose(header, TYPE_COLUMNS)
    optional = {n: _choose(header, [n, *alt]) for n, alt in _OPTIONAL.items()}
    rows = [(reader.line_num, row) for row in reader if (row.get(value_col) or "").strip()]
    values = [row[value_col].strip() for _, row in rows]
    given: list[str | None] = [
        (row.get(type_col) or "").strip().lower() or None if type_col else None for _, row in rows
    ]
    for (value, kind), (line, row) in zip(
        _typed(values, given, path, [n for n, _ in rows]), rows, strict=True
    ):
        extra = {n: row.get(c) or None for n, c in optional.items() if c}
        row_verdict = (extra.pop("verdict", None) or verdict).lower()
        row_severity = (extra.pop("severity", None) or "").lower()
        confidence = extra.get("confidence")
        if row_verdict not in VERDICTS:
            raise FeedError(f"verdict {row_verdict!r} is not one of {VERDICTS}", path=str(path), line=line)
        if row_severity and row_severity not in SEVERITIES:
            raise FeedError(
                f"severity {row_severity!r} is not one of {SEVERITIES}", path=str(path), line=line
            )
        if not row_severity and confidence:
            try:
                row_severity = severity_of_confidence(float(confidence))
            except ValueError:
                raise FeedError(
                    f"confidence {confidence!r} is not a number", path=str(path), line=line
                ) from None
        what = extra.get("threat") or extra.get("description") or "listed"
        summary = f"{what} in {path.name}"
        details = {**{k: v for k, v in extra.items() if v is not None}, "file": path.name, "line": line}
        reference = extra.pop("reference", None)
        yield Entry(
            value,
            kind,
            path.name,
            cast(Verdict, row_verdict),
            cast(Severity, row_severity or severity),
            summary,
            reference,
            details,
        )


_OPTIONAL: Mapping[str, tuple[str, ...]] = {
    "description": ("comment", "desc"),
    "threat": ("threat_type", "malware", "tags"),
    "severity": (),
    "verdict": (),
    "confidence": ("score",),
    "reference": ("link", "source_url"),
}


def read_list(path: Path, text: str, verdict: Verdict, severity: Severity) -> Iterator[Entry]:
    """Yield the entries of a plain list: one indicator per line, ``#`` comments."""
    values: list[str] = []
    numbers: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        token = line.split("#", 1)[0].strip().split()
        if token:
            values.append(token[0])
            numbers.append(number)
    typed = _typed(values, [None] * len(values), path, numbers)
    for (value, kind), number in zip(typed, numbers, strict=True):
        yield Entry(
            value, kind, path.name, verdict, severity, f"listed in {path.name}", None, {"line": number}
        )


# -- the provider ------------------------------------------------------------------


def read_feed(path: Path, verdict: Verdict, severity: Severity) -> list[Entry]:
    """Read one feed file, choosing the reader by extension and content."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedError(f"cannot be read: {exc}", path=str(path)) from None
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise FeedError(f"not valid JSON: {exc}", path=str(path)) from None
        if isinstance(data, Mapping) and data.get("type") == "bundle":
            return list(read_stix(path, data))
        return list(read_misp(path, data))
    if suffix == ".csv":
        return list(read_csv(path, text, verdict, severity))
    return list(read_list(path, text, verdict, severity))


_SET_PATHS = "set providers.feeds.paths in huntbook.yaml to the feed files (globs allowed)"


class FeedFiles(LocalProvider):
    """Indicators from local feed files (see the module docstring for formats and options).

    Without ``paths``, the feed of the demo lake in use (its partner STIX feed,
    `huntbook.data.lake.intel_feed`, written beside the lake on first use).
    """

    name: ClassVar[str] = "feeds"
    types: ClassVar[frozenset[str]] = frozenset(LOOKUP_TYPES)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        paths = self.options.get("paths")
        if isinstance(paths, str | Path):
            paths = [paths]
        if paths is not None and (not paths or not all(isinstance(p, str | Path) for p in paths)):
            raise ProviderError(f"feeds: {_SET_PATHS}", provider=self.name)
        verdict = str(self.options.get("verdict", "malicious"))
        severity = str(self.options.get("severity", "high"))
        if verdict not in VERDICTS or severity not in SEVERITIES:
            raise ProviderError(
                f"feeds: verdict must be one of {VERDICTS} and severity one of {SEVERITIES}",
                provider=self.name,
            )
        self.verdict, self.severity = cast(Verdict, verdict), cast(Severity, severity)
        self._index = WatchedIndex(paths, self._build, "feed") if paths else None
        """None until the first lookup when no paths are configured (then: the demo lake's feed)."""

    def __repr__(self) -> str:
        return f"FeedFiles({self._index.patterns if self._index else 'the demo lake feed'!r})"

    def default_lake(self) -> Path:
        """The lake whose feed is read when no paths are configured.

        The ``lake`` option, else ``lake.path`` of the settings, else the bundled
        demo lake (generated on first use, as for the ``lake`` provider).
        """
        configured = self.options.get("lake") or (self.settings.lake.path if self.settings else None)
        if configured:
            return Path(configured).expanduser()
        from huntbook.data.lake.lake import Lake

        return Lake.demo().path

    def _default_index(self) -> WatchedIndex:
        from huntbook.data.lake.intel_feed import demo_feed

        lake = self.default_lake()
        feed = demo_feed(lake)
        if feed is None:
            raise ProviderError(
                f"feeds: {_SET_PATHS}; the lake at {lake} is not a demo lake, so it has no feed of its own",
                provider=self.name,
            )
        return WatchedIndex([feed], self._build, "feed")

    def _build(self, files: list[Path]) -> Index:
        index = Index()
        for path in files:
            for entry in read_feed(path, self.verdict, self.severity):
                index.add(entry)
        return index

    def lookup_batch(self, items: Sequence[tuple[str, str]]) -> list[LocalResult]:
        if self._index is None:
            self._index = self._default_index()
        index = self._index.current()
        return [index.answer(observable, kind) for observable, kind in items]
