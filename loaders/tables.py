"""The one declaration of every curated table: columns, types, units, checks, keys.

The build validates against it, creates the DuckDB tables from it, and the
data dictionary (`data/README.md` tables section, the app's "About the data")
is generated from it. Change a table here and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from loaders.series import SERIES_IDS

ISO3_16 = ("ATG", "BHS", "BRB", "BLZ", "DMA", "DOM", "GRD", "GUY",
           "HTI", "JAM", "MSR", "KNA", "LCA", "VCT", "SUR", "TTO")
THEMES = (
    "Justice and courts", "Policing and law enforcement", "Drug trafficking",
    "Drug policy and demand reduction", "Firearms", "Border, maritime and aviation security",
    "Cybercrime", "Financial crime and money laundering", "Human trafficking and smuggling",
    "Violence prevention and youth", "Prisons and corrections", "Crisis and disaster management",
    "Counter-terrorism", "Witness protection", "Environmental crime", "Institutional cooperation",
)
ACTION_STATUSES = ("achieved", "in progress", "not started")
# Currencies a project's funding may be entered in (Data management page); only euro amounts enter the euro
# totals: another currency's amount is kept as written, never converted at an invented rate.
CURRENCIES = ("EUR", "USD", "GBP", "CAD", "XCD", "CHF", "JPY")
PROJECT_TABLES = ("projects", "project_countries", "project_areas", "project_threats")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # one of: str, int, float, bool, date
    description: str
    nullable: bool = False
    unit: str = ""
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] = ()
    pattern: str = ""
    references: str = ""  # "table.column" this column must match (a foreign key)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    ships_empty: bool = False  # true where the documents report no rows (never invent them)
    # Multi-column foreign keys: ((own columns), "other_table", (other columns)).
    composite_references: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = field(default=())
    # Tables whose rows an import replaces by this table's key: an import holding a row of this table
    # replaces that key's earlier rows in each of them (the build, loaders/build.py). Projects: an edit
    # replaces the project's row and its countries, areas and threat links.
    replaced_by_imports: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _source_cols(ref_desc: str = "Section, table, paragraph or page of the source; or data set edition") -> tuple[Column, ...]:
    return (
        Column("source_id", "str", "The source of this row", references="sources.source_id"),
        Column("source_ref", "str", ref_desc),
    )


NOTE = Column("note", "str", "Curator's note: interpretation made or oddity of the source", nullable=True)
YEAR = dict(min=1900, max=2100)
RATE = dict(unit="per 100,000 population", min=0, max=300)
RATE_SHOWN_DIGITS = 1  # decimals a rate is shown with (core/format.py), and compared at (loaders/compare.py)

TABLES: tuple[Table, ...] = (
    Table(
        "sources", "Every document and data set a row can cite.",
        (
            Column("source_id", "str", "Short identifier", pattern=r"^[a-z0-9_]+$"),
            Column("title", "str", "Title of the document or data set"),
            Column("publisher", "str", "Publisher or author"),
            Column("year", "int", "Year of publication or edition; empty when the source is undated", nullable=True, **YEAR),
            Column("kind", "str", "document or dataset", allowed=("document", "dataset")),
            Column("citation", "str", "How to cite it, with edition and licence where known"),
            Column("file", "str", "Seed file, reference file or imported file it was curated from", nullable=True),
            Column("accessed", "date", "Date the source was curated or imported into the dashboard"),
        ),
        key=("source_id",),
    ),
    Table(
        "countries", "The 16 countries the dashboard serves.",
        (
            Column("iso3", "str", "ISO 3166-1 alpha-3 code", allowed=ISO3_16),
            Column("name", "str", "English short name"),
            Column("is_caricom_member", "bool", "Member of CARICOM (all but the Dominican Republic)"),
            Column("in_elpaccto", "bool", "EL PACCTO 2.0 Caribbean partner (all but Montserrat)"),
            Column("lat", "float", "Latitude of a point inside the country's outline", unit="degrees", min=0, max=30),
            Column("lon", "float", "Longitude of a point inside the country's outline", unit="degrees", min=-95, max=-50),
            *_source_cols(),
        ),
        key=("iso3",),
    ),
    Table(
        "homicide_rates", "Intentional homicide rate by country and year, one row per source.",
        (
            Column("iso3", "str", "Country", references="countries.iso3"),
            Column("year", "int", "Year the rate refers to; empty where a document quotes a figure without "
                   "a year", nullable=True, **YEAR),
            Column("rate_per_100k", "float", "Victims of intentional homicide per 100,000 population", **RATE),
            *_source_cols(), NOTE,
        ),
        key=("iso3", "year", "source_id"),
    ),
    Table(
        "homicide_benchmarks", "Homicide rates of comparison areas (World, Latin America and the Caribbean, "
        "and the comparators quoted in the documents).",
        (
            Column("area", "str", "Comparison area as named by the source"),
            Column("year", "int", "Year the rate refers to, as the source gives it; empty where it gives none",
                   nullable=True, **YEAR),
            Column("rate_per_100k", "float", "Victims of intentional homicide per 100,000 population", **RATE),
            *_source_cols(), NOTE,
        ),
        key=("area", "year", "source_id"),
    ),
    Table(
        "dataset_editions", "Which homicide series each data set source is an edition of, and which edition "
        "(the series are declared in loaders/series.py; the newest edition of a series is what its views show).",
        (
            Column("source_id", "str", "A data set source", references="sources.source_id"),
            Column("series_id", "str", "The series it is an edition of", allowed=SERIES_IDS),
            Column("edition_date", "date", "The edition's date as the data set states it (export, release or "
                   "last-updated date); empty when it states none (the import's date then orders it)", nullable=True),
            Column("edition", "str", "The edition as the data set writes it", nullable=True),
            Column("layout", "str", "The file layout it was read as (loaders/layouts.py); empty for curated data",
                   nullable=True),
            Column("source_ref", "str", "Where the data set states its edition, or how the edition was determined"),
        ),
        key=("source_id",),
    ),
    Table(
        "tiers", "The four CCSS tiers of risks and threats (CCSS chapters 2-3).",
        (
            Column("tier", "int", "Tier number", min=1, max=4),
            Column("name", "str", "Tier name as the CCSS gives it"),
            Column("definition", "str", "CCSS definition"),
            Column("likelihood", "str", "Probability as the CCSS characterises it",
                   allowed=("high", "likely", "low", "not assessable")),
            Column("impact", "str", "Impact as the CCSS characterises it", allowed=("high", "not assessable")),
            *_source_cols(),
        ),
        key=("tier",),
    ),
    Table(
        "threats", "The thirteen threats and risks the CCSS lists under its tiers (chapter 3).",
        (
            Column("threat_id", "str", "Short identifier", pattern=r"^[a-z_]+$"),
            Column("tier", "int", "CCSS tier", references="tiers.tier"),
            Column("name", "str", "Threat as the CCSS names it"),
            Column("description", "str", "Summary of the CCSS text on the threat"),
            *_source_cols(), NOTE,
        ),
        key=("threat_id",),
    ),
    Table(
        "strategic_goals", "The 14 strategic goals of the CCSS (chapter 4).",
        (
            Column("goal_no", "int", "Goal number", min=1, max=14),
            Column("title", "str", "Goal title"),
            *_source_cols(),
        ),
        key=("goal_no",),
    ),
    Table(
        "goal_threats", "Which strategic goals answer which threats (a curator's judgement).",
        (
            Column("goal_no", "int", "Strategic goal", references="strategic_goals.goal_no"),
            Column("threat_id", "str", "Threat", references="threats.threat_id"),
            Column("rationale", "str", "Words of the goal or its lines of action that justify the link"),
            *_source_cols(),
        ),
        key=("goal_no", "threat_id"),
    ),
    Table(
        "ccss_actions", "Every action of the CCSS action plan (flagship initiatives tables).",
        (
            Column("goal_no", "int", "Strategic goal", references="strategic_goals.goal_no"),
            Column("action_no", "int", "Position of the action in its goal's table", min=1, max=99),
            Column("action", "str", "The action"),
            Column("responsible", "str", "Responsible parties as written", nullable=True),
            Column("indicator", "str", "Performance indicator", nullable=True),
            Column("time_frame", "str", "Time frame as written", nullable=True),
            Column("time_frame_end_year", "int", "Year by which the time frame ends (interpreted)",
                   nullable=True, **YEAR),
            *_source_cols(), NOTE,
        ),
        key=("goal_no", "action_no"),
    ),
    Table(
        "elpaccto_priorities", "The key priorities of the EL PACCTO 2.0 Caribbean plan (section 7).",
        (
            Column("priority_no", "int", "Priority number (section 7.n)", min=1, max=20),
            Column("title", "str", "Priority"),
            Column("summary", "str", "Summary of the section"),
            *_source_cols(),
        ),
        key=("priority_no",),
    ),
    Table(
        "priority_threats", "Which EL PACCTO 2.0 key priorities answer which CCSS threats (judgement).",
        (
            Column("priority_no", "int", "Key priority", references="elpaccto_priorities.priority_no"),
            Column("threat_id", "str", "Threat", references="threats.threat_id"),
            Column("rationale", "str", "Words of the priority section that justify the link"),
            *_source_cols(),
        ),
        key=("priority_no", "threat_id"),
    ),
    Table(
        "kpis", "EL PACCTO 2.0 Key Performance Indicators KPI1-KPI13 (section 9.1).",
        (
            Column("kpi_id", "str", "KPI identifier", pattern=r"^KPI\d{1,2}$"),
            Column("group_name", "str", "Group as the plan groups KPIs"),
            Column("title", "str", "Indicator"),
            Column("disaggregation", "str", "Disaggregations the plan asks for, '; '-separated", nullable=True),
            Column("unit", "str", "Unit of the result", nullable=True),
            *_source_cols(),
        ),
        key=("kpi_id",),
    ),
    Table(
        "obis", "EL PACCTO 2.0 Opinion Based Indicators OBI1-OBI12 (section 9.2).",
        (
            Column("obi_id", "str", "OBI identifier", pattern=r"^OBI\d{1,2}$"),
            Column("criterion", "str", "Criterion the OBI measures"),
            Column("title", "str", "Indicator"),
            Column("kind", "str", "quantitative or qualitative", allowed=("quantitative", "qualitative")),
            Column("assessment", "bool", "Assessed in words: the qualitative OBIs, and the quantitative ones "
                   "'complemented with qualitative assessment' (section 9.2's brackets)"),
            *_source_cols(),
        ),
        key=("obi_id",),
    ),
    Table(
        "obi_results", "Reported OBI results: a value where the OBI is quantitative, an assessment in words "
        "where it is qualitative or complemented by one. The documents report none: ships empty; results "
        "arrive by import.",
        (
            Column("obi_id", "str", "OBI", references="obis.obi_id"),
            Column("period", "str", "Reporting period (e.g. 2025, 2025-H1)", pattern=r"^\d{4}(-(H[12]|Q[1-4]))?$"),
            Column("iso3", "str", "Country, empty for regional results", nullable=True,
                   references="countries.iso3"),
            Column("value", "float", "Reported value (quantitative OBIs)", nullable=True, min=0),
            Column("unit", "str", "What the value counts, as reported (e.g. 'percent of stakeholders')",
                   nullable=True),
            Column("baseline", "float", "The baseline the value is read against, as reported", nullable=True, min=0),
            Column("assessment", "str", "The assessment in words, as reported", nullable=True),
            Column("as_of", "date", "Date of the report"),
            *_source_cols(), NOTE,
        ),
        key=("obi_id", "period", "iso3", "source_id"),
        ships_empty=True,
    ),
    Table(
        "kpi_results", "Reported KPI results against targets. The documents report none: ships empty; "
        "results arrive by import.",
        (
            Column("kpi_id", "str", "KPI", references="kpis.kpi_id"),
            Column("period", "str", "Reporting period (e.g. 2025, 2025-H1)", pattern=r"^\d{4}(-(H[12]|Q[1-4]))?$"),
            Column("iso3", "str", "Country, empty for regional results", nullable=True,
                   references="countries.iso3"),
            Column("breakdown", "str", "Disaggregation value (e.g. 'gender: female'); 'total' for the total"),
            Column("value", "float", "Reported result", min=0),
            Column("target", "float", "Target for the period", nullable=True, min=0),
            *_source_cols(), NOTE,
        ),
        key=("kpi_id", "period", "iso3", "breakdown", "source_id"),
        ships_empty=True,
    ),
    Table(
        "action_status", "Reported status of CCSS actions. The documents report none: ships empty.",
        (
            Column("goal_no", "int", "Strategic goal", references="strategic_goals.goal_no"),
            Column("action_no", "int", "Action within the goal", min=1, max=99),
            Column("status", "str", "Reported status", allowed=ACTION_STATUSES),
            Column("as_of", "date", "Date of the report"),
            *_source_cols(), NOTE,
        ),
        key=("goal_no", "action_no", "as_of", "source_id"),
        ships_empty=True,
        composite_references=((("goal_no", "action_no"), "ccss_actions", ("goal_no", "action_no")),),
    ),
    Table(
        "projects", "Donor and cooperation programmes and projects named in the documents.",
        (
            Column("project_id", "str", "Identifier: EPA- EL PACCTO annex, IMP- IMPACS, ECD- EU-CELAC report",
                   pattern=r"^[A-Z]{3}-\d{2,3}$"),
            Column("name", "str", "Programme or project name"),
            Column("donor", "str", "Funder, where the document states or implies it", nullable=True),
            Column("implementer", "str", "Implementing partner(s) as written", nullable=True),
            Column("period_text", "str", "Execution period as written", nullable=True),
            Column("start_date", "date", "Start (interpreted from period_text)", nullable=True),
            Column("end_date", "date", "End (interpreted from period_text)", nullable=True),
            Column("ongoing", "bool", "The document calls it ongoing / open-ended"),
            Column("funding_eur", "float", "Funding in euro as written; empty where none is given",
                   nullable=True, unit="EUR", min=0),
            Column("funding_text", "str", "Funding as written", nullable=True),
            Column("funding_note", "str", "Remark on the funding figure", nullable=True),
            Column("theme", "str", "Main theme (curator's classification)", allowed=THEMES),
            Column("description", "str", "Description from the document", nullable=True),
            Column("duplicate_of", "str", "Set where the document lists the same project twice: the first "
                   "listing. Totals count each project once.", nullable=True, references="projects.project_id"),
            Column("retired_on", "date", "Set when an editor retired the project (Data management page): the "
                   "date of the retirement. A retired project stays in the data; counts and charts leave it out.",
                   nullable=True),
            Column("retired_reason", "str", "Why the project was retired, as the editor wrote it", nullable=True),
            *_source_cols(), NOTE,
        ),
        key=("project_id",),
        replaced_by_imports=PROJECT_TABLES,
    ),
    Table(
        "project_countries", "The dashboard countries each project names.",
        (
            Column("project_id", "str", "Project", references="projects.project_id"),
            Column("iso3", "str", "Country", references="countries.iso3"),
            *_source_cols(),
        ),
        key=("project_id", "iso3"),
    ),
    Table(
        "project_areas", "Other areas a project names (territories, regions, continents).",
        (
            Column("project_id", "str", "Project", references="projects.project_id"),
            Column("area", "str", "Area as written"),
            *_source_cols(),
        ),
        key=("project_id", "area"),
    ),
    Table(
        "project_threats", "Which CCSS threats a project addresses (a curator's judgement).",
        (
            Column("project_id", "str", "Project", references="projects.project_id"),
            Column("threat_id", "str", "Threat", references="threats.threat_id"),
            Column("rationale", "str", "Words of the project description that justify the link"),
            *_source_cols(),
        ),
        key=("project_id", "threat_id"),
    ),
    Table(
        "us_plan_commitments", "Every commitment of the Caribbean-U.S. Plan of Action (2017).",
        (
            Column("commitment_id", "int", "Position in the document", min=1),
            Column("pillar", "str", "Pillar"),
            Column("area", "str", "Area heading the commitment sits under"),
            Column("commitment", "str", "The commitment as written"),
            *_source_cols(),
        ),
        key=("commitment_id",),
    ),
    Table(
        "us_plan_threats", "Which areas of the Caribbean-U.S. Plan of Action answer which CCSS threats.",
        (
            Column("area", "str", "Area of the plan", references="us_plan_commitments.area"),
            Column("threat_id", "str", "Threat", references="threats.threat_id"),
            Column("rationale", "str", "Words of the commitments that justify the link"),
            *_source_cols(),
        ),
        key=("area", "threat_id"),
    ),
)

TABLES_BY_NAME = {t.name: t for t in TABLES}
