"""A small JSON client for Microsoft security REST APIs (Defender, Graph).

Bearer token from a token source, retries on 429/503 that honour
``Retry-After`` (up to a limit), OneAPI error bodies
(``{"error": {"code", "message"}}``) turned into specific errors, bounded
response sizes, and no token in any message.
"""

from __future__ import annotations

import email.utils
import json
import ssl
import time
from collections.abc import Callable, Mapping
from typing import Any

from huntbook.data.drivers.azure_auth import AzureAuth, AzureAuthError, MsalTokenSource
from huntbook.data.drivers.base import Driver
from huntbook.errors import MissingExtraError, QueryError

MAX_RESPONSE_BYTES = 256 * 1024 * 1024
"""Largest response read (Defender's own limit is 124 MB per result)."""


class ApiError(QueryError):
    """The service answered with an error; `status` and `code` are the service's."""

    def __init__(self, message: str, *, status: int, code: str = "", query: str | None = None):
        self.status = status
        self.code = code
        super().__init__(message, query=query)


class ApiThrottledError(ApiError):
    """The service kept throttling (HTTP 429) past the retries, or asked for too long a wait."""


class ApiConnectionError(QueryError):
    """The service could not be reached, or did not answer in time."""


class MalformedResponseError(QueryError):
    """The answer is not the JSON the API documents."""


