"""Pieces every page shares: the global sidebar filters, source captions, the footer, downloads."""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core import format as fmt
from core import db, demo, present, queries, state
from core.export import to_csv_bytes, to_excel_bytes
from core.figures.common import Canvas, plain
from core.figures.common import stamp as finish
from core.strings import DEFAULT_LANGUAGE, LANGUAGES, current_language, t

COUNTRY_GROUPS = ("all", "caricom", "elpaccto")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$])")


# Static CSS only (no data): a metric's label wraps onto a second line instead of being cut with an ellipsis.
BASE_CSS = """
<style>
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p { white-space: normal; overflow: visible; text-overflow: clip; }
.st-key-html_lang { display: none; }
</style>
"""


def base_style() -> None:
    st.html(BASE_CSS)


# Tells the browser (screen readers, spell checkers, hyphenation, translation offers) the page's language:
# a v2 component runs this in the page itself; static script, the language code is its only data.
HTML_LANG_JS = """
export default function (component) {
  const lang = component.data && component.data.lang;
  if (lang) document.documentElement.lang = lang;
}
"""
_html_lang = st.components.v2.component("html_lang", js=HTML_LANG_JS)


def restore_language() -> None:
    """The reader's language from the URL (`?lang=es`), before anything is written in it."""
    state.restore("lang", DEFAULT_LANGUAGE, choices=list(LANGUAGES))


def language_choice() -> None:
    """Sidebar: the language, named in each language; kept in the URL (English, the default, is left out)."""
    with st.sidebar:
        st.selectbox(t("ui.language"), list(LANGUAGES), format_func=LANGUAGES.get, key="lang")
        _html_lang(key="html_lang", data={"lang": st.session_state["lang"]})
    state.publish(["lang"], {"lang": DEFAULT_LANGUAGE})


def title(text: str) -> None:
    """A page's title; in a language other than English, with the one line saying that names and titles from
    the source documents stay in English (so the reader knows why they read English there)."""
    st.title(text)
    if current_language() != DEFAULT_LANGUAGE:
        st.caption(t("ui.source_language"))


