"""The shared sender and its retry policy on a virtual clock: exact waits, no sleeping.

The channel here answers from a script (what Telegram would say to each request, in order)
and records when each request left; the same code paths run against the real-API fakes in
tests/bot/test_shared_sender.py and the fan-out tests."""

from __future__ import annotations

import asyncio
from collections import deque
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from itertools import pairwise

import pytest

from digestbot.channels.errors import (
    ChannelError,
    ChatMigrated,
    PermanentError,
    RetryAfter,
    TransientError,
    UncertainDelivery,
)
from digestbot.channels.slots import SharedSlots
from digestbot.delivery import (
    REPLY_POLICY,
    PacedSender,
    TelegramPacing,
    Unpaced,
    edit_now,
    send_now,
)
from digestbot.delivery.paced import LINE_SWEEP_SECONDS
from digestbot.payloads import Payload, TelegramMessage


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)  # let the other coroutines run, as a real sleep would


@dataclass
class ScriptedChannel:
    """Answers each request with the next scripted error, or accepts it once the script for
    that target is used up. Records (target, text, virtual time) of every request."""

    clock: Clock
    name: str = "telegram"
    script: dict[str, deque[ChannelError]] = field(default_factory=dict)
    requests: list[tuple[str, str, float]] = field(default_factory=list)
    opened: int = 0
    closed: int = 0
    open_error: ChannelError | None = None
    rtt: float = 0.0  # virtual seconds each request takes
    connections: int = 8

    def __post_init__(self) -> None:
        self._slots = SharedSlots(self, self.connections)

    def slot(self) -> AbstractAsyncContextManager[ScriptedChannel]:
        return self._slots.hold()

    def answer(self, target: str, *errors: ChannelError) -> None:
        self.script.setdefault(target, deque()).extend(errors)

    async def open(self) -> None:
        if self.open_error is not None:
            raise self.open_error
        self.opened += 1

    async def close(self) -> None:
        self.closed += 1

    async def send(self, target: str, payload: Payload, *, reply_to: str | None = None) -> str:
        assert isinstance(payload, TelegramMessage)
        self.requests.append((target, payload.text, self.clock.now))
        if self.rtt:
            await self.clock.sleep(self.rtt)
        pending = self.script.get(target)
        if pending:
            raise pending.popleft()
        return str(len(self.requests))


class EditableChannel(ScriptedChannel):
    async def edit(self, target: str, message_id: str, payload: Payload) -> None:
        await self.send(target, payload)


def messages(*texts: str) -> list[TelegramMessage]:
    return [TelegramMessage(t, parse_mode=None) for t in texts]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def channel(clock: Clock) -> ScriptedChannel:
    return ScriptedChannel(clock)


@pytest.fixture
def sender(channel: ScriptedChannel, clock: Clock) -> PacedSender[ScriptedChannel]:
    return PacedSender(channel, TelegramPacing(), clock=clock, sleep=clock.sleep)


async def test_retry_after_is_waited_out_then_the_part_goes(
    sender: PacedSender[ScriptedChannel], channel: ScriptedChannel, clock: Clock
) -> None:
    channel.answer("42", RetryAfter(7))

    sent = await send_now(sender, "42", messages("a"))

    assert sent == ["2"]
    [(_, _, first), (_, _, second)] = channel.requests
    assert second - first >= 7


async def test_a_reply_gives_up_after_the_policys_429s_and_the_rest_is_not_tried(
    sender: PacedSender[ScriptedChannel], channel: ScriptedChannel
) -> None:
    channel.answer("42", *(RetryAfter(1) for _ in range(10)))

    sent = await send_now(sender, "42", messages("part 1", "part 2"))

    assert sent == []
    assert len(channel.requests) == REPLY_POLICY.max_rate_limited + 1
    assert {text for _, text, _ in channel.requests} == {"part 1"}


