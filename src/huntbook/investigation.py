"""The demo investigation: hunt the lake step by step with catalog queries.

Each step runs catalog queries, reads what they return, and hands what it
learned (hosts, accounts, indicators) to later steps, as an analyst would. No
step knows the answer in advance: it starts from alerts and detections and
pivots. A step that fails or finds nothing is recorded as such, and the
steps after it still run.

On a lake other than the demo lake, a step whose tables the lake does not have
is not run: its finding says which tables it needs (`Finding.not_run`,
`Finding.missing`; `huntbook.investigation_gaps` says how to fill them). A step
that can do without one of its queries (`Step.optional`) runs without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from huntbook.errors import HuntbookError, UnknownTableError

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import RenderableType

    from huntbook.data.provider import QueryProvider


@dataclass
class Finding:
    """What one step of the investigation established."""

    step: str
    summary: str
    queries: list[str]
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    hosts: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    indicators: dict[str, list[str]] = field(default_factory=dict)
    evidence: pd.DataFrame | None = None
    error: str | None = None
    events: pd.DataFrame | None = None
    """Rows to draw on the report's timeline (``TimeGenerated``, ``Computer``); the evidence when None."""
    markers: pd.DataFrame | None = None
    """Key moments to mark on the timeline (``TimeGenerated`` and ``label``), e.g. alerts."""
    tree: pd.DataFrame | None = None
    """A process tree (`huntbook.analysis.proctree.build_process_tree`) to draw."""
    places: pd.DataFrame | None = None
    """Rows with ``Latitude``/``Longitude`` to put on a map (``layer`` names their map layer)."""
    not_run: str | None = None
    """Why the step was not run: the tables it needs are not in the lake."""
    missing: dict[str, list[str]] = field(default_factory=dict)
    """Tables the lake lacks, each with the step's queries that could not run for want of it."""

    @property
    def found(self) -> bool:
        """Whether the step found something (and did not fail)."""
        return self.ran and self.evidence is not None and not self.evidence.empty

    @property
    def ran(self) -> bool:
        """Whether the step ran to its end (it was neither left out nor failed)."""
        return self.error is None and self.not_run is None

    def left_out(self) -> str:
        """What a step that ran left out for want of a table ("" when nothing).

        ``"DNS.list_lookups_for_domain was not run: no table DnsEvents"``.
        """
        if self.not_run is not None:
            return ""
        return "; ".join(
            f"{', '.join(queries)} {'was' if len(queries) == 1 else 'were'} not run: no table {table}"
            for table, queries in self.missing.items()
        )


@dataclass
class Investigation:
    """The findings of a run, in order, with what they add up to."""

    environment: str
    findings: list[Finding]
    started: dt.datetime
    seconds: float
    lake: Path | None = None
    """The lake folder investigated (None for a backend that is not a lake)."""

    def hosts(self) -> list[str]:
        """Every host named by a finding (short names), in order of appearance."""
        return _unique(_short_host(h) for f in self.findings for h in f.hosts)

    def accounts(self) -> list[str]:
        """Every user account named by a finding (without domain; machine accounts left out)."""
        names = (_short_account(a) for f in self.findings for a in f.accounts)
        return _unique(n for n in names if not n.endswith("$"))

    def indicators(self) -> dict[str, list[str]]:
        """Every indicator found, by type (types without a value left out)."""
        merged: dict[str, list[str]] = {}
        for finding in self.findings:
            for kind, values in finding.indicators.items():
                if values:
                    merged[kind] = _unique([*merged.get(kind, []), *values])
        return merged

    def ran(self) -> list[Finding]:
        """The findings of the steps that ran to their end (not left out, not failed)."""
        return [f for f in self.findings if f.ran]

    def summary_renderable(self) -> RenderableType:
        """A rich renderable of the findings, for a terminal (every value from the data shown literally)."""
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        from huntbook.display import literal_text
        from huntbook.investigation_gaps import gaps_renderable, ran_summary

        table = Table(title="Findings", show_lines=True)
        for column in ("step", "when (UTC)", "finding"):
            table.add_column(column, overflow="fold")
        for f in self.findings:
            when = _fmt_time(f.start) if f.start else ""
            if f.not_run is not None:
                text = Text.assemble(("not run:", "yellow"), " ", literal_text(f.not_run))
            elif f.error is None:
                text = literal_text(f.summary)
                if f.left_out():
                    text.append_text(
                        Text.assemble("\n", ("left out:", "yellow"), " ", literal_text(f.left_out()))
                    )
            else:
                text = Text.assemble(("failed:", "red"), " ", literal_text(f.error))
            table.add_row(literal_text(f.step), when, text)
        facts = Table.grid(padding=(0, 2))
        facts.add_row("Hosts", literal_text(", ".join(self.hosts()) or "-"))
        facts.add_row("Accounts", literal_text(", ".join(self.accounts()) or "-"))
        for kind, values in self.indicators().items():
            facts.add_row(literal_text(kind), literal_text(", ".join(values)))
        gaps = gaps_renderable(self)
        if gaps is None:
            return Group(table, facts)
        return Group(table, facts, Text(""), gaps, Text(ran_summary(self)))

    def write_html(self, path: Path) -> Path:
        """Write a self-contained HTML report to *path* and return it."""
        from huntbook.report import render_report

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_report(self), encoding="utf-8")
        return path


