"""1, 2 and 3 `digestbot publish` processes on one PostgreSQL ledger, and where scaling stops.

Each run sends a one-part digest to CHATS private chats through the Telegram fake (its own
process) as a paid broadcast (`[telegram] paid_broadcast`: 1,000/s bot-wide, a budget the
workers share through the database): the floor is (CHATS - 1,000) / 1,000 s of sending, the
fake's paid bucket allowing a burst of 1,000 first, as in `telegram_broadcast`. Reported per
worker count: wall time from start to the last exit, the sending window (first to last
message at the fake), messages/s, the ratio of that window to the floor, and lost /
duplicated messages and 429s (all must be 0). Scaling stops where one more process adds less
than 5% messages/s: on a 2-core machine the workers, the fake and PostgreSQL share two cores,
and once one process keeps up with the limit, the limit decides.

Needs the PostgreSQL of the tests (DIGESTBOT_TEST_PG_URL, default 127.0.0.1:5432/test); each
run gets a schema of its own, dropped afterwards. `.venv/bin/python -m benchmarks.replicas`.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import sqlalchemy
from tests.delivery.harness import SAMPLE, write_config
from tests.fakes.telegram_process import TelegramFakeProcess

from benchmarks.telegram_broadcast import BURST

CHATS = 3000
PAID_PER_SECOND = 1000
WORKER_COUNTS = (1, 2, 3)
GAIN = 1.05  # one more process that adds less than this factor of messages/s adds nothing
PG_URL = os.environ.get(
    "DIGESTBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def run(workers: int) -> dict[str, Any]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = sqlalchemy.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    try:
        with tempfile.TemporaryDirectory() as folder, TelegramFakeProcess() as fake:
            config = write_config(
                Path(folder),
                store_url=_schema_url(schema),
                telegram=fake,
                telegram_targets=[(str(100000 + i), "top3") for i in range(CHATS)],
                channel_keys={"telegram": "paid_broadcast = true"},
            )
            # Migrate once first, as an operator would (`digestbot migrate`): the runs then
            # measure publishing, not the schema.
            digestbot = [sys.executable, "-m", "digestbot", "--config", str(config)]
            subprocess.run([*digestbot, "migrate"], check=True, capture_output=True)
            started = time.monotonic()
            procs = [
                subprocess.Popen(
                    [*digestbot, "publish", "--json", "--file", str(SAMPLE)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(workers)
            ]
            errors = [proc.communicate(timeout=900)[1] for proc in procs]
            wall = time.monotonic() - started
            messages = fake.messages
            rate_limited = fake.rate_limited
    finally:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    if any(proc.returncode != 0 for proc in procs):
        raise SystemExit("a publish failed:\n" + "\n".join(e[-2000:] for e in errors))
    received = Counter(m.chat_id for m in messages)
    times = sorted(m.time for m in messages)
    window = times[-1] - times[0] if times else 0.0
    return {
        "workers": workers,
        "wall": wall,
        "window": window,
        "per_second": len(messages) / window if window else 0.0,
        "lost": CHATS - len(received),
        "duplicated": sum(n - 1 for n in received.values()),
        "rate_limited": rate_limited,
    }


def main() -> None:
    try:
        engine = sqlalchemy.create_engine(PG_URL)
        with engine.connect():
            pass
        engine.dispose()
    except sqlalchemy.exc.SQLAlchemyError as exc:
        print(f"skipped: PostgreSQL unreachable at {PG_URL} ({type(exc).__name__})")
        return
    floor = (CHATS - BURST) / PAID_PER_SECOND
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{CHATS} chats, bot limit {PAID_PER_SECOND}/s shared: floor {floor:.1f} s of sending "
        f"(load average {load})"
    )
    results = []
    for workers in WORKER_COUNTS:
        result = run(workers)
        results.append(result)
        print(
            f"  {workers} publish process(es): wall {result['wall']:.1f} s, sending "
            f"{result['window']:.1f} s = {result['window'] / floor:.2f}x floor, "
            f"{result['per_second']:.0f} msg/s; lost {result['lost']}, duplicated "
            f"{result['duplicated']}, 429s {result['rate_limited']}",
            flush=True,
        )
    pairs = itertools.pairwise(results)  # (n processes, n + 1)
    stop = next(
        (n for n, more in pairs if more["per_second"] < GAIN * n["per_second"]), results[-1]
    )
    best = max(r["per_second"] for r in results) / results[0]["per_second"]
    print(
        f"  scaling stops at {stop['workers']} process(es): one more adds less than "
        f"{GAIN - 1:.0%} msg/s ({best:.2f}x one process's msg/s at best)"
    )


if __name__ == "__main__":
    main()