@pytest.mark.parametrize(
    ("errors", "tries", "sent"),
    [
        ([TransientError("502")], 2, True),
        ([TransientError("502")] * 5, REPLY_POLICY.max_attempts, False),
        ([UncertainDelivery("read timeout")], 1, False),  # may have arrived: never resent
        ([PermanentError("chat not found")], 1, False),
    ],
    ids=["transient-then-ok", "transient-exhausted", "uncertain", "permanent"],
)
async def test_each_kind_of_failure_is_retried_only_as_far_as_it_is_safe(
    sender: PacedSender[ScriptedChannel],
    channel: ScriptedChannel,
    clock: Clock,
    errors: list[ChannelError],
    tries: int,
    sent: bool,
) -> None:
    channel.answer("42", *errors)

    ids = await send_now(sender, "42", messages("a"))

    assert len(channel.requests) == tries
    assert bool(ids) is sent
    # However each try ended, none of them is still counted in flight: a bucket refilled
    # lets a whole burst of 30 leave at once again.
    clock.now += 2.0
    await asyncio.gather(*(send_now(sender, str(100 + i), messages("b")) for i in range(30)))
    burst = [at for _, text, at in channel.requests if text == "b"]
    assert max(burst) - min(burst) < 1e-6


async def test_a_migrated_group_is_followed_for_the_rest_of_the_message(
    sender: PacedSender[ScriptedChannel], channel: ScriptedChannel
) -> None:
    channel.answer("-5", ChatMigrated("-1005"))

    sent = await send_now(sender, "-5", messages("p1", "p2"))

    assert len(sent) == 2
    assert [(t, text) for t, text, _ in channel.requests] == [
        ("-5", "p1"),
        ("-1005", "p1"),
        ("-1005", "p2"),
    ]


async def test_two_multi_part_messages_to_one_chat_are_not_interleaved_but_other_chats_go_on(
    sender: PacedSender[ScriptedChannel], channel: ScriptedChannel
) -> None:
    channel.rtt = 0.2
    await asyncio.gather(
        send_now(sender, "42", messages("A1", "A2", "A3")),
        send_now(sender, "42", messages("B1", "B2", "B3")),
        send_now(sender, "43", messages("C1", "C2")),
    )

    to_42 = [text for target, text, _ in channel.requests if target == "42"]
    assert to_42 in (["A1", "A2", "A3", "B1", "B2", "B3"], ["B1", "B2", "B3", "A1", "A2", "A3"])
    times_42 = [at for target, _, at in channel.requests if target == "42"]
    # One per second, counted from the answer to the previous message (rtt 0.2 s).
    assert all(later - earlier >= 1.2 for earlier, later in pairwise(times_42))
    first_c = next(at for target, _, at in channel.requests if target == "43")
    assert first_c < times_42[1], "another chat does not wait for 42's line"


async def test_the_channel_is_opened_for_the_first_user_and_closed_after_the_last(
    sender: PacedSender[ScriptedChannel], channel: ScriptedChannel
) -> None:
    await sender.open()
    async with sender.session():
        assert (channel.opened, channel.closed) == (1, 0)
    assert channel.closed == 0
    await sender.close()
    await sender.close()  # one close too many is harmless

    assert (channel.opened, channel.closed) == (1, 1)


async def test_a_channel_that_cannot_open_is_closed_again_and_counts_no_user(
    sender: PacedSender[ScriptedChannel], channel: ScriptedChannel
) -> None:
    channel.open_error = TransientError("connect refused")
    with pytest.raises(TransientError):
        await sender.open()
    channel.open_error = None
    async with sender.session():
        pass

    assert (channel.opened, channel.closed) == (1, 2)


async def test_edits_are_paced_like_sends_and_refused_where_the_channel_cannot_edit(
    clock: Clock,
) -> None:
    editable = PacedSender(EditableChannel(clock), TelegramPacing(), clock=clock, sleep=clock.sleep)
    assert await edit_now(editable, "42", "1", TelegramMessage("new"))
    assert await edit_now(editable, "42", "1", TelegramMessage("newer"))
    [(_, _, first), (_, _, second)] = editable.channel.requests
    assert second - first >= 1

    plain = PacedSender(ScriptedChannel(clock), Unpaced(), clock=clock, sleep=clock.sleep)
    with pytest.raises(TypeError):
        await edit_now(plain, "42", "1", TelegramMessage("new"))


async def test_idle_chat_lines_are_forgotten(
    sender: PacedSender[ScriptedChannel], clock: Clock
) -> None:
    for chat in range(100):
        await send_now(sender, str(chat), messages("x"))
    assert sender.lines_tracked() == 100
    clock.now += LINE_SWEEP_SECONDS + 2
    await send_now(sender, "late", messages("x"))

    assert sender.lines_tracked() == 1
