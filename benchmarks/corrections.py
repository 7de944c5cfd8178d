"""A correction of one event field reaching 200 Telegram chats, 20 Slack channels and 200
mailboxes (the issue's acceptance run), against the floor the providers' rate limits set.

Published first (revision 1), then corrected (revision 2); only the correction is timed. The
Telegram fake runs in its own process (it judges the bot-wide limit by arrival time); Slack
and SMTP fakes in this one. Printed: edits per channel, 429s, wall time, and the floor:
Telegram's edits at 30/s after its burst, Slack's chat.update at Tier 3 (50 a minute per
workspace, here a fresh window), whichever is longer."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.corrections.harness import revision_bytes
from tests.delivery.harness import load, write_config
from tests.fakes.slack_server import SlackFake
from tests.fakes.smtp_server import SmtpFake
from tests.fakes.telegram_process import TelegramFakeProcess
from tests.sample import DAY, SAMPLE

from digestbot.config import Config
from digestbot.delivery import PublishReport, load_revision, publish
from digestbot.delivery.pacing import TelegramPacing
from digestbot.model import Channel, Issue
from digestbot.parsing import parse_issue
from digestbot.ratelimit import AnsweredBucket
from digestbot.rendering import Renderer
from digestbot.store import PartAction, Store, StoredIssue, open_store

CHATS = [(str(1000 + i), "top5") for i in range(190)] + [
    (str(-100200 - i), "full") for i in range(10)
]
CHANNELS = [(f"C{i:07d}", "top5") for i in range(20)]
MAILBOXES = [(f"reader{i}@example.org", ("top3", "top5", "full")[i % 3]) for i in range(200)]
SLACK_TIER3_PER_MINUTE = 50
PAUSE_S = 61.0


def _parse(stored: StoredIssue) -> Issue:
    return parse_issue(stored.data, filename=stored.filename)


async def _deliver(number: int, config: Config, store: Store, renderer: Renderer) -> PublishReport:
    data = revision_bytes(number)
    if number == 1:
        store.save_issue(DAY, SAMPLE.name, data)
    else:
        store.add_revision(DAY, SAMPLE.name, data)
    issue = parse_issue(data, filename=SAMPLE.name)
    revision = load_revision(store, DAY, _parse)
    return await publish(issue, config, store, renderer, revision=revision)


def telegram_floor(edits: int) -> float:
    bucket = TelegramPacing().limit(("bot",))
    assert isinstance(bucket, AnsweredBucket)
    return max(0.0, (edits - bucket.burst) / 30.0)


def slack_floor(updates: int) -> float:
    over = updates - SLACK_TIER3_PER_MINUTE
    return 0.0 if over <= 0 else 60.0 * (over / SLACK_TIER3_PER_MINUTE)


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        TelegramFakeProcess() as telegram,
        SlackFake() as slack,
        SmtpFake() as smtp,
    ):
        config = load(
            write_config(
                Path(folder),
                store_url=f"sqlite:///{folder}/ledger.db",
                telegram=telegram,
                telegram_targets=CHATS,
                slack=slack,
                slack_targets=CHANNELS,
                smtp=smtp,
                email_targets=MAILBOXES,
            )
        )
        renderer = Renderer()
        store = open_store(config.store.url.get_secret_value())
        try:
            asyncio.run(_deliver(1, config, store, renderer))
            # An editor corrects later than the minute the rate limiters remember: the
            # correction starts with the providers' windows empty, as it would at 09:10.
            time.sleep(PAUSE_S)
            before_429 = telegram.rate_limited
            slack_before = slack.stats()
            started = time.perf_counter()
            report = asyncio.run(_deliver(2, config, store, renderer))
            seconds = time.perf_counter() - started
        finally:
            store.close()
        telegram_429 = telegram.rate_limited - before_429
        slack_429 = slack.stats().get("rate_limited", 0) - slack_before.get("rate_limited", 0)
    actions = {
        ch: Counter({a.value: n for a, n in run.actions.items()}) for ch, run in report.runs.items()
    }
    tg_edits = actions[Channel.TELEGRAM][PartAction.EDIT.value]
    sl_edits = actions[Channel.SLACK][PartAction.EDIT.value]
    floor = max(telegram_floor(tg_edits), slack_floor(sl_edits))
    print(f"  correction of {len(report.changes)} field(s); unfinished {report.unfinished}")
    for channel, counts in actions.items():
        took = report.runs[channel].seconds
        print(f"  {channel}: {dict(counts)} in {took:.2f} s")
    print(f"  429s: telegram {telegram_429}, slack {slack_429}")
    ratio = f"{seconds / floor:.2f}x" if floor > 0 else "n/a (under every burst)"
    print(f"  wall {seconds:.2f} s; rate-limit floor {floor:.2f} s; ratio {ratio}")


if __name__ == "__main__":
    main()