class JsonApi:
    """Calls one REST API with a bearer token.

    Parameters
    ----------
    base_url : str
        Scheme and host (``https://graph.microsoft.com``).
    token : callable
        Returns a current access token.
    service : str
        Name used in messages (``"Microsoft Graph"``).
    verify : bool or str
        TLS verification, or a CA bundle path.
    retries : int
        Retries of a throttled (429) or unavailable (503) request.
    max_wait : float
        Longest Retry-After honoured; a longer one is an `ApiThrottledError` at once.
    timeout : float
        Seconds to wait for an answer.
    """

    def __init__(
        self,
        base_url: str,
        token: Callable[[], str],
        *,
        service: str,
        verify: bool | str = True,
        retries: int = 3,
        max_wait: float = 60.0,
        timeout: float = 300.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.service = service
        self.retries = retries
        self.max_wait = max_wait
        self.timeout = timeout
        self._token = token
        self._verify = verify
        self._client: Any = None

    def __repr__(self) -> str:
        return f"JsonApi({self.base_url!r}, service={self.service!r})"

    def _http(self) -> Any:
        if self._client is None:
            try:
                import httpx
            except ImportError:
                raise MissingExtraError("httpx", "azure", feature=self.service) from None
            verify = (
                ssl.create_default_context(cafile=self._verify)
                if isinstance(self._verify, str)
                else self._verify
            )
            self._client = httpx.Client(verify=verify, timeout=self.timeout, follow_redirects=False)
        return self._client

    def close(self) -> None:
        """Close the HTTP connection pool."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def same_origin(self, url: str) -> bool:
        """Whether *url* is on this API's host (a token is never sent elsewhere)."""
        return url == self.base_url or url.startswith(self.base_url + "/")

    def request(
        self,
        method: str,
        url: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        timeout: float | None = None,
        query: str | None = None,
    ) -> dict[str, Any]:
        """Send one request and return the JSON object answered.

        Raises
        ------
        ApiError, ApiThrottledError, ApiConnectionError, MalformedResponseError, AzureAuthError
        """
        import httpx

        if not url.startswith(("https://", "http://")):
            url = self.base_url + "/" + url.lstrip("/")
        if not self.same_origin(url):
            raise MalformedResponseError(
                f"{self.service} pointed to {url.split('?')[0]}, another host; not followed."
            )
        attempt = 0
        while True:
            headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
            try:
                response = self._http().request(
                    method, url, json=body, params=params, headers=headers, timeout=timeout or self.timeout
                )
            except httpx.TimeoutException:
                raise ApiConnectionError(
                    f"{self.service} did not answer within {timeout or self.timeout} s. Narrow the query "
                    "or pass a larger timeout.",
                    query=query,
                ) from None
            except httpx.HTTPError as exc:
                raise ApiConnectionError(
                    f"Cannot reach {self.service} at {self.base_url}: {type(exc).__name__}: "
                    f"{str(exc)[:200]}. Check the URL and your network.",
                    query=query,
                ) from None
            if response.status_code in (429, 503) and attempt < self.retries:
                wait = retry_after(response.headers.get("Retry-After"), default=2.0**attempt)
                if wait > self.max_wait:
                    raise self._error(response, query, f" It asks to wait {wait:.0f} s; try again later.")
                time.sleep(wait)
                attempt += 1
                continue
            if response.status_code >= 400:
                raise self._error(response, query, "")
            return self._json(response, query)

    def _json(self, response: Any, query: str | None) -> dict[str, Any]:
        size = int(response.headers.get("Content-Length") or len(response.content))
        if size > MAX_RESPONSE_BYTES:
            raise MalformedResponseError(
                f"{self.service} answered {size} bytes, over the {MAX_RESPONSE_BYTES} limit.", query=query
            )
        try:
            data = json.loads(response.content)
        except ValueError:
            kind = response.headers.get("Content-Type", "unknown type")
            raise MalformedResponseError(
                f"{self.service} answered with something that is not JSON ({kind}, "
                f"{len(response.content)} bytes). Check the URL.",
                query=query,
            ) from None
        if not isinstance(data, dict):
            raise MalformedResponseError(
                f"{self.service} answered a JSON {type(data).__name__}, not an object.", query=query
            )
        return data

    def _error(self, response: Any, query: str | None, hint: str) -> QueryError:
        status = response.status_code
        code, message = error_body(response.content)
        reason = f"HTTP {status}" + (f" {code}" if code else "") + (f": {message}" if message else "")
        if status in (401, 403):
            what = "refused the sign-in" if status == 401 else "denied access (missing API permission?)"
            return AzureAuthError(
                f"{self.service} {what}: {reason}. Check the app's API permissions and admin consent."
            )
        if status == 429:
            return ApiThrottledError(
                f"{self.service} throttled the request ({reason}) after {self.retries} retries."
                + (hint or " Wait and run it again."),
                status=status,
                code=code,
                query=query,
            )
        return ApiError(
            f"{self.service} refused the request ({reason}).{hint}", status=status, code=code, query=query
        )


def error_body(content: bytes) -> tuple[str, str]:
    """``(code, message)`` of a OneAPI error body, or of whatever the body is."""
    try:
        data = json.loads(content[:1_000_000])
    except ValueError:
        text = content[:300].decode("utf-8", "replace").strip()
        return "", text
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("code", ""))[:100], str(error.get("message", ""))[:500]
    if isinstance(error, str):  # OAuth style: {"error": "...", "error_description": "..."}
        return error[:100], str(data.get("error_description", ""))[:500]
    return "", json.dumps(data)[:300]


def retry_after(value: str | None, *, default: float) -> float:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return default
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


class MicrosoftApiDriver(Driver):
    """Base of the drivers on a Microsoft REST API: msal sign-in (or a given token) and a `JsonApi`."""

    def _setup_api(
        self,
        options: Mapping[str, Any],
        *,
        default_url: str,
        scope: str,
        service: str,
        token: Callable[[], str] | None,
        retries: int,
    ) -> None:
        self.auth = AzureAuth.from_options({"auth": "none" if token else "client_secret", **options})
        verify: bool | str = options.get("verify", True)
        self._tokens = None if token else MsalTokenSource(self.auth, [scope], verify=verify)
        self._http = JsonApi(
            str(options.get("base_url") or default_url),
            token or self._msal_token,
            service=service,
            verify=verify,
            retries=retries,
        )

    def _msal_token(self) -> str:
        assert self._tokens is not None
        return self._tokens.token()

    def connect(self) -> None:
        """Sign in (get the first token)."""
        if self._tokens is not None:
            self._tokens.token()
        self.connected = True

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()
        if self._tokens is not None:
            self._tokens.close()
        super().close()