class Step(NamedTuple):
    """One step of the investigation: its title, what runs it, and the catalog queries it runs."""

    title: str
    run: Callable[[_Context], Finding]
    needs: tuple[str, ...] = ()
    """Queries the step cannot do without: when the lake lacks one's table, the step is not run."""
    optional: tuple[str, ...] = ()
    """Queries the step runs when the lake has their tables (it is not run when it has none of them
    and *needs* is empty)."""


class _MissingTablesError(HuntbookError):
    """A query of a step reads tables the lake does not have."""

    def __init__(self, query: str, tables: list[str]):
        self.query, self.tables = query, tables
        super().__init__(f"{query} reads {', '.join(tables)}, which the lake does not have.")


class _Context:
    """What the steps share: the provider, what earlier steps learned, and the lake's tables."""

    def __init__(self, provider: QueryProvider):
        self.qp = provider
        self.facts: dict[str, Any] = {}
        self.tables = _lake_tables(provider)
        self.lacking: dict[str, list[str]] = {}
        """The current step's queries left out, by the missing table that kept them from running."""

    def missing(self, name: str) -> list[str]:
        """The tables query *name* reads that the lake does not have ([] when the backend cannot tell)."""
        if self.tables is None:
            return []
        return [t for t in self.qp.query(name).query.tables if t not in self.tables]

    def run(self, name: str, **params: Any) -> pd.DataFrame:
        missing = self.missing(name)
        if missing:
            raise _MissingTablesError(name, missing)
        try:
            return self.qp.run(name, **params)
        except UnknownTableError as exc:  # a table the query did not declare, or a remote backend
            raise _MissingTablesError(name, [exc.table]) from exc

    def run_optional(self, name: str, **params: Any) -> pd.DataFrame | None:
        """The rows of query *name*, or None (noted in `lacking`) when the lake lacks its tables."""
        try:
            return self.run(name, **params)
        except _MissingTablesError as exc:
            for table in exc.tables:
                self.lacking.setdefault(table, []).append(name)
            return None


def _lake_tables(provider: QueryProvider) -> set[str] | None:
    """The tables of the provider's lake, or None for a backend that is not a lake."""
    if getattr(provider.driver, "lake", None) is None:
        return None
    return set(provider.driver.tables())


def run_investigation(provider: QueryProvider, *, progress: bool = False) -> Investigation:
    """Run every step of the demo investigation against *provider*.

    Parameters
    ----------
    provider : QueryProvider
        Where to hunt; the demo lake for the demo.
    progress : bool
        Show a progress bar on the terminal.
    """
    import time

    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    context = _Context(provider)
    findings: list[Finding] = []
    steps = [Step(*step) for step in STEPS]
    if progress:
        from rich.progress import track

        steps = list(track(steps, description="Investigating", transient=True))
    for step in steps:
        findings.append(_run_step(context, step))
    lake = getattr(getattr(provider.driver, "lake", None), "path", None)
    seconds = time.perf_counter() - clock
    return Investigation(provider.environment, findings, started, seconds, Path(lake) if lake else None)


def _run_step(ctx: _Context, step: Step) -> Finding:
    """The finding of *step*: run when the lake has its tables, else one saying which it lacks."""
    lacking: dict[str, list[str]] = {}
    for query in (*step.needs, *step.optional):
        for table in ctx.missing(query):
            lacking.setdefault(table, []).append(query)
    needed = [t for t, queries in lacking.items() if set(queries) & set(step.needs)]
    if needed or (step.optional and not step.needs and all(ctx.missing(q) for q in step.optional)):
        return _not_run(step.title, [*step.needs, *step.optional], needed or list(lacking), lacking)
    ctx.lacking = {}
    try:
        finding = step.run(ctx)
    except _MissingTablesError as exc:
        return _not_run(step.title, [exc.query], exc.tables, {t: [exc.query] for t in exc.tables})
    except HuntbookError as exc:
        return Finding(step.title, "", [], error=str(exc))
    finding.missing = {**finding.missing, **ctx.lacking}
    return finding


