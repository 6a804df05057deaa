"""About the data: every table, its columns and sources, generated from the declarations."""
import streamlit as st

from core import queries, tables, ui
from core.strings import t

ui.title(t("about.title"))
st.caption(t("about.caption"))

declared, columns = queries.table_dictionary()
all_sources = queries.table_sources(tuple(declared["table_name"]))
st.header(t("about.sources"))
sources = queries.sources(all_sources)[["title", "publisher", "year", "citation", "accessed"]]
ui.table(tables.shown(sources.rename(columns={
    "title": t("about.col_title"), "publisher": t("about.col_publisher"), "year": t("about.col_year"),
    "citation": t("about.col_citation"), "accessed": t("about.col_accessed")}),
    {t("about.col_year"): "year", t("about.col_accessed"): "date"}, missing={t("about.col_year"): t("common.not_stated")}),
    hide_index=True, width="stretch")

st.header(t("about.tables"))
for table in declared.itertuples():
    # Each table's columns are built when its expander is opened, not for all 21 on every visit.
    box, is_open = ui.lazy_expander(t("about.table", table=table.table_name, n=table.row_count),
                                    key=f"about_{table.table_name}")
    if not is_open:
        continue
    with box:
        st.write(table.description)
        if table.ships_empty and table.row_count == 0:
            st.info(t("about.empty"))
        ui.table(tables.shown(columns[columns["table_name"] == table.table_name].drop(columns="table_name")),
                     hide_index=True, width="stretch")

ui.footer(all_sources)
