"""Donor projects: cached queries and the small logic of the explorer.

Counting rules, stated once here and shown on the page:
- A listing whose `duplicate_of` is set is the same project listed twice by its document: every
  count and total counts it once (the first listing), while the table keeps both rows.
- Donors and implementers are read as written, split where a cell names several ("UK/US",
  "EU (EEAS); GIZ"); a donor's qualifier in brackets is dropped ("EU (10th EDF)" -> "EU").
- A project an editor retired (Data management page) stays in the data, marked with the date and the reason;
  it is left out of every list, count and chart unless the explorer's "show retired projects" is ticked,
  and then it is listed with its retirement.
- A project is active in a year its period overlaps; "ongoing" runs until today. A project
  with no dates has its period "unknown": kept, flagged and listed apart, never dropped silently.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass

import pandas as pd

from core import format as fmt
from core import queries
from core.db import cached, query
from core.geo import SHORT_NAMES
from core.partners import NOT_STATED, PARTNER_KINDS, PARTNERS_SQL
from core.strings import t

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
    """'True'/'False' or '1'/'0' (how core/state.publish writes a flag) from the URL; anything else is refused
    (the filter keeps its default)."""
    if text not in ("True", "False", "1", "0"):
        raise ValueError(text)
    return text in ("True", "1")


def parse_range(text: str, bounds: tuple[float, float]) -> tuple[float, float]:
    """'2.0,10.0' from the URL, within bounds and in order."""
    low, high = (float(v) for v in text.split(","))
    if not bounds[0] <= low <= high <= bounds[1]:
        raise ValueError(text)
    return low, high


def snapped(bounds: tuple[float, float]) -> tuple[float, float]:
    """A funding range on the slider's half-million steps (the low end down, the high end up)."""
    low, high = bounds
    return float(int(low * 2) / 2), float(-(-high * 2 // 1) / 2)


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
                      group: tuple[str, ...] | None = None, today: dt.date | None = None,
                      include_retired: bool = False) -> pd.DataFrame:
    """Every listing that passes the filters, one row each (repeats included, flagged).

    Filters combine with AND; the values within one filter with OR. Empty means not set.
    `year`: active in that year, plus projects whose period is unknown when
    `include_unknown_period` (their `active_in_year` is empty). `funding_m`: stated funding
    within the range in EUR million (projects with no stated figure then fall out).
    `group`: the sidebar's country group; a project naming only countries outside it falls out,
    a project naming no country at all stays. `include_retired`: retired projects too (else left out).
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
               l.retired_on, l.retired_reason,
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
          AND ($include_retired OR l.retired_on IS NULL)
        ORDER BY l.project_id""",
        {"search": search.strip(), "pattern": search_pattern(search), "countries": list(countries),
         "donors": list(donors), "implementers": list(implementers), "threats": list(threats),
         "themes": list(themes), "year": year, "include_unknown": include_unknown_period,
         "group": None if group is None else list(group), "today": today, "include_retired": include_retired,
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
    include_retired: bool = False


@dataclass(frozen=True)
class Explorer:
    listings: pd.DataFrame  # one row per listing passing the filters (repeats included)
    totals: dict
    by_country: pd.DataFrame
    by_donor: pd.DataFrame
    by_implementer: pd.DataFrame


def _listed(params: dict[str, str], key: str) -> list[str]:
    """A multi-value URL parameter as app_pages/projects.py writes it ('HTI,DOM')."""
    return [v for v in (params.get(key) or "").split(",") if v]


def filters_from_params(params: dict[str, str], group: tuple[str, ...] | None,
                        today: dt.date) -> tuple[Filters, bool]:
    """(the explorer's filters, whether the funding range narrows) from a view's URL parameters (p_*), as
    app_pages/projects.py reads them: a value that does not parse or is not offered is ignored, as there.

    `group`: the country group's iso3 codes (None: all countries)."""
    donors, implementers, themes = (slugs(partner_names("donor")), slugs(partner_names("implementer")),
                                    slugs(theme_names()))
    threat_ids = set(threat_choices()["threat_id"])
    first, last = year_span(today)
    try:
        year = int(params["p_year"])
        year = year if first <= year <= last else None
    except (KeyError, TypeError, ValueError):
        year = None
    everything = (0.0, funding_ceiling_m())
    try:
        funding = parse_range(params["p_fund"], everything)
    except (KeyError, TypeError, ValueError):
        funding = everything
    narrowed = funding != everything
    offered = set(queries.countries()["iso3"]) & set(group if group is not None else queries.countries()["iso3"])
    filters = Filters(
        search=params.get("p_q", ""),
        countries=tuple(c for c in _listed(params, "p_country") if c in offered),
        donors=tuple(donors[k] for k in _listed(params, "p_donor") if k in donors),
        implementers=tuple(implementers[k] for k in _listed(params, "p_impl") if k in implementers),
        threats=tuple(k for k in _listed(params, "p_threat") if k in threat_ids),
        themes=tuple(themes[k] for k in _listed(params, "p_theme") if k in themes),
        year=year, funding_m=funding if narrowed else None,
        include_unknown_period=params.get("p_unknown") not in ("False", "0"),  # as parse_flag reads it
        group=group, today=today, include_retired=params.get("p_retired") in ("True", "1"))
    return filters, narrowed


def explore(filters: Filters) -> Explorer:
    listings = filtered_projects(**asdict(filters))
    ids = tuple(listings["project_id"])
    return Explorer(listings, totals(ids), country_funding(ids), funding_by_partner("donor", ids),
                    funding_by_partner("implementer", ids))


# --- pure helpers -----------------------------------------------------------------------------

def euro(value: float | None) -> str:
    """'€71.5M', '€80K' (core/format.py); an empty value says "no stated figure" (never shown as zero)."""
    return fmt.eur_short(value, missing=t("projects_table.no_stated_figure"))


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
    country, n_projects = t("common.country"), t("common.projects")
    none, no_figure = t("projects_table.none"), t("projects_table.no_figure")
    table = pd.DataFrame({
        country: [SHORT_NAMES.get(iso3, name) for iso3, name in zip(by_country["iso3"], by_country["name"])],
        n_projects: by_country["n_projects"].astype(int),
        t("projects_table.stated_m_split" if split else "projects_table.stated_m_full"): [
            none if n == 0 else fmt.eur_millions(v, missing=no_figure)
            for v, n in zip(funding, by_country["n_projects"])],
        t("projects_table.no_stated_figure_count"): by_country["n_no_funding"].astype(int),
    })
    return table.sort_values([n_projects, country], ascending=[False, True]).reset_index(drop=True)


def view_table(frame: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """The filtered listings as shown and exported: plain column names, dates as dates."""
    not_stated, missing = t("common.not_stated"), t("projects_table.not_stated")
    table = pd.DataFrame({
        t("projects_table.id"): frame["project_id"],
        t("common.project"): frame["name"],
        t("common.donor"): frame["donor"].fillna(missing),
        t("common.implementer"): frame["implementer"].fillna(missing),
        t("projects_table.period_as_written"): frame["period_text"].fillna(not_stated),
        t("projects_table.start"): pd.to_datetime(frame["start_date"]).dt.date,
        t("projects_table.end"): pd.to_datetime(frame["end_date"]).dt.date,
        t("common.period"): frame["period_status"].map({"dated": t("projects_table.dated"),
                                                        "ongoing": t("projects_table.ongoing"),
                                                        "unknown": t("projects_table.unknown")}),
        t("common.funding_eur"): frame["funding_eur"],
        t("projects_table.funding_as_written"): frame["funding_text"].fillna(not_stated),
        t("projects_table.theme"): frame["theme"],
        t("common.countries"): frame["countries"],
        t("projects_table.other_areas"): frame["other_areas"],
        t("projects_table.threats"): frame["threats"],
        t("projects_table.listed_twice"): frame["duplicate_of"],
        t("projects_table.description"): frame["description"],
        t("projects_table.source"): frame["source_title"],
        t("projects_table.where"): frame["source_ref"],
    })
    if frame["retired_on"].notna().any():
        retired = [t("projects_table.retired_on", date=fmt.day(d), reason=r) if pd.notna(d) else ""
                   for d, r in zip(frame["retired_on"], frame["retired_reason"].fillna(""))]
        table.insert(2, t("projects_table.retired"), retired)
    if year is not None:
        active = frame["active_in_year"].map({True: t("projects_table.yes"), False: t("projects_table.no")})
        table.insert(8, t("projects_table.active_in", year=year), active.fillna(t("projects_table.period_unknown")))
    return table.reset_index(drop=True)


def view_notes(listings: pd.DataFrame, year: int | None, narrowed: bool) -> str:
    """What the counts above the charts include and leave out, in one line."""
    notes = [t("projects_table.note_shown", n=len(listings))]
    twice = listings[listings["duplicate_of"].isin(listings["project_id"])]
    if len(twice):
        notes.append(t("projects_table.note_twice",
                       pairs=", ".join(f"{r.project_id} = {r.duplicate_of}" for r in twice.itertuples())))
    if year is not None:
        active = listings["active_in_year"]
        n_active, n_unknown = int(active.fillna(False).astype(bool).sum()), int(active.isna().sum())
        notes.append(t("projects_table.note_active", year=year, n_active=n_active, n_unknown=n_unknown))
    if narrowed:
        notes.append(t("projects_table.note_narrowed"))
    return " ".join(notes)


def detail_fields(record: pd.Series) -> list[tuple[str, str]]:
    """(label, text) for every field of a listing, empty ones saying 'not stated'."""
    not_stated = t("common.not_stated")

    def text(value, empty: str = not_stated) -> str:
        return empty if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)

    def day(value) -> str:
        return fmt.day_short(value, missing=not_stated)

    funding = text(record["funding_text"])
    if pd.notna(record["funding_eur"]):
        funding += " " + t("projects_table.read_as", euro=euro(record["funding_eur"]))
    end = day(record["end_date"]) + (" " + t("projects_table.ongoing_brackets") if record["ongoing"] else "")
    fields = [
        (t("projects_table.id"), record["project_id"]),
        (t("common.donor"), text(record["donor"])),
        (t("common.implementer"), text(record["implementer"])),
        (t("projects_table.period_as_written"), text(record["period_text"])),
        (t("projects_table.start_interpreted"), day(record["start_date"])),
        (t("projects_table.end_interpreted"), end),
        (t("projects_table.funding"), funding),
        (t("projects_table.funding_remark"), text(record["funding_note"], t("projects_table.none"))),
        (t("projects_table.theme"), record["theme"]),
    ]
    if pd.notna(record["retired_on"]):
        fields.insert(1, (t("projects_table.retired"), t("projects_table.retired_on", date=fmt.day(
            record["retired_on"]), reason=text(record["retired_reason"]))))
    if pd.notna(record["duplicate_of"]):
        fields.append((t("projects_table.listed_twice_label"),
                       t("projects_table.same_project_as", project=record["duplicate_of"])))
    if pd.notna(record["repeated_as"]):
        fields.append((t("projects_table.listed_twice_label"),
                       t("projects_table.listed_again_as", projects=record["repeated_as"])))
    return [(label, str(value)) for label, value in fields]


def detail_markdown(project_id: str, escape: Callable[[object], str]) -> dict[str, str]:
    """Markdown blocks of the detail view; `escape` makes text from the data literal (ui.md)."""
    record = project_record(project_id).iloc[0]
    places = project_places(project_id)
    links = project_threat_links(project_id)

    def listed(kind: str) -> str:
        found = places.loc[places["kind"] == kind, "place"]
        return escape(", ".join(found)) if len(found) else t("projects_table.none_named")

    description = escape(record["description"]) if pd.notna(record["description"]) else t("projects_table.none")
    threats = (t("projects_table.threats_heading") + "\n"
               + "\n".join(t("projects_table.threat_line", tier=r.tier, threat=escape(r.threat),
                              rationale=escape(r.rationale), ref=escape(r.source_ref))
                           for r in links.itertuples())) if len(links) else t("projects_table.no_threats")
    note = escape(record["note"]) if pd.notna(record["note"]) else t("projects_table.none")
    return {
        "title": f"#### {escape(record['name'])}",
        "fields": "\n".join(f"- **{label}:** {escape(value)}" for label, value in detail_fields(record)),
        "places": t("projects_table.places", countries=listed("country"), areas=listed("other area"),
                    description=description),
        "threats": threats,
        "source": t("projects_table.source_line", title=escape(record["source_title"]),
                    publisher=escape(record["source_publisher"]), ref=escape(record["source_ref"])),
        "note": t("projects_table.curator_note", note=note),
    }
