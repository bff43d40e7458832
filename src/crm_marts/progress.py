"""A quiet progress display for dbt runs, fed by dbt's structured events.

dbt's own console log (one or two lines per node, some 1,000 lines for a build)
is switched off; its full log still goes to logs/dbt.log. Instead this prints
one line per phase: parsing, running N nodes, a line at every quarter of the
nodes, and a closing line with the counts per resource type. On a terminal the
quarter lines are replaced by a single line updated in place; elsewhere (CI logs,
pipes) nothing but plain lines is written. A node that fails is named as soon as
it fails; its message comes with the error at the end (dbt_runner.BuildError).
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections import Counter
from typing import Any, TextIO

FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
# Non-terminal output: a line each time this share of the nodes is done.
STEP_SHARE = 0.25
# ... and at least this often (seconds), so a long build never looks stuck.
HEARTBEAT_SECONDS = 300
# Terminal output: redraw at most this often (seconds).
REDRAW_SECONDS = 0.2
RESOURCE_LABELS = {
    "model": ("model", "models"),
    "seed": ("seed", "seeds"),
    "test": ("data test", "data tests"),
    "unit_test": ("unit test", "unit tests"),
    "snapshot": ("snapshot", "snapshots"),
}


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


class BuildProgress:
    """A dbtRunner callback printing the progress of one dbt command."""

    def __init__(
        self,
        command: str,
        stream: TextIO | None = None,
        tty: bool | None = None,
        with_unit_tests: bool = False,
    ) -> None:
        self.command = command
        # dbt build's node count leaves its unit tests out (and its "n of
        # total" lines count each several times): the share done is then over
        # the other nodes. dbt test counts them.
        self.uncounted_unit_tests = command == "build" and with_unit_tests
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.started = time.monotonic()
        self.total = 0
        self.done = 0
        self.statuses: Counter[str] = Counter()
        self.finished_types: Counter[str] = Counter()
        self.running: dict[str, str] = {}
        self.next_step = STEP_SHARE
        self.last_draw = self.started
        self.line_open = False
        self._lock = threading.Lock()

    # dbt calls this from its worker threads.
    def __call__(self, event: Any) -> None:
        name = event.info.name
        with self._lock:
            if name == "MainReportVersion":
                self._print(f"dbt {self.command}: parsing the project")
            elif name == "ConcurrencyLine":
                self._on_start(event.data.node_count, event.data.num_threads)
            elif name == "NodeStart":
                node = event.data.node_info
                self.running[node.unique_id] = node.node_name
                self._draw()
            elif name == "NodeFinished":
                self._on_finished(event.data.node_info)

    def _on_start(self, total: int, threads: int) -> None:
        self.total = total
        parsed = _duration(time.monotonic() - self.started)
        extra = " and the unit tests" if self.uncounted_unit_tests else ""
        self._print(
            f"dbt {self.command}: parsed in {parsed}; running {total} nodes{extra} "
            f"on {threads} threads"
        )

    def _on_finished(self, node: Any) -> None:
        self.running.pop(node.unique_id, None)
        if not (self.uncounted_unit_tests and node.resource_type == "unit_test"):
            self.done += 1
        status = str(node.node_status).lower()
        self.statuses[status] += 1
        self.finished_types[str(node.resource_type)] += 1
        if status in FAILED_STATUSES:
            self._print(f"  failed: {node.node_name} ({node.resource_type})")
        self._draw()

    def _draw(self) -> None:
        total = self.total or 1
        elapsed = _duration(time.monotonic() - self.started)
        if self.tty:
            now = time.monotonic()
            if now - self.last_draw < REDRAW_SECONDS and self.done < self.total:
                return
            self.last_draw = now
            running = ", ".join(sorted(self.running.values())[:2])
            line = (
                f"dbt {self.command}: {self.done}/{self.total} nodes "
                f"({self.done / total:.0%}), {elapsed}"
                + (f"  {running}" if running else "")
            )
            width = shutil.get_terminal_size().columns - 1
            self.stream.write("\r" + line[:width].ljust(width))
            self.stream.flush()
            self.line_open = True
            return
        step_reached = False
        while self.total and self.done / total >= self.next_step - 1e-9:
            step_reached = step_reached or self.next_step < 1
            self.next_step += STEP_SHARE
        quiet_for = time.monotonic() - self.last_draw
        if step_reached or (self.done < self.total and quiet_for > HEARTBEAT_SECONDS):
            self.last_draw = time.monotonic()
            self._print(
                f"dbt {self.command}: {self.done / total:.0%} "
                f"({self.done}/{self.total} nodes), {elapsed}"
            )

    def _print(self, line: str) -> None:
        if self.line_open:
            self.stream.write("\n")
            self.line_open = False
        self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self, log_file: str) -> None:
        """The closing line: time, nodes per type, failures, warnings, skips."""
        with self._lock:
            types = ", ".join(
                f"{count} {RESOURCE_LABELS.get(kind, (kind, kind))[count != 1]}"
                for kind, count in sorted(self.finished_types.items())
            )
            failed = sum(self.statuses[s] for s in FAILED_STATUSES)
            outcome = (
                f"{failed} failed, {self.statuses['warn']} warnings, "
                f"{self.statuses['skipped']} skipped"
            )
            self._print(
                f"dbt {self.command}: {sum(self.finished_types.values())} nodes in "
                f"{_duration(time.monotonic() - self.started)}"
                + (f" ({types})" if types else "")
                + f": {outcome}. Full log: {log_file}"
            )
