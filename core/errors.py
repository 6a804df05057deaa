"""Errors at the page's edge: a viewer sees a short message, the server log gets the details.

`.streamlit/config.toml` sets `client.showErrorDetails = "none"`, so even an error that escapes this
edge shows no traceback or server path in the browser.
"""
from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from core.strings import t

log = logging.getLogger("dashboard.pages")


def setup_logging() -> None:
    """The app's own log lines (builds, imports, sign-in failures, page errors) on the server's stderr."""
    root = logging.getLogger("dashboard")
    if not any(getattr(h, "dashboard", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.dashboard = True
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        root.propagate = False


def guarded(run: Callable[[], object], where: str) -> None:
    """Run a page (or the shared chrome around it); any error becomes a short message with a reference."""
    try:
        run()
    except ScriptControlException:  # st.stop, st.rerun, st.switch_page: Streamlit's own control flow
        raise
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("error on %s (reference %s)", where, reference)
        st.error(t("app.page_error", reference=reference), icon=":material/error:")
