"""After SIGHUP, a worker still serving the old build asks its clients to reconnect (``Connection: close``), so
that no kept-alive connection is cut under them when the worker is replaced."""

from __future__ import annotations

import time
from pathlib import Path

from flask import Flask

from montagne_kg.serving.succession import CHECK_SECONDS, Succession, point


def test_a_worker_is_superseded_once_serve_points_at_another_build(tmp_path: Path) -> None:
    pointer = tmp_path / "served"
    point(pointer, tmp_path / "build-a")
    succession = Succession(str(tmp_path / "build-a"), pointer)
    assert not succession.superseded()
    point(pointer, tmp_path / "build-b")
    time.sleep(CHECK_SECONDS + 0.05)  # the pointer is read again at most this often
    assert succession.superseded()
    assert not Succession(None, None).superseded()  # outside `serve`: never


def test_a_superseded_worker_answers_with_connection_close(app: Flask, tmp_path: Path) -> None:
    front = app.extensions["front"]
    pointer = tmp_path / "served"
    point(pointer, tmp_path / "build-a")
    front.succession = Succession(str(tmp_path / "build-a"), pointer)
    client = app.test_client()
    for path in ("/-/health", "/sparql?query=ASK%7B%7D", "/page/chambery"):
        assert "close" not in client.get(path).headers.get("Connection", ""), path
    point(pointer, tmp_path / "build-b")
    time.sleep(CHECK_SECONDS + 0.05)
    for path in ("/-/health", "/sparql?query=ASK%7B%7D", "/page/chambery"):  # pages, and answers the front sends
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Connection"] == "close", path
