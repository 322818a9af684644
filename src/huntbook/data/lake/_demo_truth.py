"""The ground truth of a demo lake: the environment and every planted attack.

All records are frozen dataclasses; `GroundTruth.to_json` and
`GroundTruth.from_json` convert to and from the ``ground_truth.json`` a demo
lake carries. Times are timezone-aware UTC ``datetime`` values, written as
ISO-8601 text ending in ``Z``.
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

from huntbook.errors import LakeError

FORMAT_VERSION = 1

T = TypeVar("T")


@dataclass(frozen=True)
class Host:
    """A machine of the demo environment.

    Attributes
    ----------
    name : str
        Short name (``WS-017``, ``lnx-bastion01``).
    fqdn : str
        ``SecurityEvent.Computer`` / ``Heartbeat.Computer`` (``WS-017.contoso.com``;
        Linux hosts use the short name, as syslog does).
    device_name : str
        ``DeviceName`` in the Defender (``Device*``) tables: the lower-case FQDN.
    device_id : str
        ``DeviceId`` in the Defender tables.
    role : str
        ``workstation``, ``domain_controller``, ``file_server``, ``sql_server``,
        ``web_server`` or ``linux_server``.
    os_type : str
        ``Windows`` or ``Linux``.
    os_name : str
        Operating system name, as in ``Heartbeat.OSName``.
    ip : str
        The host's internal IPv4 address.
    primary_user : str or None
        Account name of the workstation's user.
    """

    name: str
    fqdn: str
    device_name: str
    device_id: str
    role: str
    os_type: str
    os_name: str
    ip: str
    primary_user: str | None = None


@dataclass(frozen=True)
class User:
    """An account of the demo environment.

    ``kind`` is ``user``, ``admin`` (a privileged ``adm-`` account) or
    ``service``; ``workstation`` is the short name of the user's machine.
    """

    name: str
    upn: str
    display_name: str
    sid: str
    department: str
    kind: str
    workstation: str | None = None
    home_ip: str | None = None


@dataclass(frozen=True)
class Environment:
    """The organisation the demo lake describes."""

    domain: str
    netbios: str
    domain_sid: str
    egress_ip: str
    bastion_public_ip: str
    dns_server: str
    firewall: str
    hosts: tuple[Host, ...]
    users: tuple[User, ...]

    def host(self, name: str) -> Host:
        """Return the host called *name* (short name, FQDN or device name)."""
        for h in self.hosts:
            if name.lower() in (h.name.lower(), h.fqdn.lower(), h.device_name):
                return h
        raise KeyError(name)

    def hosts_with_role(self, role: str) -> tuple[Host, ...]:
        """Return the hosts of *role* (``workstation``, ``domain_controller``, ...)."""
        return tuple(h for h in self.hosts if h.role == role)

    def user(self, name: str) -> User:
        """Return the account called *name* (account name or UPN)."""
        for u in self.users:
            if name.lower() in (u.name.lower(), u.upn.lower()):
                return u
        raise KeyError(name)


@dataclass(frozen=True)
class Hashes:
    """Hex digests of one file."""

    md5: str
    sha1: str
    sha256: str


@dataclass(frozen=True)
class Indicator:
    """An attacker indicator, and whether ``ThreatIntelligenceIndicator`` holds it.

    ``type`` is ``ip``, ``domain``, ``url``, ``md5``, ``sha1``, ``sha256`` or
    ``file_path``; ``role`` says what it is to the attack (``c2_ip``, ...).
    """

    type: str
    value: str
    role: str
    in_ti: bool
    scenario: str


@dataclass(frozen=True)
class ProcessEvent:
    """A planted process creation (``SecurityEvent`` 4688 and ``DeviceProcessEvents``)."""

    time: datetime
    host: str
    account: str
    image: str
    command_line: str
    parent_image: str
    process_id: int
    parent_process_id: int

    @property
    def file_name(self) -> str:
        """The image's file name (``powershell.exe``)."""
        return self.image.rsplit("\\", 1)[-1]


