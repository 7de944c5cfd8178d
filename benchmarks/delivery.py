"""How fast and how lean a fan-out is, on the real path: Fanout + SQLite ledger + TelegramChannel
(python-telegram-bot) against the Telegram fake, which runs as its own process so it never
competes with us for the GIL.

(a) 200 private chats under Telegram's default limits: wall time against the physical floor
    (200 − 30) / 30 s (a burst of 30, then 30/s), messages lost or duplicated, 429s.
(b) 10,000 chats with a paid broadcast (1,000/s bot-wide): messages per second and the peak
    RSS of the fan-out process (a child, so nothing else inflates its high-water mark).
(c) 1,000 vs 100,000 subscribers: peak RSS of record_intent + fan-out (no-op channel, unpaced)
    in a child; it must not grow with the audience. A fan-out still running after
    AUDIENCE_BUDGET_S stops there (as on SIGTERM) and the report says how many of the audience
    it really reached; it never shrinks the audience it was asked for.

Run from the repository root: `.venv/bin/python -m benchmarks.delivery` (or `make bench`).
Internal: `--case paid|audience ...` runs one measurement in this (child) process and prints
one JSON line; `--profile` adds the top cProfile entries of case (b) to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fakes.telegram_server import DEFAULT_TOKEN

from digestbot.channels.slots import SharedSlots
from digestbot.channels.telegram import TelegramChannel
from digestbot.delivery import (
    ChannelJob,
    ChannelRun,
    DeliverySettings,
    Fanout,
    PacedSender,
    TelegramPacing,
    Unpaced,
    record_intent,
    worker_id,
)
from digestbot.delivery.pacing import Pacing
from digestbot.model import Channel, Variant
from digestbot.payloads import Payload
from digestbot.ratelimit import AnsweredBucket
from digestbot.rendering import Renderer
from digestbot.store import OffLoopLedger, Store, open_store
from digestbot.store.models import subscribers

REPO = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 4, 20)
CHANNEL = Channel.TELEGRAM
FIRST_CHAT = 100_000_000  # positive ids: private chats (1 msg/s each, no group window)

FLOOR_CHATS = 200
FLOOR_BURST, FLOOR_RATE = 30, 30.0  # the fake's (and Telegram's) bot-wide bucket
RUNS = 3
PAID_CHATS = 10_000
PAID_RATE = 1000.0
SPLIT_CHATS = 2_000
AUDIENCES = (1_000, 100_000)
AUDIENCE_BUDGET_S = 180.0  # a longer fan-out stops here and reports what it reached


# ----- the fake, as a separate process ---------------------------------------------------


class FakeTelegram:
    """`python -m tests.fakes.telegram_server` on a free port, stopped on exit."""

    def __init__(self, *flags: str) -> None:
        self.flags = flags
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    def __enter__(self) -> FakeTelegram:
        self._proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.fakes.telegram_server",
                "--port",
                "0",
                *self.flags,
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line.startswith("telegram fake on "):
            self.__exit__()
            raise RuntimeError(f"the Telegram fake did not start (said {line!r})")
        self.url = line.removeprefix("telegram fake on ").strip()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            if self._proc.stdout is not None:
                self._proc.stdout.close()
            self._proc = None

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=60) as answer:
            return json.loads(answer.read())

    def stats(self) -> dict[str, int]:
        stats: dict[str, int] = self._get("/_fake/stats")
        return stats

    def per_chat(self) -> Counter[str]:
        return Counter(str(m["chat_id"]) for m in self._get("/_fake/messages"))

    def message_times(self) -> list[float]:
        """When each accepted message arrived (time.time() of the fake), in order."""
        return sorted(float(m["time"]) for m in self._get("/_fake/messages"))


# ----- shared pieces ---------------------------------------------------------------------


def vm_kib(field: str) -> int:
    """VmHWM (peak RSS) or VmRSS of this process in KiB, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def chats(n: int) -> Iterator[tuple[str, Variant]]:
    return ((str(FIRST_CHAT + i), Variant.TOP5) for i in range(n))


