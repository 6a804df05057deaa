"""Caribbean Security Cooperation Dashboard: page registry and global settings only."""
import streamlit as st

from core import demo, errors, present, ui
from core.strings import t

errors.setup_logging()

ui.restore_language()  # from ?lang=, before the first string is written
st.set_page_config(page_title=t("app.title"), page_icon="static/favicon.png",
                   layout="wide", initial_sidebar_state="expanded")

PAGES = {
    t("nav.situation"): [
        st.Page("app_pages/overview.py", title=t("nav.page_overview"), icon=":material/dashboard:", url_path="overview",
                default=True),
        st.Page("app_pages/homicide.py", title=t("nav.page_homicide"), icon=":material/monitoring:",
                url_path="homicide"),
        st.Page("app_pages/threats.py", title=t("nav.page_threats"), icon=":material/crisis_alert:",
                url_path="threats"),
    ],
    t("nav.programme"): [
        st.Page("app_pages/projects.py", title=t("nav.page_projects"), icon=":material/payments:", url_path="projects"),
        st.Page("app_pages/kpi_progress.py", title=t("nav.page_kpi_progress"), icon=":material/flag:",
                url_path="kpi_progress"),
    ],
    t("nav.editors"): [
        st.Page("app_pages/data_management.py", title=t("nav.page_data_management"), icon=":material/upload_file:",
                url_path="data_management"),
    ],
    t("nav.meetings"): [
        st.Page("app_pages/country_brief.py", title=t("nav.page_country_brief"), icon=":material/print:",
                url_path="country_brief"),
        st.Page("app_pages/decision_pack.py", title=t("nav.page_decision_pack"), icon=":material/slideshow:",
                url_path="decision_pack"),
    ],
    t("nav.reference"): [
        st.Page("app_pages/about_data.py", title=t("nav.page_about_data"), icon=":material/dataset:",
                url_path="about_data"),
    ],
}

PACKABLE = ("overview", "homicide", "threats", "projects", "kpi_progress")  # pages with a snapshot (core/pack.py)

page = st.navigation(PAGES)
ui.base_style()
st.sidebar.caption(t("app.title"))
# Each part at its own edge: an error shows a short message (details in the server log), never a traceback.
errors.guarded(ui.global_filters, "the sidebar filters")
errors.guarded(lambda: present.controls({p._url_path: p for group in PAGES.values() for p in group}, page._url_path),
               "the presentation controls")
errors.guarded(demo.banner, "the demonstration banner")
ui.page_start(page._url_path, PACKABLE)
errors.guarded(page.run, f"page {page._url_path}")
# After the page, so the link carries the filters it has just written (a part rerunning alone redraws it).
errors.guarded(ui.share_control_after_page, "the share control")