def _not_run(title: str, queries: list[str], needed: list[str], lacking: dict[str, list[str]]) -> Finding:
    names = " and ".join(needed) if len(needed) < 3 else ", ".join(needed[:-1]) + f" and {needed[-1]}"
    tables = "table" if len(needed) == 1 else "tables"
    reason = f"needs {tables} {names}, which the lake does not have"
    return Finding(title, "", queries, not_run=reason, missing=lacking)


# -- the steps -----------------------------------------------------------------


def _alerts(ctx: _Context) -> Finding:
    alerts = ctx.run("SecurityAlert.list_alerts")
    high = alerts[alerts["AlertSeverity"].isin(["High", "Medium"])].sort_values("TimeGenerated")
    ctx.facts["alert_entities"] = _unique(high["CompromisedEntity"].dropna())
    names = _unique(high["AlertName"])
    return Finding(
        "Alerts",
        f"{len(alerts)} alerts, {len(high)} high/medium: " + "; ".join(names[:6]),
        ["SecurityAlert.list_alerts"],
        start=_first(high),
        end=_last(high),
        hosts=[e for e in ctx.facts["alert_entities"] if "@" not in e and not _is_ip(e)],
        evidence=high,
        markers=high.assign(label=high["AlertName"])[["TimeGenerated", "label"]],
    )


def _phishing(ctx: _Context) -> Finding:
    children = ctx.run("WindowsSecurity.list_office_child_processes")
    shells = children[
        children["NewProcessName"].str.contains(r"(?i)(?:powershell|cmd|wscript|mshta)\.exe", regex=True)
    ]
    hosts = _unique(shells["Computer"])
    accounts = _unique(shells["Account"])
    if hosts:
        ctx.facts["victim_host"] = hosts[0]
        ctx.facts["victim_account"] = accounts[0] if accounts else None
    summary = (
        f"An Office application started a shell on {', '.join(hosts)} as {', '.join(accounts)}"
        if hosts
        else "No Office application started a shell."
    )
    return Finding(
        "Initial access: malicious document",
        summary,
        ["WindowsSecurity.list_office_child_processes"],
        start=_first(shells),
        hosts=hosts,
        accounts=accounts,
        evidence=shells,
    )


def _encoded_powershell(ctx: _Context) -> Finding:
    from huntbook.analysis.decode import unpack_frame
    from huntbook.analysis.iocs import extract_iocs

    rows = ctx.run("WindowsSecurity.list_encoded_powershell", host_name=ctx.facts.get("victim_host", ""))
    layers = unpack_frame(rows, columns="CommandLine")
    decoded = layers[layers["depth"] > 0].groupby("row")["text"].agg("\n".join)
    rows = rows.assign(Decoded=decoded.reindex(rows.index))
    found = extract_iocs(decoded, types=["url", "domain", "ipv4"], nested=True)
    urls = _unique(found.loc[found["type"] == "url", "observable"])
    domains = _unique(found.loc[found["type"] != "url", "observable"])
    ctx.facts["c2_domains"] = [d for d in domains if not _is_ip(d)]
    if len(rows):
        first = rows.sort_values("TimeGenerated").iloc[0]
        ctx.facts["cradle"] = (str(first["Computer"]), first["TimeGenerated"])
    summary = (
        f"{len(rows)} encoded PowerShell command(s); decoded, they download from {', '.join(urls)}"
        if urls
        else f"{len(rows)} encoded PowerShell command(s), no download URL in them."
    )
    return Finding(
        "Execution: encoded PowerShell download cradle",
        summary,
        ["WindowsSecurity.list_encoded_powershell"],
        start=_first(rows),
        hosts=_unique(rows["Computer"]),
        accounts=_unique(rows["Account"]),
        indicators={"url": urls, "domain": domains},
        evidence=rows,
    )


