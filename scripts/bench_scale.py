"""Load benchmark of the production configuration (make run-prod on the local PostgreSQL and Redis):
100 concurrent conversations for a fixed number of turns, once with 2 Rasa replicas and 2 governance
workers and once with 1 and 1, in the same run. Prints throughput, p50/p95, errors (anything but a 200
with a bot answer, including "bot unavailable" offers) and each process's memory. Prints; never fails.

    make bench-scale   [SCALE_CONVERSATIONS=100 SCALE_TURNS=3]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import questions

ROOT = Path(__file__).resolve().parents[1]
CONVERSATIONS = int(os.environ.get("SCALE_CONVERSATIONS", "100"))
TURNS = int(os.environ.get("SCALE_TURNS", "3"))
PORTS = {"GATEWAY_PORT": "18950", "RASA_PORT": "15950", "ACTIONS_PORT": "15999"}
GATEWAY = f"http://127.0.0.1:{PORTS['GATEWAY_PORT']}"
ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def rss_mb(pid: int) -> int:
    """The process and its children (uvicorn workers)."""
    total = 0
    for candidate in [pid, *children(pid)]:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) // 1024
    return total


def children(pid: int) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return []


async def load(pool: list[str]) -> dict:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=CONVERSATIONS + 10)
    async with httpx.AsyncClient(base_url=GATEWAY, timeout=120, limits=limits) as client:

        async def one(index: int) -> None:
            nonlocal errors
            created = (await client.post("/api/v1/conversations", json={})).json()
            headers = {"Authorization": f"Bearer {created['token']}"}
            for turn in range(TURNS):
                started = time.perf_counter()
                try:
                    response = await client.post(
                        f"/api/v1/conversations/{created['conversation_id']}/messages",
                        json={"text": pool[(index * TURNS + turn) % len(pool)]},
                        headers=headers,
                    )
                    ok = (
                        response.status_code == 200
                        and response.json()["messages"][0]["explanation"].get("escalation_reason") != "bot_unavailable"
                    )
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - started)
                errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(CONVERSATIONS)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "messages": len(latencies),
        "throughput": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p95": latencies[int(0.95 * len(latencies))] * 1000,
        "errors": errors,
    }


def run(replicas: int, workers: int, pool: list[str]) -> tuple[dict, dict[str, int]]:
    suffix = uuid.uuid4().hex[:8]
    databases = (f"ga_bench_{suffix}", f"ga_bench_tracker_{suffix}")
    var = Path(tempfile.mkdtemp(prefix="ga-bench-scale-"))
    env = {
        **os.environ,
        **PORTS,
        "GA_VAR_DIR": str(var),
        "GOVERNANCE_DB": databases[0],
        "TRACKER_DB_NAME": databases[1],
        "RASA_REPLICAS": str(replicas),
        "GOV_WORKERS": str(workers),
        "GOV_RETENTION_INTERVAL_MINUTES": "0",
        "GOV_RATE_LIMIT_IP_PER_MINUTE": "1000000",
        "GOV_RATE_LIMIT_STARTS_PER_MINUTE": "1000000",
    }
    subprocess.run(
        [str(ROOT / "scripts" / "run-prod.sh"), "--background"], env=env, cwd=ROOT, check=True, capture_output=True, timeout=400
    )
    pids = [int(p) for p in (var / "stack.pids").read_text().split()]
    try:
        time.sleep(20)  # every replica loads its model
        asyncio.run(load(pool[:20]))  # warm-up
        result = asyncio.run(load(pool))
        names = ["actions"] + [f"rasa-{i}" for i in range(replicas)] + [f"governance ({workers} worker(s))"]
        memory = {name: rss_mb(pid) for name, pid in zip(names, pids, strict=False)}
        return result, memory
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        time.sleep(3)
        admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in databases:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    pool = questions()
    print(f"{CONVERSATIONS} concurrent conversations x {TURNS} turns; PostgreSQL + Redis; held-out questions\n")
    print(f"{'setup':28} {'msgs':>5} {'msg/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
    results = {}
    for replicas, workers in ((1, 1), (2, 2)):
        result, memory = run(replicas, workers, pool)
        results[replicas] = result
        label = f"{replicas} Rasa, {workers} gov worker(s)"
        print(
            f"{label:28} {result['messages']:>5} {result['throughput']:>7.1f} {result['p50']:>8.0f} "
            f"{result['p95']:>8.0f} {result['errors']:>6}"
        )
        print("   memory MB: " + ", ".join(f"{name} {mb}" for name, mb in memory.items()))
    print(
        f"\n2 replicas vs 1: throughput {results[2]['throughput'] / results[1]['throughput']:.2f}x, "
        f"p95 {results[2]['p95'] / results[1]['p95']:.2f}x (2 cores: the replicas share them)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