def md(text: object) -> str:
    """Escape text from the data so that Markdown shows it literally (never as links or HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def md_table(frame: pd.DataFrame) -> str:
    """A Markdown table with every cell escaped: prints as a plain table that flows across pages."""
    def cell(value) -> str:
        return "" if value is None or (isinstance(value, float) and value != value) else md(value).replace("\n", " ")
    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def group_label(group: str) -> str:
    return {"all": t("ui.group_all"), "caricom": t("ui.group_caricom"), "elpaccto": t("ui.group_elpaccto")}[group]


def global_filters() -> None:
    """Sidebar filters shared by every page (kept in the URL): the language, then the country group."""
    language_choice()
    state.restore("group", "all", choices=list(COUNTRY_GROUPS))
    with st.sidebar:
        st.selectbox(t("common.countries"), list(COUNTRY_GROUPS), format_func=group_label, key="group",
                     help=t("ui.group_help"))
    state.publish(["group"], {"group": "all"})
    demo.control()


def group_iso3() -> tuple[str, ...]:
    """The iso3 codes of the country group chosen in the sidebar."""
    countries = queries.countries()
    group = st.session_state.get("group", "all")
    if group == "caricom":
        countries = countries[countries["is_caricom_member"]]
    elif group == "elpaccto":
        countries = countries[countries["in_elpaccto"]]
    return tuple(countries["iso3"])


def source_caption(source_ids: Sequence[str], short: bool = False) -> None:
    """One line under a chart or table: which sources it shows (`short`: their publishers only, where the
    page's footer gives each in full, as on the printed brief)."""
    found = queries.sources(tuple(source_ids))
    names = ("; ".join(dict.fromkeys(found["publisher"])) if short
             else "; ".join(f"{row.title} ({row.publisher})" for row in found.itertuples()))
    st.caption(t("common.source", names=md(names)) if names else t("common.source_not_reported"))


def footer(source_ids: Sequence[str]) -> None:
    """Every page ends with the sources of what it shows and the data date."""
    st.divider()
    found = queries.sources(tuple(sorted(set(source_ids))))
    lines = [f"- **{md(r.title)}**, {md(r.publisher)}"
             f"{'' if pd.isna(r.year) else ', ' + str(int(r.year))}. {md(r.citation)}"
             for r in found.itertuples()]
    as_of = queries.data_as_of()
    # One block, so that a printed page never ends with the data date alone.
    st.caption(t("ui.footer_sources") + "\n\n" + "\n".join(lines) + "\n\n"
               + (t("ui.data_as_of", date=fmt.day(as_of)) if as_of is not None else t("ui.data_as_of_not_reported")))


def downloads(frame: pd.DataFrame, name: str, source_ids: Sequence[str], key: str) -> None:
    """CSV and Excel downloads of a table; the Excel file carries an About sheet with the sources.

    The files are made when a button is clicked (Streamlit calls the function then), not on every
    run, and the click does not rerun the page.
    """
    found = queries.sources(tuple(source_ids))
    as_of = queries.data_as_of()
    about = [(t("ui.excel_table"), name)] + [(t("ui.excel_source"), f"{r.title} ({r.publisher}). {r.citation}")
                                               for r in found.itertuples()]
    about.append((t("ui.excel_data_as_of"), f"{as_of:%Y-%m-%d}" if as_of is not None else t("common.not_reported")))
    if demo.is_on():  # every row of a demonstration download says what it is
        frame = frame.assign(**{t("demo.column"): demo.label()})
        about.insert(0, (t("demo.column"), demo.label()))
        name = f"{name}_illustrative"
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(t("ui.download_csv"), functools.partial(to_csv_bytes, frame), f"{name}.csv", "text/csv",
                         key=f"{key}_csv", on_click="ignore")
    excel = functools.partial(to_excel_bytes, frame, name, about, t("ui.excel_about"),
                              (t("ui.excel_item"), t("ui.excel_value")))  # written now, in the reader's language
    right.download_button(t("ui.download_excel"), excel, f"{name}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
                          on_click="ignore")


PRESENT_SCALE = 1.4  # chart text in presentation mode, for the back of the room
# The narrowest width in px each place on a page gives a chart: 1440x900 with the sidebar, and presentation
# mode at 1280x720 (measured in Chromium; wider screens give more). Builders fit their labels to it.
PLACES = {"full": (980, 1190), "wide": (580, 705), "narrow": (384, 467), "half": (482, 587)}
BOX_PADDING = (34, 38)  # px a bordered container takes from its content's width (normal, presentation)


def canvas_for(place: str | int, boxed: bool = False) -> Canvas:
    """The canvas a chart in `place` is drawn on: a named place of the page (inside a bordered container
    when `boxed`), or a fixed width in px."""
    if isinstance(place, int):
        return Canvas(place, 1.0, fixed=True)
    normal, presenting = PLACES[place]
    if boxed:
        normal, presenting = normal - BOX_PADDING[0], presenting - BOX_PADDING[1]
    return Canvas(presenting, PRESENT_SCALE) if present.is_on() else Canvas(normal, 1.0)


def stamp_line(source_ids: Sequence[str]) -> str:
    """'Source: UNODC, via Our World in Data · data as of 22 November 2026': drawn on every chart."""
    found = queries.sources(tuple(source_ids))
    as_of = queries.data_as_of()
    line = (t("common.source", names=plain("; ".join(dict.fromkeys(found["publisher"])))) if len(found)
            else t("common.source_not_reported"))
    if demo.is_on():  # drawn in the figure, so a PNG export or a slide carries it too
        line = f"<b>{demo.label()}</b> · {line}"
    return line + (" · " + t("ui.chart_data_as_of", date=fmt.day(as_of)) if as_of is not None else "")


def chart(figure: functools.partial, key: str, source_ids: Sequence[str], name: str, place: str | int = "full",
          boxed: bool = False, static: bool = False, **kwargs):
    """Show a Plotly figure drawn for its place on the page (`place`, see PLACES): source and data date
    stamped on it (so a PNG export carries them), PNG export named after it, larger text in presentation
    mode. Returns the selection event. `static`: a picture, no hover or toolbar.

    `figure` is the call that builds it, `functools.partial(builder, *args)` with a pure builder of
    core/figures that takes a `canvas`: the finished figure is made once per distinct arguments, canvas
    and stamp, and shared by every run and session.
    """
    canvas = canvas_for(place, boxed)
    build = figure.func
    fig = _finished_figure(f"{build.__module__}.{build.__qualname__}", figure.args,
                           tuple(sorted(figure.keywords.items())), stamp_line(source_ids), canvas,
                           current_language(), _build=build)
    as_of = queries.data_as_of()
    config = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"],
              "toImageButtonOptions": {"format": "png", "scale": 2,
                                       "filename": f"{name}_{as_of:%Y-%m-%d}" if as_of is not None else name},
              "staticPlot": static}
    if isinstance(place, int):
        kwargs.setdefault("width", "content")
    return st.plotly_chart(fig, key=key, config=config, theme=None, **kwargs)


@st.cache_resource(show_spinner=False, max_entries=256)
def _finished_figure(builder: str, args: tuple, keywords: tuple, stamp: str, canvas: Canvas, lang: str,
                     _build) -> go.Figure:
    """One finished figure per builder, arguments (data frames hashed by content), stamp, canvas and language
    (the builder writes its titles and axes in it).

    Shared, never changed after this: st.plotly_chart only reads it.
    """
    return finish(_build(*args, **dict(keywords), canvas=canvas), canvas, stamp)