def _c2(ctx: _Context) -> Finding:
    import pandas as pd

    queries = ["DNS.list_lookups_for_domain", "Network.detect_beaconing", "Network.list_connections_for_ip"]
    answers: list[str] = []
    for domain in ctx.facts.get("c2_domains", []):
        lookups = ctx.run_optional("DNS.list_lookups_for_domain", domain=domain)
        if lookups is None:  # no DNS table: the busiest beacon stands in for the domain's address
            break
        for value in lookups["Answers"]:
            answers.extend(_json_list(value))
    beacons = ctx.run("Network.detect_beaconing")
    candidates = beacons[beacons["DestinationIP"].isin(answers)] if answers else beacons.head(1)
    if candidates.empty:
        return Finding(
            "Command and control: beaconing", "No beaconing pair found.", queries, evidence=candidates
        )
    pair = candidates.iloc[0]
    c2_ip, source = str(pair["DestinationIP"]), str(pair["SourceIP"])
    ctx.facts.update(c2_ip=c2_ip, victim_ip=source)
    flows = ctx.run("Network.list_connections_for_ip", ip_address=c2_ip)
    flows = flows[flows["SourceIP"] == source].sort_values("TimeGenerated")
    gaps = flows["TimeGenerated"].diff().dt.total_seconds().dropna()
    median = float(gaps.median()) if len(gaps) else float("nan")
    # jitter: half the spread of the middle 95% of gaps, relative to the median gap
    spread = float(gaps.quantile(0.975) - gaps.quantile(0.025)) if len(gaps) else float("nan")
    jitter = spread / (2 * median) if median else float("nan")
    ctx.facts["beacon"] = {"median_seconds": median, "jitter": jitter}
    summary = (
        f"{source} called {c2_ip} {len(flows):,} times over {int(pair['Hours'])} hours, "
        f"every {median:.0f} s (median), 95% of gaps within ±{jitter:.0%}"
    )
    evidence = pd.DataFrame([pair])
    return Finding(
        "Command and control: beaconing",
        summary,
        queries,
        start=_first(flows),
        end=_last(flows),
        indicators={"ip": [c2_ip]},
        evidence=evidence,
        events=flows,
    )


def _attack_chain(ctx: _Context) -> Finding:
    import pandas as pd

    from huntbook.analysis.proctree import ancestors_of, build_process_tree, descendants_of

    title, queries = "Process tree of the attack chain", ["WindowsSecurity.list_host_processes"]
    if "cradle" not in ctx.facts:
        return Finding(title, "No encoded PowerShell command to start from.", queries)
    host, started = ctx.facts["cradle"]
    # Everything the host ran from an hour before the cradle to the end of the data.
    since = started - pd.Timedelta(hours=1)
    tree = build_process_tree(ctx.run("WindowsSecurity.list_host_processes", host_name=host, start=since))
    powershell = tree["process_name"].str.lower().str.endswith("powershell.exe")
    cradle = tree[(tree["start"] == started) & powershell]
    if cradle.empty:
        missing = f"The PowerShell process of {_fmt_time(started)} is not in the 4688 events."
        return Finding(title, missing, queries)
    key = int(cradle["proc_key"].iloc[0])
    above, below = ancestors_of(tree, key, include_self=False), descendants_of(tree, key, include_self=False)
    chain = pd.concat([above, cradle.head(1), below]).sort_values("start", na_position="first")
    programs = _unique(below["process_name"].map(_file_name))
    parent = _file_name(str(above["process_name"].iloc[-1])) if len(above) else "an unknown parent"
    summary = (
        f"{parent} started the PowerShell cradle on {_short_host(host)}; {len(below)} processes descend "
        f"from it: {', '.join(programs)}"
    )
    shown = ["start", "depth", "process_name", "process_path", "command_line", "user"]
    return Finding(
        title,
        summary,
        queries,
        start=started,
        end=below["start"].max() if len(below) else None,
        hosts=[host],
        accounts=_unique(chain["user"].dropna()),
        evidence=chain[shown],
        events=below,
        tree=chain,
    )


