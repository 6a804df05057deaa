"""The homicide series the dashboard knows: what each measures, who publishes it, how its files name it.

A series is one publisher's line of figures for one indicator (UNODC's own files, the World Bank's WDI
copy of them, Our World in Data's copy, IHME's model estimates); each import is an edition of one
series. A file's series is identified from what the file says of itself, never guessed: an Our World in
Data column title must be one of the titles declared here, word for word (whitespace and case aside).
A title that names no particular series ("Deaths", "HomicidesPer100000": columns renamed by whoever
saved the file) is ambiguous: the editor chooses the series (`--series`, or the choice in the preview).
Any other title is refused, naming the column and what is accepted.

`measure` groups the series that count the same thing: the victims of intentional homicide recorded by
national authorities and collated by UNODC ("victims"), or deaths from interpersonal violence as
modelled by IHME's Global Burden of Disease ("gbd"). The homicide page's "latest available" choice
takes the newest edition per country-year among the series of the default measure only.

The build writes these declarations into the database's `series` table; `dataset_editions` ties each
data set source to its series and edition.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

RATE_MEASURE = "victims"
DEFAULT_SERIES = "unodc_owid"  # the curated series: what every view shows unless the reader chooses another
LATEST = "latest"  # the Series choice "latest available": newest edition per country-year, RATE_MEASURE only


@dataclass(frozen=True)
class Series:
    series_id: str
    title: str  # as the Series choice shows it
    publisher: str  # the publisher who made the figures, and the channel they came through
    measure: str  # victims | gbd
    description: str
    owid_titles: tuple[str, ...] = field(default=())  # the value column titles of its Our World in Data files


SERIES: tuple[Series, ...] = (
    Series("unodc_owid", "UNODC homicide rate, via Our World in Data", "UNODC, via Our World in Data", "victims",
           "Victims of intentional homicide per 100,000 population: UNODC's counts, rates computed by Our World in "
           "Data with UN World Population Prospects population (chart 'homicide-rate-unodc').",
           ("Homicide rate per 100,000 population - Both sexes - All ages",
            "Homicide rate per 100,000 population - sex: Total - age: Total",
            "Homicide rate per 100,000 population")),
    Series("unodc", "UNODC homicide rate (UNODC data portal)", "UNODC", "victims",
           "Victims of intentional homicide per 100,000 population, national total, as UNODC publishes it "
           "(data portal export data_cts_intentional_homicide; earlier, the 'Intentional homicide victims' "
           "workbook)."),
    Series("wdi", "World Bank WDI homicide rate (UNODC data)", "World Bank", "victims",
           "World Development Indicators VC.IHR.PSRC.P5, intentional homicides per 100,000 people: UNODC's "
           "figures as the World Bank republishes them, with its own aggregates."),
    Series("wdi_owid", "World Bank WDI homicide rate, via Our World in Data", "World Bank (WDI), via Our World in Data",
           "victims",
           "WDI VC.IHR.PSRC.P5 as Our World in Data republished it (chart "
           "'intentional-homicides-per-100000-people').",
           ("Intentional homicides (per 100,000 people) (per 100,000 people)",
            "Intentional homicides (per 100,000 people)")),
    Series("ihme_gbd_owid", "IHME GBD deaths from interpersonal violence, via Our World in Data",
           "IHME (Global Burden of Disease), via Our World in Data", "gbd",
           "Deaths from interpersonal violence per 100,000 people, both sexes, all ages: model estimates of the "
           "Global Burden of Disease study, not recorded victims (chart 'homicide-rate').",
           ("Deaths - Interpersonal violence - Sex: Both - Age: All Ages (Rate) (homicides per 100,000)",
            "Deaths - Interpersonal violence - Sex: Both - Age: All Ages (Rate)")),
)
SERIES_BY_ID = {s.series_id: s for s in SERIES}
SERIES_IDS = tuple(SERIES_BY_ID)
OWID_SERIES = tuple(s for s in SERIES if s.owid_titles)

# Our World in Data columns that are known, and are not a homicide rate per 100,000: refused with the reason.
NOT_A_RATE = {
    "Deaths - Interpersonal violence - Sex: Both - Age: All Ages (Percent)":
        "the share of all deaths caused by interpersonal violence (a percent)",
    "Deaths - Interpersonal violence - Sex: Both - Age: All Ages (Number)": "a number of deaths",
    "GINI index (World Bank estimate)": "the Gini index of income inequality",
    "Gini coefficient": "the Gini coefficient of income inequality",
}
# Titles that say "a homicide figure" without saying whose: the editor must choose the series.
_AMBIGUOUS = re.compile(r"homicid|^deaths$|^homo_|^rate$|^value$", re.IGNORECASE)


def _key(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().casefold()


_BY_TITLE = {_key(t): s for s in OWID_SERIES for t in s.owid_titles}
_NOT_A_RATE = {_key(t): why for t, why in NOT_A_RATE.items()}


@dataclass(frozen=True)
class Match:
    series: Series | None  # the series the title names, or None
    ambiguous: bool = False  # a homicide figure whose series the file does not say
    not_a_rate: str = ""  # why a known column is not a homicide rate


def match_owid_title(title: str) -> Match:
    """What an Our World in Data value column's title says it holds."""
    key = _key(title)
    if key in _BY_TITLE:
        return Match(_BY_TITLE[key])
    if key in _NOT_A_RATE:
        return Match(None, not_a_rate=_NOT_A_RATE[key])
    if re.search(r"\(percent\)|share of", key):
        return Match(None, not_a_rate="a share (a percent)")
    if "gini" in key:
        return Match(None, not_a_rate="an inequality index (Gini)")
    return Match(None, ambiguous=bool(_AMBIGUOUS.search(key)))


def accepted_titles() -> list[str]:
    return [t for s in OWID_SERIES for t in s.owid_titles]
