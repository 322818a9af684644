"""The ``huntbook`` command: demo, query, queries, iocs, lookup, unpack, proctree, lake, config."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from huntbook.display import literal_text
from huntbook.errors import HuntbookError

if TYPE_CHECKING:
    import pandas as pd

    from huntbook.data.provider import QueryFunction, QueryProvider
    from huntbook.investigation import Investigation


class _Commands(typer.core.TyperGroup):
    """The top command group; it keeps the arguments so that `_check_config` can see ``--help``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta["huntbook.args"] = list(args)
        parsed: list[str] = super().parse_args(ctx, args)
        return parsed


app = typer.Typer(
    help="huntbook: threat hunting on a local KQL lake and remote backends.",
    cls=_Commands,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
lake_app = typer.Typer(help="Inspect, generate and ingest into the local lake.", no_args_is_help=True)
config_app = typer.Typer(help="Show and check the configuration.", no_args_is_help=True)
app.add_typer(lake_app, name="lake")
app.add_typer(config_app, name="config")


class _Consoles:
    """Consoles made when used, so they see the terminal (and COLUMNS) of the run.

    Neither parses emoji codes nor recolours numbers and strings in what they print:
    values from data are printed as `literal_text`, never as markup.
    """

    @property
    def out(self) -> Console:
        return Console(soft_wrap=True, highlight=False, emoji=False)

    @property
    def err(self) -> Console:
        return Console(stderr=True, soft_wrap=True, highlight=False, emoji=False)


_consoles = _Consoles()

LakeOption = Annotated[
    Path | None, typer.Option("--lake", help="Lake folder (default: configured lake or the demo lake).")
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, csv, json or parquet.")]


def _fail(exc: HuntbookError) -> None:
    """Print *exc* literally (its message quotes values from data) after a red 'error:', and exit 2."""
    from huntbook.cli_hints import cli_words
    from huntbook.errors import QuerySyntaxError, UnknownColumnError, UnsupportedQueryError

    # These quote the query line with a caret under it (control characters already escaped).
    excerpt = isinstance(exc, QuerySyntaxError | UnknownColumnError | UnsupportedQueryError)
    message = literal_text(cli_words(str(exc)), keep_newlines=excerpt)
    _consoles.err.print(Text.assemble(("error:", "bold red"), " ", message), soft_wrap=True)
    raise typer.Exit(2)


def _show_warnings_literally() -> None:
    """Show warnings as errors are shown: their text literally (it may quote values from data)."""
    import warnings

    warnings.showwarning = _show_warning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """`warnings.showwarning` for the command: ``Category: message`` on stderr, never markup or escapes."""
    warning = Text.assemble((f"{category.__name__}:", "yellow"), " ", literal_text(str(message)))
    _consoles.err.print(warning, soft_wrap=True)


def _provider(lake: Path | None) -> QueryProvider:
    """The local provider of *lake* (``--lake``), else of the configured lake, else of the demo lake."""
    from huntbook.data.provider import QueryProvider

    lake = _lake_folder(lake)
    return QueryProvider("Local", lake=lake) if lake else QueryProvider("Local")


def _lake_folder(lake: Path | None, *, create: bool = False) -> Path | None:
    """*lake* (``--lake``) or the configured ``lake.path``, checked: a folder, or missing if *create*.

    ``None`` when neither names a lake (the demo lake is then used).
    """
    where = "--lake"
    if lake is None:
        lake, where = _settings().lake.path, "lake.path of the config"
        if lake is None:
            return None
    path = Path(lake).expanduser()
    if path.exists() and not path.is_dir():
        raise HuntbookError(f"{where} {path} is a file, not a lake folder: give the folder of a lake.")
    if not path.exists() and not create:
        raise HuntbookError(
            f"{where} {path}: no such folder. Give the folder of a lake, or make one with "
            f"'huntbook lake ingest FILE --lake {path}' or 'huntbook lake generate {path}'."
        )
    return path


def _print_frame(frame: pd.DataFrame, fmt: str, limit: int) -> None:
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False, lineterminator=_csv_line_end(frame))
    elif fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", date_format="iso", lines=True).rstrip("\n") + "\n")
    elif fmt == "parquet":
        _write_parquet(frame)
    elif fmt == "table":
        from huntbook.cli_frames import terminal_view

        console = _consoles.out
        console.print(terminal_view(frame, width=console.width, limit=limit), soft_wrap=False)
    else:
        raise HuntbookError(f"Unknown format '{fmt}': use table, csv, json or parquet.")


def _write_parquet(frame: pd.DataFrame) -> None:
    """Write *frame* as a Parquet file to stdout, which must not be a terminal (it is binary)."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    if sys.stdout.isatty():
        raise HuntbookError("--format parquet writes a binary file: redirect it (-f parquet > rows.parquet).")
    buffer = io.BytesIO()
    try:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        raise HuntbookError(f"These rows cannot be written as Parquet ({exc}); use -f json.") from None
    sys.stdout.flush()
    sys.stdout.buffer.write(buffer.getvalue())
    sys.stdout.buffer.flush()


def _csv_line_end(frame: pd.DataFrame) -> str:
    """Line end of CSV output: ``\\n``, or ``\\r\\n`` when a text cell holds ``\\r``.

    The csv writer quotes a cell only for the characters of its line end, and a
    reader takes a bare ``\\r`` for the end of a row.
    """
    texts = frame.select_dtypes(include=["object", "string"])
    cr = (texts.iloc[:, i].astype(str).str.contains("\r", regex=False).any() for i in range(texts.shape[1]))
    return "\r\n" if any(cr) else "\n"


def _parse_params(items: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise HuntbookError(f"Parameter '{item}' is not NAME=VALUE (e.g. -p host_name=WS-017).")
        if name in params:  # repeated: a list
            previous = params[name]
            params[name] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            params[name] = value
    return params


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the HTML report.")] = Path("out"),
    lake: LakeOption = None,
) -> None:
    """Investigate the planted intrusion in the demo lake and write a report.

    On another lake (--lake) the steps run whose tables the lake has; the others are listed with
    the tables they need and how to ingest them. Exit code 2, and no report, when no step ran.
    """
    from huntbook.investigation import run_investigation

    try:
        provider = _provider(lake)
        result = run_investigation(provider, progress=True)
    except HuntbookError as exc:
        _fail(exc)
    _consoles.out.print(result.summary_renderable())
    if not result.ran():
        _fail(HuntbookError(_demo_ran_nothing(result, provider)))
    report = result.write_html(out_dir / "huntbook-demo-report.html")
    size = report.stat().st_size / 1e6
    _consoles.out.print(
        Text.assemble("\nReport written to ", literal_text(str(report.resolve()), style="bold"))
        + f" ({size:.1f} MB, opens offline)"
    )


@app.command()
def query(
    text: Annotated[
        str, typer.Argument(help="KQL text, a catalog query name (Family.query), or - for stdin.")
    ],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE (repeat for lists).")
    ] = None,
    sql: Annotated[bool, typer.Option("--sql", help="The text is DuckDB SQL, not KQL.")] = False,
    fmt: FormatOption = "table",
    limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50,
    show: Annotated[bool, typer.Option("--show", help="Print the query text instead of running it.")] = False,
    lake: LakeOption = None,
) -> None:
    """Run a catalog query or ad-hoc KQL/SQL on the lake."""
    try:
        params = _parse_params(param or [])
        qp = _provider(lake)
        if text == "-":
            text = sys.stdin.read()
        if text.strip() in qp.catalog or (_CATALOG_NAME.fullmatch(text.strip()) and not sql):
            fn = _catalog_query(qp, text.strip())
            if show:
                _consoles.out.print(literal_text(fn.text(**params), keep_newlines=True))
                return
            frame = fn(**params)
        else:
            if show:
                _consoles.out.print(literal_text(text, keep_newlines=True))
                return
            frame = qp.exec_query(text, params=params or None, language="sql" if sql else "kql")
        _print_frame(frame, fmt, limit)
    except HuntbookError as exc:
        _fail(exc)


_CATALOG_NAME = re.compile(r"[A-Za-z_]\w*\.[A-Za-z_]\w*")
"""``Family.query``: a catalog query's name (no KQL query has this form)."""


def _catalog_query(qp: QueryProvider, name: str) -> QueryFunction:
    """Catalog query *name* of *qp*; an error naming the close names and 'huntbook queries' if none."""
    from huntbook.errors import UnknownQueryError, did_you_mean

    known = qp.list_queries()
    if name in known:
        return qp.query(name)
    family = name.partition(".")[0]
    families = {q.partition(".")[0] for q in known}
    close = did_you_mean(name, known) or did_you_mean(family, families)
    listing = f"'huntbook queries {family}'" if family in families else "'huntbook queries'"
    raise UnknownQueryError(f"No catalog query '{name}'.{close} List them with {listing}.", query=name)


@app.command()
def queries(
    family: Annotated[str | None, typer.Argument(help="Only this family.")] = None,
    name: Annotated[str | None, typer.Option("--help-for", help="Show full help for Family.query.")] = None,
    lake: LakeOption = None,
) -> None:
    """List catalog queries, or show help for one."""
    from huntbook.data.catalog import load_catalog
    from huntbook.data.provider import query_help_text
    from huntbook.notebook.query_browser import QueryCatalogTable

    try:
        if name:
            catalog = load_catalog(_settings().queries.catalog_paths)
            if name not in catalog:
                _catalog_query(_provider(lake), name)  # raises with suggestions
            _consoles.out.print(literal_text(query_help_text(catalog[name]), keep_newlines=True))
            return
        qp = _provider(lake)
        if family and family not in qp.catalog.families:
            qp.__getattr__(family)  # raises with suggestions
        _consoles.out.print(QueryCatalogTable(qp, family))
    except (HuntbookError, AttributeError) as exc:
        _fail(HuntbookError(str(exc)))


@app.command()
def iocs(
    source: Annotated[
        str, typer.Argument(help="A text file (read by lines), a .csv/.jsonl/.parquet file, or - for stdin.")
    ],
    type_: Annotated[
        list[str] | None, typer.Option("--type", "-t", help="Only these types (repeat): ipv4, url, ...")
    ] = None,
    column: Annotated[
        list[str] | None, typer.Option("--column", "-c", help="Columns of a table file to search (repeat).")
    ] = None,
    nested: Annotated[bool, typer.Option(help="Also report hosts inside URLs, names inside paths.")] = False,
    filenames: Annotated[bool, typer.Option(help="Report domains that look like file names.")] = False,
    code_names: Annotated[
        bool, typer.Option(help="Report ProgIDs, ELF sections, .NET namespaces ending in a TLD as domains.")
    ] = False,
    binary: Annotated[
        bool, typer.Option("--binary", help="Search a binary file's printable strings (ASCII, UTF-16LE).")
    ] = False,
    unpack_payloads: Annotated[
        bool, typer.Option("--unpack", help="Also search payloads decoded from the text (base64, -enc, ...).")
    ] = False,
    unique: Annotated[
        bool, typer.Option("--unique", help="One row per type and observable, with a count.")
    ] = False,
    fmt: FormatOption = "table",
    limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50,
) -> None:
    """Extract indicators (IPs, domains, URLs, hashes, paths, ...) from a file or stdin."""
    from huntbook.analysis.iocs import extract_iocs
    from huntbook.analysis.iocs.sources import unique_iocs, with_payloads

    try:
        data = _read_iocs_source(source, column, binary=binary)
        origin, read = None, len(data) if isinstance(data, list) else 0
        if unpack_payloads and isinstance(data, list):
            data, origin = with_payloads(data)
        frame = extract_iocs(
            data,
            columns=column if column and not isinstance(data, list) else None,
            types=type_,
            nested=nested,
            allow_filenames=filenames,
            allow_code_names=code_names,
        )
        by = "row"
        if isinstance(data, list):  # a text: rows are line numbers (a decoded payload's: its line's)
            lines = frame["row"] if origin is None else frame["row"].map(origin.__getitem__)
            if origin is not None:  # start and end are then offsets in the decoded payload
                frame = frame.assign(decoded=frame["row"] >= read)
            frame = frame.assign(row=lines + 1).rename(columns={"row": "line"}).drop(columns="column")
            by = "line"
        if unique:
            frame = unique_iocs(frame, by)
        _print_frame(frame, fmt, limit)
    except HuntbookError as exc:
        _fail(exc)


@app.command()
def lookup(
    observables: Annotated[
        list[str], typer.Argument(help="IPs, domains, URLs, hashes, emails (- reads stdin).")
    ],
    provider: Annotated[
        list[str] | None, typer.Option("--provider", "-p", help="Only these TI providers (repeat).")
    ] = None,
    type_: Annotated[str | None, typer.Option("--type", "-t", help="The type of every observable.")] = None,
    min_severity: Annotated[
        str | None, typer.Option("--min-severity", help="Table: only observables this severe (high...none).")
    ] = None,
    cache: Annotated[bool, typer.Option(help="Use the persistent TI cache.")] = True,
    fmt: FormatOption = "table",
) -> None:
    """Look observables up in threat-intel providers (the lake's TI table by default)."""
    from huntbook.cli_hints import cli_words
    from huntbook.enrich.ti import TILookup
    from huntbook.notebook.ti_browser import TIReport

    try:
        with TILookup(provider, cache=None if cache else False) as ti:
            frame = ti.lookup(_values_or_stdin(observables), types=type_)
        frame["reason"] = frame["reason"].map(lambda r: cli_words(r) if isinstance(r, str) else r)
        if fmt == "table":
            _consoles.out.print(TIReport(frame, min_severity=min_severity))
        else:
            _print_frame(frame.drop(columns=["raw"]), fmt, len(frame))
    except HuntbookError as exc:
        _fail(exc)


def _values_or_stdin(values: list[str]) -> list[str]:
    return [line.strip() for line in sys.stdin if line.strip()] if values == ["-"] else values


@app.command()
def geoip(
    addresses: Annotated[list[str], typer.Argument(help="IPv4/IPv6 addresses (- reads stdin).")],
    city_db: Annotated[Path | None, typer.Option(help="MaxMind City/Country .mmdb file.")] = None,
    asn_db: Annotated[Path | None, typer.Option(help="MaxMind ASN .mmdb file.")] = None,
    offline: Annotated[bool, typer.Option(help="Bundled data only, ignore configured .mmdb files.")] = False,
    fmt: FormatOption = "table",
    limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50,
) -> None:
    """Locate IP addresses: country, AS, approximate coordinates (offline by default)."""
    from huntbook.enrich.geoip import geo_lookup

    try:
        frame = geo_lookup(_values_or_stdin(addresses), city_db=city_db, asn_db=asn_db, offline_only=offline)
        no_asn = fmt == "table" and bool(frame["asn"].isna().all())
        _print_frame(frame.drop(columns="asn") if no_asn else frame, fmt, limit)
        if no_asn and (frame["status"] == "ok").any():
            _consoles.out.print(
                "asn not shown: the bundled data names AS organisations (as_org), not AS numbers; "
                "--asn-db GeoLite2-ASN.mmdb adds them.",
                style="dim",
            )
    except HuntbookError as exc:
        _fail(exc)


@app.command()
def whois(
    observables: Annotated[list[str], typer.Argument(help="IPs, domains, AS numbers (- reads stdin).")],
    cache: Annotated[bool, typer.Option(help="Use the RDAP answer cache.")] = True,
    bootstrap_url: Annotated[
        str | None, typer.Option(help="Folder URL of the RDAP bootstrap files (default: IANA).")
    ] = None,
    fmt: FormatOption = "table",
    limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50,
) -> None:
    """Registration data (RDAP whois) of IP addresses, domains and AS numbers."""
    from huntbook.enrich.rdap.bootstrap import IANA_BOOTSTRAP_URL
    from huntbook.enrich.whois import whois_lookup

    try:
        frame = whois_lookup(
            _values_or_stdin(observables), use_cache=cache, bootstrap_url=bootstrap_url or IANA_BOOTSTRAP_URL
        )
        _print_frame(frame.drop(columns=["raw"]), fmt, limit)
    except HuntbookError as exc:
        _fail(exc)


@app.command()
def domain(
    names: Annotated[list[str], typer.Argument(help="Domain names (- reads stdin).")],
    resolve: Annotated[bool, typer.Option("--resolve", help="Also resolve A records (uses DNS).")] = False,
    fmt: FormatOption = "table",
    limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50,
) -> None:
    """Split domain names (registered domain, public suffix) and score how DGA-like they look."""
    from huntbook.enrich.dga import dga_score
    from huntbook.enrich.domains import domain_parts

    try:
        values = _values_or_stdin(names)
        parts = domain_parts(values)
        frame = parts.assign(dga_score=dga_score(values)["dga_score"].round(3))
        if resolve:
            from huntbook.enrich.dnslookup import resolve as resolve_names

            answers = resolve_names(values)
            frame = frame.assign(a_records=answers["answers"].map(", ".join), dns_status=answers["status"])
        _print_frame(frame, fmt, limit)
    except HuntbookError as exc:
        _fail(exc)


@app.command()
def unpack(
    source: Annotated[str, typer.Argument(help="A file (text or binary), or - for stdin.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="tree, table, csv or json.")] = "tree",
    max_depth: Annotated[int, typer.Option(help="How deep layers may nest.")] = 8,
    limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50,
) -> None:
    """Decode base64, hex, compressed and archived payloads hidden in a file, layer by layer."""
    from huntbook.analysis.decode import unpack as unpack_payloads

    try:
        data = _read_payload(source)
        root = unpack_payloads(data, max_depth=max_depth)
        if fmt == "tree":
            _consoles.out.print(root, soft_wrap=False)  # a tree crops long lines unless they wrap
            return
        import pandas as pd

        columns = ["path", "depth", "encoding", "chain", "file_type", "size", "sha256", "truncated", "limit"]
        rows = [
            {
                "path": ".".join(map(str, layer.path)),
                "depth": layer.depth,
                "encoding": layer.encoding,
                "chain": " > ".join(layer.chain),
                "file_type": layer.file_type,
                "size": layer.size,
                "sha256": layer.sha256,
                "truncated": layer.truncated,
                "limit": layer.limit,
                "text": layer.text,
            }
            for layer in root.layers()
        ]
        _print_frame(pd.DataFrame(rows, columns=[*columns, "text"]), fmt, limit)
    except HuntbookError as exc:
        _fail(exc)


def _read_payload(source: str) -> str | bytes:
    """The text of *source* (a file or - for stdin); a file that is no UTF-8 text is read as bytes."""
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    if not _is_file(path):
        raise HuntbookError(f"No such file: {source}. Give a file, or - to read stdin.")
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


_PROCTREE_SQL = {
    "SecurityEvent": (
        "SELECT * FROM SecurityEvent WHERE EventID = 4688 AND lower(Computer) LIKE lower($host) || '%' "
        "AND TimeGenerated >= $start AND TimeGenerated < $end"
    ),
    "SysmonEvent": (
        "SELECT * FROM SysmonEvent WHERE EventID = 1 AND lower(Computer) LIKE lower($host) || '%' "
        "AND TimeGenerated >= $start AND TimeGenerated < $end"
    ),
    "DeviceProcessEvents": (
        "SELECT * FROM DeviceProcessEvents WHERE lower(DeviceName) LIKE lower($host) || '%' "
        "AND ProcessCreationTime >= $start AND ProcessCreationTime < $end"
    ),
}
"""Process creations of one host in a time range, per table, in the order they are tried."""


@app.command()
def proctree(
    host: Annotated[str, typer.Option("--host", help="Host name (a prefix of Computer / DeviceName).")],
    start: Annotated[
        dt.datetime | None, typer.Option(help="Start of the time range (UTC; default: the lake's start).")
    ] = None,
    end: Annotated[
        dt.datetime | None,
        typer.Option(help="End of the time range (UTC, excluded; default: just after the lake's end)."),
    ] = None,
    table: Annotated[
        str | None,
        typer.Option(
            help="SecurityEvent (4688), SysmonEvent (event 1) or DeviceProcessEvents. "
            "Default: the first of them with events of the host in the range."
        ),
    ] = None,
    max_nodes: Annotated[int, typer.Option(help="Draw at most this many processes.")] = 300,
    lake: LakeOption = None,
) -> None:
    """Draw the process trees of one host in a time range."""
    from huntbook.analysis.proctree import build_process_tree, render_tree
    from huntbook.errors import UnknownTableError

    try:
        if table is not None and table not in _PROCTREE_SQL:
            raise HuntbookError(f"--table must be one of {', '.join(_PROCTREE_SQL)}, not '{table}'.")
        qp = _provider(lake)
        if start is None or end is None:  # the lake's span, as catalog queries default them
            first, after_last = qp.time_range
            start, end = start or first, end or after_last
        params = {"host": host, "start": _utc(start), "end": _utc(end)}
        tried = [table] if table is not None else list(_PROCTREE_SQL)
        for name in tried:
            try:
                frame = qp.exec_query(_PROCTREE_SQL[name], params=params, language="sql")
            except UnknownTableError:
                if table is not None:
                    raise
                continue
            if not frame.empty:
                _consoles.err.print(f"{len(frame):,} process creations from {name}")
                tree = render_tree(build_process_tree(frame), max_nodes=max_nodes)
                _consoles.out.print(tree, soft_wrap=False)  # a tree crops long lines unless they wrap
                return
        low, high = (f"{params[k]:%Y-%m-%d %H:%M:%S}" for k in ("start", "end"))
        raise HuntbookError(
            f"No process events for host '{host}' from {low} to {high} (UTC) in {' or '.join(tried)}."
        )
    except HuntbookError as exc:
        _fail(exc)


def _utc(moment: dt.datetime) -> dt.datetime:
    """*moment* (a time option) as UTC when it names no zone."""
    return moment.replace(tzinfo=moment.tzinfo or dt.UTC)


_TABLE_READERS = {".csv": "read_csv", ".jsonl": "read_json", ".json": "read_json", ".parquet": "read_parquet"}


def _read_iocs_source(source: str, columns: list[str] | None, *, binary: bool = False) -> Any:
    """The lines of a text (file or stdin), or the table in a .csv/.jsonl/.parquet file.

    A binary file is refused unless *binary*: then its printable strings are the lines.
    """
    import pandas as pd

    from huntbook.analysis.iocs.sources import is_binary

    if source == "-":
        raw = sys.stdin.buffer.read()
        if binary or is_binary(raw):
            return _binary_lines(raw, "stdin", binary)
        return raw.decode("utf-8", errors="replace").split("\n")
    path = Path(source)
    if not _is_file(path):
        raise HuntbookError(
            f"No such file: {source}. Give a text or table file, or - to read stdin."
        )
    reader = _TABLE_READERS.get(path.suffix.lower())
    if reader is None:
        if columns:
            raise HuntbookError(f"--column applies to .csv, .jsonl and .parquet files, not {path.name}.")
        raw = path.read_bytes()
        if binary or is_binary(raw):
            return _binary_lines(raw, path.name, binary)
        return raw.decode("utf-8", errors="replace").split("\n")
    options = {"lines": True, "dtype": False} if reader == "read_json" else {}
    try:
        return getattr(pd, reader)(path, **options)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise HuntbookError(f"Cannot read {path.name} as a {path.suffix} table: {exc}") from None


def _is_file(path: Path) -> bool:
    """Whether *path* names a readable file; a name the system refuses (too long, say) names none."""
    try:
        return path.is_file()
    except OSError:
        return False


def _binary_lines(raw: bytes, name: str, allowed: bool) -> list[str]:
    """The printable strings of binary input, if *allowed*; else an error that says what to pass."""
    from huntbook.analysis.iocs.sources import printable_strings

    if not allowed:
        raise HuntbookError(
            f"{name!r} is a binary file ({len(raw):,} bytes), not text: its bytes read as text give junk "
            "indicators. Pass --binary to search its printable strings, or run 'huntbook unpack' on it."
        )
    return printable_strings(raw)


def _demo_ran_nothing(result: Investigation, provider: QueryProvider) -> str:
    """Why `demo` writes no report: no step ran, and what to do about it."""
    from huntbook.investigation_gaps import missing_tables, ran_summary

    lake = getattr(getattr(provider.driver, "lake", None), "path", None)
    where = f"the lake at {lake}" if lake is not None else provider.environment
    advice = (
        " Ingest the missing tables listed above ('huntbook lake ingest'), or investigate a demo lake: "
        "'huntbook lake generate FOLDER', then 'huntbook demo --lake FOLDER'."
        if missing_tables(result.findings)
        else ""
    )
    return f"No step of the investigation ran on {where}: {ran_summary(result)}{advice} No report written."


def _settings() -> Any:
    from huntbook.config import load_settings

    return load_settings()


@lake_app.command("info")
def lake_info(lake: LakeOption = None) -> None:
    """Tables of the lake: rows, size and time span."""
    try:
        qp = _provider(lake)
        lake_obj = qp.driver.lake  # type: ignore[attr-defined]
        info = lake_obj.info()
        _consoles.out.print(Text.assemble("Lake: ", literal_text(str(lake_obj.path), style="bold")))
        if info.empty:
            _consoles.out.print("No tables yet: add data with 'huntbook lake ingest'.")
            return
        info["rows"] = info["rows"].map("{:,}".format)
        info["bytes"] = (info["bytes"] / 1e6).map("{:,.1f} MB".format)
        _print_frame(info.rename(columns={"bytes": "size"}), "table", 1000)
    except HuntbookError as exc:
        _fail(exc)


@lake_app.command("ingest")
def lake_ingest(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders: CSV, JSON, JSON-lines or Parquet with --table; "
            ".evtx logs or Winlogbeat / OTRF JSON-lines exports without."
        ),
    ],
    table: Annotated[
        str | None,
        typer.Option(
            "--table",
            "-t",
            help="Target table, e.g. MyLogs_CL. Leave out for Windows event files: "
            "they go to SecurityEvent, SysmonEvent or Event by channel.",
        ),
    ] = None,
    lake: Annotated[
        Path | None, typer.Option("--lake", help="Lake folder (default: lake.path of the config).")
    ] = None,
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv, json, jsonl, parquet; evtx or jsonl without -t.")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Replace the table's rows.")] = False,
    force: Annotated[bool, typer.Option(help="Ingest files seen before again.")] = False,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going", help="Report a file that cannot be ingested (exit code 1) and ingest the others."
        ),
    ] = False,
) -> None:
    """Add files to the lake; all are checked before anything is written (--keep-going skips bad ones)."""
    from huntbook.data.lake.ingest_view import ingest_report_table
    from huntbook.data.lake.lake import Lake
    from huntbook.errors import TableNeededError

    try:
        lake = _lake_folder(lake, create=True)
        if lake is None:
            raise HuntbookError(
                "No lake to write to: pass --lake FOLDER, or set lake.path in huntbook.yaml "
                "(the demo lake is generated, not for your data)."
            )
        reports = Lake(lake).ingest(
            files,
            table,
            format=file_format,
            replace=replace,
            force=force,
            progress=True,
            collect_errors=keep_going,
        )
    except TableNeededError as exc:  # say it in the words of this command
        _fail(TableNeededError(exc.kind, path=exc.path, how="--table NAME"))
    except HuntbookError as exc:
        _fail(exc)
    _consoles.out.print(ingest_report_table(reports))
    if any(report.error is not None for report in reports):
        raise typer.Exit(1)