def _threat_intel(ctx: _Context) -> Finding:
    """Match traffic against the TI table, look every external indicator up, locate the addresses.

    The lookup asks only offline providers — the lake's TI table and the lake's
    partner STIX feed (`huntbook.data.lake.intel_feed`) — with no cache file.
    """
    import contextlib
    import tempfile

    import pandas as pd

    from huntbook.config import Settings
    from huntbook.enrich.geoip import geo_lookup
    from huntbook.enrich.ti import TILookup, TIOptions
    from huntbook.enrich.ti.providers.local.feeds import FeedFiles
    from huntbook.enrich.ti.providers.local.lake import LakeTI
    from huntbook.errors import MissingExtraError

    queries = ["ThreatIntelligence.match_ip_indicators_in_firewall"]
    matches = ctx.run("ThreatIntelligence.match_ip_indicators_in_firewall")
    in_traffic = _unique(matches["IndicatorIP"])
    c2_ip, victim = ctx.facts.get("c2_ip"), ctx.facts.get("victim_ip")
    destinations = pd.DataFrame(columns=["DestinationIP", "DestinationHostName", "Connections"])
    if victim:
        queries.append("Network.summarize_destinations_for_host")
        destinations = ctx.run("Network.summarize_destinations_for_host", source_ip=victim)
        destinations = destinations[~destinations["DestinationIP"].map(_is_internal)]
    urls: list[str] = []
    if c2_ip:
        queries.append("Network.list_connections_for_ip")
        flows = ctx.run("Network.list_connections_for_ip", ip_address=c2_ip)
        urls = _unique(flows["RequestURL"].dropna())
    addresses = _unique([*in_traffic, *destinations["DestinationIP"].dropna()])
    names = [*destinations["DestinationHostName"].dropna(), *ctx.facts.get("c2_domains", [])]
    observables = _unique([*addresses, *names, *urls])

    with contextlib.ExitStack() as stack:
        providers: list[LakeTI | FeedFiles] = [LakeTI(query_provider=ctx.qp)]
        scratch = lambda: Path(stack.enter_context(tempfile.TemporaryDirectory()))  # noqa: E731
        feed, feed_note = _ti_partner_feed(ctx, scratch)
        if feed is not None:
            providers.append(FeedFiles(paths=[feed]))
        options = TIOptions(cache=False)
        lookup = stack.enter_context(
            TILookup(providers, settings=Settings(), options=options, cache=False, progress=False)
        )
        results = lookup.lookup(observables)
    flagged = results[(results["status"] == "ok") & results["verdict"].isin(["malicious", "suspicious"])]
    failed = results[results["status"] == "error"]

    parts = [
        f"{len(in_traffic)} address(es) in firewall traffic are TI-table indicators: {', '.join(in_traffic)}"
        if in_traffic
        else "No firewall traffic matches the TI table"
    ]
    if c2_ip:
        parts[0] += f" (the C2 address {'is' if c2_ip in in_traffic else 'is not'} among them)"
    provider_names = " and ".join(
        ["the lake's TI table", *([f"the STIX feed {feed.name}"] if feed is not None else [])]
    )
    if len(flagged):
        parts.append(
            f"Of {len(observables)} external addresses, host names and URLs in this traffic"
            + (f" and {victim}'s" if victim else "")
            + f", {provider_names} flag: "
            + "; ".join(_ti_flag_line(obs, rows) for obs, rows in flagged.groupby("observable", sort=False))
        )
    else:
        parts.append(
            f"None of {len(observables)} external addresses, host names and URLs "
            f"is flagged by {provider_names}"
        )
    if feed_note:
        parts.append(feed_note)
    if len(failed):
        parts.append(f"{len(failed)} lookup(s) failed: {failed['reason'].iloc[0]}")
    try:
        geo = geo_lookup(addresses, offline_only=True)
    except MissingExtraError as exc:
        geo = pd.DataFrame(columns=["ip", "country_name", "latitude", "longitude", "as_org"])
        parts.append(f"No geo-IP: {exc}")
    else:
        parts.append(_ti_geo_line(geo))

    kinds = {"ipv4": "ip", "ipv6": "ip"}
    indicators: dict[str, list[str]] = {}
    for kind, rows in flagged.groupby("type", sort=False):
        key = kinds.get(str(kind), str(kind))
        indicators[key] = _unique([*indicators.get(key, []), *rows["observable"]])
    located = geo[geo["latitude"].notna()]
    places = pd.DataFrame(
        {
            "Latitude": located["latitude"],
            "Longitude": located["longitude"],
            "IP": located["ip"],
            "Country": located["country_name"],
            "AS": located["as_org"],
            "layer": "external destinations",
        }
    )
    evidence = flagged[["observable", "type", "provider", "verdict", "severity", "summary"]]
    return Finding(
        "Threat intelligence matches",
        ". ".join(parts) + ".",
        queries,
        start=matches["FirstSeen"].min() if len(matches) else None,
        end=matches["LastSeen"].max() if len(matches) else None,
        indicators=indicators,
        evidence=evidence.reset_index(drop=True),
        places=places.reset_index(drop=True),
    )


def _ti_partner_feed(ctx: _Context, scratch: Callable[[], Path]) -> tuple[Path | None, str | None]:
    """The demo lake's partner STIX feed, written into the lake folder (or *scratch* when read-only).

    Returns the feed (or None) and a note on why there is none.
    """
    from huntbook.data.lake.demo import GROUND_TRUTH_FILE, load_ground_truth
    from huntbook.data.lake.intel_feed import FEED_FILE, write_stix_feed
    from huntbook.errors import MissingExtraError

    lake = getattr(getattr(ctx.qp.driver, "lake", None), "path", None)
    if lake is None or not (Path(lake) / GROUND_TRUTH_FILE).is_file():
        return None, None
    truth = load_ground_truth(Path(lake))
    try:
        try:
            return write_stix_feed(truth, Path(lake) / FEED_FILE), None
        except OSError:
            return write_stix_feed(truth, scratch() / FEED_FILE.name), None
    except MissingExtraError as exc:
        return None, f"No STIX feed: {exc}"


