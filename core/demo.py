"""The illustrative demonstration set (data/demo/): off by default, on with ?demo=1 or the sidebar switch,
labelled "Illustrative data - not official results" wherever it shows (banner, every chart, table and download).

It lives in its own database (loaders.paths.demo_db_path(): the official data plus data/demo), so the
official database never holds a demonstration row.
"""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import state
from core.strings import t

KEY = "demo"


def is_on() -> bool:
    """Whether this session shows the demonstration set (never outside a Streamlit run)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return False
    try:
        return bool(st.session_state.get(KEY, False))
    except Exception:  # a run without a usable session
        return False


def label() -> str:
    """The words every chart, table and download of demonstration data carries."""
    return t("demo.label")


def _flag(value: str) -> bool:
    if value in ("1", "true", "True"):
        return True
    if value in ("0", "false", "False"):
        return False
    raise ValueError(value)


def control() -> None:
    """The sidebar switch, kept in the URL as ?demo=1."""
    state.restore(KEY, False, _flag, choices=[True, False])
    st.sidebar.toggle(t("demo.toggle"), key=KEY, help=t("demo.toggle_help"))
    state.publish([KEY], {KEY: False})


def banner() -> None:
    """While the switch is on, every page says so at the top."""
    if is_on():
        st.warning(t("demo.banner", label=label()), icon=":material/science:")