def lazy_tabs(key: str, sections: dict[str, str]) -> tuple[str, dict]:
    """Tabs whose content is built only while open: the other tabs' charts and tables are neither
    computed nor sent to the browser, so a page draws only the part a reader looks at.

    `sections`: slug -> label. The open tab is kept in the URL under `key` as its slug (a link
    opens the same tab). Returns (the open tab's slug, slug -> tab container).
    """
    slugs = list(sections)
    state.restore(key, slugs[0], choices=slugs)
    widget = f"{key}_tabs"
    if widget not in st.session_state:
        st.session_state[widget] = sections[st.session_state[key]]
    containers = st.tabs(list(sections.values()), key=widget, on_change="rerun")
    label = st.session_state[widget]
    st.session_state[key] = next((slug for slug, text in sections.items() if text == label), slugs[0])
    state.publish([key], {key: slugs[0]})
    return st.session_state[key], dict(zip(slugs, containers))


def lazy_expander(label: str, key: str):
    """An expander whose content is built only while open (returns the container and whether it is)."""
    box = st.expander(label, key=key, on_change="rerun")
    return box, bool(box.open)


def view_link(url: str | None, params: dict[str, str]) -> str:
    """The current page's address with its filters as query parameters."""
    parts = urlsplit(url or "http://localhost:8501/")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(params), ""))


SHARE_SLOT = "_share_slot"
SHARE_DRAWN = "_share_drawn"


def share_slot(page_path: str, packable: Sequence[str]) -> None:
    """dashboard.py, before the page: the sidebar place of the share control. A part of the page that reruns
    alone (an st.fragment) draws the control there itself (`part_done`), on every run, so that the link it
    shows carries the filters the part has just written into the URL; otherwise dashboard.py draws it after
    the page (`share_control_after_page`)."""
    st.session_state[SHARE_SLOT] = (st.sidebar.container(), page_path, tuple(packable))
    st.session_state[SHARE_DRAWN] = False


DATA_SEEN = "_data_seen"


def page_start(page_path: str, packable: Sequence[str]) -> None:
    """dashboard.py, before the page: the share control's place, and the database file the page is built on."""
    share_slot(page_path, packable)
    st.session_state[DATA_SEEN] = db.identity()


def in_part_rerun() -> bool:
    """True while only a part of the page (an st.fragment) reruns, not the whole page."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def part_start() -> None:
    """The start of a part that reruns alone: when data was published since the page ran (an import or an
    undo, from any process), the whole page reruns, since its choices and year spans come from the data."""
    if in_part_rerun() and db.identity() != st.session_state.get(DATA_SEEN):
        st.rerun(scope="app")


def part_done() -> None:
    """The end of a part that reruns alone: its filters are in the URL by now; (re)draw the share control."""
    share_control()


def share_control_after_page() -> None:
    if not st.session_state.get(SHARE_DRAWN):
        share_control()


def share_control() -> None:
    """Sidebar: the link to this exact view (st.code has a copy button); save it for a decision pack.

    The link is drawn only while its expander is open: the code block's renderer is a large part
    of the browser's work on a page, for a control most views never open.
    """
    if SHARE_SLOT not in st.session_state:  # a page run on its own (tests)
        return
    slot, page_path, packable = st.session_state[SHARE_SLOT]
    st.session_state[SHARE_DRAWN] = True
    params = {k: v for k, v in st.query_params.to_dict().items() if k not in ("present", "seq")}
    share = slot.expander(t("ui.copy_link"), key="share_open", on_change="rerun")
    if share.open:
        share.code(view_link(st.context.url, params), language=None, wrap_lines=True)
        share.caption(t("ui.copy_link_caption"))
    if page_path in packable:
        saved = st.session_state.setdefault("pack_views", [])
        # A saved view is the view, not its reader's language: the pack is written in the language it is built in.
        view = (page_path, tuple((k, v) for k, v in params.items() if k != "lang"))
        if slot.button(t("ui.pack_add"), key="pack_add", disabled=view in saved, width="stretch"):
            saved.append(view)
            slot.caption(t("ui.pack_saved", n=len(saved)))


def table(data, **kwargs):
    """st.dataframe, with the demonstration label under it while the illustrative set is shown."""
    shown = st.dataframe(data, **kwargs)
    if demo.is_on():
        st.caption(demo.label())
    return shown


def profile_cards(profile) -> None:
    """Latest homicide rate and its change over 5 and 10 years (a core.homicide.CountryProfile)."""
    cards = st.columns(3)
    if profile.latest_year is None:
        cards[0].metric(t("ui.latest_rate"), t("common.not_reported"))
    else:
        cards[0].metric(t("ui.latest_rate_year", year=profile.latest_year), fmt.rate(profile.latest_rate),
                        help=t("ui.rate_help"))
    for card, label, change in ((cards[1], t("ui.change_5y"), profile.change_5y),
                                (cards[2], t("ui.change_10y"), profile.change_10y)):
        card.metric(label, fmt.signed(change, missing=t("ui.not_available")), help=t("ui.change_help"))
    if getattr(profile, "latest_source", None):
        st.caption(t("ui.latest_source", source=md(profile.latest_source)))