def _ti_flag_line(observable: Any, rows: pd.DataFrame) -> str:
    """``203.0.113.66 (lake: C2, confidence 90; feeds: C2 server address, odsync loader)``."""
    said = []
    for row in rows.to_dict("records"):
        details: dict[str, Any] = row["details"] if isinstance(row["details"], dict) else {}
        if details.get("ThreatType") is not None:
            label = f"{details['ThreatType']}, confidence {details.get('ConfidenceScore')}"
        else:
            label = ", ".join(str(x) for x in (details.get("name"), *(details.get("threats") or [])) if x)
        said.append(f"{row['provider']}: {label or row['summary']}")
    return f"{observable} ({'; '.join(said)})"


def _ti_geo_line(geo: pd.DataFrame) -> str:
    """Where the external addresses are; documentation-range addresses are named, not located."""
    located = geo[geo["status"] == "ok"]
    countries = located["country_name"].value_counts()
    text = (
        f"Geo-IP (offline) locates {len(located)} of {len(geo)} external addresses: "
        + ", ".join(f"{name} {count}" for name, count in countries.items())
        if len(located)
        else f"Geo-IP (offline) locates none of {len(geo)} external addresses"
    )
    documentation = geo[geo["ip_class"] == "documentation"]
    if len(documentation):
        text += (
            f"; {', '.join(documentation['ip'])} lie in documentation ranges "
            "(RFC 5737 for IPv4, 3849 for IPv6), which geo-IP classifies rather than locates"
        )
    other = geo[(geo["status"] != "ok") & (geo["ip_class"] != "documentation")]
    if len(other):
        text += f"; {len(other)} not located ({', '.join(_unique(other['status']))})"
    return text


def _credential_dumping(ctx: _Context) -> Finding:
    rows = ctx.run("WindowsSecurity.list_credential_dumping")
    hosts = _unique(rows["Computer"])
    if len(rows):
        ctx.facts["credentials_dumped_at"] = rows["TimeGenerated"].min()
    return Finding(
        "Credential access: LSASS dump",
        f"Credential dumping on {', '.join(hosts)}: {rows['CommandLine'].iloc[0]}"
        if len(rows)
        else "None found.",
        ["WindowsSecurity.list_credential_dumping"],
        start=_first(rows),
        hosts=hosts,
        accounts=_unique(rows["Account"]),
        evidence=rows,
    )


def _lateral_movement(ctx: _Context) -> Finding:
    source = ctx.facts.get("victim_ip")
    queries = ["Heartbeat.get_host_info", "WindowsSecurity.summarize_network_logons"]
    if source is None and ctx.facts.get("victim_host"):
        info = ctx.run_optional("Heartbeat.get_host_info", host_name=ctx.facts["victim_host"])
        source = str(info["ComputerIP"].iloc[0]) if info is not None and len(info) else None
    logons = ctx.run("WindowsSecurity.summarize_network_logons")
    moves = logons[logons["IpAddress"] == source] if source else logons.iloc[0:0]
    # Machine accounts and the user's own account log on from their workstation every day;
    # what matters is an account first seen from this host once credentials were dumped.
    since = ctx.facts.get("credentials_dumped_at")
    if since is not None:
        moves = moves[moves["FirstSeen"] >= since]
    own = _short_account(str(ctx.facts.get("victim_account") or "")).lower()
    moves = moves[~moves["TargetUserName"].str.endswith("$") & (moves["TargetUserName"].str.lower() != own)]
    targets, accounts = _unique(moves["Computer"]), _unique(moves["TargetUserName"])
    summary = (
        f"From {source}, {', '.join(accounts)} logged on over the network to {', '.join(targets)}"
        + (" after credentials were dumped" if since is not None else "")
        if targets
        else "No new network logons from the compromised host."
        if source
        else "The compromised host's address is not known (no beaconing pair, no heartbeat of the host), "
        "so its network logons cannot be told from the others."
    )
    return Finding(
        "Lateral movement: network logons",
        summary,
        queries,
        start=moves["FirstSeen"].min() if len(moves) else None,
        end=moves["LastSeen"].max() if len(moves) else None,
        hosts=targets,
        accounts=accounts,
        evidence=moves,
    )


