"""Email at connection speed: digestbot against bare aiosmtplib, side by side in one run, on
the same SMTP fake (aiosmtpd in its own process, counting and dropping what it accepts, so it
never competes with the sender for the GIL).

For 1 and 4 connections, 1,000 mailboxes each:
- bare: aiosmtplib alone - N connections, each `sendmail` of one prebuilt message in a loop
  (what a hand-written mass mailer does; the ceiling for this fake on this machine). It stays
  the bare client, one command per round trip: aiosmtplib cannot pipeline, and issue 14
  measures digestbot against what aiosmtplib does on its own. The fake advertises PIPELINING,
  as Postfix, Gmail and SES do, so channel and fan-out pipeline MAIL, RCPT and DATA
  (`channels.smtp_pipeline`) - two round trips a message to bare's four;
- channel: `EmailChannel` alone - every message written for its recipient from the template,
  sent through the slots (connections) the fan-out uses;
- fan-out: the whole send path - `Fanout` with the SQLite ledger (claim, in flight, outcome per
  message), `EmailChannel`, unpaced.
Each of the three runs `ROUNDS` times, interleaved (bare, channel, fan-out, bare, ...), and
the median run of each is printed, so a burst of load on the shared machine moves one round,
not one row. Printed: messages/s, ratio to bare with the same connections, CPU ms per message
of this process, and the load average.

Run from the repository root: `.venv/bin/python -m benchmarks.email` (or `make bench`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

import aiosmtplib

from digestbot.channels.email import EmailChannel
from digestbot.channels.email_build import Sender, build_email
from digestbot.delivery import ChannelJob, DeliverySettings, Fanout, PacedSender, Unpaced
from digestbot.model import Channel, Variant
from digestbot.payloads import EmailMessage
from digestbot.rendering import Renderer
from digestbot.store import OffLoopLedger, open_store

REPO = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 4, 20)
MAILBOXES = 1_000
CONNECTION_COUNTS = (1, 4)
FROM = "AI 前沿发展日报 <digest@example.org>"
SENDER = Sender(FROM, "https://digest.example.org/unsubscribe", "bench-unsubscribe-secret")
FAKE_COMMAND = (sys.executable, "-m", "tests.fakes.smtp_server")
GOAL = 0.8  # issue 14: at least 0.8x bare aiosmtplib with the same connections
ROUNDS = 3  # runs of each kind, interleaved; the median one counts


def addresses() -> list[str]:
    return [f"reader{i}@example.org" for i in range(MAILBOXES)]


def top5_payload() -> EmailMessage:
    from tests.delivery.harness import sample_issue

    (part,) = Renderer().render(sample_issue(), Channel.EMAIL, Variant.TOP5)
    assert isinstance(part, EmailMessage)
    return part


class FakeSmtp:
    """`python -m tests.fakes.smtp_server` on a free port, stopped on exit."""

    def __enter__(self) -> FakeSmtp:
        self._proc = subprocess.Popen(
            [*FAKE_COMMAND, "--port", "0"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line.startswith("smtp fake on "):
            self.__exit__()
            raise RuntimeError(f"the SMTP fake did not start (said {line!r})")
        host, _, port = line.removeprefix("smtp fake on ").strip().rpartition(":")
        self.host, self.port = host, int(port)
        return self

    def __exit__(self, *exc: object) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=10)
        if self._proc.stdout is not None:
            self._proc.stdout.close()


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    cpu: float  # CPU seconds of this process meanwhile
    transactions: int | None = None  # ledger transactions of part steps (fan-out only)

    @property
    def per_second(self) -> float:
        return MAILBOXES / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.cpu * 1000 / MAILBOXES


async def timed(work: Callable[[], Awaitable[None]]) -> Run:
    start, cpu = time.perf_counter(), time.process_time()
    await work()
    return Run(time.perf_counter() - start, time.process_time() - cpu)


async def bare(fake: FakeSmtp, connections: int, data: bytes) -> Run:
    queue = addresses()
    clients = [aiosmtplib.SMTP(hostname=fake.host, port=fake.port) for _ in range(connections)]
    for client in clients:
        await client.connect()

    async def worker(client: aiosmtplib.SMTP) -> None:
        while queue:
            await client.sendmail("digest@example.org", [queue.pop()], data)

    run = await timed(lambda: _gather(worker(c) for c in clients))
    for client in clients:
        await client.quit()
    return run


async def _gather(coroutines: object) -> None:
    await asyncio.gather(*coroutines)  # type: ignore[misc]


def channel(fake: FakeSmtp, connections: int) -> EmailChannel:
    return EmailChannel(
        fake.host,
        fake.port,
        from_addr=FROM,
        security="none",
        unsubscribe_url=SENDER.unsubscribe_url,
        unsubscribe_secret=SENDER.unsubscribe_secret,
        connections=connections,
    )


async def channel_alone(fake: FakeSmtp, connections: int, payload: EmailMessage) -> Run:
    email = channel(fake, connections)
    await email.open()
    queue = addresses()

    async def worker() -> None:
        while queue:
            target = queue.pop()
            async with email.slot() as connection:
                await connection.send(target, payload)

    run = await timed(lambda: _gather(worker() for _ in range(DeliverySettings().concurrency)))
    await email.close()
    return run


def fan_out(fake: FakeSmtp, connections: int, payload: EmailMessage) -> Run:
    with tempfile.TemporaryDirectory(prefix="digestbot-bench-") as tmp:
        store = open_store(f"sqlite:///{tmp}/ledger.db")
        try:
            targets = ((address, Variant.TOP5) for address in addresses())
            store.ensure_deliveries(DAY, Channel.EMAIL, targets, {v: 1 for v in Variant})
            sender = PacedSender(channel(fake, connections), Unpaced())
            job = ChannelJob(Channel.EMAIL, sender, {v: [payload] for v in Variant})

            async def run() -> Run:
                async with OffLoopLedger(store) as ledger:
                    fanout = Fanout(ledger, DeliverySettings(), owner="bench")
                    run = await timed(lambda: _discard(fanout.run(DAY, job)))
                    return replace(run, transactions=ledger.groups)

            return asyncio.run(run())
        finally:
            store.close()


async def _discard(work: Awaitable[object]) -> None:
    await work


def median(runs: list[Run]) -> Run:
    """The run in the middle by speed."""
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def main() -> None:
    payload = top5_payload()
    data = build_email(payload, SENDER, "reader0@example.org").data
    print(
        f"email: {MAILBOXES:,} mailboxes, top5 digest ({len(data) / 1024:.0f} KB on the wire), "
        f"SMTP fake in its own process; median of {ROUNDS} interleaved runs each"
    )
    rows = []
    for connections in CONNECTION_COUNTS:
        rounds: list[tuple[Run, Run, Run]] = []
        with FakeSmtp() as fake:
            for _ in range(ROUNDS):
                rounds.append(
                    (
                        asyncio.run(bare(fake, connections, data)),
                        asyncio.run(channel_alone(fake, connections, payload)),
                        fan_out(fake, connections, payload),
                    )
                )
        floor, alone, whole = (median([r[kind] for r in rounds]) for kind in range(3))
        for name, run in (("bare aiosmtplib", floor), ("EmailChannel", alone), ("fan-out", whole)):
            rows.append(
                (
                    f"{connections} conn, {name}",
                    f"{run.per_second:.0f} msg/s",
                    f"{run.per_second / floor.per_second:.2f}x bare",
                    f"{run.cpu_ms:.2f} ms CPU/msg",
                )
            )
        ratio = whole.per_second / floor.per_second
        verdict = "meets" if ratio >= GOAL else "misses"
        print(
            f"  {connections} connection(s): fan-out {ratio:.2f}x bare ({verdict} {GOAL}x), "
            f"{(whole.transactions or 0) / MAILBOXES:.2f} ledger transactions per message"
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  load average {load} on {os.cpu_count()} CPUs (shared machine)")


if __name__ == "__main__":
    main()
