"""Signing in to Azure: credentials for the Kusto, Sentinel, Defender and Graph drivers.

One `AzureAuth` holds how to sign in, read from the provider's section of
``huntbook.yaml`` and overridden by driver arguments::

    providers:
      Sentinel:
        auth: client_secret        # cli | device_code | managed_identity |
        tenant_id: 00000000-...    # client_secret | certificate | default | none
        client_id: 11111111-...
        client_secret: "..."       # read as a SecretStr: never printed

`credential` turns it into an ``azure-identity`` credential (Kusto, Log
Analytics); `MsalTokenSource` gets tokens through ``msal`` (Defender, Graph:
application or delegated sign-in). Secrets stay `SecretStr` until the moment
a library needs them, and no message or repr includes them.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from huntbook.errors import ConfigError, MissingExtraError, QueryError, did_you_mean

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from huntbook.config import Settings

AUTH_METHODS = ("cli", "device_code", "managed_identity", "client_secret", "certificate", "default", "none")
"""How a driver may sign in (``none`` only for local test servers)."""

PUBLIC_AUTHORITY = "https://login.microsoftonline.com"


class AzureAuthError(QueryError):
    """Signing in to Azure failed (wrong tenant, client or secret, expired login, no consent)."""


@dataclass(frozen=True)
class AzureAuth:
    """How to sign in to Azure.

    Attributes
    ----------
    method : str
        One of `AUTH_METHODS`.
    tenant_id, client_id : str, optional
        The directory and the app registration (or managed identity) id.
    client_secret : SecretStr, optional
        For ``client_secret``; never shown.
    certificate_path : Path, optional
        PEM file with the key and certificate, for ``certificate``.
    authority : str, optional
        The sign-in host (national clouds, or a local test authority).
    """

    method: str = "cli"
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    certificate_path: Path | None = None
    authority: str | None = None

    def __post_init__(self) -> None:
        if self.method not in AUTH_METHODS:
            raise ConfigError(
                f"Unknown Azure auth method '{self.method}'.{did_you_mean(self.method, AUTH_METHODS)} "
                f"Use one of: {', '.join(AUTH_METHODS)}.",
                key="auth",
            )
        if isinstance(self.client_secret, str):
            object.__setattr__(self, "client_secret", SecretStr(self.client_secret))
        needs = {"client_secret": ("tenant_id", "client_id", "client_secret"),
                 "certificate": ("tenant_id", "client_id", "certificate_path")}  # fmt: skip
        missing = [name for name in needs.get(self.method, ()) if not getattr(self, name)]
        if missing:
            raise ConfigError(
                f"Azure auth '{self.method}' needs {', '.join(missing)}: set them in the provider's "
                "section of huntbook.yaml or pass them to the driver.",
                key=missing[0],
            )

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> AzureAuth:
        """Build from a provider's options (``auth`` names the method; unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in options.items() if k in names and v is not None and k != "method"}
        if values.get("certificate_path") is not None:
            values["certificate_path"] = Path(values["certificate_path"]).expanduser()
        return cls(method=str(options.get("auth") or "cli"), **values)

    @property
    def authority_url(self) -> str:
        """The tenant's authority URL (``https://login.microsoftonline.com/<tenant>``)."""
        host = (self.authority or PUBLIC_AUTHORITY).rstrip("/")
        return f"{host}/{self.tenant_id or 'organizations'}"


