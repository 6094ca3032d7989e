"""The served dashboard follows the warehouse as a whole: one app per warehouse file, swapped when a rebuild
replaces the file.

Each request is served from start to end by the app current when it arrived, and that app reads only the file it
opened (its DuckDB connection keeps the file even once it is moved or replaced). A watcher looks at the file every
SOUSEI_RELOAD_INTERVAL_S seconds, or at once on SIGHUP; when a different file is there and it is a whole warehouse
(`pipeline.verify`), a complete new app is built beside the running one and then swapped in with one assignment,
so that no request ever mixes two warehouses. A file that is missing or not a whole warehouse is logged in one line
and the running app goes on serving.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sousei import config
from sousei.query import built_at

log = logging.getLogger("sousei.serve")
BUILD_HEADER = b"x-warehouse-built-at"
# Requests still being served by a replaced app may run this long before its connection is closed.
CLOSE_AFTER_S = 60.0

App = Any  # an ASGI application


def _identity(db: Path) -> tuple[int, int, int] | None:
    try:
        st = db.stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


class LiveApp:
    def __init__(self, db: Path, make: Callable[[Path], App] | None = None, interval_s: float | None = None):
        if make is None:
            from sousei.web.app import create_app

            make = create_app
        self.db = db
        self._make = make
        self.interval_s = interval_s if interval_s is not None else config.reload_interval_s()
        self._identity = _identity(db)
        self._built_at = built_at(db) or ""
        self._app: App = make(db)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def built_at(self) -> str:
        return self._built_at

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        app, built = self._app, self._built_at.encode()  # one request, one warehouse

        async def send_with_build(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (BUILD_HEADER, built)]}
            await send(message)

        await app(scope, receive, send_with_build if scope["type"] == "http" else send)

    async def _lifespan(self, receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def start(self) -> None:
        """Start watching the file (and listen for SIGHUP where signals can be set, i.e. in the main thread)."""
        if self._watcher is not None:
            return
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, lambda *_: self._wake.set())
        self._watcher = threading.Thread(target=self._watch, name="warehouse-watcher", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _watch(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval_s)
            self._wake.clear()
            if not self._stop.is_set():
                self.reload_if_changed()

    def reload_if_changed(self) -> bool:
        """Swap in an app on the file now at the path if it is another whole warehouse; True if swapped."""
        with self._lock:
            seen = _identity(self.db)
            if seen is None:
                if self._identity is not None:
                    log.warning("%s is gone: serving the warehouse opened before", self.db)
                self._identity = None
                return False
            if seen == self._identity:
                return False
            self._identity = seen  # examined once, whatever the outcome
            built = built_at(self.db)
            if built is None:
                return False
            try:
                fresh = self._make(self.db)
            except Exception:  # a broken file must not stop the running dashboard
                log.exception("not reloading %s", self.db)
                return False
            old, self._app, self._built_at = self._app, fresh, built
            log.warning("serving the rebuilt warehouse %s (built %s)", self.db, built)
        _close_later(old)
        return True


def _close_later(app: App) -> None:
    wh = getattr(getattr(app, "state", None), "wh", None)
    if wh is not None:
        timer = threading.Timer(CLOSE_AFTER_S, wh.close)
        timer.daemon = True
        timer.start()


def from_environment() -> LiveApp:
    db = config.db_path()
    return LiveApp(Path(os.path.abspath(db)))
