"""A Streamlit client without a browser: the protocol the frontend speaks, over a websocket.

The frontend opens `ws(s)://host/_stcore/stream` (subprotocol "streamlit") and asks for a run with a
`BackMsg.rerun_script` carrying a `ClientState`: the URL's query string, the page (`page_name` is the
URL path on the first run; afterwards the `page_script_hash` the server named in `new_session`), and
`widget_states`, the value of every widget the user changed. The server answers with `ForwardMsg`s,
one per websocket frame: `new_session`, `delta`s (the page's elements; a widget's element carries its
id, options and value), `page_info_changed` (the query string the app wrote into the URL) and, at the
end of the run, `script_finished` (`FINISHED_EARLY_FOR_RERUN` when `st.rerun` starts the run again).

Changing a filter is what the browser does: the widget's new value in `widget_states`, sent with the
URL as it stands (the app reads the URL once per session, then keeps each filter in the session's
state and writes it back into the URL). A run is checked, not just timed: an exception, an error
message or a filter that did not reach the URL makes it an error.

Streamlit 1.67 serves over Starlette/uvicorn and depends on `websockets`, the client used here.
"""
from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

STREAM_PATH = "/_stcore/stream"
EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN  # st.rerun: the run goes on, under a new run
FAILED = (ForwardMsg.FINISHED_WITH_COMPILE_ERROR,)
NO_XSRF_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend puts in the token's place when it has none


@dataclass
class Widget:
    """A widget as the last run drew it: its element type, id, option labels and current label(s)."""
    kind: str
    id: str
    options: list[str]
    value: list[str]
    fragment_id: str = ""

    @property
    def key(self) -> str:
        """The user key: element ids of keyed widgets end with it (`$$ID-<hash>-<key>`)."""
        return self.id.split("-", 2)[2] if self.id.startswith("$$ID-") and self.id.count("-") >= 2 else ""


@dataclass
class Run:
    """One script run as the client saw it."""
    ms: float
    status: int | None  # ForwardMsg.ScriptFinishedStatus; None when the run timed out
    errors: list[str] = field(default_factory=list)
    messages: int = 0
    received_bytes: int = 0
    texts: list[bytes] = field(default_factory=list)  # the deltas' bytes, kept only when asked (keep=True)

    def shows(self, text: str) -> bool:
        """Whether any element or block of the run carries this text (labels, Markdown, figures...)."""
        needle = text.encode("utf-8")
        return any(needle in chunk for chunk in self.texts)


def _current(kind: str, element) -> list[str]:
    options = list(element.options)
    if element.set_value:  # the value the app set through st.session_state (the URL's, here)
        raw = element.raw_value
        return list(raw) if kind == "slider" else [raw]
    indices = element.default if kind == "slider" else [element.default]
    return [options[int(i)] for i in indices if 0 <= int(i) < len(options)]


def widget_of(delta) -> Widget | None:
    """The widget a `delta.new_element` draws, when it is one the client can set (see `set_value`)."""
    element = delta.new_element
    kind = element.WhichOneof("type")
    if kind not in ("selectbox", "radio", "slider"):
        return None
    proto = getattr(element, kind)
    if kind == "slider" and not proto.options:
        return None  # a numeric slider: not needed by the pages' main filters
    return Widget(kind, proto.id, list(proto.options), _current(kind, proto), delta.fragment_id)


def set_value(states, widget: Widget, label: str) -> None:
    """Add the widget's new value to a `WidgetStates`, as the frontend encodes it (option labels)."""
    state = states.widgets.add()
    state.id = widget.id
    if widget.kind == "slider":  # st.select_slider: the labels of the chosen option(s)
        state.string_array_value.data.append(label)
    else:  # st.selectbox, st.radio
        state.string_value = label


def page_cookie(base_url: str, path: str, timeout_s: float = 30) -> str | None:
    """GET the page as a browser does first; the cookies set (a balancer's sticky cookie) as one header."""
    with urllib.request.urlopen(base_url.rstrip("/") + path, timeout=timeout_s) as response:
        found = [c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or []]
    return "; ".join(found) or None


