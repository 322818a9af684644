"""Typed values of huntbook.yaml: timespans, paths that must exist, URLs, ports, choices.

Each type is a pydantic ``Annotated`` type whose validator, on a bad value,
raises a `pydantic_core.PydanticCustomError` of type `EXPECTED` whose context
``expected`` says, in words, what form the value should have. `expected_form`
turns any pydantic error (these and pydantic's own) into such words, so a
config problem can always be reported as file, key, value and expected form.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

EXPECTED = "huntbook_expected"
"""The pydantic error type of a value that is not of the expected form."""


def expected(form: str) -> PydanticCustomError:
    """Return the error that says a value should be *form* (e.g. ``"an existing folder"``)."""
    return PydanticCustomError(EXPECTED, "expected {expected}", {"expected": form})


LENIENT = {"check_values": False}
"""Validation context that skips the checks of this module (types are still checked)."""


def checked(check: Callable[[Any], Any]) -> AfterValidator:
    """Return an `AfterValidator` running *check*, unless the validation context is `LENIENT`."""

    def run(value: Any, info: ValidationInfo) -> Any:
        context = info.context if isinstance(info.context, dict) else {}
        if value is None or context.get("check_values", True) is False:
            return value
        return check(value)

    return AfterValidator(run)


def _timespan(value: object) -> object:
    from huntbook.data.params import parse_timedelta

    try:
        parse_timedelta(value)
    except ValueError:
        raise expected("a timespan such as '1d', '6h', '30m' or '90s'") from None
    return value


def _existing_folder(path: Path) -> Path:
    if not path.expanduser().is_dir():
        state = "a file" if path.expanduser().exists() else "missing"
        raise expected(f"an existing folder (this one is {state})")
    return path


def _existing_file(path: Path) -> Path:
    if not path.expanduser().is_file():
        state = "a folder" if path.expanduser().exists() else "missing"
        raise expected(f"an existing file (this one is {state})")
    return path


def _creatable_folder(path: Path) -> Path:
    full = path.expanduser()
    if full.exists() and not full.is_dir():
        raise expected("a folder (this path is a file)")
    if not full.exists() and not full.parent.is_dir():
        raise expected(f"a folder, or a new one inside an existing folder ({full.parent} is missing)")
    return path


def _creatable_file(path: Path) -> Path:
    full = path.expanduser()
    if full.is_dir():
        raise expected("a file (this path is a folder)")
    return path


def _existing_files_or_globs(value: object) -> object:
    entries = [value] if isinstance(value, str | Path) else value
    if (
        not isinstance(entries, Sequence)
        or not entries
        or not all(isinstance(e, str | Path) for e in entries)
    ):
        raise expected("a file or glob, or a list of them (e.g. ['~/feeds/*.json'])")
    for entry in entries:
        text = str(Path(str(entry)).expanduser())
        if glob.has_magic(text):
            if not glob.glob(text, recursive=True):
                raise expected(f"files that exist (no file matches {entry!s})")
        elif not Path(text).is_file():
            raise expected(f"files that exist ({entry!s} is not a file)")
    return value


def _url(value: str) -> str:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise expected("an http:// or https:// URL, e.g. 'https://host.example.com'")
    return value


def _urls(value: object) -> object:
    for url in [value] if isinstance(value, str) else list(value) if isinstance(value, list) else [None]:
        try:
            _url(url) if isinstance(url, str) else None
        except PydanticCustomError:
            raise expected(f"an http:// or https:// URL or a list of them ({url!r} is not one)") from None
        if not isinstance(url, str):
            raise expected("an http:// or https:// URL or a list of them, e.g. 'https://localhost:9200'")
    return value


def one_of(choices: Sequence[str]) -> Callable[[str], str]:
    """Return a validator that accepts exactly one of *choices* (with a did-you-mean)."""
    from huntbook.errors import did_you_mean

    def check(value: str) -> str:
        if value not in choices:
            hint = did_you_mean(value, choices).strip()
            raise expected(f"one of: {', '.join(choices)}" + (f" ({hint})" if hint else ""))
        return value

    return check


def _verify(value: object) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and Path(value).expanduser().is_file():
        return value
    raise expected("true, false, or the path of an existing CA bundle file")


Timespan = Annotated[str, checked(_timespan)]
"""A timespan in the catalog's form: ``1d``, ``6h``, ``30m``, ``90s``, ``2w``."""
ExistingFolder = Annotated[Path, checked(_existing_folder)]
ExistingFile = Annotated[Path, checked(_existing_file)]
CreatableFolder = Annotated[Path, checked(_creatable_folder)]
"""A folder that exists, or that can be made inside an existing one."""
CreatableFile = Annotated[Path, checked(_creatable_file)]
"""A file path that is not a folder (the file may be created later)."""
ExistingFilesOrGlobs = Annotated[Any, checked(_existing_files_or_globs)]
Url = Annotated[str, checked(_url)]
Urls = Annotated[Any, checked(_urls)]
Port = Annotated[int, Field(ge=1, le=65535)]
PositiveInt = Annotated[int, Field(gt=0)]
PositiveFloat = Annotated[float, Field(gt=0)]
Verify = Annotated[Any, checked(_verify)]
"""TLS verification: a bool, or a CA bundle file."""
Text = Annotated[
    str, BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v)
]
"""Text; a bare number (an id written without quotes) is taken as its digits."""


_FORMS = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "model_attributes_type": "a mapping of keys to values",
    "path_type": "a path",
    "missing": "a value (this key is required)",
}


def expected_form(error: Any) -> str:
    """Return, in words, the form a value should have had, from one pydantic error dict."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == EXPECTED:
        return str(ctx["expected"])
    bounds = {
        "greater_than": "a number greater than {gt}",
        "greater_than_equal": "a number of at least {ge}",
        "less_than": "a number less than {lt}",
        "less_than_equal": "a number of at most {le}",
    }
    if kind in bounds:
        return bounds[kind].format(**{k: f"{v:g}" if isinstance(v, float) else v for k, v in ctx.items()})
    if kind == "literal_error":
        return f"one of: {ctx.get('expected', '')}"
    if kind in _FORMS:
        return _FORMS[kind]
    message = str(error.get("msg", "a valid value"))
    return message[:1].lower() + message[1:]
