"""What the dashboard shows of a homicide series: SQL table macros the build writes into the database, so
that the pages (core/queries.py) and the importer's preview (loaders/compare.py) resolve a series alike.

A series' value for a country-year (or an area-year) is its newest edition's: editions are ordered by the
date the data set states (dataset_editions.edition_date), else by the date it was imported, then by when
it was imported. `choice` is a series id, or LATEST: the newest edition per country-year among all the
series of the default measure (recorded victims), each value keeping its own source.
"""
from __future__ import annotations

from loaders.series import LATEST, RATE_MEASURE

MACROS = (
    f"""CREATE MACRO series_editions(choice) AS TABLE
        SELECT e.source_id, e.series_id, coalesce(e.edition_date, s.accessed) AS edition_order, s.accessed
        FROM dataset_editions e JOIN sources s USING (source_id) JOIN series r USING (series_id)
        WHERE e.series_id = choice OR (choice = '{LATEST}' AND r.measure = '{RATE_MEASURE}')""",
    """CREATE MACRO series_rates(choice) AS TABLE
        SELECT h.iso3, h.year, h.rate_per_100k, h.source_id, e.series_id, e.edition_order
        FROM homicide_rates h JOIN series_editions(choice) e USING (source_id)
        WHERE h.year IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY h.iso3, h.year
                                   ORDER BY e.edition_order DESC, e.accessed DESC, h.source_id DESC) = 1""",
    """CREATE MACRO series_benchmarks(choice) AS TABLE
        SELECT b.area, b.year, b.rate_per_100k, b.source_id, e.series_id, e.edition_order
        FROM homicide_benchmarks b JOIN series_editions(choice) e USING (source_id)
        WHERE b.year IS NOT NULL
        QUALIFY row_number() OVER (PARTITION BY b.area, b.year
                                   ORDER BY e.edition_order DESC, e.accessed DESC, b.source_id DESC) = 1""",
)
