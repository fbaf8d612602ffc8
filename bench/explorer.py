"""The explorer (`trustlab serve`) as the benchmarks drive it: warm, through its HTTP API, one timed request at a time."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# One changed parameter per notebook, a different value each round and never the default (its run is made
# before the clock starts); 03's first is the issue's "what if the promo price were 499?".
CHANGES: dict[str, tuple[str, Callable[[int], str]]] = {
    "00_source_facts": ("max_rows_per_topic", lambda i: str(10 + i)),
    "01_governance": ("alpha", lambda i: f"{0.01 + 0.01 * i + (0.01 if i >= 4 else 0):g}"),
    "02_promotion_growth": ("gmv_growth", lambda i: f"{4.0 + 0.25 * i:g}"),
    "03_pricing_positioning": ("promo_price", lambda i: str(499 - 10 * i)),
    "04_community_trust": ("alpha", lambda i: f"{0.01 + 0.01 * i + (0.01 if i >= 4 else 0):g}"),
}


def _cpu_seconds(pid: int) -> float:
    """CPU seconds of a process and of its children it has waited for (user + system, /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class WarmExplorer:
    """An explorer on a new site with its fork server ready and each notebook's default run made (not timed).
    ``without`` ("preload", "deferred") is set as ``TRUSTLAB_BENCH_WITHOUT`` while its fork server starts;
    without ``fork_server`` each run starts as a new interpreter."""

    def __init__(self, site: Path, without: str = "", fork_server: bool = True) -> None:
        from starlette.testclient import TestClient
        from trustlab.runner import runs
        from trustlab.runner.explorer import Explorer
        from trustlab.runner.serve import create_app

        before = os.environ.pop("TRUSTLAB_BENCH_WITHOUT", None)
        if without:
            os.environ["TRUSTLAB_BENCH_WITHOUT"] = without
        try:
            t0 = time.perf_counter()
            self.explorer = Explorer(site, runs.notebooks(), workers=2, fork_server=fork_server)
            self.explorer.warm_up()
            self.warm_up_seconds = time.perf_counter() - t0
        finally:
            os.environ.pop("TRUSTLAB_BENCH_WITHOUT", None)
            if before is not None:
                os.environ["TRUSTLAB_BENCH_WITHOUT"] = before
        self.client = TestClient(create_app(self.explorer), base_url="http://127.0.0.1")
        for name in self.explorer.notebooks:
            self.explorer.baseline(self.explorer.notebook(name)).done.wait()

    def request(self, notebook: str, round_: int) -> tuple[float, float]:
        """Wall and CPU seconds from ``POST /api/runs`` (one parameter changed, waiting) to the report page
        fetched. CPU: the benchmark's process and the run with its kernel (reaped by the fork server)."""
        name, value = CHANGES[notebook]
        server = self.explorer.status()["fork_server_pid"]

        # without a fork server the runs are this process's children, reaped by it: os.times counts them
        def cpu_now() -> float:
            return (_cpu_seconds(server) if server else 0.0) + sum(os.times()[:4])

        t0, cpu0 = time.perf_counter(), cpu_now()
        answer: dict[str, Any] = self.client.post(
            "/api/runs", json={"notebook": notebook, "parameters": {name: value(round_)}}
        ).json()
        page = self.client.get(answer["report_url"]) if answer.get("report_url") else None
        seconds = time.perf_counter() - t0
        cpu = cpu_now() - cpu0
        if answer["status"] != "ok" or page is None or page.status_code != 200 or "trustlab-provenance" not in page.text:
            raise RuntimeError(f"{notebook}: the explorer's run did not give a report: {answer.get('error')}")
        return seconds, cpu

    def close(self) -> None:
        self.explorer.close()
