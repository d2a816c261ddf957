"""Every setting of the server, declared once: the table feeds the CLI flags, the environment, /-/settings and the docs.

A setting ``time_limit`` is the flag ``--time-limit`` and the variable ``MONTAGNE_KG_TIME_LIMIT``. A ``secret``
setting is read only from the environment or from the file named by ``MONTAGNE_KG_<NAME>_FILE``, never from a
flag, and is masked in /-/settings.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from montagne_kg.layout import NoProject, project_root
from montagne_kg.namespaces import WIKIDATA_QUERY_SERVICE

ENV_PREFIX = "MONTAGNE_KG_"
MASK = "********"


class SettingError(ValueError):
    """A setting given a value it cannot take; the message names the setting and where the value came from."""


def optional_path(text: str) -> Path | None:
    """A path, or None for nothing (then a default applies)."""
    return Path(text) if text else None


def positive(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise ValueError(f"must be greater than 0, not {text}")
        return value
    parse.__name__ = f"positive {kind.__name__}"
    return parse


def share(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise ValueError(f"must be greater than 0 and at most 1, not {text}")
    return value


def choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}, not {text!r}")
        return text
    return parse


def boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"must be true or false, not {text!r}")


def words(text: str) -> tuple[str, ...]:
    """Items separated by spaces or commas; ``none`` (or nothing) is the empty list."""
    items = tuple(text.replace(",", " ").split())
    return () if items == ("none",) else items


def engine_location(text: str) -> str:
    """``embedded`` (the build's own store), ``published`` (the engine `montagne-kg publish` recorded in the build),
    or the http(s) URL of a SPARQL 1.1 query endpoint."""
    url = urlsplit(text)
    if text in ("embedded", "published") or (url.scheme in ("http", "https") and url.netloc):
        return text
    raise ValueError(f"must be embedded, published or an http(s) URL of a SPARQL endpoint, not {text!r}")


def overrides(text: str) -> Mapping[str, str]:
    """``IRI=URL`` pairs separated by spaces or commas."""
    pairs = {}
    for item in words(text):
        iri, sep, url = item.partition("=")
        if not sep or not iri or not url:
            raise ValueError(f"a SERVICE override must be IRI=URL, not {item!r}")
        pairs[iri] = url
    return pairs


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default (as text, parsed like any other value), parser and help."""

    name: str
    default: str
    parse: Callable[[str], Any]
    help: str
    secret: bool = False
    many: bool = False  # the flag takes several values (joined with spaces before parsing)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    def value(self, text: str, origin: str) -> Any:
        try:
            return self.parse(text)
        except ValueError as err:
            raise SettingError(f"{origin}: {err}") from None


TABLE: tuple[Setting, ...] = (
    Setting("build_dir", "", optional_path,
            "build directory to serve (its newest complete build); none: build/ under the project root"),
    Setting("host", "127.0.0.1", str, "address to bind"),
    Setting("port", "8000", positive(int), "port to bind"),
    Setting("workers", "2", positive(int),
            "HTTP worker processes (each with its own query processes and per-client counts; one store for all)"),
    Setting("store", "memory", choice("memory", "disk"),
            "memory: load the build into memory at start; disk: the build's persistent read-only store"),
    Setting("time_limit", "10", positive(float), "seconds a query may run before it is stopped (503)"),
    Setting("memory_limit", "1024", positive(int),
            "MB a query process may grow while it answers, over its size with the store loaded (503)"),
    Setting("max_rows", "10000", positive(int), "rows (or triples) a result is cut to; X-SPARQL-MaxRows says so"),
    Setting("max_response_bytes", "50000000", positive(int), "bytes of one serialized result (503 past it)"),
    Setting("max_answer_bytes", "200000000", positive(int),
            "bytes of answers the server's workers may hold at once, all together (503 past it)"),
    Setting("max_body", "1000000", positive(int), "bytes of a request body (413 past it)"),
    Setting("max_nesting", "500", positive(int), "brackets a query may nest ( { [ (400 past it, before parsing)"),
    Setting("max_terms", "150000", positive(int),
            "words and other non-space characters a query may hold, counted anywhere in its text (400 past it, "
            "before parsing)"),
    Setting("max_queries", "8", positive(int), "queries answered at once by one worker's query processes"),
    Setting("per_client", "4", positive(int),
            "queries one client may have in flight at once, on the whole server (429 past it)"),
    Setting("client_share", "0.5", share,
            "share of a worker's query slots one client may hold while they are all taken: past it, its further "
            "queries are 429 rather than queued before other clients' (1: no share rule)"),
    Setting("per_client_pages", "16", positive(int),
            "searches, suggestions, class pages and home pages one client may have in flight at once (429 past "
            "it); lookups by IRI (entity pages, /id/, /data/) are not counted"),
    Setting("queue_wait", "2", positive(float),
            "seconds a query may wait for a free query process (503 with Retry-After past it)"),
    Setting("max_search_chars", "200", positive(int), "characters a search text may hold (400 past it)"),
    Setting("max_search_words", "16", positive(int), "words a search text may hold (400 past it)"),
    Setting("search_time_limit", "1", positive(float),
            "seconds a search may take (it checks this deadline itself as it goes; 503 past it)"),
    Setting("trusted_proxies", "", words,
            "proxy addresses whose X-Forwarded-For names the client (a balancer in front); none by default",
            many=True),
    Setting("header_timeout", "5", positive(float), "seconds a client has to send the request headers"),
    Setting("body_timeout", "10", positive(float),
            "seconds a client has to send the whole request body, on every route (408 past it)"),
    Setting("service_allow", WIKIDATA_QUERY_SERVICE, words,
            "SERVICE endpoints a query may call (none: federation off)", many=True),
    Setting("service_override", "", overrides, "send an allowed SERVICE IRI to another URL: IRI=URL", many=True),
    Setting("allow_unsandboxed", "false", boolean,
            "start even where queries cannot be kept off the network (no seccomp): only for trusted users"),
    Setting("service_confinement", "namespace", choice("namespace", "none"),
            "how a federated query process is confined: namespace (a user and network namespace where the SERVICE "
            "relay is the only address it can reach) or none; /-/settings shows the one in force"),
    Setting("allow_unconfined_federation", "false", boolean,
            "run federated queries where they cannot be confined (no user namespaces, or service_confinement none), "
            "with the network: only for trusted users"),
    Setting("engine", "embedded", engine_location,
            "where queries run: embedded (the build's own store), published (the engine `montagne-kg publish` "
            "recorded in the build; switched on SIGHUP) or the URL of a SPARQL 1.1 query endpoint"),
    Setting("engine_default_graph", "", str,
            "remote engine: default-graph-uri sent with queries that name no dataset (with the build's named graphs "
            "as named-graph-uri); none: the engine's own default dataset"),
    Setting("engine_method", "post", choice("post", "get"), "remote engine: how queries are sent (a form POST or GET)"),
    Setting("engine_auth", "none", choice("none", "basic", "digest", "bearer"), "remote engine: authentication"),
    Setting("engine_user", "", str, "remote engine: user name for basic or digest authentication"),
    Setting("engine_password", "", str, "remote engine: password for basic or digest authentication", secret=True),
    Setting("engine_token", "", str, "remote engine: bearer token", secret=True),
    Setting("engine_connect_timeout", "2", positive(float), "remote engine: seconds to connect (502 past it)"),
    Setting("engine_read_timeout", "15", positive(float),
            "remote engine: seconds to wait for an answer (504 past it); keep it above the engine's own time limit "
            "so that the engine stops the query first"),
    Setting("publish_engine", "oxigraph", choice("oxigraph", "virtuoso"),
            "`montagne-kg publish`: the engine a build is loaded into (a fresh store and process of its own)"),
    Setting("publish_host", "127.0.0.1", str, "`montagne-kg publish`: the address the engine listens on"),
    Setting("publish_port", "7878", positive(int), "`montagne-kg publish`: the engine's HTTP port"),
    Setting("loader_user", "montagne_loader", str,
            "`montagne-kg publish` to Virtuoso: the account that loads graphs (Graph Store Protocol, digest "
            "authentication; never dba)"),
    Setting("loader_password", "", str,
            "`montagne-kg publish` to Virtuoso: that account's password (random when unset)", secret=True),
)
BY_NAME = {s.name: s for s in TABLE}

Settings = dataclasses.make_dataclass(
    "Settings",
    [(s.name, Any, dataclasses.field(default_factory=functools.partial(s.parse, s.default))) for s in TABLE],
    frozen=True,
    namespace={"__doc__": "How the server runs: one attribute per row of the settings table."},
)


def from_environment(environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults overridden by MONTAGNE_KG_* variables (and MONTAGNE_KG_*_FILE for secrets)."""
    environ = os.environ if environ is None else environ
    values = {}
    for setting in TABLE:
        if setting.env in environ:
            values[setting.name] = setting.value(environ[setting.env], f"{setting.env}={environ[setting.env]!r}")
        elif setting.secret and f"{setting.env}_FILE" in environ:
            path = Path(environ[f"{setting.env}_FILE"])
            values[setting.name] = setting.value(path.read_text(encoding="utf-8").strip(), f"{setting.env}_FILE")
    return Settings(**values)


def add_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per setting that is not secret; an absent flag leaves the environment's value."""
    for setting in TABLE:
        if setting.secret:
            continue
        env = f"env {setting.env}; default: {setting.default or 'none'}"
        if setting.many:
            parser.add_argument(setting.flag, nargs="*", dest=setting.name, help=f"{setting.help} ({env})")
        else:
            parser.add_argument(setting.flag, dest=setting.name, help=f"{setting.help} ({env})")


def from_flags(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Settings:
    """The environment's settings, overridden by the flags given."""
    settings = from_environment(environ)
    changes = {}
    for setting in TABLE:
        given = getattr(args, setting.name, None)
        if given is None:
            continue
        text = " ".join(given) if setting.many else given
        changes[setting.name] = setting.value(text, f"{setting.flag} {text}")
    return dataclasses.replace(settings, **changes)


def environment(settings: Settings) -> dict[str, str]:
    """Every setting as the MONTAGNE_KG_* variable that ``from_environment`` reads back to the same value."""
    variables = {}
    for setting in TABLE:
        value = getattr(settings, setting.name)
        if isinstance(value, tuple):
            text = " ".join(value)
        elif isinstance(value, Mapping):
            text = " ".join(f"{iri}={url}" for iri, url in value.items())
        elif isinstance(value, bool):
            text = str(value).lower()
        elif value is None:
            text = ""
        else:
            text = str(value)
        variables[setting.env] = text
    return variables


def shown_path(path: Path) -> str:
    """A path as /-/settings publishes it: relative to the project root it lies in (``build``), never the
    machine's layout; a path outside any project as it was given."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(project_root(None, start=path)))
    except (NoProject, ValueError):
        return str(path)


def public(settings: Settings) -> dict[str, Any]:
    """Every setting's value as JSON would show it, secrets masked."""
    shown = {}
    for setting in TABLE:
        value = getattr(settings, setting.name)
        if setting.secret:
            shown[setting.name] = MASK if value else ""
        elif isinstance(value, Path):
            shown[setting.name] = shown_path(value)
        elif isinstance(value, tuple):
            shown[setting.name] = list(value)
        elif isinstance(value, Mapping):
            shown[setting.name] = dict(value)
        else:
            shown[setting.name] = value
    return shown
