"""What one planned part asks of the provider, as an `attempts.Action`: a send, an edit of the
message the target has, a delete of a surplus one. Edits and deletes are repeatable (doing one
twice changes nothing), so a request that left without an answer is simply tried again rather
than left `uncertain` as a send must be.

A correction's edit the provider refuses for good (the message is gone, or too old to edit)
is not the end of the part: the ledger notes why, and the fan-out sends the corrected part
anew with a "更正" line (`EditInLedger` + `Fanout`)."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass

from digestbot.channels.base import Connection, Deletable, Editable
from digestbot.channels.errors import (
    ChannelError,
    MessageFrozen,
    MessageGone,
    TransientError,
    UncertainDelivery,
)
from digestbot.delivery.attempts import Action, PartResult
from digestbot.delivery.part_ledger import PartInLedger
from digestbot.model import Channel
from digestbot.payloads import Payload
from digestbot.store import PartAction, PartStep, Status

# The provider method an edit or a delete is, per channel: their budgets are not a send's
# (Slack's chat.update and chat.delete are Tier 3, ~50 a minute per workspace; Telegram keeps
# them at the free 30/s under paid broadcast). `Pacing.method_keys` says what each costs.
PROVIDER_METHOD = {
    (Channel.TELEGRAM, PartAction.EDIT): "editMessageText",
    (Channel.TELEGRAM, PartAction.DELETE): "deleteMessage",
    (Channel.SLACK, PartAction.EDIT): "chat.update",
    (Channel.SLACK, PartAction.DELETE): "chat.delete",
}


def method_of(channel: Channel, action: PartAction) -> str | None:
    """The provider method of `action` on `channel` when it has a budget of its own."""
    return PROVIDER_METHOD.get((channel, action))


def editing(message_id: str, payload: Payload) -> Action:
    """Replace `message_id` with `payload`; the id stays the part's."""

    async def edit(connection: Connection, target: str) -> str:
        if not isinstance(connection, Editable):
            raise TypeError(f"{type(connection).__name__} messages cannot be edited")
        try:
            await connection.edit(target, message_id, payload)
        except UncertainDelivery as exc:
            raise _repeatable(exc) from exc
        return message_id

    return edit


def deleting(message_id: str) -> Action:
    """Delete `message_id` (one already gone counts as deleted)."""

    async def delete(connection: Connection, target: str) -> str:
        if not isinstance(connection, Deletable):
            raise TypeError(f"{type(connection).__name__} messages cannot be deleted")
        try:
            await connection.delete(target, message_id)
        except UncertainDelivery as exc:
            raise _repeatable(exc) from exc
        return message_id

    return delete


def _repeatable(exc: UncertainDelivery) -> TransientError:
    return TransientError(
        f"{exc.detail} (an edit or delete is repeated safely)",
        provider=exc.provider,
        code=exc.code,
        status=exc.status,
    )


def cannot_edit(result: PartResult) -> bool:
    """The provider will not edit this message any more: send the part anew instead."""
    return result.status is Status.FAILED and isinstance(result.error, MessageGone | MessageFrozen)


@dataclass(frozen=True, slots=True)
class EditInLedger:
    """`PartInLedger` for an edit, except that a refusal for good (`cannot_edit`) is noted
    as the part's last error and leaves it pending: the fan-out sends it anew next."""

    part: PartInLedger

    async def leaving(self) -> bool:
        return await self.part.leaving()

    async def retrying(self, error: ChannelError) -> None:
        await self.part.retrying(error)

    async def migrated(self, old: str, new: str) -> None:
        await self.part.migrated(old, new)

    async def finished(self, result: PartResult) -> Awaitable[object] | None:
        if cannot_edit(result):
            assert result.error is not None
            note = f"could not edit ({result.error.detail}); sent anew as a correction"
            await self.part.ledger.record(
                self.part.owner, PartStep.retrying(self.part.delivery_id, self.part.index, note)
            )
            return None
        return await self.part.finished(result)


__all__ = [
    "PROVIDER_METHOD",
    "EditInLedger",
    "cannot_edit",
    "deleting",
    "editing",
    "method_of",
]
