"""Query catalogs: YAML files of named, parameterised queries.

A catalog file holds one family of queries::

    family: WindowsSecurity
    description: Windows Security event log hunts.
    defaults:                       # parameters every query of the file takes
      parameters:
        start: {type: datetime, description: Start of the time range}
        end: {type: datetime, description: End of the time range}
    queries:
      list_host_processes:
        description: Processes created on a host (event 4688).
        entities: {host: host_name}   # entity kind -> the parameter that names it
        parameters:
          host_name: {type: str, description: Host name}
        kql: |
          SecurityEvent
          | where TimeGenerated between (start .. end) and EventID == 4688
          | where Computer =~ host_name

Bodies refer to parameters by name and are bound as values (KQL
``declare query_parameters``), never pasted into the text. Every key is
checked when the file loads; a mistake is a `CatalogError` naming the file,
line, query and field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from huntbook.data.params import KQL_TYPE, PARAM_TYPES, coerce, kql_literal
from huntbook.errors import CatalogError, HuntbookError, did_you_mean

LANGUAGES = ("kql", "sql", "spl", "opensearch", "opensearch_sql")
"""Query languages a catalog body may be written in (``sql`` is DuckDB SQL,
``opensearch`` the OpenSearch/Elasticsearch query DSL as JSON)."""

BUILTIN_DIR = Path(__file__).parent / "queries"

TIME_RANGE_PARAMETERS = ("start", "end")
"""Datetime parameters that default to the provider's time range."""

_REQUIRED = object()
RESERVED_PARAMETERS = ("timeout",)
"""Names taken by the query call itself."""
_FILE_KEYS = ("family", "description", "defaults", "queries")
_QUERY_KEYS = ("description", "parameters", "entities", "tables", *LANGUAGES)
_PARAM_KEYS = ("type", "description", "default")
_ENTITY_KINDS = (
    "host", "account", "ip", "process", "file", "hash", "url", "domain", "dns", "alert",
    "logon_session", "user", "device", "service", "registry_key",
)  # fmt: skip


@dataclass(frozen=True)
class Parameter:
    """One typed parameter of a query.

    Attributes
    ----------
    name : str
        The name the query body uses.
    type : str
        One of `PARAM_TYPES`.
    description : str
        What the value means.
    default : object
        The value used when none is given, as written in the catalog (typed
        when the query runs, so ``"-7d"`` is relative to that moment); absent
        for a required parameter.
    """

    name: str
    type: str
    description: str
    default: Any = _REQUIRED

    @property
    def required(self) -> bool:
        """Whether a value must be given (time-range parameters never must)."""
        return self.default is _REQUIRED and not self.is_time_range

    @property
    def is_time_range(self) -> bool:
        """Whether the provider supplies this parameter's default time."""
        return self.type == "datetime" and self.name in TIME_RANGE_PARAMETERS and self.default is _REQUIRED

    @property
    def has_default(self) -> bool:
        """Whether the catalog gives a default value."""
        return self.default is not _REQUIRED


