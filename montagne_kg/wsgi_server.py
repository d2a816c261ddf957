"""Running the app under gunicorn with our settings (used by ``montagne-kg serve`` and ``python server.py``)."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from montagne_kg.config import Settings

MAX_REQUEST_LINE = 8190  # gunicorn's maximum: GET queries up to ~8 KB; longer ones go by POST


class GunicornServer(BaseApplication):
    """gunicorn with the app created in each worker (each worker opens its own store and query process)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        options: dict[str, Any] = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "worker_class": "sync",
            "timeout": int(self.settings.time_limit) + 30,
            "graceful_timeout": 10,
            "limit_request_line": MAX_REQUEST_LINE,
            "accesslog": None,
            "preload_app": False,
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from montagne_kg import create_app

        return create_app({"SETTINGS": self.settings})


def serve(settings: Settings) -> None:
    """Serve until interrupted; SIGHUP makes the workers reopen the newest build."""
    GunicornServer(settings).run()
