"""Filters that live in the URL: restored from query parameters, written back after each run."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st


def restore(key: str, default: Any, parse: Callable[[str], Any] = str,
            choices: Sequence | None = None, multi: bool = False) -> None:
    """Seed st.session_state[key] from the URL once per session; ignore values that don't parse."""
    if key in st.session_state:
        return
    raw = st.query_params.get_all(key) if multi else st.query_params.get(key)
    value = default
    try:
        if multi and raw:
            parsed = [parse(v) for part in raw for v in part.split(",") if v]
            parsed = [v for v in parsed if choices is None or v in choices]
            value = parsed or default
        elif not multi and raw is not None:
            parsed = parse(raw)
            if choices is None or parsed in choices:
                value = parsed
    except (ValueError, TypeError):
        value = default
    st.session_state[key] = value


def publish(keys: Sequence[str], defaults: dict[str, Any] | None = None) -> None:
    """Write the current values of `keys` to the URL (defaults left out to keep links short)."""
    defaults = defaults or {}
    for key in keys:
        value = st.session_state.get(key)
        if value is None or value == defaults.get(key) or value == []:
            st.query_params.pop(key, None)
        elif isinstance(value, bool):
            st.query_params[key] = "1" if value else "0"
        elif isinstance(value, (list, tuple)):
            st.query_params[key] = ",".join(map(str, value))
        else:
            st.query_params[key] = str(value)
