"""The IoC types: the built-in ones and those a user registers."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from huntbook.analysis.iocs import patterns, validators
from huntbook.errors import HuntbookError, did_you_mean


@dataclass(frozen=True)
class IocType:
    """One kind of indicator: a pattern that finds candidates and a validator that judges them.

    Attributes
    ----------
    name : str
        The type's name, as it appears in the ``type`` column.
    pattern : Pattern
        The RE2 pattern of its candidates, with the context around them.
    validate : callable
        ``(buffer, start, end) -> (start, end, observable) | None``.
    """

    name: str
    pattern: patterns.Pattern
    validate: validators.Validator


class IocTypeError(HuntbookError, ValueError):
    """An unknown IoC type, or a custom type that cannot be registered."""


_custom: dict[str, IocType] = {}


def builtin_types(
    *, allow_filenames: bool = False, nested: bool = False, allow_code_names: bool = False
) -> dict[str, IocType]:
    """The built-in types (their validators depend on these options of `extract_iocs`)."""
    return dict(_builtin(allow_filenames, nested, allow_code_names))


@functools.cache
def _builtin(allow_filenames: bool, nested: bool, allow_code_names: bool) -> tuple[tuple[str, IocType], ...]:
    table: list[tuple[str, patterns.Pattern, validators.Validator]] = [
        ("ipv4", patterns.IPV4, validators.ipv4),
        ("ipv6", patterns.IPV6, validators.ipv6),
        ("domain", patterns.domain_pattern(), validators.domain(allow_filenames, nested, allow_code_names)),
        ("url", patterns.URL, validators.url),
        ("email", patterns.EMAIL, validators.email),
        ("md5", patterns.HEX_RUN, validators.hex_hash(32)),
        ("sha1", patterns.HEX_RUN, validators.hex_hash(40)),
        ("sha256", patterns.HEX_RUN, validators.hex_hash(64)),
        ("winpath", patterns.WINPATH, validators.winpath),
        ("linpath", patterns.LINPATH, validators.linpath),
        ("cve", patterns.CVE, validators.cve),
        ("mac", patterns.MAC, validators.mac),
        ("regkey", patterns.REGKEY, validators.regkey),
    ]
    return tuple((name, IocType(name, pattern, check)) for name, pattern, check in table)


def register_ioc_type(
    name: str,
    pattern: str,
    validator: Callable[[str], bool | str | None] | None = None,
) -> None:
    """Register a custom IoC type that `extract_iocs` finds from now on.

    Parameters
    ----------
    name : str
        The type's name (letters, digits, ``_``); must not be a built-in one.
    pattern : str
        An RE2 regular expression (linear time: no back-references or
        look-around); the whole match is the observable.
    validator : callable, optional
        Called with each candidate: return False/None to reject it, True to
        keep it as found, or a string to report as the normalised observable.

    Examples
    --------
    >>> register_ioc_type("ticket", r"\\bINC-[0-9]{6}\\b")
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if not name.replace("_", "").isalnum() or name in builtin_types():
        raise IocTypeError(f"Cannot register IoC type {name!r}: use letters, digits and '_', and a new name.")
    try:
        pc.match_substring_regex(pa.array([""]), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise IocTypeError(
            f"The pattern of IoC type {name!r} is not a valid RE2 expression ({exc}); "
            "RE2 has no back-references or look-around."
        ) from None

    def validate(buf: bytes, start: int, end: int) -> validators.Verdict:
        text = buf[start:end].decode("utf-8", "replace")
        verdict = True if validator is None else validator(text)
        if not verdict:
            return None
        return start, end, verdict if isinstance(verdict, str) else text

    _custom[name] = IocType(name, patterns.Pattern(f"(?:{pattern})"), validate)


def unregister_ioc_type(name: str) -> None:
    """Forget a custom IoC type."""
    if _custom.pop(name, None) is None:
        raise IocTypeError(f"No custom IoC type {name!r}.{did_you_mean(name, _custom)}")


def resolve_types(
    names: Sequence[str] | str | None,
    *,
    allow_filenames: bool = False,
    nested: bool = False,
    allow_code_names: bool = False,
) -> list[IocType]:
    """The types to look for: *names*, or every built-in and custom type."""
    options = {"allow_filenames": allow_filenames, "nested": nested, "allow_code_names": allow_code_names}
    known = {**builtin_types(**options), **_custom}
    if names is None:
        return list(known.values())
    wanted = [names] if isinstance(names, str) else list(names)
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise IocTypeError(
            f"Unknown IoC type {unknown[0]!r}.{did_you_mean(unknown[0], known)} "
            f"Known types: {', '.join(known)}."
        )
    return [known[n] for n in dict.fromkeys(wanted)]
