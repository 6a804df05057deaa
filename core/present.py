"""Presentation mode: no sidebar or chrome, large type and charts, next/previous through chosen views.

Switched on by the sidebar toggle or `?present=1`; the sequence of views is `?seq=overview,homicide,...`.
"""
from __future__ import annotations

import streamlit as st

from core import state
from core.strings import lang_param, t

DEFAULT_SEQUENCE = ("overview", "homicide", "threats", "projects", "kpi_progress")
# Static CSS only (no data): hide Streamlit's chrome and sidebar, enlarge type for a projector.
PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], footer {
  display: none !important;
}
html { font-size: clamp(18px, 1.25vw, 26px); }
[data-testid="stMainBlockContainer"] { padding: 1rem 2.5rem 2rem 2.5rem; max-width: 100%; }
[data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] { font-size: 1.05rem; }
[data-testid="stMetricValue"] { font-size: 2.6rem; }
/* A metric's value and label are markdown too: they keep the metric's own sizes, not the paragraph's. */
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p { font-size: inherit; }
h1 { font-size: 2.6rem !important; }
</style>
"""


# A clicker sends PageDown/PageUp (or arrow keys); the keyboard too. A custom component (Streamlit's v2 component
# API: it runs in the page itself, no iframe) listens for them and reports a step; keys typed into a field are
# left alone. The script is static: it carries no data.
KEYS_JS = """
export default function (component) {
  const { setTriggerValue } = component;
  const steps = {ArrowRight: "next", PageDown: "next", " ": "next", Spacebar: "next",
                 ArrowLeft: "previous", PageUp: "previous", Escape: "exit"};
  const onKey = (event) => {
    const target = event.target;
    if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
    const step = steps[event.key];
    if (!step || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    setTriggerValue("step", step);
  };
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}
"""
_keys = st.components.v2.component("presentation_keys", js=KEYS_JS)


def _truthy(value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


def is_on() -> bool:
    return bool(st.session_state.get("present"))


def _exit() -> None:
    st.session_state["present"] = False


def _on_key() -> None:
    """Before the run a key causes: Escape leaves presentation mode (the toggle is not drawn yet); a step is
    taken by the run itself, which knows the sequence."""
    keys = st.session_state.get("present_keys")
    step = keys.get("step") if isinstance(keys, dict) else getattr(keys, "step", None)
    if step == "exit":
        _exit()
    elif step in ("next", "previous"):
        st.session_state["present_step"] = step


def controls(pages: dict[str, "st.navigation.page.StreamlitPage"], current_path: str) -> None:
    """Sidebar toggle and sequence; in presentation mode, the step bar at the top of the page."""
    sequence_choices = [p for p in pages if p in DEFAULT_SEQUENCE] + [p for p in pages if p not in DEFAULT_SEQUENCE]
    state.restore("present", False, _truthy, choices=[True, False])
    state.restore("seq", [p for p in DEFAULT_SEQUENCE if p in pages], choices=list(pages), multi=True)
    with st.sidebar:
        st.toggle(t("present.toggle"), key="present", help=t("present.toggle_help"))
        st.multiselect(t("present.sequence"), sequence_choices, key="seq", placeholder=t("present.choose_views"),
                       format_func=lambda p: pages[p].title)
    state.publish(["present", "seq"], {"present": False, "seq": [p for p in DEFAULT_SEQUENCE if p in pages]})
    if not is_on():
        return
    st.html(PRESENT_CSS)
    sequence = st.session_state["seq"] or list(pages)
    position = sequence.index(current_path) if current_path in sequence else -1
    params = {"present": "1", "seq": ",".join(sequence), **lang_param()}
    _keys(key="present_keys", on_step_change=_on_key)  # Right, PageDown, Space / Left, PageUp / Escape
    step = st.session_state.pop("present_step", None)
    if step == "next" and position < len(sequence) - 1:
        st.switch_page(pages[sequence[position + 1] if position >= 0 else sequence[0]], query_params=params)
    if step == "previous" and position > 0:
        st.switch_page(pages[sequence[position - 1]], query_params=params)
    bar = st.columns([1, 4, 1, 1])
    if bar[0].button(t("present.previous"), disabled=position <= 0, key="present_prev", width="stretch"):
        st.switch_page(pages[sequence[position - 1]], query_params=params)
    label = (t("present.position", n=position + 1, total=len(sequence)) if position >= 0
             else t("present.not_in_sequence"))
    bar[1].caption(t("present.status", position=label))
    if bar[2].button(t("present.next"), disabled=position >= len(sequence) - 1, key="present_next", width="stretch",
                     type="primary"):
        st.switch_page(pages[sequence[position + 1] if position >= 0 else sequence[0]], query_params=params)
    bar[3].button(t("present.exit"), key="present_exit", on_click=_exit, width="stretch")
