"""RDAP response objects (RFC 9083) to flat, analyst-friendly fields.

Handles the three object classes a lookup returns: ``domain``, ``ip network``
and ``autnum``. Contacts are jCard (RFC 7095) arrays inside ``entities``, which
nest (a registrar's ``abuse`` contact sits inside the registrar entity).
Anything missing or malformed becomes an empty field, never an exception.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

#: The fields `parse_rdap` returns, in order.
RDAP_FIELDS = (
    "object_class", "handle", "name", "registrar", "org", "country", "asn", "cidr",
    "created", "updated", "expires", "nameservers", "rdap_status", "abuse_email",
)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _entities(obj: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every entity below *obj*, depth-first (bounded depth against hostile nesting)."""
    if depth > 8:
        return
    for entity in _as_list(obj.get("entities") if isinstance(obj, dict) else None):
        if isinstance(entity, dict):
            yield entity
            yield from _entities(entity, depth + 1)


def _vcard(entity: dict[str, Any], prop: str) -> str:
    card = _as_list(entity.get("vcardArray"))
    if len(card) < 2:
        return ""
    for item in _as_list(card[1]):
        if isinstance(item, list) and len(item) >= 4 and item[0] == prop:
            value = item[3]
            if isinstance(value, list):  # org may be structured
                value = ";".join(str(v) for v in value if v)
            return str(value).strip()
    return ""


def _roles(entity: dict[str, Any]) -> set[str]:
    return {str(r).lower() for r in _as_list(entity.get("roles"))}


def _first(obj: dict[str, Any], role: str, prop: str) -> str:
    for entity in _entities(obj):
        if role in _roles(entity):
            value = _vcard(entity, prop) or (_vcard(entity, "org") if prop == "fn" else "")
            if value:
                return value
    return ""


def _event(obj: dict[str, Any], *actions: str) -> str:
    for event in _as_list(obj.get("events")):
        if isinstance(event, dict) and str(event.get("eventAction", "")).lower() in actions:
            return str(event.get("eventDate", ""))
    return ""


def _cidr(obj: dict[str, Any]) -> str:
    cidrs = []
    for item in _as_list(obj.get("cidr0_cidrs")):
        if isinstance(item, dict) and "length" in item:
            prefix = item.get("v4prefix") or item.get("v6prefix")
            if prefix:
                cidrs.append(f"{prefix}/{item['length']}")
    if cidrs:
        return ", ".join(cidrs)
    start, end = obj.get("startAddress"), obj.get("endAddress")
    try:
        first, last = ipaddress.ip_address(str(start)), ipaddress.ip_address(str(end))
        return ", ".join(str(n) for n in ipaddress.summarize_address_range(first, last))
    except (ValueError, TypeError):
        return ""


def _origin_asns(obj: dict[str, Any]) -> str:
    # ARIN's "arin_originas0" extension lists the origin ASes of a network.
    numbers = [str(n) for n in _as_list(obj.get("arin_originas0_originautnums")) if isinstance(n, int)]
    if numbers:
        return ", ".join(numbers)
    if obj.get("objectClassName") == "autnum" and isinstance(obj.get("startAutnum"), int):
        return str(obj["startAutnum"])
    return ""


def parse_rdap(obj: Any) -> dict[str, str]:
    """Return the `RDAP_FIELDS` of one RDAP response object (all strings, "" when absent)."""
    if not isinstance(obj, dict):
        return dict.fromkeys(RDAP_FIELDS, "")
    object_class = str(obj.get("objectClassName", ""))
    nameservers = [str(ns.get("ldhName", "")).lower().rstrip(".") for ns in _as_list(obj.get("nameservers"))
                   if isinstance(ns, dict) and ns.get("ldhName")]
    org = _first(obj, "registrant", "fn")
    if not org and object_class != "domain":
        org = str(obj.get("name", ""))
    return {
        "object_class": object_class,
        "handle": str(obj.get("handle", "")),
        "name": str(obj.get("ldhName") or obj.get("name") or ""),
        "registrar": _first(obj, "registrar", "fn"),
        "org": org,
        "country": str(obj.get("country", "")),
        "asn": _origin_asns(obj),
        "cidr": _cidr(obj) if object_class == "ip network" else "",
        "created": _event(obj, "registration"),
        "updated": _event(obj, "last changed"),
        "expires": _event(obj, "expiration"),
        "nameservers": ", ".join(nameservers),
        "rdap_status": ", ".join(str(s) for s in _as_list(obj.get("status"))),
        "abuse_email": _first(obj, "abuse", "email"),
    }
