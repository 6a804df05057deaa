"""Donors and implementers as the dashboard reads them: one reader for every page.

A cell naming several partners is split ("United Kingdom/United States", "EU (EEAS); GIZ"); a donor's
qualifier in brackets is dropped ("EU (10th EDF)" -> "EU"); a project naming none counts under
"Not stated". The Donor projects page and the Threat tiers page both count and filter through `PARTNERS_SQL`.
"""
from __future__ import annotations

from core.strings import t

# The stored word for a missing donor or implementer: a filter value and part of the URL, so it stays as is;
# pages show it through t() (core/figures/projects.py donor_name).
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


def display_name(name: str) -> str:
    """A partner as pages show it: the stored 'Not stated' in the reader's words."""
    return t("projects_chart.not_stated") if name == NOT_STATED else name
