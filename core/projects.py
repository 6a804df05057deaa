"""Donor projects: cached queries and the small logic of the explorer.

Counting rules, stated once here and shown on the page:
- A listing whose `duplicate_of` is set is the same project listed twice by its document: every
  count and total counts it once (the first listing), while the table keeps both rows.
- Donors and implementers are read as written, split where a cell names several ("UK/US",
  "EU (EEAS); GIZ"); a donor's qualifier in brackets is dropped ("EU (10th EDF)" -> "EU").
- A project is active in a year its period overlaps; "ongoing" runs until today. A project
  with no dates has its period "unknown": kept, flagged and listed apart, never dropped silently.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

import pandas as pd

from core.db import cached, query
from core.geo import SHORT_NAMES

NOT_STATED = "Not stated"
PARTNER_KINDS = ("donor", "implementer")

# (project_id, kind, name): one row per donor or implementer a project names; 'Not stated' when none.
PARTNERS_SQL = r"""
    partners AS (
        SELECT DISTINCT project_id, kind, name FROM (
            SELECT project_id, 'donor' AS kind,
                   trim(regexp_replace(unnest(regexp_split_to_array(coalesce(donor, 'Not stated'),
                                                                    '\s*[/;]\s*')), '\s*\(.*\)$', '')) AS name
            FROM projects
            UNION ALL
            SELECT project_id, 'implementer',
                   trim(unnest(regexp_split_to_array(coalesce(implementer, 'Not stated'), '\s*[/;]\s*')))
            FROM projects)
        WHERE name <> '')"""

# 'dated' (start and end), 'ongoing' (start, runs until today) or 'unknown' (no usable period).
PERIOD_STATUS_SQL = """
    CASE WHEN p.start_date IS NOT NULL AND p.end_date IS NOT NULL THEN 'dated'
         WHEN p.start_date IS NOT NULL AND p.ongoing THEN 'ongoing'
         ELSE 'unknown' END"""

# Listings counted in totals: each project once (a repeat counts only when its first listing is not shown).
COUNTED_SQL = """
    counted AS (
        SELECT * FROM projects
        WHERE list_contains($ids, project_id)
          AND (duplicate_of IS NULL OR NOT list_contains($ids, duplicate_of)))"""


# --- choices for the filters ---------------------------------------------------------------

@cached
def partner_names(kind: str) -> tuple[str, ...]:
    """Donors or implementers as the filters list them, 'Not stated' last."""
    if kind not in PARTNER_KINDS:
        raise ValueError(kind)
    names = query(f"WITH {PARTNERS_SQL} SELECT DISTINCT name FROM partners WHERE kind = ? "
                  "ORDER BY name = 'Not stated', lower(name)", [kind])["name"]
    return tuple(names)


@cached
def theme_names() -> tuple[str, ...]:
    return tuple(query("SELECT DISTINCT theme FROM projects ORDER BY theme")["theme"])


@cached
def threat_choices() -> pd.DataFrame:
    """CCSS threats with the number of projects linked to each (tier order)."""
    return query("""
        SELECT t.threat_id, t.tier, t.name, count(pt.project_id) AS n_projects
        FROM threats t LEFT JOIN project_threats pt USING (threat_id)
        GROUP BY ALL ORDER BY t.tier, t.name""")


@cached
def year_span(today: dt.date) -> tuple[int, int]:
    """First start year to the later of the last end year and this year."""
    row = query("SELECT min(year(start_date)), max(year(end_date)) FROM projects").iloc[0]
    return int(row.iloc[0]), max(int(row.iloc[1]), today.year)


@cached
def funding_ceiling_m() -> float:
    """Top of the funding slider, in EUR million (the largest stated amount, rounded up)."""
    top = query("SELECT max(funding_eur) FROM projects").iloc[0, 0]
    return float(-(-(top or 0) // 1_000_000)) or 1.0


def parse_flag(text: str) -> bool:
    """'True'/'False' from the URL; anything else is refused (the filter keeps its default)."""
    if text not in ("True", "False"):
        raise ValueError(text)
    return text == "True"


def parse_range(text: str, bounds: tuple[float, float]) -> tuple[float, float]:
    """'2.0,10.0' from the URL, within bounds and in order."""
    low, high = (float(v) for v in text.split(","))
    if not bounds[0] <= low <= high <= bounds[1]:
        raise ValueError(text)
    return low, high


def slugs(names: tuple[str, ...]) -> dict[str, str]:
    """URL-safe keys for names (some contain commas, which the URL uses between values)."""
    out: dict[str, str] = {}
    for name in names:
        key = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "x"
        while key in out:
            key += "-"
        out[key] = name
    return out


# --- the filtered listings -------------------------------------------------------------------

def search_pattern(text: str) -> str:
    """ILIKE pattern for a literal substring: the user's % and _ match themselves."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@cached
