"""What the ledger costs, on SQLite and on the real PostgreSQL (its own schema, dropped after).

(a) Ledger CPU per message: a whole `Fanout.run` over LEDGER_MESSAGES one-part deliveries to a
    channel that accepts everything at once (no pacing, no network), so every CPU second is
    the fan-out's and the ledger's own. Printed: the store threads' CPU per message (claims,
    in-flight marks, outcomes: SQLAlchemy, the driver and, on SQLite, the database itself) and
    the whole process's, against the goals (0.2 ms SQLite, 0.5 ms client CPU PostgreSQL).
(b) 20,000 static targets (a `targets_file`) ready to send: from `publish()` being called
    (config already loaded) to the first request leaving, against the 2 s goal. That is the
    targets' resolution (moves, who left), rendering, the intent rows and the first claim.

Run from the repository root: `.venv/bin/python -m benchmarks.ledger` (or `make bench`). PG
cases use env DIGESTBOT_TEST_PG_URL (default the local test database) and are skipped, saying
so, when it does not answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy

from benchmarks.delivery import NoopChannel, chats, one_part_payloads
from benchmarks.report import load_average
from digestbot.delivery import ChannelJob, DeliverySettings, Fanout, PacedSender, Unpaced
from digestbot.delivery import publish as publish_issue
from digestbot.model import Channel, Variant
from digestbot.payloads import Payload
from digestbot.rendering import Renderer
from digestbot.store import OffLoopLedger, Store, open_store

DAY = dt.date(2026, 4, 20)
LEDGER_MESSAGES = 5_000
STATIC_TARGETS = 20_000
GOALS_MS = {"sqlite": 0.2, "postgresql": 0.5}
READY_GOAL_S = 2.0
PG_URL = os.environ.get(
    "DIGESTBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="digestbot-bench-") as tmp:
        yield f"sqlite:///{tmp}/ledger.db"


@contextmanager
def pg_url() -> Iterator[str]:
    """A fresh schema on the shared server (other helpers use it too), dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in PG_URL else "?"
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def pg_answers() -> bool:
    try:
        engine = sqlalchemy.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # any reason it cannot be used: the PG rows say "skipped"
        return False


# ----- (a) ledger CPU per message -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerCost:
    seconds: float
    store_cpu: float  # CPU of the store's threads (all but the event loop's)
    process_cpu: float
    groups: int
    sent: int


async def _noop_fan_out(store: Store) -> LedgerCost:
    job = ChannelJob(Channel.TELEGRAM, PacedSender(NoopChannel(), Unpaced()), one_part_payloads())
    async with OffLoopLedger(store) as ledger:
        fanout = Fanout(ledger, DeliverySettings(), owner="bench")
        start, cpu, loop_cpu = time.perf_counter(), time.process_time(), time.thread_time()
        run = await fanout.run(DAY, job)
        seconds = time.perf_counter() - start
        process_cpu = time.process_time() - cpu
        loop = time.thread_time() - loop_cpu
        groups = ledger.groups
    return LedgerCost(seconds, process_cpu - loop, process_cpu, groups, run.parts_sent)


def ledger_cost(url: str) -> LedgerCost:
    store = open_store(url)
    try:
        store.ensure_deliveries(
            DAY, Channel.TELEGRAM, chats(LEDGER_MESSAGES), {v: 1 for v in Variant}
        )
        return asyncio.run(_noop_fan_out(store))
    finally:
        store.close()


# ----- (b) 20,000 static targets: time to the first send ---------------------------------------


class FirstSend(NoopChannel):
    """Accepts everything; remembers when the first request left and then asks the fan-out
    to stop (the rest of the run is (a)'s business)."""

    def __init__(self, stop: asyncio.Event) -> None:
        super().__init__()
        self.first: float | None = None
        self.first_cpu = 0.0
        self.stop = stop

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        if self.first is None:
            self.first, self.first_cpu = time.perf_counter(), time.process_time()
            self.stop.set()
        return await super().send(target, payload, reply_to=reply_to)


def static_config(folder: Path, url: str) -> object:
    from tests.delivery.harness import load, write_config
    from tests.fakes.telegram_server import TelegramFake

    csv = folder / "targets.csv"
    csv.write_text(
        "".join(f"{target},{variant.value}\n" for target, variant in chats(STATIC_TARGETS)),
        encoding="utf-8",
    )
    # An unstarted fake only lends write_config a token and a URL; nothing is contacted.
    path = write_config(
        folder,
        store_url=url,
        telegram=TelegramFake(),
        channel_keys={"telegram": f"targets_file = {str(csv)!r}"},
    )
    return load(path)


def ready_to_send(url: str) -> tuple[float, float]:
    """Seconds (wall, CPU of this process) from publish() to the first request leaving, for
    STATIC_TARGETS targets."""
    from tests.delivery.harness import sample_issue

    with tempfile.TemporaryDirectory(prefix="digestbot-bench-") as tmp:
        config = static_config(Path(tmp), url)
        store = open_store(url)

        async def run() -> tuple[float, float]:
            stop = asyncio.Event()
            channel = FirstSend(stop)
            start, cpu = time.perf_counter(), time.process_time()
            await publish_issue(
                sample_issue(),
                config,  # type: ignore[arg-type]
                store,
                Renderer(),
                senders={Channel.TELEGRAM: PacedSender(channel, Unpaced())},
                stop=stop,
            )
            assert channel.first is not None, "nothing was sent"
            return channel.first - start, channel.first_cpu - cpu

        try:
            return asyncio.run(run())
        finally:
            store.close()


# ----- report ---------------------------------------------------------------------------------


def _backends() -> list[tuple[str, Callable[[], AbstractContextManager[str]]]]:
    found: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [("sqlite", sqlite_url)]
    if pg_answers():
        found.append(("postgresql", pg_url))
    else:
        print(f"  PostgreSQL at {PG_URL} does not answer: its rows are skipped")
    return found


def main() -> None:
    print(
        f"ledger: (a) {LEDGER_MESSAGES:,} one-part deliveries through Fanout to a no-op channel; "
        f"(b) {STATIC_TARGETS:,} static targets from publish() to the first send"
    )
    for name, make_url in _backends():
        goal = GOALS_MS[name]
        with make_url() as url:
            cost = ledger_cost(url)
        per = 1000 / cost.sent
        store_ms, process_ms = cost.store_cpu * per, cost.process_cpu * per
        print(
            f"  (a) {name}: store threads {store_ms:.3f} ms CPU/msg = {store_ms / goal:.2f}x the "
            f"{goal} ms goal; whole process {process_ms:.3f} ms/msg; {cost.sent / cost.seconds:.0f}"
            f" msg/s; {cost.groups} step transactions ({cost.sent / max(1, cost.groups):.1f} "
            f"msg each)",
            flush=True,
        )
        with make_url() as url:
            seconds, cpu = ready_to_send(url)
        print(
            f"  (b) {name}: {STATIC_TARGETS:,} static targets ready to send in {seconds:.2f} s = "
            f"{seconds / READY_GOAL_S:.2f}x the {READY_GOAL_S:.0f} s goal; {cpu:.2f} s CPU of this "
            "process (the rest of the wall time is waiting: the database, other processes)",
            flush=True,
        )
    print(f"  {load_average()}")


if __name__ == "__main__":
    main()
