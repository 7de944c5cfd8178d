"""What a publish did, for scripts (`to_json`) and for the admins (`report_text`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from digestbot.delivery.fanout import ChannelRun
from digestbot.model import Channel
from digestbot.notices import ChannelCounts, Notices
from digestbot.store import Status


@dataclass
class PublishReport:
    issue_date: dt.date
    runs: dict[Channel, ChannelRun] = field(default_factory=dict)
    ledger: dict[Channel, Counter[Status]] = field(default_factory=dict)  # every worker's rows

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
            }
        return {
            "issue_date": self.issue_date.isoformat(),
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
    return (notices or Notices()).report(channels)


__all__ = ["PublishReport", "report_text"]
