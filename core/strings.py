"""Every user-facing string of the pages and the shared UI: English here, Spanish and French in gettext
catalogues (locales/<lang>/LC_MESSAGES/dashboard.po) that translators' tools open.

Pages call `t("homicide.title")` or `t("homicide.table", year=2023)`; placeholders are plain str.format names
(no format specs: numbers, money and dates arrive already written by core/format.py in the reader's language),
so a translation can reorder them. Text that comes from the data (country names, document titles, threat
names, KPI titles) is never in the catalogue: it stays as the source documents write it.
The chart builders (core/figures/*), the headings and values of the logic modules' tables (core/homicide.py,
core/projects.py, core/kpi.py) and the decision pack's slides (core/pack.py) use it too; outside a Streamlit
run they speak English unless told otherwise (`with language("fr"): ...`). Stored values that double as
filter and URL values stay as stored ('Not stated' donors, the action statuses, the time frame 'not stated',
tier likelihoods, OBI kinds); pages show them through t() (core/partners.py display_name, core/kpi.py
status_label, ...). The importers' validation messages join it under `import.` from loaders/messages.py,
where their English stays (say() returns the English str carrying its key; core/messages.py text() translates).

English is the source: STRINGS["en"] below. A translation is looked up by the key (the .po entry's msgctxt)
and used only while its msgid is still the current English and it is not marked fuzzy; otherwise the
English shows. To add or change a string: edit STRINGS["en"], then
    python -m scripts.translations update   # locales/dashboard.pot and the .po files (changed English: fuzzy)
translate the new or fuzzy entries in locales/es/... and locales/fr/..., and
    python -m scripts.translations check    # every key translated, placeholders and markup as in English
tests/test_strings.py and tests/test_translations.py check the same. Restart the app to see edited .po files.
To add a language: add it to LANGUAGES and core/format.py's LOCALES, then `update` creates its .po.
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from loaders.messages import MESSAGES as IMPORT_MESSAGES
from loaders.messages import PREFIX as IMPORT_PREFIX

DEFAULT_LANGUAGE = "en"
# Each language named in itself, as the sidebar offers it.
LANGUAGES = {"en": "English", "es": "Español", "fr": "Français"}
LOCALES_DIR = Path(__file__).resolve().parents[1] / "locales"
DOMAIN = "dashboard"
# The language of work done outside the session that asked for it (a decision pack built for a reader).
_override: contextvars.ContextVar[str | None] = contextvars.ContextVar("language_override", default=None)

STRINGS: dict[str, dict[str, str]] = {"en": {
        "nav.page_overview": "Overview",
        "nav.page_homicide": "Homicide rates",
        "nav.page_threats": "Threat tiers",
        "nav.page_projects": "Donor projects",
        "nav.page_kpi_progress": "KPI progress",
        "nav.page_data_management": "Data management",
        "nav.page_country_brief": "Country brief",
        "nav.page_decision_pack": "Decision pack",
        "nav.page_about_data": "About the data",
    # Shared across pages
    "common.source": "Source: {names}",
    "common.source_not_reported": "Source: not reported",
    "common.not_reported": "not reported",
    "common.not_stated": "not stated",
    "common.none_yet": "none yet",
    "common.n_of_total": "{n} of {total}",
    "common.country": "Country",
    "common.countries": "Countries",
    "common.donor": "Donor",
    "common.implementer": "Implementer",
    "common.project": "Project",
    "common.projects": "Projects",
    "common.period": "Period",
    "common.tier": "Tier",
    "common.threat": "Threat",
    "common.tier_name": "Tier {tier}: {name}",
    "common.active_in_year": "Active in year",
    "common.number_of_projects": "Number of projects",
    "common.stated_funding": "Stated funding",
    "common.funding_eur": "Funding (EUR)",
    "common.stated_funding_eur": "Stated funding (EUR)",

    # dashboard.py: the app and its navigation sections
    "demo.label": "Illustrative data - not official results",
    "demo.toggle": "Illustrative data",
    "demo.toggle_help": "Show a made-up demonstration set (KPI results, action statuses, a homicide edition), to see "
                        "what the charts show once results arrive. Off by default; never official.",
    "demo.banner": "**{label}.** This view shows a made-up demonstration set, to see what the charts will show. "
                   "Switch it off in the sidebar.",
    "demo.column": "data",
    "app.title": "Caribbean Security Cooperation Dashboard",
    "app.page_error": "This page could not be shown completely. The error is in the server's log under reference "
                      "{reference}; reload the page, or tell the dashboard's maintainers.",
    "nav.situation": "Situation",
    "nav.programme": "Programme",
    "nav.editors": "Editors",
    "nav.meetings": "Meetings",
    "nav.reference": "Reference",

    # core/ui.py
    "ui.language": "Language / Idioma / Langue",
    "ui.source_language": "Names and titles from the source documents and the data (threats, KPIs, projects, "
                          "documents, partners, countries) are shown as written, in English.",
    "ui.group_all": "All 16 countries",
    "ui.group_caricom": "CARICOM members",
    "ui.group_elpaccto": "EL PACCTO 2.0 partners",
    "ui.group_help": "Which of the 16 countries the rankings, tables and totals include.",
    "ui.footer_sources": "**Sources of this page**",
    "ui.data_as_of": "Data as of {date}",
    "ui.data_as_of_not_reported": "Data as of: not reported",
    "ui.excel_about": "About",
    "ui.excel_item": "item",
    "ui.excel_value": "value",
    "ui.excel_table": "table",
    "ui.excel_source": "source",
    "ui.excel_data_as_of": "data as of",
    "ui.download_csv": "Download CSV",
    "ui.download_excel": "Download Excel",
    "ui.chart_data_as_of": "data as of {date}",
    "ui.copy_link": "Copy link to this view",
    "ui.copy_link_caption": "Opens this page with the same filters.",
    "ui.pack_add": "Add this view to the decision pack",
    "ui.pack_saved": "Saved: {n} view(s) in the pack.",
    "ui.latest_rate": "Latest rate",
    "ui.latest_rate_year": "Latest rate ({year})",
    "ui.rate_help": "Victims of intentional homicide per 100,000 population.",
    "ui.change_5y": "Change over 5 years",
    "ui.change_10y": "Change over 10 years",
    "ui.not_available": "not available",
    "ui.latest_source": "Latest value from: {source}",
    "ui.change_help": "Difference in rate per 100,000 from the value that many years before the latest year.",

    # core/present.py
    "present.toggle": "Presentation mode",
    "present.toggle_help": "Hides the sidebar and enlarges text and charts for a projector; steps through the views "
                           "below.",
    "present.sequence": "Presentation sequence",
    "present.choose_views": "Choose the views",
    "present.previous": "◀ Previous",
    "present.next": "Next ▶",
    "present.exit": "Exit",
    "present.position": "{n} / {total}",
    "present.not_in_sequence": "not in the sequence",
    "present.status": "Presentation: {position}",

    # app_pages/overview.py
    "overview.title": "Caribbean security cooperation at a glance",
    "overview.caption": "Headline figures for all 16 countries served (the sidebar's country group applies on the "
                        "detail pages). Every card names its source; follow its link for detail.",
    "overview.page_unavailable": "{label} (page not available in this app)",
    "overview.none_stated": "none stated",
    "overview.homicide": "Homicide",
    "overview.lac_year": "Latin America & Caribbean, {year}",
    "overview.world_year": "World, {year}",
    "overview.above_world_year": "Above the world rate, {year}",
    "overview.homicide_summary": "Homicides per 100,000 population. {n} of the {total} countries reporting for "
                                 "{year} are above the world rate.",
    "overview.link_homicide": "Homicide rates: map, ranking, trends",
    "overview.donor_projects": "Donor projects",
    "overview.active_in": "Active in {year}",
    "overview.active_help": "Active: the execution period overlaps the year; a project the documents call ongoing "
                            "counts until today; a project listed twice counts once.",
    "overview.funding_help": "Sum of the amounts the documents state for the active projects, in euro.",
    "overview.no_funding_summary": "{n} of the {total} active projects state no funding.",
    "overview.kpis": "EL PACCTO 2.0 KPIs",
    "overview.with_result": "With a result",
    "overview.latest_period": "Latest period",
    "overview.link_kpi": "KPI progress",
    "overview.action_plan": "CCSS action plan",
    "overview.status_reported": "Status reported",
    "overview.latest_report": "Latest report",
    "overview.passed_summary": "{n} actions: time frame passed, no status reported.",
    "overview.link_tracker": "Action-plan tracker",
    "overview.link_map": "Open the map",
    "overview.threats": "CCSS threats",
    "overview.in_tiers": "In {n} tiers",
    "overview.in_tier1": "In tier 1",
    "overview.tier1_summary": "Tier 1: {likelihood}, {impact}.",
    "overview.likelihood_high": "high probability",
    "overview.likelihood_likely": "likely",
    "overview.likelihood_low": "low probability",
    "overview.likelihood_not_assessable": "probability not yet assessable",
    "overview.impact_high": "high impact",
    "overview.impact_not_assessable": "impact not yet assessable",
    "overview.link_threats": "Threat tiers",

    # app_pages/homicide.py
    "homicide.title": "Homicide rates",
    "homicide.caption": "Intentional homicide victims per 100,000 population. Colours use one fixed scale for every "
                        "year, so years compare. Where a country has no value for the chosen year, its latest earlier "
                        "value is shown with that year in brackets.",
    "homicide.year": "Year",
    "homicide.since": "From the year",
    "homicide.choose_countries": "Choose up to 8 countries",
    "homicide.map": "Map",
    "homicide.map_geographic": "Geographic",
    "homicide.map_tiles": "Equal tiles",
    "homicide.map_help": "Equal tiles give every country the same size, so Montserrat counts as much as Guyana.",
    "homicide.older_values": "Older values: {values}",
    "homicide.profile": "Country profile",
    "homicide.quotes_heading": "**Figures quoted in the strategy documents, against the data set**",
    "homicide.col_year": "Year",
    "homicide.col_quoted_rate": "Quoted rate",
    "homicide.col_dataset_value": "Data set value",
    "homicide.col_difference": "Difference",
    "homicide.col_document": "Document",
    "homicide.col_where": "Where",
    "homicide.col_note": "Curator's note",
    "homicide.no_quotes": "The strategy documents quote no homicide figure for {name}.",
    "homicide.trends": "Trends",
    "homicide.tab_map": "Map, ranking and country profile",
    "homicide.tab_table": "Table",
    "homicide.table": "Table: {year}",
    "homicide.sources_differ": "For some countries another source gives a different value for this year: both are "
                               "shown.",
    "homicide.series": "Series",
    "homicide.series_help": "Whose figures the map, ranking, profile, trends and table show. A series shows its newest "
                            "edition for each country and year. 'Latest available' takes, for each country and year, "
                            "the newest edition among the series of recorded victims (UNODC's own, the World Bank's "
                            "and Our World in Data's copies of them), each value with its source; IHME's model "
                            "estimates are a series of their own.",
    "homicide.series_latest": "Latest available (newest edition per country and year)",
    "homicide.year_not_in_series": "The link asks for the year {year}, which this series does not cover ({first}-{last}): "
                                   "showing {last}.",

    # app_pages/threats.py
    "threats.title": "Threat tiers",
    "threats.caption": "The CARICOM Crime and Security Strategy (2013) ranks thirteen threats and risks in four tiers "
                       "by likelihood and impact. Below: how the cooperation projects named in the source documents "
                       "address each threat, and where coverage is thin.",
    "threats.ccss_ref": "CCSS 2013, {ref}",
    "threats.goals": "CCSS strategic goals",
    "threats.priorities": "EL PACCTO 2.0 key priorities",
    "threats.us_areas": "Caribbean-U.S. Plan of Action areas",
    "threats.none_answers": "None answers this threat in the document.",
    "threats.col_goal": "Goal",
    "threats.col_priority": "Priority",
    "threats.col_area": "Area",
    "threats.col_title": "Title",
    "threats.col_pillar": "Pillar",
    "threats.col_commitments": "Commitments",
    "threats.col_rationale": "Rationale",
    "threats.col_name": "Name",
    "threats.coverage_header": "Coverage by cooperation projects",
    "threats.any_year": "Any year",
    "threats.all_donors": "All donors",
    "threats.all_countries": "All countries",
    "threats.columns": "Columns",
    "threats.donors": "Donors",
    "threats.cell_value": "Cell value",
    "threats.row_label": "T{tier} · {name}",
    "threats.coverage_caption": "A blank cell is a gap: no project named in the documents addresses that threat "
                                "there. Each project counts once per cell; funding is the stated amount in full in "
                                "every cell the project touches (a regional project appears under each of its "
                                "countries). In funding view, '+' marks a cell where some projects state no amount "
                                "(the figure is a floor) and 'n/s' one where none does. Point at a cell for its "
                                "figure (where the cells are too narrow to print it); click it to list its projects.",
    "threats.gaps_header": "Gaps: Tier 1 and Tier 2 threats with the least coverage",
    "threats.countries_reached": "Countries reached",
    "threats.projects_no_amount": "Projects with no stated amount",
    "threats.behind_header": "Projects behind a cell",
    "threats.tab_coverage": "Coverage matrix",
    "threats.tab_gaps": "Gaps",
    "threats.behind_caption": "Threat: {threat} (choose it above, or click the matrix or a coverage cell).",
    "threats.all": "All",
    "threats.gap": "No project in the documents addresses this threat here: a gap.",

    # app_pages/projects.py
    "projects.title": "Donor projects",
    "projects.caption": "Donor and cooperation programmes named in the source documents: who funds and implements "
                        "them, where, when, and how much. Filters combine; the link in the address bar keeps them.",
    "projects.search": "Search name and description",
    "projects.search_placeholder": "e.g. firearms, police, cyber",
    "projects.any": "any",
    "projects.threat": "CCSS threat",
    "projects.theme": "Theme",
    "projects.any_year": "any year",
    "projects.year_help": "A project is active in every year its period overlaps; an ongoing one until today.",
    "projects.funding": "Stated funding, € million",
    "projects.funding_help": "Once narrowed, projects that state no amount are left out.",
    "projects.unknown": "Include projects whose period is unknown",
    "projects.unknown_help": "Their dates are not stated, so no year filter can place them.",
    "projects.retired": "Show retired projects",
    "projects.retired_help": "Projects an editor retired stay in the data, marked with the date and the reason. "
                             "They are left out of every count and chart unless this is ticked; then they are "
                             "counted too, and the list says which are retired.",
    "projects.projects_help": "Each project counted once, even where listed twice.",
    "projects.none": "none",
    "projects.no_funding": "Projects with no stated funding",
    "projects.no_funding_help": "Not in the funding total: the total is not complete.",
    "projects.period_unknown": "Period unknown",
    "projects.where": "Where",
    "projects.map_shows": "Map shows",
    "projects.split": "A project naming several countries gives",
    "projects.split_full": "its full amount to each",
    "projects.split_split": "an amount split evenly",
    "projects.where_caption_full": "Projects naming each country; click a country to filter to it. Funding: the "
                                   "full amount of a project to each of the dashboard countries it names; projects "
                                   "that state no amount are counted beside the total, not in it ('–' on the map: "
                                   "projects, none stating an amount). {n} listings name no dashboard country "
                                   "(regional or elsewhere) and are not on the map.",
    "projects.where_caption_split": "Projects naming each country; click a country to filter to it. Funding: each "
                                    "amount split evenly among the dashboard countries it names; projects that state "
                                    "no amount are counted beside the total, not in it ('–' on the map: projects, "
                                    "none stating an amount). {n} listings name no dashboard country (regional or "
                                    "elsewhere) and are not on the map.",
    "projects.who_funds": "Who funds",
    "projects.when": "When",
    "projects.when_caption": "Hatched bars: ongoing, drawn to today. Each project once.",
    "projects.backwards": "{project}: the source prints an end before the start ({period}); drawn as printed.",
    "projects.undated": "**Period unknown: {n} projects** (no dates in the source; not on the timeline)",
    "projects.who_implements": "Who implements",
    "projects.table": "Table: {n} listings",
    "projects.detail": "Project detail",
    "projects.tab_list": "All projects",
    "projects.pick": "Project (or select a row of the table)",
    "projects.no_match": "No project matches these filters.",

    # app_pages/kpi_progress.py
    "kpi.title": "KPI progress",
    "kpi.view": "View",
    "kpi.view_kpis": "EL PACCTO 2.0 KPIs",
    "kpi.col_title": "Title",
    "kpi.view_obis": "Opinion-based indicators",
    "kpi.view_actions": "CCSS action plan",
    "kpi.no_result": "No result reported yet.",
    "kpi.no_disaggregation": "none stated in the plan",
    "kpi.unit_line": "Unit: {unit}. Disaggregated by: {disaggregation}",
    "kpi.no_regional_total": "No regional total reported; see the breakdowns and the results table.",
    "kpi.breakdowns": "Breakdowns, {period}",
    "kpi.trend_open": "Trend over the reporting periods",
    "kpi.no_breakdown": "No breakdown reported for {period}.",
    "kpi.kpis_caption": "The 13 key performance indicators of the EL PACCTO 2.0 plan for the Caribbean, grouped as "
                        "the plan groups them. Where results are reported they are shown against their targets.",
    "kpi.with_result": "KPIs with a reported result",
    "kpi.latest_period": "Latest period reported",
    "kpi.breakdown_period": "Period of the breakdowns",
    "kpi.all_results": "All reported results",
    "kpi.obis_caption": "The 12 opinion-based indicators of the EL PACCTO 2.0 plan, by evaluation criterion, each "
                        "quantitative or qualitative as the plan classifies it. Where results are reported: the "
                        "value against its baseline, the latest assessment in words, and every report by period.",
    "kpi.obi_kind_quantitative": "Quantitative",
    "kpi.obi_kind_qualitative": "Qualitative",
    "kpi.obi_kind_both": "Quantitative, complemented with a qualitative assessment",
    "kpi.obi_chart_title": "{obi}: reported value against the baseline, by period",
    "kpi.obi_unit": "Value: {unit}.",
    "kpi.obi_latest_assessment": "Latest assessment ({period}, {where}):",
    "kpi.obi_history": "Every report ({n})",
    "kpi.col_period": "Period",
    "kpi.col_value": "Value",
    "kpi.col_unit": "Unit",
    "kpi.col_baseline": "Baseline",
    "kpi.col_assessment": "Assessment",
    "kpi.col_as_of": "Reported on",
    "kpi.actions_caption": "The action plan of the CARICOM Crime and Security Strategy 2013: each strategic goal's "
                           "actions with their performance indicator, responsible parties, time frame and latest "
                           "reported status.",
    "kpi.party": "Responsible party",
    "kpi.all_parties": "All parties",
    "kpi.party_help": "Actions naming any of the chosen parties (as the action plan writes them).",
    "kpi.time_frame": "Time frame",
    "kpi.all_time_frames": "All time frames",
    "kpi.actions_shown": "Actions shown",
    "kpi.with_status": "With a reported status",
    "kpi.passed": "Time frame passed, no status reported",
    "kpi.passed_help": "The action's time frame ended before {year} and no status has been reported. A fact about "
                       "reporting, not a judgement that the action failed.",
    "kpi.no_action": "No action matches these filters.",
    "kpi.goal_one": "Goal {goal}: {title}: {n} action, {reported} with a reported status",
    "kpi.goal_other": "Goal {goal}: {title}: {n} actions, {reported} with a reported status",
    "kpi.goal_passed": "{label}, {n} {flag}",
    "kpi.hidden_goals": "No action of goal {goals} matches the filters.",
    "kpi.col_goal": "Goal",

    # app_pages/country_brief.py
    "brief.title": "Country brief: {name}",
    "brief.print": "Print this page or save it as PDF from the browser (Ctrl+P / Cmd+P); the layout fits A4 and "
                   "Letter.",
    "brief.homicide": "Homicide",
    "brief.projects": "Cooperation projects",
    "brief.projects_capped": "The {shown} projects with the largest stated funding, of {n}; the Donor projects page "
                             "lists them all.",
    "brief.kpis_capped": "The last {shown} of {n} results; the KPI progress page lists them all.",
    "brief.projects_summary": "The source documents name **{n}** projects that include {name}; **{eur}** "
                              "stated in total, full amounts of regional projects included; **{n_unstated}** state "
                              "no amount.",
    "brief.period_backwards": "end before start in the document",
    "brief.threats": "Threats these projects address",
    "brief.no_threats": "None of these projects is linked to a CCSS threat.",
    "brief.kpis": "EL PACCTO 2.0 KPI results",
    "brief.no_kpis": "No KPI result has been reported for {name} yet.",

    # app_pages/decision_pack.py
    "pack.title": "Decision pack",
    "pack.caption": "Save views with 'Add this view to the decision pack' in the sidebar of the overview, homicide, "
                    "threat, donor-project and KPI pages, order them here, and download one PowerPoint file: a slide "
                    "per view with its chart, key "
                    "numbers, sources, the data date and a link back to the live view.",
    "pack.none_saved": "No view saved yet. Open a page, set its filters, and use 'Add this view to the decision pack'.",
    "pack.move_up": "Move up",
    "pack.remove": "Remove",
    "pack.freeze": "The pack freezes the data as of {date}.",
    "pack.build": "Build the PowerPoint file",
    "pack.rendering": "Rendering the charts...",
    "pack.download": "Download the decision pack (.pptx)",

    # app_pages/data_management.py
    "data.title": "Data management",
    "data.caption": "Import new official homicide statistics and EL PACCTO 2.0 monitoring results. Every import is "
                    "checked row by row before anything is written, becomes its own source, is logged, and can be "
                    "undone.",
    "data.not_enabled": "Editing is not enabled on this installation, so nothing can be changed here.\n\n"
                        "To enable it, make a password hash with `python -m core.auth` and put the line it prints in "
                        "`.streamlit/secrets.toml` (never commit that file), or set the environment variable "
                        "`{env_var}`. Then restart the dashboard.",
    "data.your_name": "Your name (recorded in the import log)",
    "data.password": "Editor password",
    "data.sign_in": "Sign in",
    "data.sign_in_failed": "Sign-in failed: check the password, and give your name.",
    "data.sign_in_wait": "Too soon after a failed sign-in: wait {seconds} s, then try again.",
    "data.sign_in_locked": "Too many failed sign-ins: sign-in is locked for about {minutes} min. Try again then.",
    "data.busy": "Another import is being applied; try again in a moment. Nothing was written.",
    "data.signed_in": "Signed in as {name}.",
    "data.problems": "Nothing was written: {n} problem(s) in the file.",
    "data.col_file": "file",
    "data.whole_file": "whole file",
    "data.col_row": "row",
    "data.col_column": "column",
    "data.col_problem": "problem",
    "data.valid": "{file}: {format} format from {publisher}, edition {edition}. Valid.",
    "data.added": "Added",
    "data.changed": "Changed",
    "data.unchanged": "Unchanged",
    "data.ignored": "Ignored",
    "data.ignored_note": "Ignored: {note}.",
    "data.rows": "**{table}**: {n} rows (first 200 shown)",
    "data.apply": "Apply this import",
    "data.applied": "Applied as {import_id}. The dashboard now shows it; undo it from the log below.",
    "data.tab_homicide": "Homicide statistics",
    "data.tab_kpi": "KPI results and action statuses",
    "data.tab_log": "Import log",
    "data.homicide_formats": "Accepted: the UNODC data portal export (`data_cts_intentional_homicide`, CSV or Excel, "
                             "the 2022 and 2024 layouts, also when named .xls) and UNODC's older workbook, the World "
                             "Bank WDI CSV (`API_VC.IHR.PSRC.P5_DS2_...csv`), and Our World in Data's homicide charts "
                             "(CSV or the download zip). The layout and the series are recognised from the content, "
                             "never from the file's name; a file holding another indicator is refused.",
    "data.series_line": "Series: {series}. Edition: {edition}.",
    "data.series_choice": "Whose figures does this file hold? (its column does not say)",
    "data.edition_date": "Edition date (the file states none)",
    "data.edition_help": "The date the publisher released or last updated these figures. Without it the file counts "
                         "as of today's import: newer than any edition already imported.",
    "data.changed_help": "Changed: different, at the one decimal the dashboard shows, from the value the series has "
                         "now. Added: a country-year the series has no value for.",
    "data.differences": "**Against what the dashboard shows now** ({compared} values compared): {n} differ by "
                        "{threshold} or more per 100,000.",
    "data.no_differences": "Against what the dashboard shows now ({compared} values compared): none differs by "
                           "{threshold} or more per 100,000.",
    "data.col_place": "country or area",
    "data.col_year": "year",
    "data.col_new": "this file",
    "data.col_shown": "shown now",
    "data.col_difference": "difference",
    "data.col_shown_source": "shown now from",
    "data.shown_source": "{publisher}, edition {edition}",
    "data.homicide_file": "Homicide statistics file",
    "data.template": "Download the Excel template",
    "data.template_caption": "One sheet for KPI results, one for action statuses, one for OBI results; the 'lists' "
                             "sheet gives the valid KPI and OBI ids, periods, breakdowns, countries, statuses and "
                             "actions, and whether each OBI is reported as a number, in words, or both.",
    "data.kpi_file": "Filled-in template",
    "data.no_import": "No import yet.",
    "data.undo_choice": "Undo an import",
    "data.undo_confirm": "I understand this takes the import's rows out of the dashboard",
    "data.undo": "Undo",
    "data.undone": "Undone {import_id}; its files stay in the audit trail.",
    "data.tab_projects": "Projects",

    # core/project_form.py (the Data management page's project edits)
    "project_form.caption": "Add a cooperation project, edit one, or retire one. Every change is kept as an "
                            "import: it is listed in the import log with who made it and when, and can be undone "
                            "there. A retired project stays in the data, marked with the date and the reason; "
                            "counts and charts leave it out.",
    "project_form.action": "What do you want to do?",
    "project_form.action_add": "Add a project",
    "project_form.action_edit": "Edit a project",
    "project_form.action_retire": "Retire a project",
    "project_form.pick": "Project",
    "project_form.preview": "Preview the change",
    "project_form.apply": "Apply this change",
    "project_form.applied": "{title}: applied as {import_id}. Undo it from the import log.",
    "project_form.valid": "{title}: valid. Nothing is written until you apply it.",
    "project_form.problems": "Nothing was written: {n} problem(s) in the form.",
    "project_form.whole_change": "the change as a whole",
    "project_form.problem_line": "- **{field}**: {message}",
    "project_form.col_field": "field",
    "project_form.col_before": "now",
    "project_form.col_after": "after the change",
    "project_form.id_help": "Letters naming where the project comes from, a hyphen and a number: EPA- the EL PACCTO "
                            "annex, IMP- IMPACS, ECD- the EU-CELAC report, PRJ- projects added here.",
    "project_form.period_help": "The execution period as the source writes it; left empty, it is written from the "
                                "dates.",
    "project_form.funding_help": "The amount as the source gives it, in the currency beside it. Only euro amounts "
                                 "enter the euro totals; no exchange rate is applied.",
    "project_form.threats_heading": "Links to CCSS threats",
    "project_form.threats_help": "For each threat the project addresses, the words of its description that "
                                 "justify the link. Leave a threat empty for no link.",
    "project_form.threat_label": "Tier {tier}: {name}",
    "project_form.source_heading": "**Source of the change**",
    "project_form.new_source": "Another document or a web page (describe it below)",
    "project_form.source_ref_help": "Section, table, page or paragraph of the source that states these values.",
    "project_form.new_source_help": "Only for another document or a web page: its title or its address (URL), "
                                    "and the date it was published or read.",
    "project_form.field_project_id": "Identifier",
    "project_form.field_name": "Name",
    "project_form.field_donor": "Donor",
    "project_form.field_implementer": "Implementer",
    "project_form.field_countries": "Countries",
    "project_form.field_areas": "Other areas",
    "project_form.field_start_date": "Start",
    "project_form.field_end_date": "End",
    "project_form.field_ongoing": "Ongoing (no end date)",
    "project_form.field_period_text": "Execution period as written",
    "project_form.field_funding": "Funding",
    "project_form.field_funding_eur": "Funding counted in euro totals",
    "project_form.field_funding_note": "Funding note",
    "project_form.field_currency": "Currency",
    "project_form.field_theme": "Theme",
    "project_form.field_description": "Description",
    "project_form.field_threats": "Threats",
    "project_form.field_threat_rationale": "Rationale of a threat link",
    "project_form.field_source": "Source document",
    "project_form.field_source_ref": "Section, page or paragraph",
    "project_form.field_source_title": "Title of the document or page",
    "project_form.field_source_url": "Web address (URL)",
    "project_form.field_source_publisher": "Publisher",
    "project_form.field_source_date": "Date published or read",
    "project_form.field_note": "Note",
    "project_form.field_retired_on": "Retired on",
    "project_form.field_retired_reason": "Reason for retiring it",

    # app_pages/about_data.py
    "about.title": "About the data",
    "about.caption": "Every table of the dashboard's database, generated from the same declarations the build "
                     "validates against (loaders/tables.py). Every row of every table names its source.",
    "about.sources": "Sources",
    "about.col_title": "Title",
    "about.col_publisher": "Publisher",
    "about.col_year": "Year",
    "about.col_citation": "Citation",
    "about.col_accessed": "Accessed",
    "about.tables": "Tables",
    "about.table": "{table} ({n} rows)",
    "about.empty": "No rows: the source documents report none. Results arrive by import.",

    # core/figures/homicide.py
    "homicide_chart.no_data": "no data",
    "homicide_chart.name_no_data": "{name}: no data",
    "homicide_chart.hover_no_value": "<b>{name}</b><br>no value for {year} or earlier",
    "homicide_chart.latest_before": "{value_year} - latest before {year}",
    "homicide_chart.hover": "<b>{name}</b><br>{rate} per 100,000<br>year: {when}",
    "homicide_chart.map_title": "Homicide rate per 100,000 population, {year}",
    "homicide_chart.trends_title": "Homicide rate per 100,000 population over time",
    "homicide_chart.per_100k": "homicides per 100,000",
    "homicide_chart.per_100k_population": "homicides per 100,000 population",
    "homicide_chart.ranking": "Ranking, {year}",
    "homicide_chart.hover_source": "source: {source}",
    "homicide_chart.quoted": "{name}: quoted in documents",
    "homicide_chart.year": "year",
    "homicide_chart.area_world": "World",
    "homicide_chart.area_lac": "Latin America and the Caribbean",

    # core/homicide.py: the table of the view
    "homicide_table.iso3": "ISO3",
    "homicide_table.rate": "Rate per 100,000",
    "homicide_table.value_year": "Year of value",
    "homicide_table.chosen_year": "From the chosen year",
    "homicide_table.source": "Source",
    "homicide_table.other_sources": "Other sources, same year",
    "homicide_table.sources_differ": "Sources differ",
    "homicide_table.yes": "yes",
    "homicide_table.no": "no",
    "homicide_table.no_earlier": "no, latest earlier value",
    "homicide_table.no_data": "no data",

    # core/figures/threats.py
    "threats_chart.tier_short": "Tier {tier}",
    "threats_chart.matrix_title": "CCSS threats by likelihood and impact",
    "threats_chart.coverage_title_count": "Projects addressing each threat",
    "threats_chart.coverage_title_funding": "Stated funding of the projects addressing each threat, EUR million",
    "threats_chart.gap": "no project",
    "threats_chart.no_lower_impact": "No CCSS threat is assessed as lower impact",
    "threats_chart.threat_hover": "<b>{name}</b> (Tier {tier})<br>{description}<br><i>CCSS 2013, {ref}</i>",
    "threats_chart.low_probability": "Low probability",
    "threats_chart.likely": "Likely",
    "threats_chart.high_probability": "High probability",
    "threats_chart.not_assessable": "Not yet assessable",
    "threats_chart.likelihood": "Likelihood",
    "threats_chart.lower_impact": "Lower impact",
    "threats_chart.high_impact": "High impact",
    "threats_chart.impact": "Impact",
    "threats_chart.not_stated_short": "n/s",
    "threats_chart.eur_million": "EUR million (stated)",
    "threats_chart.projects": "projects",

    # core/figures/projects.py
    "projects_chart.map_none_value": "none",
    "projects_chart.map_title_count": "Projects per country",
    "projects_chart.timeline_title": "Execution periods, coloured by donor",
    "projects_chart.map_hover_full": "<b>{name}</b><br>{n} projects<br>stated funding (full amount of each project): "
                                     "{funding}<br>{n_none} projects with no stated figure",
    "projects_chart.map_hover_split": "<b>{name}</b><br>{n} projects<br>stated funding (split evenly): {funding}<br>"
                                      "{n_none} projects with no stated figure",
    "projects_chart.projects": "projects",
    "projects_chart.funding_full": "stated funding, full",
    "projects_chart.funding_split": "stated funding, split",
    "projects_chart.not_stated": "Not stated",
    "projects_chart.timeline_hover": "<b>{project} {name}</b><br>donor: {donor}<br>period as written: {period}",
    "projects_chart.ongoing": "ongoing: drawn to today",
    "projects_chart.today": "today, {date}",
    "projects_chart.plus_no_figure": "{funding} (+{n} no figure)",
    "projects_chart.bar_hover": "<b>{name}</b><br>{n} projects; stated funding {funding}<br>{n_none} with no stated "
                                "figure",
    "projects_chart.funding_axis": "stated funding, € million",
    "projects_chart.donor_not_stated": "Donor not stated",
    "projects_chart.implementer_not_stated": "Implementer not stated",
    "projects_chart.by_donor_full": "By donor (full amount to each donor named); (n) projects",
    "projects_chart.by_donor_split": "By donor (amount split among a project's donors); (n) projects",
    "projects_chart.by_implementer_full": "By implementer (full amount to each implementer named); (n) projects",
    "projects_chart.by_implementer_split": "By implementer (amount split among a project's implementers); (n) "
                                           "projects",

    # core/projects.py: amounts, the tables' headings and values, the notes and the project detail
    "projects_table.no_stated_figure": "no stated figure",
    "projects_table.none": "none",
    "projects_table.no_figure": "no figure",
    "projects_table.stated_m_full": "Stated € m, full",
    "projects_table.stated_m_split": "Stated € m, split",
    "projects_table.no_stated_figure_count": "No stated figure",
    "projects_table.not_stated": "Not stated",
    "projects_table.id": "ID",
    "projects_table.period_as_written": "Period as written",
    "projects_table.start": "Start",
    "projects_table.end": "End",
    "projects_table.dated": "dated",
    "projects_table.ongoing": "ongoing",
    "projects_table.unknown": "unknown",
    "projects_table.funding_as_written": "Funding as written",
    "projects_table.theme": "Theme",
    "projects_table.other_areas": "Other areas",
    "projects_table.threats": "CCSS threats",
    "projects_table.listed_twice": "Listed twice: same as",
    "projects_table.description": "Description",
    "projects_table.source": "Source",
    "projects_table.where": "Where in the source",
    "projects_table.yes": "yes",
    "projects_table.no": "no",
    "projects_table.active_in": "Active in {year}",
    "projects_table.period_unknown": "period unknown",
    "projects_table.note_shown": "{n} listings shown.",
    "projects_table.note_twice": "Listed twice by its document, counted once: {pairs}.",
    "projects_table.note_active": "Active in {year}: {n_active} listings; {n_unknown} more have no dates and are shown "
                                  "as 'period unknown'.",
    "projects_table.note_narrowed": "The funding range leaves out every project that states no amount.",
    "projects_table.retired": "Retired",
    "projects_table.retired_on": "retired on {date}: {reason}",
    "projects_table.read_as": "(read as {euro})",
    "projects_table.ongoing_brackets": "(ongoing)",
    "projects_table.start_interpreted": "Start, interpreted",
    "projects_table.end_interpreted": "End, interpreted",
    "projects_table.funding": "Funding",
    "projects_table.funding_remark": "Remark on the funding",
    "projects_table.listed_twice_label": "Listed twice",
    "projects_table.same_project_as": "same project as {project}; counted once",
    "projects_table.listed_again_as": "listed again as {projects}; counted once",
    "projects_table.none_named": "none named",
    "projects_table.threats_heading": "**CCSS threats it addresses** (a curator's judgement; the rationale quotes the "
                                      "description):",
    "projects_table.threat_line": "- Tier {tier}, **{threat}**: {rationale} ({ref})",
    "projects_table.no_threats": "**CCSS threats:** none linked",
    "projects_table.places": "**Countries:** {countries}\n\n**Other areas:** {areas}\n\n**Description:** {description}",
    "projects_table.source_line": "**Source:** {title} ({publisher}), {ref}",
    "projects_table.curator_note": "Curator's note: {note}",

    # core/figures/kpi.py
    "kpi_chart.actual": "actual",
    "kpi_chart.target": "target",
    "kpi_chart.baseline": "baseline",
    "kpi_chart.vs_baseline": "({change} against the baseline)",
    "kpi_chart.bullet_axis_baseline": "reported (bar) against the baseline (tick)",
    "kpi_chart.of_target": "({share} of target)",
    "kpi.bullet_title": "{kpi}: result against target, by period",
    "kpi.trend_title": "{kpi}: result and target over time",
    "kpi.breakdown_title": "{kpi}: results in {period}, by breakdown",
    "kpi.goal_chart_title": "CCSS action plan: status of each strategic goal's actions",
    "kpi_chart.bullet_axis": "actual (bar) against target (tick)",
    "kpi_chart.period": "period",
    "kpi_chart.by_dimension": "by {dimension}",
    "kpi_chart.dimension_country": "country",
    "kpi_chart.dimension_breakdown": "breakdown",
    "kpi_chart.goal_label": "Goal {goal}: {title}",
    "kpi_chart.status_hover": "{status}: {n} actions ({share})",
    "kpi_chart.share_axis": "share of the goal's actions",

    # core/kpi.py
    "kpi_table.status_achieved": "achieved",
    "kpi_table.status_in_progress": "in progress",
    "kpi_table.status_not_started": "not started",
    "kpi_table.status_not_reported": "not reported",
    "kpi_table.passed_flag": "time frame passed, no status reported",
    "kpi_table.kpi": "KPI",
    "kpi_table.period": "Period",
    "kpi_table.regional": "Regional",
    "kpi_table.breakdown": "Breakdown",
    "kpi_table.result": "Result",
    "kpi_table.target": "Target",
    "kpi_table.source": "Source",
    "kpi_table.where": "Where",
    "kpi_table.note": "Note",
    "kpi_table.no": "No.",
    "kpi_table.action": "Action",
    "kpi_table.indicator": "Performance indicator",
    "kpi_table.responsible": "Responsible",
    "kpi_table.time_frame": "Time frame",
    "kpi_table.latest_status": "Latest status",
    "kpi_table.reporting": "Reporting",
    "kpi_table.as_of": "As of",

    # core/pack.py: the slides
    "pack.homicide_title": "Homicide rates, {year}",
    "pack.homicide_rate": "{name}: {rate} per 100,000",
    "pack.homicide_rate_older": "{name}: {rate} per 100,000 ({year})",
    "pack.homicide_area": "{area}: {rate}",
    "pack.homicide_trends_title": "Homicide rates over time",
    "pack.homicide_table_title": "Homicide rates, {year}: table",
    "pack.homicide_older": "{n} countries show their latest earlier value.",
    "pack.threats_gap": "Gap: {threat} (Tier {tier}): {eur} stated, {n} countries",
    "pack.threats_behind_title": "Projects behind {threat}",
    "pack.threats_title_country_count": "Threat coverage by country: number of projects",
    "pack.threats_title_country_funding": "Threat coverage by country: stated funding (EUR million)",
    "pack.threats_title_donor_count": "Threat coverage by donor: number of projects",
    "pack.threats_title_donor_funding": "Threat coverage by donor: stated funding (EUR million)",
    "pack.projects_title_year": "{title}, projects active in {year}",
    "pack.projects_where_count": "Projects per country",
    "pack.projects_where_funding": "Stated funding per country",
    "pack.projects_funders": "Stated funding by donor",
    "pack.projects_when": "Execution periods",
    "pack.projects_implementers": "Stated funding by implementer",
    "pack.projects_list": "All projects",
    "pack.obi_title": "EL PACCTO 2.0 opinion-based indicators (OBIs)",
    "pack.obi_count": "OBIs defined: {n}",
    "pack.kpis_title": "EL PACCTO 2.0 KPIs: results against targets",
    "pack.kpi_latest": "{kpi}: {title}",
    "pack.col_results": "Results reported",
    "pack.name_trends": "trends",
    "pack.name_since": "from {year}",
    "pack.name_table": "table",
    "pack.name_tiles": "equal tiles",
    "pack.name_map": "map",
    "pack.name_active_in": "active in {year}",
    "pack.projects_counted": "Projects (each counted once): {n}",
    "pack.projects_funding": "Stated funding: {funding}",
    "pack.projects_no_funding": "Projects with no stated funding: {n} (not in the total)",
    "pack.kpi_title": "CCSS action plan: reported status by strategic goal",
    "pack.kpi_with_status": "CCSS actions with a reported status: {n} of {total}",
    "pack.kpi_passed": "Time frame passed, no status reported: {n} actions",
    "pack.kpi_with_result": "EL PACCTO 2.0 KPIs with a reported result: {n} of {total}",
    "pack.overview_homicide": "Homicide rate {year}: Latin America & Caribbean {lac}, World {world} per "
                              "100,000",
    "pack.overview_above": "Countries above the world rate: {n} of {total} reporting",
    "pack.overview_projects": "Donor projects active in {year}: {n}, stated funding {funding}; {n_none} state no "
                              "amount",
    "pack.overview_threats": "CCSS threats: {n} in {tiers} tiers, {tier1} in tier 1",
    "pack.no_image": "Chart image not available: {error} ({detail}). Install Chrome or Chromium on this machine for "
                     "chart images.",
    "pack.key_numbers": "Key numbers",
    "pack.sources": "Sources: {sources}",
    "pack.data_as_of": "Data as of {date} (frozen when this pack was built).",
    "pack.data_as_of_not_reported": "Data as of not reported (frozen when this pack was built).",
    "pack.live_view": "Live view: {link}",
}}
# The importers' validation messages (loaders/messages.py keeps their English, with no Streamlit): translated
# here like any string; the Data management page writes them with core.messages.text.
STRINGS[DEFAULT_LANGUAGE].update({IMPORT_PREFIX + key: english for key, english in IMPORT_MESSAGES.items()})


def po_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> dict[str, str]:
    """key -> text in `lang`, read once per process from its .po file: only entries translated from the
    current English (msgid unchanged) and not fuzzy. Empty for English or a language with no file."""
    path = po_path(lang)
    if lang == DEFAULT_LANGUAGE or not path.exists():
        return {}
    from babel.messages.pofile import read_po  # Babel: already the number and date formatter's library
    english = STRINGS[DEFAULT_LANGUAGE]
    with path.open("rb") as handle:
        catalog = read_po(handle, ignore_obsolete=True)
    return {message.context: message.string for message in catalog
            if message.id and message.context in english and message.id == english[message.context]
            and message.string and not message.fuzzy}


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """Speak `lang` inside the block, whatever the session says: work done for a reader outside their own
    script run (or in plain Python) follows their language (t() and core/format.py alike)."""
    token = _override.set(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _override.reset(token)


def current_language() -> str:
    """The language in force: a `language()` block's, else the one chosen in this session
    (st.session_state["lang"]), else English."""
    forced = _override.get()
    if forced is not None:
        return forced
    # Outside a Streamlit script run (plain Python: tests, the figure builders, scripts) there is no session;
    # asking for one would log a warning on every call, so look for the run first.
    if get_script_run_ctx(suppress_warning=True) is None:
        return DEFAULT_LANGUAGE
    try:
        lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    except Exception:  # a run without a usable session: the default
        lang = DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def lang_param() -> dict[str, str]:
    """The language as a link's query parameter: {"lang": "es"}, nothing for English (the default)."""
    lang = current_language()
    return {} if lang == DEFAULT_LANGUAGE else {"lang": lang}


def t(key: str, /, **values) -> str:
    """The string `key` in the current language, its placeholders filled from `values`.

    A key the language lacks (or whose translation is fuzzy or from older English) gives English; a key
    English lacks is a programming error (KeyError)."""
    english = STRINGS[DEFAULT_LANGUAGE].get(key)
    if english is None:
        raise KeyError(f"no user-facing string {key!r} in core/strings.py")
    lang = current_language()
    text = english if lang == DEFAULT_LANGUAGE else translations(lang).get(key, english)
    return text.format(**values)
