"""CPU time and memory of a process and its descendants, read from /proc (Linux)."""
from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat after the command name (which may hold spaces and parentheses)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:  # gone meanwhile
        return None
    return text[text.rindex(")") + 2:].split()


def tree(root: int) -> list[int]:
    """`root` and every process descending from it (a server and its children: replicas, the balancer)."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry.name))  # fields[1]: the parent
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds the processes have used so far (utime + stime)."""
    total = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # stat fields 14 and 15
    return total / TICKS


def rss_bytes(pids: list[int]) -> int:
    """Resident memory of the processes now (the sum of their VmRSS)."""
    total = 0
    for pid in pids:
        try:
            for line in (PROC / str(pid) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except OSError:
            continue
    return total


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]
