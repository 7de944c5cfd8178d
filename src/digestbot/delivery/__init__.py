"""Fan-out: targets × parts, paced under the providers' limits, recorded part by part; and the
shared per-provider senders and retry policy that interactive replies use too."""

from typing import TYPE_CHECKING

from digestbot._lazy import lazy_exports

if TYPE_CHECKING:
    from digestbot.delivery.admin_alert import channel_down_alert, message_admins
    from digestbot.delivery.attempts import (
        REPLY_POLICY,
        AttemptHooks,
        PartResult,
        RetryPolicy,
        attempt,
        edit_now,
        send_now,
    )
    from digestbot.delivery.fanout import (
        ChannelJob,
        ChannelRun,
        DeliverySettings,
        Fanout,
        Progress,
    )
    from digestbot.delivery.paced import PacedSender, TargetLine
    from digestbot.delivery.pacing import (
        Pacing,
        SlackPacing,
        TelegramPacing,
        Unpaced,
        backoff_delay,
    )
    from digestbot.delivery.publishing import (
        PublishRefused,
        PublishStore,
        iter_targets,
        publish,
        record_intent,
        select_channels,
    )
    from digestbot.delivery.report import PublishReport, report_text
    from digestbot.delivery.retract_issue import RetractionReport, RetractStore, retract
    from digestbot.delivery.retraction import RetractionRun, Retractor
    from digestbot.delivery.revisions import Revision, load_revision, move_to_revision
    from digestbot.delivery.shared_budget import SharedBudget
    from digestbot.delivery.wiring import (
        LedgerBudgets,
        build_channel,
        build_sender,
        delivery_settings,
        pacing_for,
        renderer_for,
        share_budgets,
        telegram_sender,
    )
    from digestbot.delivery.workers import owner_is_dead, worker_id
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "admin_alert": ("channel_down_alert", "message_admins"),
            "attempts": (
                "REPLY_POLICY",
                "AttemptHooks",
                "PartResult",
                "RetryPolicy",
                "attempt",
                "edit_now",
                "send_now",
            ),
            "fanout": (
                "ChannelJob",
                "ChannelRun",
                "DeliverySettings",
                "Fanout",
                "Progress",
            ),
            "paced": ("PacedSender", "TargetLine"),
            "pacing": ("Pacing", "SlackPacing", "TelegramPacing", "Unpaced", "backoff_delay"),
            "publishing": (
                "PublishRefused",
                "PublishStore",
                "iter_targets",
                "publish",
                "record_intent",
                "select_channels",
            ),
            "report": ("PublishReport", "report_text"),
            "retract_issue": ("RetractionReport", "RetractStore", "retract"),
            "retraction": ("RetractionRun", "Retractor"),
            "revisions": ("Revision", "load_revision", "move_to_revision"),
            "wiring": (
                "LedgerBudgets",
                "build_channel",
                "build_sender",
                "delivery_settings",
                "pacing_for",
                "renderer_for",
                "share_budgets",
                "telegram_sender",
            ),
            "shared_budget": ("SharedBudget",),
            "workers": ("owner_is_dead", "worker_id"),
        },
    )

__all__ = [
    "REPLY_POLICY",
    "AttemptHooks",
    "ChannelJob",
    "ChannelRun",
    "DeliverySettings",
    "Fanout",
    "LedgerBudgets",
    "PacedSender",
    "Pacing",
    "PartResult",
    "Progress",
    "PublishRefused",
    "PublishReport",
    "PublishStore",
    "RetractStore",
    "RetractionReport",
    "RetractionRun",
    "Retractor",
    "RetryPolicy",
    "Revision",
    "SharedBudget",
    "SlackPacing",
    "TargetLine",
    "TelegramPacing",
    "Unpaced",
    "attempt",
    "backoff_delay",
    "build_channel",
    "build_sender",
    "channel_down_alert",
    "delivery_settings",
    "edit_now",
    "iter_targets",
    "load_revision",
    "message_admins",
    "move_to_revision",
    "owner_is_dead",
    "pacing_for",
    "publish",
    "record_intent",
    "renderer_for",
    "report_text",
    "retract",
    "select_channels",
    "send_now",
    "share_budgets",
    "telegram_sender",
    "worker_id",
]
