"""Two replicas behind HAProxy (deploy/): new visitors spread, a session sticks to its replica, and an import
published by the one writer shows in both. Driven through Streamlit's own protocol (benchmarks/protocol.py)."""
from __future__ import annotations

import asyncio
import csv
import io
import os
import shutil

import duckdb
import pytest

from benchmarks.protocol import Session, page_cookie
from deploy import replicas
from loaders import importer
from loaders.build import CURATED_DIR
from tests.browser_support import free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(replicas.haproxy_missing() and not os.environ.get("CI"),
                       reason="haproxy not installed (apt-get install haproxy); in CI it must be"),
]
COOKIE = "dashboard_replica"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, built_db):
    """Two replicas and the balancer, sharing one data folder (a copy of the built database)."""
    folder = tmp_path_factory.mktemp("replicas")
    data = folder / "data"
    data.mkdir()
    shutil.copyfile(built_db, data / "dashboard.duckdb")
    env = {"DASHBOARD_DB": str(data / "dashboard.duckdb"), "DASHBOARD_IMPORTS": str(data / "imports")}
    ports = [free_port() for _ in range(3)]
    with replicas.start(ports[0], ports[1:], folder, env) as running:
        yield running, data


def on(replica: str) -> str:
    return f"{COOKIE}={replica}"


def homicide_rows(db) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT row_count FROM meta_tables WHERE table_name = 'homicide_rates'").fetchone()[0]


def unodc_file(rows: list[tuple[str, str, int, str]]) -> bytes:
    """A UNODC data-portal export (the layout tests/test_importer.py uses) of national totals."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["UNODC Data Portal: data_cts_intentional_homicide"])
    writer.writerow(["Last update: 2025-06-30"])
    writer.writerow(importer.formats.UNODC_HEADER)
    for iso3, name, year, rate in rows:
        writer.writerow([iso3, name, "Americas", "Caribbean", "Victims of intentional homicide", "Total", "Total",
                         "Total", "Total", year, "Rate per 100,000 population", rate, "CTS"])
    return out.getvalue().encode("utf-8")


def test_new_visitors_are_spread_over_both_replicas(cluster):
    running, _ = cluster
    given = {page_cookie(running.url, "/") for _ in range(6)}
    assert given == {on("r1"), on("r2")}


def test_a_session_sticks_to_its_replica(cluster):
    """The session's state lives in one replica: a reconnect with its cookie resumes it there (same session,
    the year it was opened with still in force though the URL no longer says it); the other replica's
    cookie reaches a process that has never seen it (a new session, the default year)."""
    running, _ = cluster

    async def opened(replica: str, year: str) -> str:
        session, run = await Session.open(running.url, "homicide", f"year={year}", cookie=on(replica))
        assert not run.errors and session.url_value("year") == year
        await session.close()
        return session.session_id

    async def resumed(replica: str, session_id: str) -> tuple[bool, str | None]:
        session, run = await Session.open(running.url, "homicide", "", cookie=on(replica),
                                          existing_session_id=session_id)
        assert not run.errors
        await session.close()
        return session.session_id == session_id, session.url_value("year")

    async def check():
        for replica, other in (("r1", "r2"), ("r2", "r1")):
            for year in ("2005", "2010"):
                assert await resumed(replica, await opened(replica, year)) == (True, year)
            assert await resumed(other, await opened(replica, "2012")) == (False, None)

    asyncio.run(check())


def test_an_import_published_by_the_writer_shows_in_both_replicas(cluster):
    """Sessions open on each replica; the writer imports two rows and publishes a new database file; each
    session's next rerun counts them (About the data: "homicide_rates (N rows)")."""
    running, data = cluster
    db, imports = data / "dashboard.duckdb", data / "imports"
    before = homicide_rows(db)

    async def check():
        sessions = []
        for replica in ("r1", "r2"):
            session, run = await Session.open(running.url, "about_data", cookie=on(replica), keep=True)
            assert not run.errors and run.shows(f"homicide_rates ({before} rows)")
            sessions.append(session)
        plan = importer.plan(unodc_file([("JAM", "Jamaica", 2021, "49.1"), ("BRB", "Barbados", 2021, "13.4")]),
                             "data_cts_intentional_homicide.csv", "homicide", imports, CURATED_DIR, db)
        importer.apply(plan, "test", imports, CURATED_DIR, db)
        assert homicide_rows(db) == before + 2
        for session in sessions:
            run = await session.reload()
            assert not run.errors
            assert run.shows(f"homicide_rates ({before + 2} rows)") and not run.shows(f"homicide_rates ({before} rows)")
            await session.close()

    asyncio.run(check())


def test_the_load_generator_times_reruns_through_the_balancer_and_reads_the_servers(cluster):
    """A short level of the capacity benchmark: 4 users on 4 pages, each rerun checked (its filter in the URL)."""
    from benchmarks import capacity
    from benchmarks.pages import discover_pages
    running, _ = cluster
    result = asyncio.run(capacity.run_level(running.url, discover_pages(), 4, 6.0, seed=1, pids=running.pids))
    assert result["errors"] == 0 and result["reruns"] >= 1 and result["p95_ms"] > 0
    assert result["server_cpu_percent"] > 0 and result["server_cpu_ms_per_run"] > 0
    assert result["server_rss_mb"] > 100  # two Streamlit processes
