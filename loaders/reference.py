"""What a KPI template's cells are checked against: the KPIs and their units, the countries, the CCSS
actions, the programme's years. Read from the curated files (no import adds to these tables)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from loaders.paths import CURATED_DIR

PROGRAMME_START, PROGRAMME_END = 2025, 2027  # EL PACCTO 2.0 Strategic Plan for the Caribbean Region 2025-2027
CCSS_ADOPTED = 2013  # the CARICOM Crime and Security Strategy 2013: no action status before it


@dataclass(frozen=True)
class Reference:
    kpi_units: dict[str, str]  # kpi_id -> unit ('percent', 'number', ...)
    countries: dict[str, str]  # iso3 -> name
    actions: dict[int, int]  # goal_no -> number of actions
    obis: dict[str, tuple[str, bool]] = field(default_factory=dict)  # obi_id -> (kind, assessed in words)

    @classmethod
    def from_curated(cls, curated_dir: Path | None = None) -> Reference:
        folder = curated_dir or CURATED_DIR
        kpis = pd.read_csv(folder / "kpis.csv", dtype=str, keep_default_na=False)
        countries = pd.read_csv(folder / "countries.csv", dtype=str, keep_default_na=False)
        actions = pd.read_csv(folder / "ccss_actions.csv", dtype=str, keep_default_na=False)
        obis = pd.read_csv(folder / "obis.csv", dtype=str, keep_default_na=False)
        return cls(dict(zip(kpis["kpi_id"], kpis["unit"])), dict(zip(countries["iso3"], countries["name"])),
                   actions.astype({"goal_no": int, "action_no": int}).groupby("goal_no")["action_no"].max().to_dict(),
                   {r.obi_id: (r.kind, r.assessment.lower() == "true") for r in obis.itertuples()})

    def country_suggestion(self, typed: str) -> str | None:
        """'Jamaica', 'jam', 'Trinidad' -> the code meant, or None."""
        text = typed.strip()
        if text.upper() in self.countries:
            return text.upper()
        by_name = {name.casefold(): iso3 for iso3, name in self.countries.items()}
        if text.casefold() in by_name:
            return by_name[text.casefold()]
        starts = [iso3 for name, iso3 in by_name.items() if name.startswith(text.casefold()) and len(text) >= 4]
        if len(starts) == 1:
            return starts[0]
        close = difflib.get_close_matches(text.casefold(), list(by_name), n=1, cutoff=0.75)
        return by_name[close[0]] if close else None

    def obi_suggestion(self, typed: str) -> str | None:
        """'obi 3', 'Obi3' -> 'OBI3'."""
        key = typed.strip().upper().replace(" ", "").replace("-", "")
        return key if key in self.obis else None

    def kpi_suggestion(self, typed: str) -> str | None:
        key = typed.strip().upper().replace(" ", "")
        return key if key in self.kpi_units else None