def filtered_projects(search: str = "", countries: tuple[str, ...] = (), donors: tuple[str, ...] = (),
                      implementers: tuple[str, ...] = (), threats: tuple[str, ...] = (),
                      themes: tuple[str, ...] = (), year: int | None = None,
                      funding_m: tuple[float, float] | None = None, include_unknown_period: bool = True,
                      group: tuple[str, ...] | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """Every listing that passes the filters, one row each (repeats included, flagged).

    Filters combine with AND; the values within one filter with OR. Empty means not set.
    `year`: active in that year, plus projects whose period is unknown when
    `include_unknown_period` (their `active_in_year` is empty). `funding_m`: stated funding
    within the range in EUR million (projects with no stated figure then fall out).
    `group`: the sidebar's country group; a project naming only countries outside it falls out,
    a project naming no country at all stays.
    """
    today = today or dt.date.today()
    return query(f"""
        WITH {PARTNERS_SQL},
        listing AS (
            SELECT p.*, {PERIOD_STATUS_SQL} AS period_status,
                   coalesce(p.end_date, CASE WHEN p.ongoing THEN $today END) AS shown_end
            FROM projects p)
        SELECT l.project_id, l.name, l.donor, l.implementer, l.period_text, l.start_date, l.end_date,
               l.ongoing, l.period_status, l.shown_end,
               CASE WHEN $year IS NULL OR l.period_status = 'unknown' THEN NULL
                    ELSE year(l.start_date) <= $year AND $year <= year(l.shown_end) END AS active_in_year,
               l.funding_eur, l.funding_text, l.funding_note, l.theme, l.description, l.duplicate_of,
               (SELECT string_agg(name, ' / ' ORDER BY name) FROM partners d
                 WHERE d.project_id = l.project_id AND d.kind = 'donor') AS donor_label,
               (SELECT string_agg(c.name, ', ' ORDER BY c.name) FROM project_countries pc
                  JOIN countries c USING (iso3) WHERE pc.project_id = l.project_id) AS countries,
               (SELECT list(pc.iso3 ORDER BY pc.iso3) FROM project_countries pc
                 WHERE pc.project_id = l.project_id) AS iso3s,
               (SELECT string_agg(a.area, ', ' ORDER BY a.area) FROM project_areas a
                 WHERE a.project_id = l.project_id) AS other_areas,
               (SELECT string_agg(t.name, '; ' ORDER BY t.tier, t.name) FROM project_threats pt
                  JOIN threats t USING (threat_id) WHERE pt.project_id = l.project_id) AS threats,
               l.source_id, s.title AS source_title, l.source_ref, l.note
        FROM listing l JOIN sources s USING (source_id)
        WHERE ($search = '' OR l.name ILIKE $pattern ESCAPE '\\' OR l.description ILIKE $pattern ESCAPE '\\')
          AND (len($countries) = 0 OR EXISTS (SELECT 1 FROM project_countries pc
               WHERE pc.project_id = l.project_id AND list_contains($countries, pc.iso3)))
          AND (len($donors) = 0 OR EXISTS (SELECT 1 FROM partners d WHERE d.project_id = l.project_id
               AND d.kind = 'donor' AND list_contains($donors, d.name)))
          AND (len($implementers) = 0 OR EXISTS (SELECT 1 FROM partners d WHERE d.project_id = l.project_id
               AND d.kind = 'implementer' AND list_contains($implementers, d.name)))
          AND (len($threats) = 0 OR EXISTS (SELECT 1 FROM project_threats pt
               WHERE pt.project_id = l.project_id AND list_contains($threats, pt.threat_id)))
          AND (len($themes) = 0 OR list_contains($themes, l.theme))
          AND ($group IS NULL
               OR NOT EXISTS (SELECT 1 FROM project_countries pc WHERE pc.project_id = l.project_id)
               OR EXISTS (SELECT 1 FROM project_countries pc WHERE pc.project_id = l.project_id
                          AND list_contains($group, pc.iso3)))
          AND ($include_unknown OR l.period_status <> 'unknown')
          AND ($year IS NULL OR l.period_status = 'unknown'
               OR (year(l.start_date) <= $year AND $year <= year(l.shown_end)))
          AND ($fmin IS NULL OR l.funding_eur BETWEEN $fmin AND $fmax)
        ORDER BY l.project_id""",
        {"search": search.strip(), "pattern": search_pattern(search), "countries": list(countries),
         "donors": list(donors), "implementers": list(implementers), "threats": list(threats),
         "themes": list(themes), "year": year, "include_unknown": include_unknown_period,
         "group": None if group is None else list(group), "today": today,
         "fmin": None if funding_m is None else funding_m[0] * 1e6,
         "fmax": None if funding_m is None else funding_m[1] * 1e6})


# --- totals over the filtered listings (each project counted once) ---------------------------

@cached
def totals(ids: tuple[str, ...]) -> dict:
    row = query(f"""
        WITH {COUNTED_SQL}
        SELECT count(*) AS n_projects, len($ids) AS n_listings, sum(funding_eur) AS funding_eur,
               count(*) FILTER (WHERE funding_eur IS NULL) AS n_no_funding,
               count(*) FILTER (WHERE {PERIOD_STATUS_SQL} = 'unknown') AS n_no_dates
        FROM counted p""", {"ids": list(ids)}).iloc[0]
    return {k: (None if pd.isna(v) else (float(v) if k == "funding_eur" else int(v))) for k, v in row.items()}


@cached
def country_funding(ids: tuple[str, ...]) -> pd.DataFrame:
    """One row per country: projects naming it, and their stated funding counted two ways.

    `funding_full`: each project's whole amount to every country it names.
    `funding_split`: the amount split evenly among the dashboard countries the project names.
    Both are empty where no project naming the country states a figure.
    """
    return query(f"""
        WITH {COUNTED_SQL},
        n_named AS (SELECT project_id, count(*) AS n FROM project_countries GROUP BY project_id),
        per AS (
            SELECT pc.iso3, c.project_id, c.funding_eur, c.funding_eur / n.n AS share
            FROM counted c JOIN project_countries pc USING (project_id) JOIN n_named n USING (project_id))
        SELECT co.iso3, co.name, co.lat, co.lon, count(per.project_id) AS n_projects,
               sum(per.funding_eur) AS funding_full, sum(per.share) AS funding_split,
               count(per.project_id) FILTER (WHERE per.funding_eur IS NULL) AS n_no_funding
        FROM countries co LEFT JOIN per USING (iso3)
        GROUP BY ALL ORDER BY co.name""", {"ids": list(ids)})


@cached
def funding_by_partner(kind: str, ids: tuple[str, ...]) -> pd.DataFrame:
    """Stated funding per donor or implementer, full and split evenly among the partners a project names."""
    if kind not in PARTNER_KINDS:
        raise ValueError(kind)
    return query(f"""
        WITH {PARTNERS_SQL}, {COUNTED_SQL},
        mine AS (SELECT * FROM partners WHERE kind = $kind),
        n_named AS (SELECT project_id, count(*) AS n FROM mine GROUP BY project_id)
        SELECT m.name, count(*) AS n_projects, sum(c.funding_eur) AS funding_full,
               sum(c.funding_eur / n.n) AS funding_split,
               count(*) FILTER (WHERE c.funding_eur IS NULL) AS n_no_funding
        FROM counted c JOIN mine m USING (project_id) JOIN n_named n USING (project_id)
        GROUP BY m.name
        ORDER BY funding_full DESC NULLS LAST, n_projects DESC, m.name""", {"kind": kind, "ids": list(ids)})


# --- one project ------------------------------------------------------------------------------

@cached
def project_record(project_id: str) -> pd.DataFrame:
    """Every field of one listing, with its source document and the listings that repeat it."""
    return query("""
        SELECT p.*, s.title AS source_title, s.publisher AS source_publisher, s.citation AS source_citation,
               (SELECT string_agg(r.project_id, ', ' ORDER BY r.project_id) FROM projects r
                 WHERE r.duplicate_of = p.project_id) AS repeated_as
        FROM projects p JOIN sources s USING (source_id) WHERE p.project_id = ?""", [project_id])


@cached
def project_places(project_id: str) -> pd.DataFrame:
    """Dashboard countries, then other areas (territories, regions) the project names."""
    return query("""
        SELECT 'country' AS kind, c.name AS place, pc.iso3, pc.source_ref
        FROM project_countries pc JOIN countries c USING (iso3) WHERE pc.project_id = $id
        UNION ALL
        SELECT 'other area', a.area, NULL, a.source_ref FROM project_areas a WHERE a.project_id = $id
        ORDER BY kind, place""", {"id": project_id})


@cached
def project_threat_links(project_id: str) -> pd.DataFrame:
    return query("""
        SELECT t.tier, t.name AS threat, pt.rationale, pt.source_ref
        FROM project_threats pt JOIN threats t USING (threat_id)
        WHERE pt.project_id = ? ORDER BY t.tier, t.name""", [project_id])


# --- the explorer's view: every frame the page shows, for one set of filters -------------------

@dataclass(frozen=True)
class Filters:
    """The explorer's filters (see filtered_projects); hashable, so the queries cache on them."""
    search: str = ""
    countries: tuple[str, ...] = ()
    donors: tuple[str, ...] = ()
    implementers: tuple[str, ...] = ()
    threats: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    year: int | None = None
    funding_m: tuple[float, float] | None = None
    include_unknown_period: bool = True
    group: tuple[str, ...] | None = None
    today: dt.date | None = None


@dataclass(frozen=True)
class Explorer:
    listings: pd.DataFrame  # one row per listing passing the filters (repeats included)
    totals: dict
    by_country: pd.DataFrame
    by_donor: pd.DataFrame
    by_implementer: pd.DataFrame


def explore(filters: Filters) -> Explorer:
    listings = filtered_projects(**asdict(filters))
    ids = tuple(listings["project_id"])
    return Explorer(listings, totals(ids), country_funding(ids), funding_by_partner("donor", ids),
                    funding_by_partner("implementer", ids))


# --- pure helpers -----------------------------------------------------------------------------

def euro(value: float | None) -> str:
    """'€71.5m', '€80k'; empty values say so (never shown as zero)."""
    if value is None or pd.isna(value):
        return "no stated figure"
    if value >= 1e6:
        return f"€{value / 1e6:,.1f}m"
    return f"€{value / 1e3:,.0f}k"


def counted_once(frame: pd.DataFrame) -> pd.DataFrame:
    """The listings counted in totals: repeats left out when their first listing is in the frame."""
    repeat = frame["duplicate_of"].notna() & frame["duplicate_of"].isin(frame["project_id"])
    return frame[~repeat]


def timeline_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(projects with a period to draw, projects whose period is unknown), each project once."""
    once = counted_once(frame)
    dated = once[once["period_status"] != "unknown"].sort_values(["start_date", "project_id"])
    return dated.reset_index(drop=True), once[once["period_status"] == "unknown"].reset_index(drop=True)


def country_table(by_country: pd.DataFrame, split: bool) -> pd.DataFrame:
    """The map's figures as a table, with the count of projects that state no amount beside each total."""
    funding = by_country["funding_split" if split else "funding_full"]
    table = pd.DataFrame({
        "Country": [SHORT_NAMES.get(iso3, name) for iso3, name in zip(by_country["iso3"], by_country["name"])],
        "Projects": by_country["n_projects"].astype(int),
        f"Stated € m, {'split' if split else 'full'}": [
            "none" if n == 0 else "no figure" if pd.isna(v) else f"{v / 1e6:,.1f}"
            for v, n in zip(funding, by_country["n_projects"])],
        "No stated figure": by_country["n_no_funding"].astype(int),
    })
    return table.sort_values(["Projects", "Country"], ascending=[False, True]).reset_index(drop=True)


def view_table(frame: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """The filtered listings as shown and exported: plain column names, dates as dates."""
    table = pd.DataFrame({
        "ID": frame["project_id"],
        "Project": frame["name"],
        "Donor": frame["donor"].fillna(NOT_STATED),
        "Implementer": frame["implementer"].fillna(NOT_STATED),
        "Period as written": frame["period_text"].fillna("not stated"),
        "Start": pd.to_datetime(frame["start_date"]).dt.date,
        "End": pd.to_datetime(frame["end_date"]).dt.date,
        "Period": frame["period_status"].map({"dated": "dated", "ongoing": "ongoing", "unknown": "unknown"}),
        "Funding (EUR)": frame["funding_eur"],
        "Funding as written": frame["funding_text"].fillna("not stated"),
        "Theme": frame["theme"],
        "Countries": frame["countries"],
        "Other areas": frame["other_areas"],
        "CCSS threats": frame["threats"],
        "Listed twice: same as": frame["duplicate_of"],
        "Description": frame["description"],
        "Source": frame["source_title"],
        "Where in the source": frame["source_ref"],
    })
    if year is not None:
        active = frame["active_in_year"].map({True: "yes", False: "no"}).fillna("period unknown")
        table.insert(8, f"Active in {year}", active)
    return table.reset_index(drop=True)


def view_notes(listings: pd.DataFrame, year: int | None, narrowed: bool) -> str:
    """What the counts above the charts include and leave out, in one line."""
    notes = [f"{len(listings)} listings shown."]
    twice = listings[listings["duplicate_of"].isin(listings["project_id"])]
    if len(twice):
        notes.append("Listed twice by its document, counted once: "
                     + ", ".join(f"{r.project_id} = {r.duplicate_of}" for r in twice.itertuples()) + ".")
    if year is not None:
        active = listings["active_in_year"]
        n_active, n_unknown = int(active.fillna(False).astype(bool).sum()), int(active.isna().sum())
        notes.append(f"Active in {year}: {n_active} listings; {n_unknown} more have no dates and are shown "
                     "as 'period unknown'.")
    if narrowed:
        notes.append("The funding range leaves out every project that states no amount.")
    return " ".join(notes)


def detail_fields(record: pd.Series) -> list[tuple[str, str]]:
    """(label, text) for every field of a listing, empty ones saying 'not stated'."""
    def text(value, empty: str = "not stated") -> str:
        return empty if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)

    def day(value) -> str:
        return "not stated" if pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"

    funding = text(record["funding_text"])
    if pd.notna(record["funding_eur"]):
        funding += f" (read as {euro(record['funding_eur'])})"
    fields = [
        ("ID", record["project_id"]),
        ("Donor", text(record["donor"])),
        ("Implementer", text(record["implementer"])),
        ("Period as written", text(record["period_text"])),
        ("Start, interpreted", day(record["start_date"])),
        ("End, interpreted", day(record["end_date"]) + (" (ongoing)" if record["ongoing"] else "")),
        ("Funding", funding),
        ("Remark on the funding", text(record["funding_note"], "none")),
        ("Theme", record["theme"]),
    ]
    if pd.notna(record["duplicate_of"]):
        fields.append(("Listed twice", f"same project as {record['duplicate_of']}; counted once"))
    if pd.notna(record["repeated_as"]):
        fields.append(("Listed twice", f"listed again as {record['repeated_as']}; counted once"))
    return [(label, str(value)) for label, value in fields]


def detail_markdown(project_id: str, escape: Callable[[object], str]) -> dict[str, str]:
    """Markdown blocks of the detail view; `escape` makes text from the data literal (ui.md)."""
    record = project_record(project_id).iloc[0]
    places = project_places(project_id)
    links = project_threat_links(project_id)

    def listed(kind: str) -> str:
        found = places.loc[places["kind"] == kind, "place"]
        return escape(", ".join(found)) if len(found) else "none named"

    description = escape(record["description"]) if pd.notna(record["description"]) else "none"
    threats = ("**CCSS threats it addresses** (a curator's judgement; the rationale quotes the description):\n"
               + "\n".join(f"- Tier {r.tier}, **{escape(r.threat)}**: {escape(r.rationale)} ({escape(r.source_ref)})"
                           for r in links.itertuples())) if len(links) else "**CCSS threats:** none linked"
    return {
        "title": f"#### {escape(record['name'])}",
        "fields": "\n".join(f"- **{label}:** {escape(value)}" for label, value in detail_fields(record)),
        "places": f"**Countries:** {listed('country')}\n\n**Other areas:** {listed('other area')}\n\n"
                  f"**Description:** {description}",
        "threats": threats,
        "source": f"**Source:** {escape(record['source_title'])} ({escape(record['source_publisher'])}), "
                  f"{escape(record['source_ref'])}",
        "note": f"Curator's note: {escape(record['note'])}" if pd.notna(record["note"]) else "Curator's note: none",
    }
