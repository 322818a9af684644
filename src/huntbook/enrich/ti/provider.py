"""The threat-intel provider contract: a small declarative class per HTTP source.

A provider says *where* to ask (`Endpoint` templates per IoC type, how the API
key travels) and *how to read the answer* (`TIProvider.parse`). Everything
else — requests, retries, rate limits, the cache — belongs to
`huntbook.enrich.ti.TILookup`, so a provider module stays a page long::

    class Example(TIProvider):
        name = "example"
        base_url = "https://api.example.com/v1"
        endpoints = {"ipv4": Endpoint("/ip/{observable}")}
        key_header = "X-Api-Key"

        def parse(self, observable, ioc_type, payload, response):
            if payload.get("status") == "unknown":
                raise NotFound
            bad = payload["score"] > 50
            return Assessment("malicious" if bad else "benign", "high" if bad else "none", "...")

This module imports neither httpx nor pandas at run time: offline providers and
`import huntbook` stay light.
"""

from __future__ import annotations

import base64
import datetime
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args
from urllib.parse import quote

from pydantic import SecretStr

from huntbook.errors import HuntbookError

if TYPE_CHECKING:
    import httpx

Verdict = Literal["malicious", "suspicious", "benign", "unknown"]
Severity = Literal["high", "medium", "low", "info", "none"]
VERDICTS: tuple[str, ...] = get_args(Verdict)
SEVERITIES: tuple[str, ...] = get_args(Severity)

_PLACEHOLDER = re.compile(r"\{(observable|observable_b64)\}")


class ProviderError(HuntbookError):
    """A TI provider is misconfigured or cannot serve a request (names the provider)."""

    def __init__(self, message: str, *, provider: str | None = None):
        self.provider = provider
        super().__init__(message)


class NotFound(Exception):  # noqa: N818 - the name is the public contract
    """Raised by parse() when the answer means 'this provider knows nothing of it'."""


@dataclass(frozen=True)
class Endpoint:
    """How to ask a provider about one observable type."""

    path: str
    """Appended to base_url; ``{observable}`` is replaced by the URL-quoted value,
    ``{observable_b64}`` by URL-safe base64 without padding (VirusTotal URL ids)."""
    method: str = "GET"
    params: Mapping[str, str] = field(default_factory=dict)
    """Query parameters; values may hold ``{observable}``."""
    form: Mapping[str, str] | None = None
    """Form-encoded body; values may hold ``{observable}``."""
    json: Mapping[str, Any] | None = None
    """JSON body; string values may hold ``{observable}``."""


@dataclass(frozen=True)
class Assessment:
    """What a provider's answer says about an observable."""

    verdict: Verdict
    severity: Severity
    summary: str
    """One line."""
    reference: str | None = None
    """Link for a human."""
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.verdict!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")