@dataclass(frozen=True)
class LogonEvent:
    """A planted logon (``SecurityEvent`` 4624 and ``DeviceLogonEvents``)."""

    time: datetime
    host: str
    account: str
    logon_type: int
    source_host: str
    source_ip: str
    authentication_package: str


@dataclass(frozen=True)
class Alert:
    """A planted ``SecurityAlert`` row."""

    name: str
    time: datetime
    severity: str
    provider: str
    compromised_entity: str
    tactics: tuple[str, ...]
    techniques: tuple[str, ...]
    scenario: str


@dataclass(frozen=True)
class Stage:
    """One stage of a planted attack and where it shows in the lake."""

    name: str
    tactic: str
    description: str
    techniques: tuple[str, ...]
    start: datetime
    end: datetime
    hosts: tuple[str, ...]
    accounts: tuple[str, ...]
    tables: tuple[str, ...]
    processes: tuple[ProcessEvent, ...] = ()
    logons: tuple[LogonEvent, ...] = ()
    indicators: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()


class _Staged:
    """A planted scenario: its ``stages`` and a look-up by name."""

    stages: tuple[Stage, ...]

    def stage(self, name: str) -> Stage:
        """Return the stage called *name*."""
        for s in self.stages:
            if s.name == name:
                return s
        raise KeyError(f"no stage {name!r}; stages are {[s.name for s in self.stages]}")


@dataclass(frozen=True)
class Beacon:
    """The implant's command-and-control beacon."""

    host: str
    host_ip: str
    process: str
    process_path: str
    remote_ip: str
    remote_domain: str
    remote_port: int
    interval_seconds: float
    jitter: float
    start: datetime
    end: datetime
    count: int


@dataclass(frozen=True)
class Intrusion(_Staged):
    """The multi-stage workstation intrusion (phishing to exfiltration)."""

    host: str
    host_ip: str
    account: str
    account_upn: str
    stolen_account: str
    document: str
    powershell_command_line: str
    encoded_command: str
    decoded_command: str
    cradle_url: str
    payload_url: str
    payload_path: str
    payload_hashes: Hashes
    payload_size: int
    c2_domain: str
    c2_ip: str
    exfil_ip: str
    exfil_bytes: int
    archive_path: str
    lsass_pid: int
    lateral_targets: tuple[str, ...]
    beacon: Beacon
    stages: tuple[Stage, ...]


@dataclass(frozen=True)
class PasswordSpray(_Staged):
    """The password spray against Entra ID (``SigninLogs``)."""

    source_ip: str
    start: datetime
    end: datetime
    app: str
    targeted_accounts: tuple[str, ...]
    attempts: int
    failures: int
    failure_result_type: str
    compromised_account: str
    success_time: datetime
    post_compromise_signins: int
    stages: tuple[Stage, ...]


@dataclass(frozen=True)
class SshBruteForce(_Staged):
    """The SSH brute force against a Linux server and the persistence after it."""

    host: str
    host_ip: str
    source_ip: str
    start: datetime
    end: datetime
    usernames: tuple[str, ...]
    failures: int
    invalid_user_failures: int
    compromised_account: str
    success_time: datetime
    backdoor_user: str
    authorized_keys_file: str
    cron_entry: str
    cron_runs: int
    stages: tuple[Stage, ...]


