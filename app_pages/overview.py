"""Overview: the situation at a glance, each card naming its source and linking to its page."""
import streamlit as st

from core import queries, ui

SOURCE = queries.PRIMARY_HOMICIDE_SOURCE

st.title("Caribbean security cooperation at a glance")
st.caption("Headline figures for the 16 countries served. Every card names its source; open its page for detail.")

headline = queries.homicide_headline(SOURCE).iloc[0]
year = int(headline["year"])
with st.container(border=True):
    st.subheader("Homicide")
    cards = st.columns(3)
    cards[0].metric(f"Latin America and the Caribbean, {year}", f"{headline['lac']:.1f} per 100,000")
    cards[1].metric(f"World, {year}", f"{headline['world']:.1f} per 100,000")
    cards[2].metric(f"Countries above the world rate, {year}",
                    f"{int(headline['countries_above_world'])} of {int(headline['countries_reporting'])} reporting")
    ui.source_caption([SOURCE])
    st.page_link("app_pages/homicide.py", label="Homicide rates: map, ranking, trends", icon=":material/arrow_forward:")

ui.footer([SOURCE])
