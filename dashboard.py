"""Caribbean Security Cooperation Dashboard: page registry and global settings only."""
import streamlit as st

from core import present, ui

st.set_page_config(page_title="Caribbean Security Cooperation Dashboard", page_icon="static/favicon.png",
                   layout="wide", initial_sidebar_state="expanded")

PAGES = {
    "Situation": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", url_path="overview",
                default=True),
        st.Page("app_pages/homicide.py", title="Homicide rates", icon=":material/monitoring:", url_path="homicide"),
        st.Page("app_pages/threats.py", title="Threat tiers", icon=":material/crisis_alert:", url_path="threats"),
    ],
    "Programme": [
        st.Page("app_pages/projects.py", title="Donor projects", icon=":material/payments:", url_path="projects"),
        st.Page("app_pages/kpi_progress.py", title="KPI progress", icon=":material/flag:", url_path="kpi_progress"),
    ],
    "Editors": [
        st.Page("app_pages/data_management.py", title="Data management", icon=":material/upload_file:",
                url_path="data_management"),
    ],
    "Meetings": [
        st.Page("app_pages/country_brief.py", title="Country brief", icon=":material/print:",
                url_path="country_brief"),
        st.Page("app_pages/decision_pack.py", title="Decision pack", icon=":material/slideshow:",
                url_path="decision_pack"),
    ],
    "Reference": [
        st.Page("app_pages/about_data.py", title="About the data", icon=":material/dataset:", url_path="about_data"),
    ],
}

PACKABLE = ("homicide", "threats")  # pages with a decision-pack snapshot (core/pack.py)

page = st.navigation(PAGES)
st.sidebar.caption("Caribbean Security Cooperation Dashboard")
ui.global_filters()
present.controls({p._url_path: p for group in PAGES.values() for p in group}, page._url_path)
page.run()
# After the page, so the link carries the filters it has just written.
ui.share_control(page._url_path, PACKABLE)
