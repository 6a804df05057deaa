"""Sign-in throttling: a growing delay after each failed sign-in, and a lockout after N failures
within a window, per browser session and across sessions.

Failures are kept in a small JSON file beside the imports (`data/.signin_failures.json`, git-ignored)
keyed by the client's address ("unknown" when Streamlit does not know it), so a new session, a new
server process or a restart does not reset them. An attempt made before its delay has passed is
refused without checking the password. Settings ($DASHBOARD_SIGNIN_*) let tests shorten them.
"""
from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import filelock

from loaders import paths

log = logging.getLogger("dashboard.auth")


@dataclass(frozen=True)
class Settings:
    delay_s: float = 1.0  # after the first failure; doubles with each further one
    max_delay_s: float = 30.0
    lockout_after: int = 10  # failures within the window
    window_s: float = 900.0
    lockout_s: float = 900.0

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        return cls(float(env("DASHBOARD_SIGNIN_DELAY_S") or cls.delay_s),
                   float(env("DASHBOARD_SIGNIN_MAX_DELAY_S") or cls.max_delay_s),
                   int(env("DASHBOARD_SIGNIN_LOCKOUT_AFTER") or cls.lockout_after),
                   float(env("DASHBOARD_SIGNIN_WINDOW_S") or cls.window_s),
                   float(env("DASHBOARD_SIGNIN_LOCKOUT_S") or cls.lockout_s))


def _now() -> float:
    return time.time()


def store_path() -> Path:
    return paths.imports_dir().parent / paths.SIGNIN_FILE


def wait_after(failures: list[float], now: float, settings: Settings) -> tuple[float, bool]:
    """Seconds to wait before the next attempt, and whether that is a lockout."""
    recent = sorted(f for f in failures if now - f < settings.window_s)
    if not recent:
        return 0.0, False
    if len(recent) >= settings.lockout_after:
        return max(0.0, recent[-1] + settings.lockout_s - now), True
    delay = min(settings.delay_s * 2 ** (len(recent) - 1), settings.max_delay_s)
    return max(0.0, recent[-1] + delay - now), False


class Throttle:
    """The failures of one client (`key`) across sessions, and of this session (`session` list)."""

    def __init__(self, key: object, session: list[float], settings: Settings | None = None):
        self.key = key if isinstance(key, str) and key else "unknown"
        self.session = session
        self.settings = settings or Settings.from_env()
        self.path = store_path()

    def _update(self, change=None) -> list[float]:
        """Read (and, with `change`, rewrite) this client's failures under the file's own lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with filelock.FileLock(str(self.path) + ".lock", preserve_lock_file=True, fallback_to_soft=False):
            try:
                stored = json.loads(self.path.read_text(encoding="utf-8"))
            except (FileNotFoundError, ValueError):
                stored = {}
            now = _now()
            stored = {k: [f for f in v if now - f < max(self.settings.window_s, self.settings.lockout_s)]
                      for k, v in stored.items() if isinstance(v, list)}
            mine = stored.get(self.key, [])
            if change is not None:
                mine = change(mine)
                stored[self.key] = mine
                tmp = self.path.with_name(self.path.name + f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps({k: v for k, v in stored.items() if v}), encoding="utf-8")
                os.replace(tmp, self.path)
            return mine

    def wait(self) -> tuple[float, bool]:
        """(seconds to wait, locked out) before this client may try again."""
        now = _now()
        shared, own = wait_after(self._update(), now, self.settings), wait_after(self.session, now, self.settings)
        return max(shared, own)

    def failed(self, name: str) -> None:
        now = _now()
        self.session.append(now)
        count = len(self._update(lambda mine: [*mine, now]))
        log.warning("failed editor sign-in from %s as %r (%d failure(s) within %g s)", self.key, name[:60], count,
                    self.settings.window_s)

    def succeeded(self) -> None:
        self.session.clear()
        self._update(lambda mine: [])