def one_part_payloads() -> dict[Variant, list[Payload]]:
    """The sample issue's top-5 Telegram render (one ~2 KB part), for every variant: one
    message per chat, so message counts are chat counts."""
    from tests.delivery.harness import sample_issue

    part = Renderer().render(sample_issue(), CHANNEL, Variant.TOP5)[0]
    return {variant: [part] for variant in Variant}


@dataclass(frozen=True, slots=True)
class Timed:
    seconds: float  # wall time of Fanout.run
    cpu: float  # CPU seconds this process spent meanwhile
    run: ChannelRun


async def fan_out(store: Store, sender: Any, pacing: Pacing) -> Timed:
    job = ChannelJob(CHANNEL, PacedSender(sender, pacing), one_part_payloads())
    async with OffLoopLedger(store) as ledger:
        fanout = Fanout(ledger, DeliverySettings(), owner=worker_id())
        start, cpu = time.perf_counter(), time.process_time()
        run = await fanout.run(DAY, job)
        return Timed(time.perf_counter() - start, time.process_time() - cpu, run)


def ledger_fan_out(n: int, sender: Any, pacing: Pacing) -> Timed:
    """Fresh SQLite ledger, intent for `n` private chats, then the timed Fanout.run."""
    with tempfile.TemporaryDirectory(prefix="digestbot-bench-") as tmp:
        store = open_store(f"sqlite:///{tmp}/ledger.db")
        try:
            store.ensure_deliveries(DAY, CHANNEL, chats(n), {v: 1 for v in Variant})
            return asyncio.run(fan_out(store, sender, pacing))
        finally:
            store.close()


def telegram_fan_out(url: str, n: int, pacing: TelegramPacing) -> Timed:
    return ledger_fan_out(n, TelegramChannel(DEFAULT_TOKEN, url), pacing)


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def delivery_counts(fake: FakeTelegram, n: int) -> tuple[int, int]:
    """(lost, duplicated): chats that got no message, chats that got more than one."""
    per_chat = fake.per_chat()
    lost = sum(1 for chat, _ in chats(n) if per_chat[chat] == 0)
    duplicated = sum(1 for count in per_chat.values() if count > 1)
    return lost, duplicated


# ----- (a) 200 chats against the floor ---------------------------------------------------


def pacing_floor(pacing: TelegramPacing, n: int) -> float:
    """The fastest our own pacing lets `n` sends go with answers at once: its bot-wide bucket
    sits a little under Telegram's rate on purpose (see digestbot.delivery.pacing)."""
    bucket = pacing.limit(("bot",))
    assert isinstance(bucket, AnsweredBucket)
    return (n - bucket.burst) / bucket.rate


def case_floor() -> list[dict[str, float]]:
    floor = (FLOOR_CHATS - FLOOR_BURST) / FLOOR_RATE
    ours = pacing_floor(TelegramPacing(), FLOOR_CHATS)
    print(
        f"  (a) floor {floor:.2f} s; our pacing's own floor {ours:.2f} s = {ours / floor:.3f}x "
        "(1% under the rate, the whole burst, each send counted until its answer)",
        flush=True,
    )
    results = []
    for attempt in range(1, RUNS + 1):
        with FakeTelegram() as fake:
            timed = telegram_fan_out(fake.url, FLOOR_CHATS, TelegramPacing())
            seconds = timed.seconds
            lost, duplicated = delivery_counts(fake, FLOOR_CHATS)
            answered_429 = fake.stats()["rate_limited"]
        results.append(
            {
                "seconds": seconds,
                "ratio": seconds / floor,
                "lost": lost,
                "duplicated": duplicated,
                "429": answered_429,
                "sent": timed.run.parts_sent,
            }
        )
        print(
            f"  (a) run {attempt}: {seconds:.2f} s = {seconds / floor:.3f}x floor "
            f"({floor:.2f} s); lost {lost}, duplicated {duplicated}, 429s {answered_429}",
            flush=True,
        )
    return results


