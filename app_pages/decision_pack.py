"""Decision pack: the saved views, in order, as one PowerPoint file for a steering-committee meeting."""
import streamlit as st

from core import format as fmt
from core import pack, queries, ui
from core.strings import current_language, t

ui.title(t("pack.title"))
st.caption(t("pack.caption"))

saved = st.session_state.setdefault("pack_views", [])
if not saved:
    st.info(t("pack.none_saved"))
for i, (page_path, params) in enumerate(list(saved)):
    row = st.columns([6, 1, 1])
    row[0].markdown(f"**{i + 1}.** {ui.md(pack.describe(pack.SavedView(page_path, params)))}")
    if row[1].button(t("pack.move_up"), key=f"pack_up_{i}", disabled=i == 0):
        saved[i - 1], saved[i] = saved[i], saved[i - 1]
        st.rerun()
    if row[2].button(t("pack.remove"), key=f"pack_remove_{i}"):
        saved.pop(i)
        st.rerun()

if saved:
    as_of = queries.data_as_of()
    if as_of is not None:
        st.caption(t("pack.freeze", date=fmt.day(as_of)))
    if st.button(t("pack.build"), type="primary", key="pack_build"):
        with st.spinner(t("pack.rendering")):
            views = [pack.SavedView(page_path, params) for page_path, params in saved]
            base = ui.view_link(st.context.url, {}).rsplit("/", 1)[0]
            st.session_state["pack_file"] = pack.build_pack(views, base, as_of.date() if as_of is not None else None,
                                                            lang=current_language())
            st.session_state["pack_lang"] = current_language()
    # A pack built in another language is not offered: build it again in this one.
    if st.session_state.get("pack_file") and st.session_state.get("pack_lang") == current_language():
        st.download_button(t("pack.download"), st.session_state["pack_file"],
                           f"decision_pack_{as_of:%Y-%m-%d}.pptx" if as_of is not None else "decision_pack.pptx",
                           "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                           key="pack_download")

ui.footer(queries.table_sources(("homicide_rates", "projects", "threats")))