@dataclass(frozen=True)
class RequestSpec:
    """One HTTP request, fully resolved, as plain data (no httpx object).

    ``headers`` and ``params`` may carry the API key: they are left out of the repr.
    """

    method: str
    url: str
    params: Mapping[str, str] = field(default_factory=dict, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    form: Mapping[str, str] | None = field(default=None, repr=False)
    json: Any = field(default=None, repr=False)


def fill(template: str, observable: str, *, quoted: bool = False) -> str:
    """Replace ``{observable}`` / ``{observable_b64}`` in *template* (no other braces are touched).

    With ``quoted=True`` (URL paths) ``{observable}`` becomes the percent-quoted value.
    """

    def value(match: re.Match[str]) -> str:
        if match.group(1) == "observable_b64":
            return base64.urlsafe_b64encode(observable.encode("utf-8")).decode("ascii").rstrip("=")
        return quote(observable, safe="") if quoted else observable

    return _PLACEHOLDER.sub(value, template)


def _fill_json(value: Any, observable: str) -> Any:
    if isinstance(value, str):
        return fill(value, observable)
    if isinstance(value, Mapping):
        return {k: _fill_json(v, observable) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_fill_json(v, observable) for v in value]
    return value


class TIProvider(ABC):
    """One threat-intel source (declarative)."""

    name: ClassVar[str]
    """Config key, e.g. ``"virustotal"``."""
    base_url: ClassVar[str]
    """Overridable per instance from config ``base_url`` (tests point it at a local server)."""
    endpoints: ClassVar[Mapping[str, Endpoint]]
    """IoC type -> Endpoint."""
    key_header: ClassVar[str | None] = None
    """Header that carries the API key."""
    key_param: ClassVar[str | None] = None
    """Or a query parameter that carries it."""
    key_prefix: ClassVar[str] = ""
    """Put before the key in the header, e.g. ``"Bearer "``."""
    key_required: ClassVar[bool] = True
    extra_headers: ClassVar[Mapping[str, str]] = {}
    requests_per_minute: ClassVar[float] = 60
    """Default rate limit; config may override."""
    ttl: ClassVar[datetime.timedelta] = datetime.timedelta(days=1)
    """How long a cached answer stays valid; config ``ttl_hours`` may override."""
    not_found_statuses: ClassVar[frozenset[int]] = frozenset({404})
    """HTTP statuses that mean "not known here" (a ``not_found`` row, not an error)."""

    def __init__(
        self, *, api_key: SecretStr | None = None, base_url: str | None = None, **options: Any
    ) -> None:
        if api_key is not None and not isinstance(api_key, SecretStr):
            raise TypeError(f"{type(self).__name__}: api_key must be a pydantic SecretStr")
        self.api_key = api_key
        self.url = (base_url or type(self).base_url).rstrip("/")
        self.options: dict[str, Any] = dict(options)
        rate = options.get("requests_per_minute", type(self).requests_per_minute)
        if not isinstance(rate, int | float) or isinstance(rate, bool) or rate <= 0:
            raise ProviderError(
                f"{self.name}: requests_per_minute must be a positive number, not {rate!r}",
                provider=self.name,
            )
        self.rate_per_minute = float(rate)
        ttl_hours = options.get("ttl_hours")
        if ttl_hours is not None:
            if not isinstance(ttl_hours, int | float) or isinstance(ttl_hours, bool) or ttl_hours < 0:
                raise ProviderError(
                    f"{self.name}: ttl_hours must be a number >= 0, not {ttl_hours!r}", provider=self.name
                )
            self.ttl_delta = datetime.timedelta(hours=ttl_hours)
        else:
            self.ttl_delta = type(self).ttl

    def __repr__(self) -> str:
        key = "set" if self.api_key is not None else "none"
        return f"{type(self).__name__}(url={self.url!r}, api_key={key})"

    @property
    def types(self) -> frozenset[str]:
        """The IoC types this provider can look up (the endpoints' keys)."""
        return frozenset(self.endpoints)

    def missing_key(self) -> str | None:
        """Return why this provider cannot run without a key, or ``None`` when it can."""
        if self.key_required and (self.api_key is None or not self.api_key.get_secret_value()):
            env = f"HUNTBOOK_{self.name.upper()}_API_KEY"
            return (
                f"{self.name} needs an API key: set providers.{self.name}.api_key in huntbook.yaml "
                f"(a value or 'keyring:<service>/<user>') or the environment variable {env}"
            )
        return None

    def headers(self) -> dict[str, str]:
        """Return the request headers, the API key included (override for other auth schemes)."""
        headers = {"Accept": "application/json", **self.extra_headers}
        if self.key_header and self.api_key is not None:
            headers[self.key_header] = self.key_prefix + self.api_key.get_secret_value()
        return headers

    def prepare(self, observable: str, ioc_type: str) -> str:
        """Normalise an observable before it goes into a request (hashes lower-cased by default)."""
        if ioc_type in {"md5", "sha1", "sha256", "sha512"}:
            return observable.lower()
        return observable

    def request(self, observable: str, ioc_type: str) -> RequestSpec:
        """Resolve the endpoint of *ioc_type* for *observable* into a `RequestSpec`.

        Raises
        ------
        ProviderError
            The provider has no endpoint for this type.
        """
        endpoint = self.endpoints.get(ioc_type)
        if endpoint is None:
            raise ProviderError(
                f"{self.name} cannot look up type {ioc_type!r}; it knows {sorted(self.types)}",
                provider=self.name,
            )
        value = self.prepare(observable, ioc_type)
        path = fill(endpoint.path, value, quoted=True)
        params = {k: fill(v, value) for k, v in endpoint.params.items()}
        if self.key_param and self.api_key is not None:
            params[self.key_param] = self.api_key.get_secret_value()
        form = {k: fill(v, value) for k, v in endpoint.form.items()} if endpoint.form is not None else None
        body = _fill_json(endpoint.json, value) if endpoint.json is not None else None
        return RequestSpec(endpoint.method.upper(), self.url + path, params, self.headers(), form, body)

    def describe_error(self, response: httpx.Response) -> str:
        """Return a one-line reason for a non-2xx answer (override to read the service's error shape)."""
        reason = {401: "the API key was refused", 403: "access denied (key or plan)"}.get(
            response.status_code
        )
        text = response.reason_phrase or "error"
        return f"HTTP {response.status_code} {text}" + (f": {reason}" if reason else "")

    @abstractmethod
    def parse(self, observable: str, ioc_type: str, payload: Any, response: httpx.Response) -> Assessment:
        """Turn a 2xx response into an Assessment.

        Parameters
        ----------
        observable, ioc_type : str
            What was asked.
        payload : Any
            The parsed JSON body, or the text when the body is not JSON.
        response : httpx.Response
            The whole response (status, headers).

        Raises
        ------
        NotFound
            The answer means the provider knows nothing of the observable.
        ValueError
            The answer is malformed.
        """
