"""Country brief: one printable page per country (print or save as PDF from the browser, A4 or Letter)."""
import streamlit as st

from core import kpi, projects, queries, state, threats, ui
from core.homicide import country_profile
from core.figures import homicide as charts

SOURCE = queries.PRIMARY_HOMICIDE_SOURCE
PROJECT_SOURCES = ["elpaccto_carib_2025", "impacs_projects", "eu_celac_drugs_2019"]
PRINT_WIDTH = 680  # px: fits the printable width of A4 (186 mm) and Letter (192 mm) at 96 dpi
# Static CSS only: on paper, no sidebar, toolbar or widgets; charts never split across pages.
PRINT_CSS = """
<style>
@media print {
  [data-testid="stSidebar"], header[data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stSelectbox"], [data-testid="stElementToolbar"], .stDownloadButton, footer { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  .stPlotlyChart { break-inside: avoid; }
  tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  @page { margin: 12mm; }
}
</style>
"""

countries = queries.countries()
names = dict(zip(countries["iso3"], countries["name"]))
state.restore("b_country", "JAM", choices=list(names))
st.html(PRINT_CSS)
st.selectbox("Country", list(names), format_func=names.get, key="b_country")
iso3 = st.session_state["b_country"]
name = names[iso3]
st.title(f"Country brief: {name}")
st.caption("Print this page or save it as PDF from the browser (Ctrl+P / Cmd+P); the layout fits A4 and Letter.")

st.header("Homicide")
series = queries.homicide_series((iso3,))
profile = country_profile(series, SOURCE)
ui.profile_cards(profile)
trend = charts.trend_lines(series, queries.homicide_benchmarks(), SOURCE, height=360)
trend.update_layout(width=PRINT_WIDTH)
ui.chart(trend, "brief_trend", sorted(set(series["source_id"]) | {SOURCE}), f"homicide_trend_{iso3}", width="content")

st.header("Cooperation projects")
listing = projects.filtered_projects(countries=(iso3,))
counted = listing[listing["duplicate_of"].isna()]
stated = counted["funding_eur"].sum()
st.markdown(f"The source documents name **{len(counted)}** projects that include {ui.md(name)}; "
            f"**EUR {stated:,.0f}** stated in total, full amounts of regional projects included; "
            f"**{int(counted['funding_eur'].isna().sum())}** state no amount.")
table = counted[["name", "donor", "implementer", "period_text", "funding_eur"]].rename(columns={
    "name": "Project", "donor": "Donor", "implementer": "Implementer", "period_text": "Period",
    "funding_eur": "Funding (EUR)"})
table["Funding (EUR)"] = [("not stated" if v != v else f"{v:,.0f}") for v in table["Funding (EUR)"]]
st.markdown(ui.md_table(table.fillna("not stated")))
ui.source_caption(PROJECT_SOURCES)

st.header("Threats these projects address")
coverage = threats.coverage("country", iso3=iso3)
coverage = coverage[coverage["col"] == iso3].merge(threats.threats()[["threat_id", "tier", "name"]], on="threat_id")
if coverage.empty:
    st.caption("None of these projects is linked to a CCSS threat.")
else:
    coverage = coverage.sort_values(["tier", "name"])
    table = coverage[["name", "tier", "n_projects"]].rename(columns={"tier": "Tier", "name": "Threat",
                                                                     "n_projects": "Projects"})
    # '+': some of the projects state no amount, so the figure is a floor.
    table["Stated funding (EUR)"] = ["not stated" if eur == 0 and n else f"{eur:,.0f}{'+' if n else ''}"
                                     for eur, n in zip(coverage["funding_eur"], coverage["n_unfunded"])]
    st.markdown(ui.md_table(table))
    ui.source_caption(["ccss_2013", *PROJECT_SOURCES])

st.header("EL PACCTO 2.0 KPI results")
results = kpi.kpi_results_table()
results = results[results["Country"] == name]
if results.empty:
    st.caption(f"No KPI result has been reported for {ui.md(name)} yet.")
else:
    st.markdown(ui.md_table(results.drop(columns=["Country", "source_id"])))

state.publish(["b_country"], {"b_country": "JAM"})
ui.footer([SOURCE, "ccss_2013", *PROJECT_SOURCES, *set(series["source_id"])])