def _exfiltration(ctx: _Context) -> Finding:
    queries = ["WindowsSecurity.list_archive_staging", "Network.list_large_outbound_transfers"]
    # each half stands alone: a lake with only one of the two tables still answers it
    staging = ctx.run_optional(queries[0])
    transfers = ctx.run_optional(queries[1])
    if transfers is not None:
        transfers = transfers[~transfers["DestinationIP"].map(_is_internal)]
    parts = []
    if staging is not None:
        tool = _file_name(staging["NewProcessName"].iloc[0]) if len(staging) else None
        parts.append(
            f"archived with {tool} on {staging['Computer'].iloc[0]}" if tool else "no archive staging"
        )
    if transfers is not None:
        top = transfers.iloc[0] if len(transfers) else None
        parts.append(
            f"{top['SentBytes'] / 1e6:,.0f} MB sent from {top['SourceIP']} to {top['DestinationIP']}"
            if top is not None
            else "no large outbound transfer"
        )
    found = (staging is not None and len(staging)) or (transfers is not None and len(transfers))
    summary = ("Data " if found else "Found ") + " and ".join(parts)
    return Finding(
        "Collection and exfiltration",
        summary if found else "No staging or large transfers found." if len(parts) == 2 else summary + ".",
        [q for q, rows in zip(queries, (staging, transfers), strict=True) if rows is not None],
        start=_first(staging) if staging is not None else None,
        end=transfers["LastSeen"].max() if transfers is not None and len(transfers) else None,
        hosts=_unique(staging["Computer"]) if staging is not None else [],
        indicators={"ip": _unique(transfers["DestinationIP"])} if transfers is not None else {},
        evidence=transfers if transfers is not None and (len(transfers) or staging is None) else staging,
    )


def _password_spray(ctx: _Context) -> Finding:
    sprays = ctx.run("AzureAD.detect_password_spray")
    ips = _unique(sprays["IPAddress"])
    queries = ["AzureAD.detect_password_spray", "AzureAD.list_successful_signins_from_ips"]
    if not ips:
        return Finding("Password spray against Azure AD", "No spray found.", queries, evidence=sprays)
    wins = ctx.run("AzureAD.list_successful_signins_from_ips", ip_addresses=ips)
    accounts = _unique(wins["UserPrincipalName"])
    tried = int(sprays["Accounts"].max())
    summary = f"{', '.join(ips)} failed passwords for up to {tried} accounts per hour"
    summary += f"; then signed in as {', '.join(accounts)}" if accounts else "; no sign-in succeeded"
    return Finding(
        "Password spray against Azure AD",
        summary,
        queries,
        start=sprays["FirstSeen"].min(),
        end=sprays["LastSeen"].max(),
        accounts=accounts,
        indicators={"ip": ips},
        evidence=wins if len(wins) else sprays,
        places=_signin_places(ctx, ips, accounts),
    )


SIGNIN_PLACES = """
declare query_parameters(start: datetime, end: datetime, ip_addresses: dynamic, accounts: dynamic);
SigninLogs
| where TimeGenerated between (start .. end)
| where IPAddress in (ip_addresses) or UserPrincipalName in~ (accounts)
| extend Latitude = todouble(LocationDetails.geoCoordinates.latitude),
    Longitude = todouble(LocationDetails.geoCoordinates.longitude), City = tostring(LocationDetails.city)
| summarize SignIns = count(), Failures = countif(ResultType != "0"), Accounts = dcount(UserPrincipalName),
    FirstSeen = min(TimeGenerated), LastSeen = max(TimeGenerated)
    by IPAddress, Location, City, Latitude, Longitude
| sort by FirstSeen asc
"""
"""Where sign-ins from the spraying addresses and of the accounts they won came from (KQL)."""


def _signin_places(ctx: _Context, ips: list[str], accounts: list[str]) -> pd.DataFrame | None:
    """Sign-in locations of the spray and of the accounts it won, or None where KQL cannot run."""
    start, end = ctx.qp.time_range
    params = {"start": start, "end": end, "ip_addresses": ips, "accounts": accounts or [""]}
    try:
        places = ctx.qp.exec_query(SIGNIN_PLACES, params=params, language="kql")
    except HuntbookError:
        return None  # a backend without KQL: the step's finding stands without its map
    spray = places["IPAddress"].isin(ips)
    owners = ", ".join(accounts) or "the accounts"
    return places.assign(layer=spray.map({True: "password spray source", False: f"sign-ins of {owners}"}))