def provider_options(
    settings: Settings | None, name: str, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return the options of provider *name* from the settings, with *overrides* (not None) on top."""
    if settings is None:
        from huntbook.config import load_settings

        settings = load_settings()
    section = settings.providers.get(name)
    options: dict[str, Any] = dict(section) if section is not None else {}
    options.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return options


def credential(auth: AzureAuth, *, extra: str, verify: bool | str = True) -> TokenCredential:
    """Return an ``azure-identity`` credential for *auth*.

    *verify* is the TLS verification of the sign-in authority (a CA bundle
    path for a private one); a private authority also skips Microsoft's
    instance discovery.

    Raises
    ------
    MissingExtraError
        ``azure-identity`` is not installed (the message names *extra*).
    ConfigError
        ``auth: none`` (no credential) was asked of a service that needs one.
    """
    try:
        import azure.identity as identity
    except ImportError:
        raise MissingExtraError("azure-identity", extra, feature="Azure sign-in") from None
    secret = auth.client_secret.get_secret_value() if auth.client_secret else None
    options: dict[str, Any] = {}
    if auth.authority:
        options["authority"] = auth.authority
        if not auth.authority.startswith(PUBLIC_AUTHORITY):
            options["disable_instance_discovery"] = True
    if verify is not True:
        options["connection_verify"] = verify
    if auth.method == "cli":
        return identity.AzureCliCredential(tenant_id=auth.tenant_id or "")
    if auth.method == "device_code":
        device: dict[str, Any] = {"tenant_id": auth.tenant_id, "client_id": auth.client_id, **options}
        return identity.DeviceCodeCredential(**{k: v for k, v in device.items() if v})
    if auth.method == "managed_identity":
        return identity.ManagedIdentityCredential(client_id=auth.client_id)
    if auth.method == "client_secret":
        assert auth.tenant_id and auth.client_id and secret
        return identity.ClientSecretCredential(auth.tenant_id, auth.client_id, secret, **options)
    if auth.method == "certificate":
        assert auth.tenant_id and auth.client_id and auth.certificate_path
        return identity.CertificateCredential(
            auth.tenant_id, auth.client_id, str(auth.certificate_path), **options
        )
    if auth.method == "default":
        return identity.DefaultAzureCredential(**{k: v for k, v in options.items() if k == "authority"})
    raise ConfigError("auth 'none' gives no credential; this service needs a sign-in method.", key="auth")


def auth_error(service: str, exc: BaseException) -> AzureAuthError:
    """Turn a sign-in failure into an `AzureAuthError` without the secret or token."""
    detail = type(exc).__name__
    message = getattr(exc, "message", None) or str(exc)
    first = message.strip().splitlines()[0] if message.strip() else ""
    if first:
        detail = f"{detail}: {first[:300]}"
    return AzureAuthError(
        f"Signing in to {service} failed ({detail}). Check tenant_id, client_id and the secret or "
        "certificate, that the app has consent for the API, or sign in again (az login)."
    )


class MsalTokenSource:
    """Access tokens from ``msal``: an app's own (client secret / certificate) or a user's (device code).

    Parameters
    ----------
    auth : AzureAuth
        ``client_secret`` or ``certificate`` for application sign-in,
        ``device_code`` for delegated sign-in.
    scopes : sequence of str
        E.g. ``["https://graph.microsoft.com/.default"]``.
    verify : bool or str
        TLS verification for the authority (a CA bundle path for a private authority).
    """

    def __init__(self, auth: AzureAuth, scopes: Sequence[str], *, verify: bool | str = True):
        self.auth = auth
        self.scopes = list(scopes)
        self._verify = verify
        self._app: Any = None
        self._session: Any = None

    def close(self) -> None:
        """Close msal's HTTP session."""
        if self._session is not None:
            self._session.close()
        self._session = self._app = None

    def __repr__(self) -> str:
        auth = self.auth
        return f"MsalTokenSource(method={auth.method!r}, tenant={auth.tenant_id!r}, scopes={self.scopes})"

    def _application(self) -> Any:
        try:
            msal = importlib.import_module("msal")  # untyped; imported by name
        except ImportError:
            raise MissingExtraError("msal", "azure", feature="Defender and Graph sign-in") from None
        if self._app is not None:
            return self._app
        auth = self.auth
        # A private authority (a national cloud or a local test server) is not in
        # Microsoft's instance list, so discovery is skipped for it.
        private = auth.authority is not None and not auth.authority.startswith(PUBLIC_AUTHORITY)
        self._session = _http_client(self._verify)
        common: dict[str, Any] = {"authority": auth.authority_url, "http_client": self._session}
        if private:
            common.update(validate_authority=False, instance_discovery=False)
        try:
            if auth.method == "client_secret":
                assert auth.client_secret is not None
                self._app = msal.ConfidentialClientApplication(
                    auth.client_id, client_credential=auth.client_secret.get_secret_value(), **common
                )
            elif auth.method == "certificate":
                assert auth.certificate_path is not None
                self._app = msal.ConfidentialClientApplication(
                    auth.client_id, client_credential=_certificate_credential(auth.certificate_path), **common
                )
            elif auth.method == "device_code":
                self._app = msal.PublicClientApplication(auth.client_id, **common)
            else:
                raise ConfigError(
                    f"Defender and Graph sign in with client_secret, certificate or device_code, "
                    f"not '{auth.method}'.",
                    key="auth",
                )
        except (ValueError, OSError) as exc:
            raise auth_error("Microsoft Entra ID", exc) from None
        except Exception as exc:
            if type(exc).__module__.startswith(("msal", "requests")):
                raise auth_error("Microsoft Entra ID", exc) from None
            raise
        return self._app

    def token(self) -> str:
        """Return a valid access token (cached by msal until it nears expiry).

        Raises
        ------
        AzureAuthError
            The authority refused or could not be reached; the message gives
            its error code and description, never the secret.
        """
        app = self._application()
        try:
            if self.auth.method == "device_code":
                accounts = app.get_accounts()
                result = app.acquire_token_silent(self.scopes, account=accounts[0]) if accounts else None
                if not result:
                    flow = app.initiate_device_flow(scopes=self.scopes)
                    if "user_code" not in flow:
                        return _token_or_raise(flow)
                    print(flow["message"], flush=True)  # the user must see where to sign in
                    result = app.acquire_token_by_device_flow(flow)
            else:
                result = app.acquire_token_for_client(scopes=self.scopes)
        except Exception as exc:
            if type(exc).__module__.startswith(("msal", "requests", "urllib3")):
                raise auth_error("Microsoft Entra ID", exc) from None
            raise
        return _token_or_raise(result)


def _http_client(verify: bool | str) -> Any:
    """A requests session for msal that keeps *verify*.

    Passed per request, because a session-wide ``verify`` loses to
    ``$REQUESTS_CA_BUNDLE`` in requests.
    """
    import requests

    session = requests.Session()
    session.request = functools.partial(session.request, verify=verify, timeout=60)  # type: ignore[method-assign]
    return session


def _token_or_raise(result: Mapping[str, Any]) -> str:
    token = result.get("access_token")
    if isinstance(token, str) and token:
        return token
    code = result.get("error", "no_token")
    description = str(result.get("error_description", "")).strip().splitlines()
    raise AzureAuthError(
        f"Microsoft Entra ID refused the sign-in: {code}"
        + (f" ({description[0][:300]})" if description else "")
        + ". Check tenant_id, client_id and the secret or certificate, and that the app has "
        "the API permission with admin consent."
    )


def _certificate_credential(path: Path) -> dict[str, str]:
    """msal's certificate credential from a PEM file holding the key and the certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    pem = path.read_bytes()
    cert = x509.load_pem_x509_certificate(pem)
    return {"private_key": pem.decode(), "thumbprint": cert.fingerprint(hashes.SHA1()).hex()}
