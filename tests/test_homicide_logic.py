"""Homicide queries, logic and figures, checked against SQL over the built database."""
from __future__ import annotations

import pandas as pd
import pytest

from core import format as fmt
from core import geo, queries
from core.figures import homicide as charts
from core.homicide import country_profile, view_table

SOURCE = queries.PRIMARY_HOMICIDE_SOURCE  # the curated edition of the default series
SERIES = queries.DEFAULT_SERIES


def test_map_values_one_row_per_country_with_value_year(app_db, db):
    values = queries.homicide_map_values(2023, SERIES)
    assert len(values) == 16 and values["iso3"].is_unique
    msr = values.set_index("iso3").loc["MSR"]
    assert (msr.value_year, bool(msr.is_current)) == (2018, False)  # Montserrat's series ends in 2018
    jam = values.set_index("iso3").loc["JAM"]
    expected = db.execute("SELECT rate_per_100k FROM homicide_rates WHERE iso3='JAM' AND year=2023 "
                          "AND source_id=?", [SOURCE]).fetchone()[0]
    assert (jam.value_year, bool(jam.is_current), jam.rate_per_100k) == (2023, True, expected)


def test_map_values_no_data_before_a_series_starts(app_db):
    values = queries.homicide_map_values(2000, SERIES).set_index("iso3")
    assert pd.isna(values.loc["HTI", "rate_per_100k"])  # Haiti's series starts in 2007
    assert not values.loc["HTI", "is_current"]


def test_fixed_colour_ceiling_covers_every_year(app_db, db):
    top = db.execute("SELECT max(rate_per_100k) FROM homicide_rates").fetchone()[0]
    ceiling = queries.homicide_rate_ceiling()
    assert top <= ceiling < top + 10 and ceiling % 10 == 0


def test_view_table_shows_both_sources_where_they_differ(app_db):
    values = queries.homicide_map_values(2022, SERIES)
    others = queries.homicide_other_source_values(2022, SERIES)
    table = view_table(values, others).set_index("ISO3")
    assert table.loc["JAM", "Source"] == "UNODC, via Our World in Data, 2025-05-28"  # publisher and edition
    assert table.loc["JAM", "Sources differ"] == "yes"
    assert "53.3 (EL PACCTO 2.0 Strategic Plan" in table.loc["JAM", "Other sources, same year"]
    assert table.loc["GUY", "Sources differ"] == ""


def test_country_profile_changes_and_quotes(app_db, db):
    series = queries.homicide_series(("JAM",), SERIES)
    profile = country_profile(series)
    rate = dict(db.execute("SELECT year, rate_per_100k FROM homicide_rates WHERE iso3='JAM' AND source_id=?",
                           [SOURCE]).fetchall())
    assert profile.latest_year == 2023
    assert profile.change_5y == pytest.approx(rate[2023] - rate[2018])
    assert profile.change_10y == pytest.approx(rate[2023] - rate[2013])
    quote = profile.quotes.set_index("source_id").loc["elpaccto_carib_2025"]
    assert quote.rate_per_100k == 53.3 and quote.dataset_value == pytest.approx(rate[2022])
    assert quote.difference == pytest.approx(53.3 - rate[2022])


def test_rate_map_draws_all_16_countries_and_lists_the_small_islands(app_db):
    values = queries.homicide_map_values(2015, SERIES)
    fig = charts.rate_map(values, 2015, 80.0, selected="BRB")
    focus = [t for t in fig.data if t.name in set(values["iso3"])]
    assert len(focus) == 16 and all(t.fill == "toself" for t in focus)
    marker = next(t for t in fig.data if t.name == charts.MARKER_TRACE)
    assert list(marker.customdata) == list(values["iso3"])
    assert marker.marker.cmin == 0 and marker.marker.cmax == 80.0
    # Every symbol sits on its country; the small islands are listed beside the map, north to south, each
    # with its name and value (and clickable: the list's points carry iso3 too).
    brb = list(marker.customdata).index("BRB")
    assert marker.x[brb] == pytest.approx(values.set_index("iso3").loc["BRB", "lon"]) and marker.text[brb] == ""
    listed = next(t for t in fig.data if t.name == "islands")
    assert list(listed.customdata) == list(geo.LISTED_ISO3) and listed.xaxis == "x2"
    rate = values.set_index("iso3").loc["BRB"]
    assert dict(zip(listed.customdata, listed.text))["BRB"] == (
        f"Barbados<br>{fmt.rate_in_year(rate.rate_per_100k, rate.value_year, rate.is_current)}")


def test_older_values_are_labelled_with_their_year(app_db):
    values = queries.homicide_map_values(2023, SERIES)
    listed = next(t for t in charts.rate_map(values, 2023, 80.0).data if t.name == "islands")
    label = dict(zip(listed.customdata, listed.text))["MSR"]
    assert label.endswith("(2018)")
    bars = charts.ranking_bars(values, 2023, 80.0)
    assert dict(zip(bars.data[0].customdata, bars.data[0].text))["MSR"].endswith("(2018)")


def test_tile_map_has_one_equal_tile_per_country(app_db):
    values = queries.homicide_map_values(2020, SERIES)
    fig = charts.tile_map(values, 2020, 80.0)
    tiles = [t for t in fig.data if t.name in set(values["iso3"])]
    widths = {round(max(t.x) - min(t.x), 6) for t in tiles}
    assert len(tiles) == 16 and len(widths) == 1


def test_ranking_orders_by_rate(app_db):
    values = queries.homicide_map_values(2010, SERIES)
    bar = charts.ranking_bars(values, 2010, 80.0).data[0]
    top = bar.customdata[-1]  # horizontal bars: last is drawn on top
    assert top == values.dropna(subset=["rate_per_100k"]).sort_values("rate_per_100k").iloc[-1]["iso3"]


def test_trend_lines_include_world_and_lac(app_db):
    fig = charts.trend_lines(queries.homicide_series(("JAM", "BRB"), SERIES), queries.homicide_benchmarks(SERIES))
    names = [t.name for t in fig.data]
    assert {"Jamaica", "Barbados", "World", "Latin America and the Caribbean"} <= set(names)
    assert "Jamaica: quoted in documents" in names  # the EL PACCTO 2.0 figure for 2022


def test_cached_queries_do_not_share_results(app_db):
    # Every cached function keys on its own name: two parameterless calls must differ.
    assert list(queries.countries().columns) != list(queries.homicide_series_choices().columns)