def _ssh_brute_force(ctx: _Context) -> Finding:
    attacks = ctx.run("LinuxSyslog.detect_ssh_brute_force")
    queries = [
        "LinuxSyslog.detect_ssh_brute_force",
        "LinuxSyslog.list_ssh_logins",
        "LinuxSyslog.list_persistence_changes",
    ]
    if attacks.empty:
        return Finding("SSH brute force", "No brute force found.", queries, evidence=attacks)
    top = attacks.iloc[0]
    host, source = str(top["Computer"]), str(top["SourceIP"])
    logins = ctx.run("LinuxSyslog.list_ssh_logins", host_name=host)
    logins = logins[logins["SourceIP"] == source]
    summary = f"{source} failed {int(top['Failures'])} SSH logins to {host}"
    accounts: list[str] = []
    persistence = logins.iloc[0:0]
    if len(logins):
        first = logins.iloc[0]
        accounts = [str(first["User"])]
        summary += f", then logged in as {first['User']} at {_fmt_time(first['TimeGenerated'])}"
        changes = ctx.run("LinuxSyslog.list_persistence_changes", start=first["TimeGenerated"])
        persistence = changes[changes["Computer"] == host]
        if len(persistence):
            summary += f"; persistence: {persistence['SyslogMessage'].iloc[0]}"
    return Finding(
        "SSH brute force and persistence",
        summary,
        queries,
        start=top["FirstSeen"],
        end=_last(persistence) or top["LastSeen"],
        hosts=[host],
        accounts=accounts,
        indicators={"ip": [source]},
        evidence=persistence if len(persistence) else logins,
    )


_WIN = "WindowsSecurity."
_CONNECTIONS = "Network.list_connections_for_ip"
STEPS: tuple[Step, ...] = (
    Step("Alerts", _alerts, ("SecurityAlert.list_alerts",)),
    Step("Initial access: malicious document", _phishing, (_WIN + "list_office_child_processes",)),
    Step(
        "Execution: encoded PowerShell download cradle",
        _encoded_powershell,
        (_WIN + "list_encoded_powershell",),
    ),
    Step("Process tree of the attack chain", _attack_chain, (_WIN + "list_host_processes",)),
    Step(
        "Command and control: beaconing",
        _c2,
        ("Network.detect_beaconing", _CONNECTIONS),
        ("DNS.list_lookups_for_domain",),
    ),
    Step(
        "Threat intelligence matches",
        _threat_intel,
        ("ThreatIntelligence.match_ip_indicators_in_firewall",),
        ("Network.summarize_destinations_for_host", _CONNECTIONS),
    ),
    Step("Credential access: LSASS dump", _credential_dumping, (_WIN + "list_credential_dumping",)),
    Step(
        "Lateral movement: network logons",
        _lateral_movement,
        (_WIN + "summarize_network_logons",),
        ("Heartbeat.get_host_info",),
    ),
    Step(
        "Collection and exfiltration",
        _exfiltration,
        (),
        (_WIN + "list_archive_staging", "Network.list_large_outbound_transfers"),
    ),
    Step(
        "Password spray against Azure AD",
        _password_spray,
        ("AzureAD.detect_password_spray", "AzureAD.list_successful_signins_from_ips"),
    ),
    Step(
        "SSH brute force and persistence",
        _ssh_brute_force,
        (
            "LinuxSyslog.detect_ssh_brute_force",
            "LinuxSyslog.list_ssh_logins",
            "LinuxSyslog.list_persistence_changes",
        ),
    ),
)
"""The steps, in the order an analyst would take them."""


# -- helpers ---------------------------------------------------------------------


def _file_name(path: object) -> str:
    """``C:\\Windows\\System32\\cmd.exe`` -> ``cmd.exe``."""
    return str(path).rsplit("\\", 1)[-1]


def _short_host(name: str) -> str:
    """``WS-017.contoso.com`` -> ``WS-017``; addresses stay whole."""
    return name if _is_ip(name) else name.split(".", 1)[0]


def _short_account(name: str) -> str:
    """``CONTOSO\\mgarcia`` -> ``mgarcia``; UPNs stay whole."""
    return name.rsplit("\\", 1)[-1]


def _is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


_INTERNAL = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "fc00::/7")


def _is_internal(text: object) -> bool:
    """Whether *text* is an RFC 1918, loopback, link-local or ULA address (an inside address)."""
    import ipaddress

    try:
        address = ipaddress.ip_address(str(text))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(net)
        for net in _INTERNAL
        if address.version == ipaddress.ip_network(net).version
    )


def _json_list(value: object) -> list[str]:
    import json

    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        parsed = json.loads(str(value))
    except ValueError:
        return []
    items = parsed if isinstance(parsed, list) else [parsed]
    return [part.strip() for item in items for part in str(item).split(";") if part.strip()]


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values if v is not None and str(v) != ""))


def _first(frame: pd.DataFrame) -> dt.datetime | None:
    column = _time_column(frame)
    return frame[column].min() if column and len(frame) else None


def _last(frame: pd.DataFrame) -> dt.datetime | None:
    column = _time_column(frame)
    return frame[column].max() if column and len(frame) else None


def _time_column(frame: pd.DataFrame) -> str | None:
    return next((c for c in ("TimeGenerated", "Timestamp", "FirstSeen") if c in frame.columns), None)


def _fmt_time(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)