@dataclass(frozen=True)
class Query:
    """A named, parameterised query from a catalog."""

    name: str
    family: str
    description: str
    parameters: tuple[Parameter, ...]
    bodies: Mapping[str, str]
    entities: Mapping[str, str] = field(default_factory=dict)
    tables: tuple[str, ...] = ()
    source: str = "<memory>"
    line: int = 0

    @property
    def full_name(self) -> str:
        """``Family.name``."""
        return f"{self.family}.{self.name}"

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this query has a body in."""
        return tuple(self.bodies)

    def parameter(self, name: str) -> Parameter:
        """Return the parameter called *name*."""
        for param in self.parameters:
            if param.name == name:
                return param
        raise KeyError(name)

    def bind(
        self,
        values: Mapping[str, object],
        *,
        time_range: tuple[dt.datetime, dt.datetime] | None = None,
        now: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """Check and type the values for a run of this query.

        Parameters
        ----------
        values : Mapping[str, object]
            What the caller passed, by parameter name.
        time_range : tuple of datetime, optional
            Defaults for ``start`` and ``end`` when not given.
        now : datetime, optional
            What relative datetimes are relative to.

        Returns
        -------
        dict
            Every parameter's typed value.

        Raises
        ------
        ParameterError
            An unknown parameter, a missing required one, or a bad value.
        """
        from huntbook.errors import ParameterError

        known = {p.name: p for p in self.parameters}
        for name in values:
            if name not in known:
                raise ParameterError(
                    f"Query '{self.full_name}' has no parameter '{name}'."
                    f"{did_you_mean(name, known)} Its parameters: {', '.join(known)}.",
                    query=self.full_name,
                    parameter=name,
                )
        missing = [
            p
            for p in self.parameters
            if values.get(p.name) is None
            and not p.has_default
            and not (p.is_time_range and time_range is not None)
        ]
        if missing:
            first = missing[0]
            raise ParameterError(
                f"Query '{self.full_name}' needs a value for '{first.name}' "
                f"({first.type}: {first.description}). "
                f"Missing: {', '.join(p.name for p in missing)}. "
                f"Call it as {self.full_name}({first.name}=...).",
                query=self.full_name,
                parameter=first.name,
            )
        bound: dict[str, Any] = {}
        for param in self.parameters:
            if values.get(param.name) is not None:
                raw = values[param.name]
            elif param.has_default:
                raw = param.default
            else:
                assert time_range is not None
                raw = time_range[TIME_RANGE_PARAMETERS.index(param.name)]
            bound[param.name] = coerce(raw, param.type, name=param.name, query=self.full_name, now=now)
        return bound

    def text(self, language: str = "kql") -> str:
        """Return the body for *language*, with its parameter declaration."""
        body = self.body(language)
        if language != "kql" or not self.parameters:
            return body
        decls = ", ".join(f"{p.name}:{KQL_TYPE[p.type]}" for p in self.parameters)
        return f"declare query_parameters({decls});\n{body}"

    def body(self, language: str = "kql") -> str:
        """Return the body written for *language*."""
        try:
            return self.bodies[language]
        except KeyError:
            raise HuntbookError(
                f"Query '{self.full_name}' has no {language.upper()} body "
                f"(it has: {', '.join(self.languages)})."
            ) from None

    def render(self, values: Mapping[str, Any] | None = None, language: str = "kql") -> str:
        """Return the query as it reads with *values* (typed, from `bind`) in place.

        KQL is shown with the values as defaults of its parameter declaration,
        which is valid KQL to paste into Log Analytics or Data Explorer.
        """
        body = self.body(language)
        if language != "kql" or not self.parameters:
            return body
        values = values or {}
        decls = []
        for p in self.parameters:
            decl = f"{p.name}:{KQL_TYPE[p.type]}"
            value = values.get(p.name, _REQUIRED)
            if value is not _REQUIRED:
                decl += f" = {kql_literal(value)}"
            decls.append(decl)
        return "declare query_parameters(" + ",\n    ".join(decls) + ");\n" + body


class Catalog(Mapping[str, Query]):
    """Queries by full name (``Family.name``), loaded from YAML files."""

    def __init__(self, queries: Mapping[str, Query] | None = None):
        self._queries: dict[str, Query] = dict(queries or {})

    def __getitem__(self, key: str) -> Query:
        return self._queries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._queries)

    def __len__(self) -> int:
        return len(self._queries)

    @property
    def families(self) -> dict[str, dict[str, Query]]:
        """Queries grouped by family, then by name."""
        result: dict[str, dict[str, Query]] = {}
        for query in self._queries.values():
            result.setdefault(query.family, {})[query.name] = query
        return result

    def add(self, query: Query) -> None:
        """Add *query*.

        A query of the same full name from another file may only add bodies in
        other languages, with the same parameters (the per-language folders
        ``queries/spl``, ``queries/opensearch``, ... do that); anything else is
        an error.
        """
        existing = self._queries.get(query.full_name)
        if existing is not None and existing.source != query.source:
            query = _merge_bodies(existing, query)
        self._queries[query.full_name] = query

    def load_folder(self, folder: Path) -> None:
        """Load every ``*.yaml``/``*.yml`` file below *folder*."""
        if not folder.is_dir():
            raise CatalogError("catalog folder does not exist", path=str(folder))
        for path in sorted([*folder.rglob("*.yaml"), *folder.rglob("*.yml")]):
            for query in load_file(path):
                self.add(query)


def _merge_bodies(existing: Query, other: Query) -> Query:
    """Return *existing* with the bodies of *other*, a definition in other languages."""
    where = f"{existing.source}:{existing.line}"
    if set(existing.bodies) & set(other.bodies):
        raise CatalogError(
            f"duplicate query name; already defined at {where}",
            path=other.source, line=other.line, query=other.full_name,
        )  # fmt: skip
    signature = [(p.name, p.type, p.default) for p in existing.parameters]
    if [(p.name, p.type, p.default) for p in other.parameters] != signature:
        raise CatalogError(
            f"its {'/'.join(other.bodies)} body must take the same parameters (name, type, "
            f"default) as the definition at {where}: {', '.join(p[0] for p in signature) or 'none'}",
            path=other.source, line=other.line, query=other.full_name,
        )  # fmt: skip
    return replace(existing, bodies=MappingProxyType({**existing.bodies, **other.bodies}))


def load_catalog(folders: list[Path] | tuple[Path, ...] = (), *, builtin: bool = True) -> Catalog:
    """Load the built-in catalog and any user *folders* into one `Catalog`."""
    catalog = Catalog()
    if builtin:
        catalog.load_folder(BUILTIN_DIR)
    for folder in folders:
        catalog.load_folder(Path(folder).expanduser())
    return catalog


def load_file(path: Path) -> list[Query]:
    """Load and validate one catalog file.

    Raises
    ------
    CatalogError
        The file is not valid YAML or breaks a rule; the message names the
        file, line, query and field.
    """
    import yaml

    text = path.read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CatalogError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            path=str(path),
            line=mark.line + 1 if mark else None,
        ) from None
    if node is None:
        raise CatalogError("the file is empty", path=str(path))
    return _FileReader(path, node).queries()


class _FileReader:
    """Turns one composed YAML document into `Query` objects, checking as it goes."""

    def __init__(self, path: Path, node: Any):
        import yaml

        self.path = str(path)
        self.yaml = yaml
        self.root = self.mapping(node, "the file", None)

    def error(
        self, message: str, node: Any, query: str | None = None, fld: str | None = None
    ) -> CatalogError:
        return CatalogError(message, path=self.path, line=node.start_mark.line + 1, query=query, field=fld)

    def mapping(
        self, node: Any, what: str, query: str | None, fld: str | None = None
    ) -> dict[str, tuple[Any, Any]]:
        if not isinstance(node, self.yaml.MappingNode):
            raise self.error(f"{what} must be a mapping", node, query, fld)
        result = {}
        for key, value in node.value:
            result[str(key.value)] = (key, value)
        return result

    def scalar(self, node: Any, query: str | None, fld: str) -> Any:
        if not isinstance(node, self.yaml.ScalarNode):
            raise self.error("must be a single value", node, query, fld)
        return self.yaml.safe_load(self.yaml.serialize(node))

    def text(self, node: Any, query: str | None, fld: str) -> str:
        value = self.scalar(node, query, fld)
        if not isinstance(value, str) or not value.strip():
            raise self.error("must be non-empty text", node, query, fld)
        return value.strip()

    def check_keys(
        self,
        items: Mapping[str, tuple[Any, Any]],
        allowed: tuple[str, ...],
        query: str | None,
        prefix: str = "",
    ) -> None:
        for key, (key_node, _) in items.items():
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                raise self.error(
                    f"unknown key '{key}'.{hint} Allowed: {', '.join(allowed)}", key_node, query, prefix + key
                )

    def queries(self) -> list[Query]:
        root = self.root
        self.check_keys(root, _FILE_KEYS, None)
        for required in ("family", "queries"):
            if required not in root:
                raise CatalogError(f"missing required key '{required}'", path=self.path, line=1)
        family = self.text(root["family"][1], None, "family")
        if not family.isidentifier():
            raise self.error(
                "family must be an identifier, e.g. WindowsSecurity", root["family"][1], None, "family"
            )
        shared: tuple[Parameter, ...] = ()
        if "defaults" in root:
            defaults = self.mapping(root["defaults"][1], "defaults", None, "defaults")
            self.check_keys(defaults, ("parameters",), None, "defaults.")
            if "parameters" in defaults:
                shared = self.parameters(defaults["parameters"][1], None)
        entries = self.mapping(root["queries"][1], "queries", None, "queries")
        if not entries:
            raise self.error("no queries defined", root["queries"][1], None, "queries")
        return [self.query(name, key, value, family, shared) for name, (key, value) in entries.items()]

    def query(self, name: str, key: Any, node: Any, family: str, shared: tuple[Parameter, ...]) -> Query:
        full = f"{family}.{name}"
        if not name.isidentifier():
            raise self.error("query name must be an identifier (letters, digits, '_')", key, full)
        items = self.mapping(node, "a query", full)
        self.check_keys(items, _QUERY_KEYS, full)
        if "description" not in items:
            raise self.error("missing 'description'", key, full, "description")
        bodies = {lang: self.text(items[lang][1], full, lang) for lang in LANGUAGES if lang in items}
        if not bodies:
            raise self.error(f"no query body: give one of {', '.join(LANGUAGES)}", key, full)
        own = self.parameters(items["parameters"][1], full) if "parameters" in items else ()
        names = {p.name for p in own}
        params = (*[p for p in shared if p.name not in names], *own)
        entities: dict[str, str] = {}
        if "entities" in items:
            for kind, (kind_key, value) in self.mapping(
                items["entities"][1], "entities", full, "entities"
            ).items():
                if kind not in _ENTITY_KINDS:
                    raise self.error(
                        f"unknown entity kind '{kind}'.{did_you_mean(kind, _ENTITY_KINDS)}",
                        kind_key,
                        full,
                        f"entities.{kind}",
                    )
                param = self.text(value, full, f"entities.{kind}")
                if param not in {p.name for p in params}:
                    raise self.error(
                        f"entity '{kind}' names unknown parameter '{param}'", value, full, f"entities.{kind}"
                    )
                entities[kind] = param
        tables: tuple[str, ...] = ()
        if "tables" in items:
            raw = self.yaml.safe_load(self.yaml.serialize(items["tables"][1]))
            if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
                raise self.error("must be a list of table names", items["tables"][1], full, "tables")
            tables = tuple(raw)
        return Query(
            name=name,
            family=family,
            description=self.text(items["description"][1], full, "description"),
            parameters=params,
            bodies=MappingProxyType(bodies),
            entities=MappingProxyType(entities),
            tables=tables,
            source=self.path,
            line=key.start_mark.line + 1,
        )

    def parameters(self, node: Any, query: str | None) -> tuple[Parameter, ...]:
        from huntbook.data.lake.schemas import TABLES

        columns = {c for t in TABLES.values() for c in t.columns}
        result = []
        for name, (key, value) in self.mapping(node, "parameters", query, "parameters").items():
            fld = f"parameters.{name}"
            if not name.isidentifier():
                raise self.error("parameter name must be an identifier", key, query, fld)
            if name in RESERVED_PARAMETERS:
                raise self.error(
                    f"'{name}' is reserved for the query call; rename the parameter", key, query, fld
                )
            if name in columns:
                raise self.error(
                    f"parameter '{name}' has the name of a table column, which KQL would read "
                    "instead of the value; rename it (e.g. snake_case)",
                    key,
                    query,
                    fld,
                )
            spec = self.mapping(value, "a parameter", query, fld)
            self.check_keys(spec, _PARAM_KEYS, query, fld + ".")
            if "type" not in spec:
                raise self.error(f"missing 'type' (one of {', '.join(PARAM_TYPES)})", key, query, fld)
            ptype = self.text(spec["type"][1], query, fld + ".type")
            if ptype not in PARAM_TYPES:
                raise self.error(
                    f"unknown type '{ptype}'.{did_you_mean(ptype, PARAM_TYPES)} "
                    f"Use one of {', '.join(PARAM_TYPES)}",
                    spec["type"][1],
                    query,
                    fld + ".type",
                )
            if "description" not in spec:
                raise self.error("missing 'description'", key, query, fld)
            description = self.text(spec["description"][1], query, fld + ".description")
            default: Any = _REQUIRED
            if "default" in spec:
                raw = self.yaml.safe_load(self.yaml.serialize(spec["default"][1]))
                try:
                    coerce(raw, ptype, name=name, query=query)  # checked now, typed at each run
                except HuntbookError as exc:
                    raise self.error(
                        f"bad default: {exc}", spec["default"][1], query, fld + ".default"
                    ) from None
                default = raw
            result.append(Parameter(name, ptype, description, default))
        return tuple(result)
