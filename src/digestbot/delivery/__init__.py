"""Fan-out: targets × parts, paced under the providers' limits, recorded part by part."""

from digestbot.delivery.fanout import (
    ChannelJob,
    ChannelRun,
    DeliverySettings,
    Fanout,
    Progress,
    worker_id,
)
from digestbot.delivery.pacing import (
    Pacing,
    SlackPacing,
    TelegramPacing,
    Unpaced,
    backoff_delay,
)
from digestbot.delivery.publish import (
    PublishRefused,
    PublishReport,
    iter_targets,
    publish,
    record_intent,
    select_channels,
)
from digestbot.delivery.wiring import build_channel, delivery_settings, pacing_for

__all__ = [
    "ChannelJob",
    "ChannelRun",
    "DeliverySettings",
    "Fanout",
    "Pacing",
    "Progress",
    "PublishRefused",
    "PublishReport",
    "SlackPacing",
    "TelegramPacing",
    "Unpaced",
    "backoff_delay",
    "build_channel",
    "delivery_settings",
    "iter_targets",
    "pacing_for",
    "publish",
    "record_intent",
    "select_channels",
    "worker_id",
]