@dataclass(frozen=True)
class GroundTruth:
    """What a demo lake holds: its settings, environment and planted attacks.

    Attributes
    ----------
    seed, scale, days : int, float, int
        The generator's settings.
    start, end : datetime
        The time range the data covers (``end`` excluded).
    environment : Environment
        Hosts and accounts.
    intrusion, password_spray, ssh_brute_force
        The three planted scenarios, each with its ``stages``.
    indicators : tuple of Indicator
        Every attacker indicator, with ``in_ti`` telling whether the
        ``ThreatIntelligenceIndicator`` table holds it.
    alerts : tuple of Alert
        The planted ``SecurityAlert`` rows.
    row_counts : Mapping[str, int]
        Rows written per table.
    """

    seed: int
    scale: float
    days: int
    start: datetime
    end: datetime
    environment: Environment
    intrusion: Intrusion
    password_spray: PasswordSpray
    ssh_brute_force: SshBruteForce
    indicators: tuple[Indicator, ...]
    alerts: tuple[Alert, ...]
    row_counts: Mapping[str, int] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    @property
    def in_ti(self) -> tuple[Indicator, ...]:
        """The attacker indicators that ``ThreatIntelligenceIndicator`` holds."""
        return tuple(i for i in self.indicators if i.in_ti)

    @property
    def not_in_ti(self) -> tuple[Indicator, ...]:
        """The attacker indicators that ``ThreatIntelligenceIndicator`` does not hold."""
        return tuple(i for i in self.indicators if not i.in_ti)

    def stages(self) -> tuple[Stage, ...]:
        """Return the stages of every scenario, in time order."""
        all_stages = (
            *self.intrusion.stages,
            *self.password_spray.stages,
            *self.ssh_brute_force.stages,
        )
        return tuple(sorted(all_stages, key=lambda s: s.start))

    def to_json(self) -> str:
        """Return the ground truth as JSON text."""
        return json.dumps(_encode(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> GroundTruth:
        """Parse ground truth written by `to_json`.

        Raises
        ------
        LakeError
            If *text* is not ground-truth JSON of a supported version.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LakeError(f"ground truth is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise LakeError("ground truth must be a JSON object")
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise LakeError(
                f"ground truth format_version {version!r} is not supported "
                f"(expected {FORMAT_VERSION}); regenerate the demo lake"
            )
        try:
            truth = _decode(cls, data, "$")
        except (KeyError, TypeError, ValueError) as exc:
            raise LakeError(f"ground truth is malformed: {exc}") from exc
        assert isinstance(truth, GroundTruth)
        return truth


def iso(t: datetime) -> str:
    """Return *t* as ISO-8601 UTC text ending in ``Z``."""
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _encode(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _encode(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, datetime):
        return iso(obj)
    if isinstance(obj, tuple | list):
        return [_encode(x) for x in obj]
    if isinstance(obj, Mapping):
        return {str(k): _encode(v) for k, v in obj.items()}
    return obj


def _decode(tp: Any, value: Any, where: str) -> Any:
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(tp) if a is not type(None)]
        return None if value is None else _decode(args[0], value, where)
    if isinstance(tp, type) and is_dataclass(tp):
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object, got {value!r}")
        hints = get_type_hints(tp)
        names = {f.name for f in fields(tp)}
        unknown = set(value) - names
        if unknown:
            raise KeyError(f"{where}: unknown keys {sorted(unknown)}")
        kwargs = {name: _decode(hints[name], v, f"{where}.{name}") for name, v in value.items()}
        return tp(**kwargs)
    if origin is tuple:
        item = get_args(tp)[0]
        if not isinstance(value, list):
            raise TypeError(f"{where}: expected a list, got {value!r}")
        return tuple(_decode(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin in (dict, Mapping):
        item = get_args(tp)[1]
        if not isinstance(value, dict):
            raise TypeError(f"{where}: expected an object, got {value!r}")
        return {k: _decode(item, v, f"{where}.{k}") for k, v in value.items()}
    if tp is datetime:
        t = datetime.fromisoformat(value)
        if t.tzinfo is None:
            raise ValueError(f"{where}: time {value!r} has no timezone")
        return t.astimezone(UTC)
    if tp is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if tp in (int, str, bool) and type(value) is tp:
        return value
    raise TypeError(f"{where}: expected {getattr(tp, '__name__', tp)}, got {value!r}")
