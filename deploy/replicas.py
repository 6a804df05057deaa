"""N copies of the dashboard behind HAProxy on one machine: more users than one Streamlit process holds.

    python -m deploy.replicas --replicas 2 --port 8500     # replicas on 8501-8502, the balancer on 8500

Each replica is `streamlit run dashboard.py` on its own port, all reading the same database file
($DASHBOARD_DB, else data/dashboard.duckdb) and import folder ($DASHBOARD_IMPORTS, else data/imports).
An import (on any replica's Data management page, or `python -m loaders.importer`) holds the data
folder's write lock and publishes a new database file atomically; every replica reads the new file
on its next rerun. The balancer's configuration is deploy/haproxy.cfg, with one `server` line per
replica written here. Runs until Ctrl-C (or SIGTERM), then stops the balancer and the replicas.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = Path(__file__).with_name("haproxy.cfg")
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
STREAMLIT_FLAGS = ["--server.headless", "true", "--server.runOnSave", "false", "--server.fileWatcherType", "none",
                   "--browser.gatherUsageStats", "false"]


def haproxy_missing() -> bool:
    return not Path(HAPROXY).exists()


def config_for(port: int, replica_ports: list[int], address: str = "127.0.0.1", host: str = "127.0.0.1") -> str:
    """deploy/haproxy.cfg with the balancer on `address:port` and one `server` line per replica port."""
    text = CONFIG.read_text(encoding="utf-8")
    text, binds = re.subn(r"(?m)^(\s*)bind \S+", rf"\g<1>bind {address}:{port}", text)
    indent = re.search(r"(?m)^(\s*)server ", text)
    if binds != 1 or indent is None:
        raise ValueError(f"{CONFIG} needs one `bind` line and at least one `server` line")
    servers = "".join(f"{indent.group(1)}server r{i} {host}:{p} check cookie r{i}\n"
                      for i, p in enumerate(replica_ports, start=1))
    text = re.sub(r"(?m)^\s*server .*\n", "", text)
    return text.rstrip("\n") + "\n" + servers


@dataclass
class Cluster:
    """The running replicas and balancer: `url` is the balancer's, `replica_urls` each replica's own."""
    url: str
    replica_urls: list[str]
    processes: list[subprocess.Popen] = field(default_factory=list)  # the replicas, then the balancer
    folder: Path | None = None

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 120) -> None:
    """Until `url`/_stcore/health answers "ok" (through the balancer: a replica behind it does)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not become healthy: {log.read_text(errors='replace')[-2000:]}")


def start(port: int, replica_ports: list[int], folder: Path, env: dict[str, str] | None = None,
          entry: Path = ROOT / "dashboard.py", cwd: Path = ROOT) -> Cluster:
    """Start a replica on each port (all with the same environment), then HAProxy on `port`."""
    env = {**os.environ, **(env or {})}
    cluster = Cluster(f"http://127.0.0.1:{port}", [f"http://127.0.0.1:{p}" for p in replica_ports], folder=folder)
    try:
        logs = []
        for i, replica_port in enumerate(replica_ports, start=1):
            logs.append(folder / f"r{i}.log")
            cluster.processes.append(subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", str(entry), "--server.port", str(replica_port),
                 "--server.address", "127.0.0.1", *STREAMLIT_FLAGS],
                cwd=cwd, env=env, stdout=logs[-1].open("w"), stderr=subprocess.STDOUT))
        for url, process, log in zip(cluster.replica_urls, cluster.processes, logs):
            wait_healthy(url, process, log)
        config = folder / "haproxy.cfg"
        config.write_text(config_for(port, replica_ports), encoding="utf-8")
        log = folder / "haproxy.log"
        cluster.processes.append(subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=log.open("w"),
                                                  stderr=subprocess.STDOUT))
        wait_healthy(cluster.url, cluster.processes[-1], log)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.replicas", description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2, help="how many app processes (default 2)")
    parser.add_argument("--port", type=int, default=8500, help="the balancer's port; replicas take the next ones")
    parser.add_argument("--logs", type=Path, help="folder for the replicas' and the balancer's logs (default: temp)")
    args = parser.parse_args(argv)
    if haproxy_missing():
        print("haproxy not found: apt-get install haproxy", file=sys.stderr)
        return 2
    if not os.environ.get("DASHBOARD_DB"):
        from loaders.build import ensure_built
        ensure_built()  # the default database, built once before the replicas start reading it
    folder = args.logs or Path(tempfile.mkdtemp(prefix="dashboard-replicas-"))
    folder.mkdir(parents=True, exist_ok=True)
    ports = [args.port + i for i in range(1, args.replicas + 1)]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with start(args.port, ports, folder) as cluster:
        print(f"{cluster.url} -> {', '.join(cluster.replica_urls)} (logs in {folder}); Ctrl-C stops", flush=True)
        try:
            while all(p.poll() is None for p in cluster.processes):
                time.sleep(1)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
