"""Shared fixtures: the project, one build of the real data, and a pyoxigraph store over it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import BrowserContext, Page, sync_playwright
from rdflib import Graph

from montagne_kg.building.build import Assembled, assemble, write_build
from montagne_kg.building.project import Project
from montagne_kg.layout import current_build
from montagne_kg.publication import PublishFailed, publish, retire
from montagne_kg.serving import create_app
from montagne_kg.serving.settings import Settings
from montagne_kg.serving.store import load_store

ROOT = Path(__file__).resolve().parent.parent
VIRTUOSO_LOADER_PASSWORD = "loader-secret"  # of the throwaway Virtuoso instance the tests publish to


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/* from the current build")
    parser.addoption("--update-screenshots", action="store_true", help="write the browser tests' screenshots to docs/")


@pytest.fixture(scope="session")
def project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def assembled(project: Project) -> Assembled:
    return assemble(project)


@pytest.fixture(scope="session")
def build_dir(assembled: Assembled, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_build(assembled, tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def store(build_dir: Path):
    return load_store(build_dir)


@pytest.fixture(scope="session")
def graph(assembled: Assembled) -> Graph:
    """The union of every named graph of the real build."""
    return assembled.union()


@pytest.fixture(scope="session")
def app(build_dir: Path) -> Iterator[Flask]:
    """The app over the real build (default settings, federation to the Wikidata IRI allowed)."""
    application = create_app({"SETTINGS": Settings(build_dir=build_dir.parent)})
    yield application
    application.extensions["kg"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def until(condition: Callable[[], object], seconds: float) -> bool:
    """Whether ``condition`` holds within ``seconds`` (looked at every 50 ms)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVER_LOGS: dict[str, list[str]] = {}  # what each live server wrote on stderr so far, by its base URL


@contextmanager
def live_server(build_out: Path, *flags: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`montagne-kg serve` on a free loopback port, as the README runs it; yields its base URL (its stderr lines
    gather in ``SERVER_LOGS[url]``)."""
    port = free_port()
    command = [sys.executable, "-m", "montagne_kg.cli", "serve", "--build-dir", str(build_out), "--port", str(port),
               *flags]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    log = SERVER_LOGS[url] = []
    reader = threading.Thread(target=lambda: log.extend(process.stderr), daemon=True)
    reader.start()
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{url}/-/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None:
                    reader.join(5)
                    raise RuntimeError(f"server exited: {''.join(log)}") from None
                time.sleep(0.05)
        else:
            raise RuntimeError("server did not start within 10 s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(5)
        process.stderr.close()
        del SERVER_LOGS[url]


def free_port_pair() -> int:
    """A free loopback port whose next port is free too (Virtuoso's HTTP and isql ports)."""
    for _ in range(100):
        port = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two consecutive free ports")


@contextmanager
def published_copy(build_out: Path, engine: str, tmp_path_factory: pytest.TempPathFactory,
                   **settings: object) -> Iterator[Path]:
    """A copy of the build directory ``build_out`` whose build `montagne-kg publish` loaded into ``engine`` on free
    loopback ports (its engine retired afterwards); yields the copy's build directory."""
    copy = tmp_path_factory.mktemp(f"published-{engine}") / "out"
    shutil.copytree(build_out, copy, symlinks=True)
    build = current_build(copy)
    try:
        publish(build, Settings(build_dir=copy, publish_engine=engine, publish_port=free_port_pair(), **settings))
    except PublishFailed as err:
        pytest.fail(f"montagne-kg publish to {engine} failed: {err} (`make test` installs the engines)")
    try:
        yield copy
    finally:
        retire(build)


@pytest.fixture(scope="session")
def oxigraph_out(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The real build published to Oxigraph server (from PyPI, the version of pyoxigraph)."""
    with published_copy(build_dir.parent, "oxigraph", tmp_path_factory) as out:
        yield out


@pytest.fixture(scope="session")
def virtuoso_out(build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The real build published to Virtuoso Open Source (Debian's virtuoso-opensource); its loader account's
    password is VIRTUOSO_LOADER_PASSWORD."""
    with published_copy(build_dir.parent, "virtuoso", tmp_path_factory,
                        loader_password=VIRTUOSO_LOADER_PASSWORD) as out:
        yield out


@dataclass
class StandIn:
    """A loopback HTTP server standing in for a remote SPARQL endpoint; records every request."""

    url: str
    requests: list[dict] = field(default_factory=list)
    status: int = 200
    body: bytes = b""
    content_type: str = "application/sparql-results+json"
    delay: float = 0.0  # seconds before answering
    headers: dict[str, str] = field(default_factory=dict)  # more headers of the answer


@contextmanager
def sparql_stand_in() -> Iterator[StandIn]:
    stand_in = StandIn(url="")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            stand_in.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                      "body": self.rfile.read(length).decode("utf-8")})
            time.sleep(stand_in.delay)
            self.send_response(stand_in.status)
            self.send_header("Content-Type", stand_in.content_type)
            self.send_header("Content-Length", str(len(stand_in.body)))
            for name, value in stand_in.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(stand_in.body)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()


# Browser tests drive Debian's chromium through Playwright (installed by `make test`; never downloaded).
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed at /usr/bin/chromium: run `make test`, which installs it")
    profile = tempfile.mkdtemp(prefix="montagne-kg-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=profile, executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1280, "height": 900})
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def screenshot(page: Page, name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Screenshots go to docs/ with --update-screenshots (committed), else to a temporary directory."""
    folder = ROOT / "docs" if request.config.getoption("--update-screenshots") else tmp_path
    path = folder / name
    page.screenshot(path=str(path), full_page=True)
    return path
