"""The one door to the database.

One read-only DuckDB connection per process (`st.cache_resource`); every query
runs on its own cursor (a DuckDB connection is not safe to share across
threads, a cursor from it is) with bound parameters only.
"""
from __future__ import annotations

import functools
import threading

import duckdb
import pandas as pd
import streamlit as st

from core import demo
from core.strings import current_language
from loaders.build import ensure_built
from loaders.paths import DB_PATH, DEMO_DIR, db_path, demo_db_path  # noqa: F401  (db_path: the pages ask it)

_lock = threading.Lock()
_stamps: dict[str, tuple] = {}  # path -> identity (inode, size, time) of the file the open connection reads


@st.cache_resource(show_spinner="Preparing the database...")
def _connection(path: str, stamp: tuple) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(path, read_only=True)


def active_db():
    """The database this session reads: the official one, or the demonstration one while its switch is on."""
    return demo_db_path() if demo.is_on() else db_path()


def identity() -> tuple[str, int, int, int]:
    """The database file this session reads as it is now: path, inode, size, modification time.

    A build (the app's, an import's or an undo's, from any process) publishes a new file by renaming it over
    the old one, so the identity changes with every rebuild: what is cached under it is never stale.
    """
    path = active_db()
    if demo.is_on():
        ensure_built(db_path=path, extra_dirs=[DEMO_DIR])  # the official data plus data/demo, in its own file
    elif path == DB_PATH:
        ensure_built()  # builds from data/curated (and applied imports) when missing or stale
    info = path.stat()
    return str(path), info.st_ino, info.st_size, info.st_mtime_ns


def connection() -> duckdb.DuckDBPyConnection:
    path, *rest = identity()
    stamp = tuple(rest)  # a rebuild publishes a new file (a new inode, a new time)
    with _lock:
        previous = _stamps.get(path)
        if previous is not None and previous != stamp:
            # The file was rebuilt (an import, an undo). DuckDB keeps one instance per path in a
            # process: unless the old connection is closed, connecting again returns the old data.
            _connection(path, previous).close()
            _connection.clear()
        _stamps[path] = stamp
        return _connection(path, stamp)


def query(sql: str, params: list | tuple | dict = ()) -> pd.DataFrame:
    """Run one parameterized query on a fresh cursor and return a DataFrame."""
    cursor = connection().cursor()
    try:
        return cursor.execute(sql, params).df()
    finally:
        cursor.close()


def cached(func):
    """st.cache_data keyed by the function, its parameters, the database file's identity (path, inode, size,
    modification time) and the reader's language: an import or undo made by the command line shows in a running
    app on its next rerun, and a Spanish reader never gets an English session's copy (a function may write
    headings or values in the reader's language).

    functools.wraps keeps each function's own name and source in Streamlit's cache key.
    """
    @functools.wraps(func)
    def keyed(db, lang, *args, **kwargs):
        return func(*args, **kwargs)

    cached_keyed = st.cache_data(show_spinner=False, max_entries=256)(keyed)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return cached_keyed(identity(), current_language(), *args, **kwargs)

    wrapper.clear = cached_keyed.clear
    return wrapper
