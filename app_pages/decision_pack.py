"""Decision pack: the saved views, in order, as one PowerPoint file for a steering-committee meeting."""
import streamlit as st

from core import pack, queries, ui

st.title("Decision pack")
st.caption("Save views with 'Add this view to the decision pack' in the sidebar of the homicide and threat pages, "
           "order them here, and download one PowerPoint file: a slide per view with its chart, key numbers, "
           "sources, the data date and a link back to the live view.")

saved = st.session_state.setdefault("pack_views", [])
if not saved:
    st.info("No view saved yet. Open a page, set its filters, and use 'Add this view to the decision pack'.")
for i, (page_path, params) in enumerate(list(saved)):
    row = st.columns([6, 1, 1])
    row[0].markdown(f"**{i + 1}.** {ui.md(page_path)}" + (f": {ui.md(', '.join(f'{k}={v}' for k, v in params))}"
                                                        if params else ""))
    if row[1].button("Move up", key=f"pack_up_{i}", disabled=i == 0):
        saved[i - 1], saved[i] = saved[i], saved[i - 1]
        st.rerun()
    if row[2].button("Remove", key=f"pack_remove_{i}"):
        saved.pop(i)
        st.rerun()

if saved:
    as_of = queries.data_as_of()
    st.caption(f"The pack freezes the data as of {as_of:%d %B %Y}." if as_of is not None else "")
    if st.button("Build the PowerPoint file", type="primary", key="pack_build"):
        with st.spinner("Rendering the charts..."):
            views = [pack.SavedView(page_path, params) for page_path, params in saved]
            base = ui.view_link(st.context.url, {}).rsplit("/", 1)[0]
            st.session_state["pack_file"] = pack.build_pack(views, base, as_of.date() if as_of is not None else None)
    if st.session_state.get("pack_file"):
        st.download_button("Download the decision pack (.pptx)", st.session_state["pack_file"],
                           f"decision_pack_{as_of:%Y-%m-%d}.pptx" if as_of is not None else "decision_pack.pptx",
                           "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                           key="pack_download")

ui.footer(queries.table_sources(("homicide_rates", "projects", "threats")))