@lake_app.command("generate")
def lake_generate(
    path: Annotated[Path, typer.Argument(help="Folder to write the lake to (must not exist).")],
    scale: Annotated[float, typer.Option(help="Background volume multiplier (40 ≈ 10M rows).")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Generate a demo lake with a planted intrusion and its ground truth."""
    import time

    from huntbook.data.lake.demo import generate_demo_lake
    from huntbook.data.lake.lake import Lake

    if path.exists() and any(path.iterdir()):
        _fail(HuntbookError(f"{path} exists and is not empty; choose a new folder."))
    started = time.perf_counter()
    generate_demo_lake(path, seed=seed, scale=scale, progress=True)
    info = Lake(path).info()
    _consoles.out.print(
        f"{int(info['rows'].sum()):,} rows in {len(info)} tables, {time.perf_counter() - started:.1f} s"
    )


@lake_app.command("path")
def lake_path(lake: LakeOption = None) -> None:
    """Print the lake folder (generating the demo lake if needed)."""
    try:
        _print_path(_provider(lake).driver.lake.path)  # type: ignore[attr-defined]
    except HuntbookError as exc:
        _fail(exc)


def _print_path(path: Path) -> None:
    """Print *path*: as recorded to a pipe (for scripts), with control characters escaped to a terminal."""
    if _consoles.out.is_terminal:
        _consoles.out.print(literal_text(str(path)))
    else:
        sys.stdout.write(f"{path}\n")


@app.callback()
def _check_config(ctx: typer.Context) -> None:
    _show_warnings_literally()  # before any command runs
    # Every command refuses an invalid huntbook.yaml with one line (file, key, value, expected
    # form) before it starts; the 'config' commands report the problems themselves.
    if ctx.invoked_subcommand == "config" or {"--help", "-h"} & set(ctx.meta.get("huntbook.args", ())):
        return
    from huntbook.config import load_settings

    try:
        load_settings()
    except HuntbookError as exc:
        _fail(exc)


@config_app.command("check")
def config_check() -> None:
    """Check every key and value of the config file; list each problem on one line (exit code 2 if any)."""
    from huntbook.config import config_search_paths, find_config_file, load_settings
    from huntbook.config_check import check_config_file

    try:
        path = find_config_file()
        problems = check_config_file(path) if path is not None else []
    except HuntbookError as exc:
        _fail(exc)
    for problem in problems:
        label = ("error:", "bold red") if problem.level == "error" else ("warning:", "yellow")
        _consoles.err.print(Text.assemble(label, " ", literal_text(str(problem))), soft_wrap=True)
    errors = sum(problem.level == "error" for problem in problems)
    if errors:
        _consoles.err.print(
            Text.assemble(literal_text(str(path)), f": {errors} bad value{'s' if errors > 1 else ''}; "
                          "huntbook refuses this file until they are fixed."),
            soft_wrap=True,
        )
        raise typer.Exit(2)
    try:
        settings = load_settings(path)
    except HuntbookError as exc:  # pragma: no cover - the check above found no error
        _fail(exc)
    if path is None:
        _consoles.out.print("No huntbook.yaml found; using defaults. Looked in:")
        for candidate in config_search_paths():
            _consoles.out.print(Text.assemble("  ", literal_text(str(candidate))))
    else:
        _consoles.out.print(Text.assemble("Config: ", literal_text(str(path), style="bold"), " (valid)"))
    lake_text = str(settings.lake.path) if settings.lake.path else "demo lake (generated on first use)"
    _consoles.out.print(Text.assemble("Local lake: ", literal_text(lake_text)))
    if settings.lake.path and not settings.lake.path.expanduser().is_dir():
        _consoles.out.print(
            Text.assemble(
                "  ", ("missing:", "yellow"), " ", literal_text(str(settings.lake.path)), " is not a folder"
            )
        )
    for folder in settings.queries.catalog_paths:
        state = ("ok", "") if folder.expanduser().is_dir() else ("missing", "yellow")
        _consoles.out.print(Text.assemble("Catalog folder: ", literal_text(str(folder)), " (", state, ")"))
    if not settings.providers:
        _consoles.out.print(
            "Providers: none configured (remote backends and online TI need a 'providers' section)"
        )
    for name, provider in settings.providers.items():
        keys = sorted(provider.model_dump(exclude_none=True))
        _consoles.out.print(
            Text.assemble(
                "Provider ", literal_text(str(name)), ": ", literal_text(", ".join(keys) or "no settings")
            )
        )


@config_app.command("show")
def config_show() -> None:
    """Print the effective configuration (secrets masked)."""
    from huntbook.config import load_settings

    try:
        settings = load_settings()
    except HuntbookError as exc:
        _fail(exc)
    _print_json(settings.model_dump_json())


def _print_json(data: str) -> None:
    """Print JSON *data* indented and coloured, hidden characters in its strings as JSON escapes."""
    import json

    from rich.highlighter import JSONHighlighter

    from huntbook.display import json_visible

    text = Text(json_visible(json.dumps(json.loads(data), indent=2, ensure_ascii=False)))
    _consoles.out.print(JSONHighlighter()(text), soft_wrap=True)


if __name__ == "__main__":  # pragma: no cover
    app()
