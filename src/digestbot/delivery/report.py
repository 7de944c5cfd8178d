"""What a publish did, for scripts (`to_json`) and for the admins (`report_text`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from digestbot.changes import Change
from digestbot.delivery.fanout import ChannelRun
from digestbot.model import Channel
from digestbot.notices import ChannelCounts, Notices
from digestbot.store import Status


@dataclass
class PublishReport:
    issue_date: dt.date
    runs: dict[Channel, ChannelRun] = field(default_factory=dict)
    ledger: dict[Channel, Counter[Status]] = field(default_factory=dict)  # every worker's rows
    revision: int = 1  # of the issue; past 1 this publish was (also) a correction
    changes: tuple[Change, ...] = ()  # what the revision changed since the one before

    @property
    def corrected(self) -> bool:
        return self.revision > 1

    def to_json(self) -> dict[str, object]:
        """The summary scripts read (`publish --json`): per channel, the ledger's counts."""
        channels: dict[str, object] = {}
        for channel, counts in self.ledger.items():
            run = self.runs.get(channel)
            channels[channel.value] = {
                **{status.value: counts[status] for status in Status},
                "rate_limited": run.rate_limited if run else 0,
                "seconds": round(run.seconds, 3) if run else 0.0,
                "error": run.error if run else None,
                # Sent one step smaller after the platform refused their form, by form.
                "stepped_down": dict(+run.stepped_down) if run else {},
                "actions": {a.value: n for a, n in sorted(run.actions.items())} if run else {},
                "resent": run.resent if run else 0,
            }
        return {
            "issue_date": self.issue_date.isoformat(),
            "revision": self.revision,
            "changes": [change.to_json() for change in self.changes],
            "unfinished": self.unfinished,
            "channels": channels,
        }

    @property
    def unfinished(self) -> int:
        """Deliveries failed, uncertain or still pending: the reason to exit non-zero."""
        return sum(
            counts[s]
            for counts in self.ledger.values()
            for s in (Status.FAILED, Status.UNCERTAIN, Status.PENDING)
        )


def report_text(report: PublishReport, notices: Notices | None = None) -> str:
    """The admins' per-channel summary after a publish (and in /status)."""
    channels: dict[str, ChannelCounts] = {}
    for channel, counts in report.ledger.items():
        run = report.runs.get(channel)
        channels[channel] = ChannelCounts(
            sent=counts[Status.SENT],
            failed=counts[Status.FAILED],
            skipped=counts[Status.SKIPPED],
            uncertain=counts[Status.UNCERTAIN],
            pending=counts[Status.PENDING],
            seconds=run.seconds if run else None,
            error=run.error if run else None,
            stepped_down=dict(+run.stepped_down) if run else {},
        )
    notices = notices or Notices()
    text = notices.report(channels)
    if report.corrected:
        actions: dict[str, dict[str, int]] = {
            channel.value: {a.value: n for a, n in run.actions.items()} | {"resent": run.resent}
            for channel, run in report.runs.items()
        }
        text = notices.corrected(report.revision, len(report.changes), actions) + "\n" + text
    return text


__all__ = ["PublishReport", "report_text"]