# ----- (b) paid broadcast, 10,000 chats --------------------------------------------------


def child_paid(url: str, n: int, profile: bool) -> dict[str, Any]:
    pacing = TelegramPacing(global_per_second=PAID_RATE)
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    timed = telegram_fan_out(url, n, pacing)
    if profiler is not None:
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
        print(out.getvalue(), file=sys.stderr)
    return {
        "seconds": timed.seconds,
        "cpu": timed.cpu,
        "sent": timed.run.parts_sent,
        "rate_limited": timed.run.rate_limited,
        "vmhwm_kib": vm_kib("VmHWM"),
    }


def run_child(args: Sequence[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.delivery", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child {args} failed:\n{done.stderr[-3000:]}")
    if done.stderr.strip():
        print(done.stderr, file=sys.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def case_paid(profile: bool = False) -> dict[str, Any]:
    with FakeTelegram("--paid-broadcast") as fake:
        flags = ["--profile"] if profile else []
        fake_cpu = process_cpu(fake.pid)
        result = run_child(
            ["--case", "paid", "--url", fake.url, "--chats", str(PAID_CHATS), *flags]
        )
        result["fake_cpu"] = process_cpu(fake.pid) - fake_cpu
        result["lost"], result["duplicated"] = delivery_counts(fake, PAID_CHATS)
        result["429"] = fake.stats()["rate_limited"]
    rate = result["sent"] / result["seconds"]
    result["per_second"] = rate
    print(
        f"  (b) {PAID_CHATS:,} chats: {result['seconds']:.2f} s, {rate:.0f} msg/s = "
        f"{rate / PAID_RATE:.3f}x of {PAID_RATE:.0f}/s; peak RSS {result['vmhwm_kib'] / 1024:.0f} "
        f"MiB; lost {result['lost']}, duplicated {result['duplicated']}, 429s {result['429']}",
        flush=True,
    )
    per_msg = 1000 / result["sent"]
    print(
        f"  (b) CPU per message: fan-out process {result['cpu'] * per_msg:.2f} ms "
        f"(wall {result['seconds'] * per_msg:.2f} ms), fake {result['fake_cpu'] * per_msg:.2f} ms",
        flush=True,
    )
    result.update(paid_split())
    return result


def paid_split() -> dict[str, float]:
    """Where a message's time goes, measured apart on SPLIT_CHATS: the ledger + pacing with a
    no-op channel, and python-telegram-bot's sendMessage alone at the fan-out's concurrency."""
    pacing = TelegramPacing(global_per_second=PAID_RATE)
    ledger = ledger_fan_out(SPLIT_CHATS, NoopChannel(), pacing)
    payload = one_part_payloads()[Variant.TOP5][0]
    concurrency = DeliverySettings().concurrency
    with FakeTelegram("--paid-broadcast") as fake:
        wall, cpu = asyncio.run(ptb_alone(fake.url, payload, concurrency))
    split = {
        "ledger_ms": ledger.cpu * 1000 / SPLIT_CHATS,
        "ptb_ms": cpu * 1000 / SPLIT_CHATS,
        "ptb_wall_ms": wall * 1000 / SPLIT_CHATS,
    }
    print(
        f"  (b) apart, {SPLIT_CHATS:,} messages: ledger + pacing (no-op channel) "
        f"{split['ledger_ms']:.2f} ms CPU each; PTB sendMessage alone x{concurrency} "
        f"{split['ptb_ms']:.2f} ms CPU each ({1000 / split['ptb_wall_ms']:.0f} msg/s)",
        flush=True,
    )
    return split


async def ptb_alone(url: str, payload: Payload, concurrency: int) -> tuple[float, float]:
    channel = TelegramChannel(DEFAULT_TOKEN, url)
    await channel.open()
    gate = asyncio.Semaphore(concurrency)

    async def one(target: str) -> None:
        async with gate:
            await channel.send(target, payload)

    start, cpu = time.perf_counter(), time.process_time()
    try:
        await asyncio.gather(*(one(target) for target, _ in chats(SPLIT_CHATS)))
    finally:
        await channel.close()
    return time.perf_counter() - start, time.process_time() - cpu


# ----- (c) memory against the audience ---------------------------------------------------


class NoopChannel:
    """A Channel that accepts everything at once: the fan-out's own cost, nothing else."""

    name = CHANNEL
    connections = DeliverySettings().concurrency  # never the bottleneck

    def __init__(self) -> None:
        self._next = 0
        self._slots = SharedSlots(self, self.connections)

    def slot(self) -> contextlib.AbstractAsyncContextManager[NoopChannel]:
        return self._slots.hold()

    async def open(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        self._next += 1
        return str(self._next)


def subscribe_bulk(store: Store, n: int) -> None:
    """n active Telegram subscribers in one transaction (store.subscribe is one per reader)."""
    now = store.now()
    rows = [
        {
            "channel": CHANNEL,
            "target": str(FIRST_CHAT + i),
            "variant": Variant.TOP5.value,
            "active": True,
            "display_name": None,
            "joined_at": now,
        }
        for i in range(n)
    ]
    with store.engine.begin() as conn:
        conn.execute(subscribers.insert(), rows)


def child_audience(store_url: str, folder: str, budget_s: float) -> dict[str, Any]:
    from tests.delivery.harness import load, sample_issue, write_config
    from tests.fakes.telegram_server import TelegramFake

    # An unstarted fake only lends write_config a token and a URL; nothing is contacted.
    config = load(write_config(Path(folder), store_url=store_url, telegram=TelegramFake()))
    store = open_store(store_url)
    issue = sample_issue()
    baseline = vm_kib("VmRSS")

    async def fan_out_within_budget(job: ChannelJob) -> ChannelRun:
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(budget_s, stop.set)
        async with OffLoopLedger(store) as ledger:
            fanout = Fanout(ledger, DeliverySettings(), owner=worker_id(), stop=stop)
            return await fanout.run(DAY, job)

    try:
        start = time.perf_counter()
        rendered = record_intent(config, store, Renderer(), issue, [CHANNEL])
        intent_s = time.perf_counter() - start
        digests = rendered[CHANNEL]
        job = ChannelJob(
            CHANNEL,
            PacedSender(NoopChannel(), Unpaced()),
            digests.broadcast,
            chat_payloads=digests.chat,
        )
        start = time.perf_counter()
        run = asyncio.run(fan_out_within_budget(job))
        fanout_s = time.perf_counter() - start
        recorded = sum(store.summary(DAY)[CHANNEL].values())
    finally:
        store.close()
    return {
        "intent_s": intent_s,
        "fanout_s": fanout_s,
        "recorded": recorded,
        "delivered": sum(run.delivered.values()),
        "sent": run.parts_sent,
        "baseline_kib": baseline,
        "vmhwm_kib": vm_kib("VmHWM"),
    }


def audience_run(n: int, budget_s: float = AUDIENCE_BUDGET_S) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="digestbot-bench-") as tmp:
        url = f"sqlite:///{tmp}/ledger.db"
        store = open_store(url)
        try:
            subscribe_bulk(store, n)
        finally:
            store.close()
        args = ["--case", "audience", "--store", url, "--folder", tmp, "--budget", str(budget_s)]
        result = run_child(args)
    result["n"], result["budget_s"] = n, budget_s
    per_ms = (result["intent_s"] + result["fanout_s"]) / max(1, result["delivered"]) * 1000
    result["ms_per_delivery"] = per_ms
    growth = (result["vmhwm_kib"] - result["baseline_kib"]) / 1024
    print(
        f"  (c) {n:,} subscribers: {reached(result)}; peak RSS "
        f"{result['vmhwm_kib'] / 1024:.0f} MiB (+{growth:.1f} "
        f"MiB over the process before the work); intent {result['intent_s']:.1f} s, fan-out "
        f"{result['fanout_s']:.1f} s, {per_ms:.2f} ms per delivery",
        flush=True,
    )
    return result


def reached(result: dict[str, Any]) -> str:
    """How much of the audience a run really covered, said plainly when it fell short."""
    n, recorded, delivered = result["n"], result["recorded"], result["delivered"]
    if recorded != n:
        return f"only {recorded:,} of {n:,} recorded, {delivered:,} delivered"
    if delivered < n:
        return (
            f"delivered {delivered:,} of {n:,} before the {result['budget_s']:g} s budget "
            f"({n - delivered:,} left pending)"
        )
    return f"delivered all {n:,}"


def case_audience() -> list[dict[str, Any]]:
    return [audience_run(n) for n in AUDIENCES]


# ----- report ----------------------------------------------------------------------------


def main() -> None:
    print("delivery (real Fanout + SQLite ledger + PTB against the Telegram fake process)")
    floor_runs = case_floor()
    paid = case_paid()
    audiences = case_audience()

    median = statistics.median(r["seconds"] for r in floor_runs)
    floor = (FLOOR_CHATS - FLOOR_BURST) / FLOOR_RATE
    small, large = audiences
    rows = [
        (
            f"(a) {FLOOR_CHATS} chats, 30/s, median of {RUNS}",
            f"{median:.2f} s",
            f"{median / floor:.3f}x floor {floor:.2f} s",
            f"lost {sum(r['lost'] for r in floor_runs)}, dup "
            f"{sum(r['duplicated'] for r in floor_runs)}, 429 {sum(r['429'] for r in floor_runs)}",
        ),
        (
            f"(b) {PAID_CHATS:,} chats, 1000/s",
            f"{paid['per_second']:.0f} msg/s",
            f"{paid['per_second'] / PAID_RATE:.3f}x of 1000/s",
            f"peak RSS {paid['vmhwm_kib'] / 1024:.0f} MiB, lost {paid['lost']}, "
            f"dup {paid['duplicated']}, 429 {paid['429']}",
        ),
        (
            "(b) CPU per message",
            f"{paid['cpu'] * 1000 / paid['sent']:.2f} ms",
            "",
            f"apart: ledger+pacing {paid['ledger_ms']:.2f} ms, PTB {paid['ptb_ms']:.2f} ms; "
            f"fake {paid['fake_cpu'] * 1000 / paid['sent']:.2f} ms",
        ),
        (
            f"(c) peak RSS {small['n']:,} vs {large['n']:,} subs",
            f"{small['vmhwm_kib'] / 1024:.0f} / {large['vmhwm_kib'] / 1024:.0f} MiB",
            f"{large['vmhwm_kib'] / small['vmhwm_kib']:.3f}x",
            f"growth +{(small['vmhwm_kib'] - small['baseline_kib']) / 1024:.1f} / "
            f"+{(large['vmhwm_kib'] - large['baseline_kib']) / 1024:.1f} MiB; "
            f"{large['ms_per_delivery']:.2f} ms/delivery; {large['n']:,}: {reached(large)}",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print(
        "\n  "
        + "  ".join(
            h.ljust(w) for h, w in zip(("case", "figure", "ratio", "notes"), widths, strict=True)
        )
    )
    for row in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


def _child(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.delivery")
    parser.add_argument("--case", choices=("paid", "audience"))
    parser.add_argument("--url")
    parser.add_argument("--chats", type=int, default=PAID_CHATS)
    parser.add_argument("--store")
    parser.add_argument("--folder")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--budget", type=float, default=AUDIENCE_BUDGET_S)
    args = parser.parse_args(argv)
    if args.case == "paid":
        result = child_paid(args.url, args.chats, args.profile)
    elif args.case == "audience":
        result = child_audience(args.store, args.folder, args.budget)
    else:
        with contextlib.suppress(KeyboardInterrupt):
            main()
        return
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    _child(sys.argv[1:])
