"""The capacity benchmark's pure parts: the level search, the protocol's widget encoding, /proc readings,
the balancer's configuration and the filter each page changes. The servers: tests/test_replicas.py."""
from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetStates

from benchmarks import capacity, procstat
from benchmarks.pages import ENTRY, FILTER_KEYS, discover_pages, filter_key
from benchmarks.protocol import Run, set_value, widget_of
from deploy import replicas


def level(users: int, p95: float | None, errors: int = 0) -> dict:
    return {"users": users, "p95_ms": p95, "errors": errors}


@pytest.mark.parametrize("levels, most", [
    ([level(10, 200), level(25, 400), level(50, 900), level(100, 4000)], 50),
    ([level(10, 200), level(25, 1000)], 10),  # 1 s is not under 1 s
    ([level(10, 200), level(25, 300, errors=1), level(50, 600)], 10),  # errors fail a level; noise above it too
    ([level(10, 1200), level(25, 400)], None),
    ([level(10, None)], None),
])
def test_most_users_is_the_largest_level_within_target_below_the_first_failure(levels, most):
    assert capacity.max_users(levels) == most


def test_the_next_level_narrows_down_between_pass_and_failure_or_doubles():
    assert capacity.next_level([level(10, 200), level(25, 400), level(50, 900), level(100, 4000)]) == 75
    assert capacity.next_level([level(50, 900), level(75, 1400)]) == 60  # to 5 users
    assert capacity.next_level([level(50, 900), level(55, 1400)]) is None  # nothing between
    assert capacity.next_level([level(10, 200), level(100, 600)]) == 200  # all passed: twice the largest
    assert capacity.next_level([level(10, 1500)]) == 5


def _delta(kind: str, **fields):
    msg = ForwardMsg()
    proto = getattr(msg.delta.new_element, kind)
    for name, value in fields.items():
        if isinstance(value, list):
            getattr(proto, name).extend(value)
        else:
            setattr(proto, name, value)
    return msg.delta


def test_widgets_are_read_with_their_key_options_and_value_and_set_as_the_frontend_does():
    select_slider = widget_of(_delta("slider", id="$$ID-abc-year", options=["2009", "2010", "2011"], default=[2.0]))
    assert (select_slider.key, select_slider.value) == ("year", ["2011"])  # the default, by index
    radio = widget_of(_delta("radio", id="$$ID-def-k_view", options=["KPIs", "Plan"], default=0, set_value=True,
                             raw_value="Plan"))
    assert (radio.key, radio.value) == ("k_view", ["Plan"])  # set by the app (from the URL): its raw value
    assert widget_of(_delta("slider", id="$$ID-x-n", min=0, max=9)) is None  # numeric slider: not handled
    assert widget_of(_delta("markdown", body="text")) is None

    states = WidgetStates()
    set_value(states, select_slider, "2010")
    set_value(states, radio, "KPIs")
    assert [(w.id, w.WhichOneof("value")) for w in states.widgets] == [
        ("$$ID-abc-year", "string_array_value"), ("$$ID-def-k_view", "string_value")]
    assert list(states.widgets[0].string_array_value.data) == ["2010"] and states.widgets[1].string_value == "KPIs"


def test_a_run_shows_text_from_any_element_it_received():
    run = Run(1.0, 0, texts=[b"\x12\x05homicide_rates (427 rows)"])
    assert run.shows("homicide_rates (427 rows)") and not run.shows("homicide_rates (429 rows)")


def test_every_page_changes_a_filter_its_script_keeps():
    pages = discover_pages()
    assert set(FILTER_KEYS) <= {p.url_path for p in pages}
    for page in pages:
        key = filter_key(page)
        script = ENTRY.parent / page.script if key in FILTER_KEYS.values() else ENTRY.parent / "core" / "ui.py"
        assert re.search(rf'key="{key}"', script.read_text(encoding="utf-8")), (page.path, key)


def test_proc_readings_follow_a_process_tree():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        tree = procstat.tree(procstat.os.getpid())
        assert child.pid in tree
        before = procstat.cpu_seconds([procstat.os.getpid()])
        deadline = time.process_time() + 0.3
        while time.process_time() < deadline:
            pass
        assert procstat.cpu_seconds([procstat.os.getpid()]) - before >= 0.2
        assert procstat.rss_bytes([child.pid]) > 1_000_000
    finally:
        child.kill()
        child.wait()


def test_the_balancer_configuration_lists_one_sticky_server_per_replica():
    text = replicas.config_for(9000, [9101, 9102, 9103])
    assert re.findall(r"(?m)^\s*bind (\S+)", text) == ["127.0.0.1:9000"]
    assert re.findall(r"(?m)^\s*server (\S+) (\S+) check cookie (\S+)$", text) == [
        ("r1", "127.0.0.1:9101", "r1"), ("r2", "127.0.0.1:9102", "r2"), ("r3", "127.0.0.1:9103", "r3")]
    assert "cookie dashboard_replica insert" in text and "timeout tunnel" in text


@pytest.mark.skipif(replicas.haproxy_missing(), reason="haproxy not installed")
def test_haproxy_accepts_the_configuration(tmp_path):
    for name, text in (("shipped.cfg", replicas.CONFIG.read_text()), ("three.cfg", replicas.config_for(9000, [1, 2, 3]))):
        (tmp_path / name).write_text(text)
        check = subprocess.run([replicas.HAPROXY, "-c", "-f", str(tmp_path / name)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
