"""The Splunk driver: SPL searches through ``splunk-sdk`` (``splunklib``).

::

    qp = QueryProvider("Splunk", host="splunk.example.com", username="hunter",
                       password=getpass())
    qp.WindowsSecurity.list_host_processes(host_name="WS-017")

SPL has no bound parameters, so catalog bodies name them as ``$name$``
(as Splunk dashboard tokens do) and the driver writes each value as a
quoted, escaped SPL string literal (``"..."`` with ``\\`` and ``"``
escaped), a number, or a parenthesised list of literals. Inside a quoted
string of the body the value is escaped without its quotes. A filter after
the name changes what is written: ``$name|regex$`` is the value as a PCRE
pattern that matches it literally, ``$name|term$`` the same bounded the way
KQL ``has`` bounds a term (for ``match()``). ``start``/``end`` become the
job's ``earliest_time`` / ``latest_time`` (epoch seconds), which is how
Splunk bounds a search.

A parameter is a value, so catalog bodies compare it in ``| where``, never
in ``search`` terms: there an asterisk is always a wildcard (Splunk
documents that a backslash cannot escape it) and values match without
case, so ``host_name="*"`` would match every host. ``where`` comparisons
(``==``, ``lower()``, ``substr()``, ``len()``, ``match()``) are literal and
case-sensitive; ``like()`` is avoided because Splunk documents no escape
for its ``%`` and ``_``. Quoted strings keep ``|``, ``[ ... ]`` subsearch
brackets and backtick macros inert (Splunk does not expand macros inside
quoted values), and ``$x$`` in a value is not a token: values are written
in one pass.

Settings (``providers: {Splunk: {...}}`` in huntbook.yaml) supply any
argument not given: ``host``, ``port``, ``scheme``, ``username``,
``password``, ``token``, ``verify``, ``app``, ``owner``, ``max_rows``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import ssl
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import SecretStr

from huntbook.data.drivers._remote import (
    BackendAuthError,
    BackendTimeoutError,
    BackendUnreachableError,
    MalformedResponseError,
    RemoteQueryError,
    ResultTooLargeError,
    epoch_seconds,
    frame_from_records,
    pick,
    provider_settings,
    secret,
)
from huntbook.data.drivers.base import Driver
from huntbook.errors import MissingExtraError, ParameterError, QueryError

if TYPE_CHECKING:
    import pandas as pd

    from huntbook.config import Settings

BACKEND = "Splunk"

_NAME = r"\$([A-Za-z_][A-Za-z0-9_]*)(?:\|([a-z]+))?\$"
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|' + _NAME)
_PLACEHOLDER = re.compile(_NAME)
_REGEX_SPECIAL = re.compile(r"([\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f])")
_GENERATING = re.compile(r"^\s*(\||search\b|from\b|tstats\b|inputlookup\b|makeresults\b)", re.IGNORECASE)


class SplunkSearchError(RemoteQueryError):
    """Splunk refused or failed the search (the message carries Splunk's own text)."""


def spl_string(value: str) -> str:
    """Return *value* as a double-quoted SPL string literal.

    Backslashes and double quotes are escaped, so the value stays one
    literal whatever it contains (pipes, brackets, quotes, ``OR``).

    Examples
    --------
    >>> spl_string('a" | delete')
    '"a\\\\" | delete"'
    """
    return '"' + _escape(value) + '"'


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def regex_literal(text: str) -> str:
    """Return a PCRE pattern that matches *text* literally.

    Every ASCII character that is not a letter or digit is preceded by a
    backslash (PCRE reads ``\\`` before such a character as the character itself).

    Examples
    --------
    >>> regex_literal("a.b*")
    'a\\\\.b\\\\*'
    """
    return _REGEX_SPECIAL.sub(r"\\\1", text)


def term_regex(text: str) -> str:
    """Return a PCRE pattern for *text* as a whole term, as KQL ``has`` reads it.

    The value matches literally; where it starts (ends) with a letter or digit,
    the character before (after) it must not be one.
    """
    left = r"(?:^|[^\pL\pN])" if text[:1].isalnum() else ""
    right = r"(?:$|[^\pL\pN])" if text[-1:].isalnum() else ""
    return left + regex_literal(text) + right


_FILTERS = {"regex": regex_literal, "term": term_regex}


def spl_value(value: object) -> str:
    """Return a typed parameter value as SPL literal text.

    Strings are quoted (`spl_string`), booleans are ``true``/``false``,
    numbers stay numbers, datetimes are epoch seconds, timespans are seconds,
    and lists are ``("a", "b")`` for ``field IN $list$``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return epoch_seconds(value)
    if isinstance(value, dt.timedelta):
        return repr(value.total_seconds())
    if isinstance(value, list | tuple):
        return "(" + ", ".join(spl_value(v) for v in value) + ")"
    return spl_string(str(value))


def render_spl(template: str, params: Mapping[str, Any]) -> str:
    """Return *template* with each ``$name$`` replaced by its value as SPL literal text.

    ``$name|regex$`` and ``$name|term$`` write the value as a literal PCRE
    pattern (`regex_literal`, `term_regex`), quoted like any string.

    Raises
    ------
    ParameterError
        The template names a parameter that has no value.
    QueryError
        The template names a filter other than ``regex`` or ``term``.
    """

    def lookup(match: re.Match[str]) -> object:
        name, how = match.group(1), match.group(2)
        if name not in params:
            raise ParameterError(
                f"The SPL names ${name}$, but no parameter '{name}' was given "
                f"(given: {', '.join(params) or 'none'}).",
                parameter=name,
            )
        value = params[name]
        if how is None:
            return value
        if how not in _FILTERS:
            raise QueryError(
                f"The SPL writes ${name}|{how}$; the filters are {', '.join(_FILTERS)}.", query=template
            )
        text = value if isinstance(value, str) else spl_value(value).strip('"')
        return _FILTERS[how](text)

    def in_quotes(match: re.Match[str]) -> str:
        value = lookup(match)
        text = value if isinstance(value, str) else spl_value(value).strip('"')
        return _escape(text)

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is None:  # a quoted string of the template
            return _PLACEHOLDER.sub(in_quotes, match.group(0))
        return spl_value(lookup(match))

    return _TOKEN.sub(replace, template)


class SplunkDriver(Driver):
    """Runs SPL on a Splunk search head through its REST API (port 8089).

    Parameters
    ----------
    host, port, scheme : str, int, str
        The management endpoint (default ``localhost``, ``8089``, ``https``).
    username, password : str, optional
        Credentials for ``/services/auth/login``.
    token : str, optional
        A Splunk authentication token (sent as ``Bearer``), instead of a password.
    verify : bool
        Verify the server's TLS certificate (default ``True``).
    app, owner : str, optional
        The namespace searches run in.
    max_rows : int
        Most rows a query may return; more is a `ResultTooLargeError`.
    timeout : float
        Seconds to wait for the server (connection and reads).
    settings : Settings, optional
        Where ``providers.Splunk`` is read for arguments not given (the
        QueryProvider passes its own; huntbook.yaml by default).
    """

    languages: ClassVar[tuple[str, ...]] = ("spl",)

    def __init__(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        scheme: str | None = None,
        username: str | None = None,
        password: str | SecretStr | None = None,
        token: str | SecretStr | None = None,
        verify: bool | None = None,
        app: str | None = None,
        owner: str | None = None,
        max_rows: int | None = None,
        timeout: float | None = None,
        settings: Settings | None = None,
    ):
        super().__init__()
        given = dict(locals())
        conf = provider_settings(BACKEND, settings)
        self.host: str = pick(given, conf, "host", "localhost")
        self.port = int(pick(given, conf, "port", 8089))
        self.scheme: str = pick(given, conf, "scheme", "https")
        self.username: str | None = pick(given, conf, "username")
        self._password = secret(pick(given, conf, "password"))
        self._token = secret(pick(given, conf, "token"))
        self.verify = bool(pick(given, conf, "verify", True))
        self.app: str | None = pick(given, conf, "app")
        self.owner: str | None = pick(given, conf, "owner")
        self.max_rows = int(pick(given, conf, "max_rows", 1_000_000))
        self.timeout = float(pick(given, conf, "timeout", 60))
        self._service: Any = None

    def __repr__(self) -> str:
        who = f"user={self.username!r}" if self.username else ("token auth" if self._token else "no auth")
        state = "connected" if self.connected else "not connected"
        return f"SplunkDriver({self.scheme}://{self.host}:{self.port}, {who}, {state})"

    @property
    def url(self) -> str:
        """The management endpoint URL."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def connect(self) -> None:
        """Log in (password) or set up token auth; errors are `RemoteQueryError` subclasses."""
        if self._service is not None:
            return
        client, binding = _splunklib()
        if not self._token and not (self.username and self._password):
            raise BackendAuthError(
                "give username and password, or a token (arguments or providers.Splunk in huntbook.yaml).",
                backend=BACKEND,
            )
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "scheme": self.scheme,
            "verify": self.verify,
            "autologin": True,
            "handler": binding.handler(timeout=self.timeout, verify=self.verify),
        }
        if self.app:
            kwargs["app"] = self.app
        if self.owner:
            kwargs["owner"] = self.owner
        if self._token:
            kwargs["splunkToken"] = self._token.get_secret_value()
        else:
            kwargs["username"] = self.username
            kwargs["password"] = self._password.get_secret_value() if self._password else ""
        service = self._call(lambda: client.connect(**kwargs), action="log in")
        self._service = service
        self.connected = True

    def close(self) -> None:
        """Forget the session."""
        if self._service is not None:
            self._service.logout()
            self._service = None
        super().close()

    def execute(
        self,
        query: str,
        params: Mapping[str, Any] | None = None,
        *,
        language: str = "spl",
        timeout: float | None = None,
    ) -> pd.DataFrame:
        """Run SPL *query* with ``$name$`` parameters written in as escaped literals.

        Parameters
        ----------
        query : str
            SPL; ``search`` is put in front when it starts with neither a
            generating command nor ``|``.
        params : Mapping, optional
            Values for ``$name$`` placeholders; ``start``/``end`` datetimes
            also bound the search (``earliest_time``/``latest_time``).
        language : str
            ``"spl"``.
        timeout : float, optional
            Seconds to wait for the answer (the driver's timeout by default).

        Raises
        ------
        SplunkSearchError, BackendAuthError, BackendUnreachableError,
        BackendTimeoutError, MalformedResponseError, ResultTooLargeError
        """
        if language not in self.languages:
            raise QueryError(f"Splunk runs SPL, not {language!r}.", query=query)
        values = dict(params or {})
        spl = render_spl(query, values)
        if not _GENERATING.match(spl):
            spl = "search " + spl
        job_args: dict[str, Any] = {"output_mode": "json"}
        for name, arg in (("start", "earliest_time"), ("end", "latest_time")):
            if isinstance(values.get(name), dt.datetime):
                job_args[arg] = epoch_seconds(values[name])
        self.connect()
        _, binding = _splunklib()
        self._service.http.handler = binding.handler(timeout=timeout or self.timeout, verify=self.verify)
        stream = self._call(
            lambda: self._service.jobs.export(spl, **job_args), action="run the search", query=spl
        )
        rows = self._call(lambda: self._read(stream, spl), action="read the results", query=spl)
        return frame_from_records(rows)

    def _read(self, stream: Any, spl: str) -> list[dict[str, Any]]:
        from splunklib.results import JSONResultsReader, Message  # type: ignore[import-untyped,unused-ignore]

        rows: list[dict[str, Any]] = []
        reader = JSONResultsReader(stream)
        try:
            for item in reader:
                if isinstance(item, Message):
                    if item.type.upper() in {"FATAL", "ERROR"}:
                        raise SplunkSearchError(
                            f"the search failed: {item.message}", backend=BACKEND, query=spl
                        )
                    continue
                if reader.is_preview:
                    continue
                if not isinstance(item, dict):
                    raise MalformedResponseError(
                        f"a result is {type(item).__name__}, not a JSON object.", backend=BACKEND, query=spl
                    )
                rows.append(item)
                if len(rows) > self.max_rows:
                    raise ResultTooLargeError(
                        f"the search returns more than max_rows={self.max_rows} rows. Narrow the "
                        "time range, filter or aggregate in SPL, or raise max_rows.",
                        backend=BACKEND,
                        query=spl,
                    )
        except json.JSONDecodeError as exc:
            raise MalformedResponseError(
                f"the results are not the JSON stream of search/jobs/export ({exc.msg} at "
                f"position {exc.pos}).",
                backend=BACKEND,
                query=spl,
            ) from None
        return rows

    def _call(self, fn: Any, *, action: str, query: str | None = None) -> Any:
        """Run *fn* and translate splunklib and socket failures into our errors."""
        from xml.etree.ElementTree import ParseError

        _, binding = _splunklib()
        try:
            return fn()
        except RemoteQueryError:
            raise
        except binding.AuthenticationError:
            what = "the token was refused" if self._token else "wrong username or password"
            raise BackendAuthError(f"login to {self.url} failed: {what}.", backend=BACKEND) from None
        except binding.HTTPError as exc:
            detail = _error_detail(exc.body)
            if exc.status == 401:
                raise BackendAuthError(
                    f"{self.url} refused the credentials ({detail}). Check the token or password.",
                    backend=BACKEND,
                ) from None
            if exc.status in (400, 404) and query is not None:
                raise SplunkSearchError(
                    f"the search was refused: {detail}", backend=BACKEND, query=query
                ) from None
            raise RemoteQueryError(
                f"could not {action}: HTTP {exc.status} {exc.reason}: {detail}", backend=BACKEND, query=query
            ) from None
        except TimeoutError:
            raise BackendTimeoutError(
                f"no answer from {self.url} within the timeout while trying to {action}. "
                "Pass a larger timeout or narrow the search.",
                backend=BACKEND,
                query=query,
            ) from None
        except ssl.SSLError as exc:
            raise BackendUnreachableError(
                f"TLS with {self.url} failed ({exc.reason or exc}). Use the right scheme, or trust the "
                "server's certificate (verify=False only for testing).",
                backend=BACKEND,
            ) from None
        except ParseError as exc:
            raise MalformedResponseError(
                f"the answer to '{action}' is not the XML Splunk sends ({exc}).", backend=BACKEND
            ) from None
        except OSError as exc:
            raise BackendUnreachableError(
                f"cannot reach {self.url} ({exc.strerror or exc}). Check host, port and scheme.",
                backend=BACKEND,
            ) from None


def _error_detail(body: bytes | str) -> str:
    """Splunk's own message from an error body (JSON or XML), or its first 300 characters."""
    from xml.etree.ElementTree import ParseError, fromstring

    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    try:
        messages = json.loads(text).get("messages", [])
        found = [str(m.get("text", "")) for m in messages if isinstance(m, dict)]
        if found:
            return "; ".join(found)
    except (ValueError, AttributeError):
        pass
    try:
        found = [m.text or "" for m in fromstring(text).iter("msg")]
        if found:
            return "; ".join(found)
    except ParseError:
        pass
    return text[:300] or "no details"


def _splunklib() -> tuple[Any, Any]:
    try:
        from splunklib import binding, client  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise MissingExtraError("splunk-sdk", "splunk", feature="The Splunk driver") from None
    return client, binding
