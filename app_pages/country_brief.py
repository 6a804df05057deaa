"""Country brief: a printable brief per country, two pages of A4 or Letter (print or save as PDF from the browser)."""
from functools import partial
import streamlit as st

from core import format as fmt
from core import kpi, projects, queries, state, threats, ui
from core.homicide import country_profile
from core.figures import homicide as charts
from core.strings import t

SERIES = queries.DEFAULT_SERIES  # the brief shows the default series, its newest edition
PROJECT_SOURCES = ["elpaccto_carib_2025", "impacs_projects", "eu_celac_drugs_2019"]
PRINT_WIDTH = 680  # px: fits the printable width of A4 (186 mm) and Letter (192 mm) at 96 dpi
BRIEF_ROWS = 8  # project rows: with the chart and the threats, the brief prints on two pages
BRIEF_KPI_ROWS = 6  # the latest KPI results
# Static CSS only: on paper, no sidebar, toolbar or widgets; charts never split across pages.
PRINT_CSS = """
<style>
@media print {
  [data-testid="stSidebar"], header[data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stSelectbox"], [data-testid="stElementToolbar"], .stDownloadButton, footer { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  /* Block layout on paper: a long table continues on the next page instead of moving there whole. */
  [data-testid="stAppViewContainer"], [data-testid="stMain"], [data-testid="stMarkdown"] > div { display: block !important; }
  .stPlotlyChart { break-inside: avoid; }
  tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  li { break-inside: avoid; margin: 0 !important; padding: 0 !important; }
  /* The data date stays on the page of the last source above it, never alone on a page. */
  [data-testid="stCaptionContainer"] p:last-child { break-before: avoid; }
  @page { margin: 12mm; }
  html { font-size: 12px; }
  td, th { padding: 0.15rem 0.4rem !important; }
}
</style>
"""

countries = queries.countries()
names = dict(zip(countries["iso3"], countries["name"]))
state.restore("b_country", "JAM", choices=list(names))
st.html(PRINT_CSS)
st.selectbox(t("common.country"), list(names), format_func=names.get, key="b_country")
iso3 = st.session_state["b_country"]
name = names[iso3]
ui.title(t("brief.title", name=ui.md(name)))
st.caption(t("brief.print"))

st.header(t("brief.homicide"))
series = queries.homicide_series((iso3,), SERIES)
drawn = series[series["role"] != "other"]
benchmarks = queries.homicide_benchmarks(SERIES)
profile = country_profile(series)
ui.profile_cards(profile)
trend_sources = sorted(set(drawn["source_id"]) | set(benchmarks["source_id"]))
trend = partial(charts.trend_lines, drawn, benchmarks, height=220)
ui.chart(trend, "brief_trend", trend_sources, f"homicide_trend_{iso3}", place=PRINT_WIDTH)

st.header(t("brief.projects"))
listing = projects.filtered_projects(countries=(iso3,))
counted = listing[listing["duplicate_of"].isna()]
stated = counted["funding_eur"].sum()
st.markdown(t("brief.projects_summary", n=len(counted), name=ui.md(name), eur=fmt.eur(stated),
               n_unstated=int(counted["funding_eur"].isna().sum())))
not_stated, funding = t("common.not_stated"), t("common.funding_eur")
# A period whose end the document puts before its start is printed as written, and flagged.
backwards = counted["end_date"].notna() & counted["start_date"].notna() & (counted["end_date"] < counted["start_date"])
periods = [(f"{text} ⚠ {t('brief.period_backwards')}" if flag else text)
           for text, flag in zip(counted["period_text"].fillna(not_stated), backwards)]
table = counted[["name", "donor", "funding_eur"]].assign(period=periods).rename(columns={
    "name": t("common.project"), "donor": t("common.donor"), "period": t("common.period"), "funding_eur": funding})
table = table[[t("common.project"), t("common.donor"), t("common.period"), funding]]
table[funding] = [fmt.eur(v, missing=not_stated) for v in table[funding]]
# A brief stays two pages long: the largest projects by stated funding, the rest on the projects page.
order = counted["funding_eur"].fillna(-1).sort_values(ascending=False, kind="stable").index[:BRIEF_ROWS]
st.markdown(ui.md_table(table.loc[order].fillna(not_stated)))
if len(counted) > BRIEF_ROWS:
    st.caption(t("brief.projects_capped", shown=BRIEF_ROWS, n=len(counted)))
ui.source_caption(PROJECT_SOURCES, short=True)

st.header(t("brief.threats"))
coverage = threats.coverage("country", iso3=iso3)
coverage = coverage[coverage["col"] == iso3].merge(threats.threats()[["threat_id", "tier", "name"]], on="threat_id")
if coverage.empty:
    st.caption(t("brief.no_threats"))
else:
    coverage = coverage.sort_values(["tier", "name"])
    table = coverage[["name", "tier", "n_projects"]].rename(columns={
        "tier": t("common.tier"), "name": t("common.threat"), "n_projects": t("common.projects")})
    # '+': some of the projects state no amount, so the figure is a floor.
    table[t("common.stated_funding_eur")] = [not_stated if eur == 0 and n else f"{fmt.eur(eur)}{'+' if n else ''}"
                                             for eur, n in zip(coverage["funding_eur"], coverage["n_unfunded"])]
    st.markdown(ui.md_table(table))
    ui.source_caption(["ccss_2013", *PROJECT_SOURCES], short=True)

st.header(t("brief.kpis"))
results = kpi.kpi_results_table()
results = results[results[t("common.country")] == name]  # the table's own heading (core/kpi.py)
if results.empty:
    st.caption(t("brief.no_kpis", name=ui.md(name)))
else:
    # The latest results, in the columns a reader needs; sources are in the footer, the rest on KPI progress.
    columns = [t("kpi_table.kpi"), t("kpi_table.period"), t("kpi_table.breakdown"), t("kpi_table.result"),
               t("kpi_table.target")]
    shown = results[columns].tail(BRIEF_KPI_ROWS).copy()
    for column in (t("kpi_table.result"), t("kpi_table.target")):
        shown[column] = [fmt.number(v, 0 if float(v).is_integer() else 1, missing="") if v == v else ""
                         for v in shown[column]]
    st.markdown(ui.md_table(shown))
    if len(results) > BRIEF_KPI_ROWS:
        st.caption(t("brief.kpis_capped", shown=BRIEF_KPI_ROWS, n=len(results)))

state.publish(["b_country"], {"b_country": "JAM"})
ui.footer([*trend_sources, "ccss_2013", *PROJECT_SOURCES])
