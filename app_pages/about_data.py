"""About the data: every table, its columns and sources, generated from the declarations."""
import streamlit as st

from core import queries, ui

st.title("About the data")
st.caption("Every table of the dashboard's database, generated from the same declarations the build "
           "validates against (loaders/tables.py). Every row of every table names its source.")

tables, columns = queries.table_dictionary()
all_sources = queries.table_sources(tuple(tables["table_name"]))
st.header("Sources")
st.dataframe(queries.sources(all_sources), hide_index=True, width="stretch")

st.header("Tables")
for table in tables.itertuples():
    with st.expander(f"{table.table_name} ({table.row_count} rows)"):
        st.write(table.description)
        if table.ships_empty and table.row_count == 0:
            st.info("No rows: the source documents report none. Results arrive by import.")
        st.dataframe(columns[columns["table_name"] == table.table_name].drop(columns="table_name"),
                     hide_index=True, width="stretch")

ui.footer(all_sources)