class Session:
    """One browser tab's session: opened on a page, then reruns with changed filters."""

    def __init__(self, ws, page_name: str, query_string: str, keep: bool):
        self.ws = ws
        self.page_name = page_name
        self.query_string = query_string
        self.page_script_hash = ""
        self.session_id = ""
        self.widgets: dict[str, Widget] = {}
        self.keep = keep

    @classmethod
    async def open(cls, base_url: str, page_name: str, query_string: str = "", cookie: str | None = None,
                   existing_session_id: str = "", keep: bool = False,
                   timeout_s: float = 60) -> tuple[Session, Run]:
        """Connect and run the page (`page_name`: its URL path, "" for the default page)."""
        url = urlsplit(base_url)
        scheme = "wss" if url.scheme == "https" else "ws"
        ws_url = f"{scheme}://{url.netloc}{url.path.rstrip('/')}{STREAM_PATH}"
        # The subprotocol header carries, after "streamlit", an XSRF token and a session to resume.
        protocols = ["streamlit"] + ([NO_XSRF_TOKEN, existing_session_id] if existing_session_id else [])
        ws = await connect(ws_url, subprotocols=protocols, max_size=None, open_timeout=timeout_s,
                           additional_headers={"Cookie": cookie} if cookie else None)
        session = cls(ws, page_name, query_string, keep)
        return session, await session._run(session._client_state(), timeout_s)

    async def rerun(self, key: str, label: str, timeout_s: float = 60) -> Run:
        """Set the widget with user key `key` to the option `label` and time the run it causes."""
        widget = self.widgets[key]
        state = self._client_state()
        set_value(state.widget_states, widget, label)
        widget.value = [label]
        state.fragment_id = widget.fragment_id  # a widget inside st.fragment reruns its fragment only
        return await self._run(state, timeout_s)

    async def reload(self, timeout_s: float = 60) -> Run:
        """Rerun with no change (what a tab does when it reconnects to its session)."""
        return await self._run(self._client_state(), timeout_s)

    def url_value(self, key: str) -> str | None:
        """The value of `key` in the URL the app last wrote (None when absent)."""
        return (parse_qs(self.query_string).get(key) or [None])[0]

    async def close(self) -> None:
        await self.ws.close()

    def _client_state(self) -> ClientState:
        state = ClientState()
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        state.page_name = "" if self.page_script_hash else self.page_name
        return state

    async def _run(self, state: ClientState, timeout_s: float) -> Run:
        back = BackMsg()
        back.rerun_script.CopyFrom(state)
        started = time.perf_counter()
        run = Run(0.0, None)
        await self.ws.send(back.SerializeToString())
        try:
            async with asyncio.timeout(timeout_s):
                while run.status is None:
                    self._read(await self.ws.recv(), run)
        except TimeoutError:
            run.errors.append(f"no script_finished within {timeout_s:.0f} s")
        run.ms = (time.perf_counter() - started) * 1000
        if run.status in FAILED:
            run.errors.append(f"script finished with status {run.status}")
        return run

    def _read(self, frame: bytes, run: Run) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(frame)
        run.messages += 1
        run.received_bytes += len(frame)
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._read_delta(msg.delta, frame, run)
        elif kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
        elif kind == "navigation":  # st.navigation names the page it runs (new_session names the entry script)
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "script_finished" and msg.script_finished != EARLY:
            run.status = msg.script_finished

    def _read_delta(self, delta, frame: bytes, run: Run) -> None:
        if self.keep:
            run.texts.append(frame)
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            run.errors.append(f"exception: {element.exception.type}: {element.exception.message}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            run.errors.append(f"error shown: {element.alert.body}")
        widget = widget_of(delta)
        if widget is None or not widget.key:
            return
        known = self.widgets.get(widget.key)
        if known is not None and known.id == widget.id and not getattr(element, kind).set_value:
            widget.value = known.value  # the value the client sent: the element only echoes values the app sets
        self.widgets[widget.key] = widget
