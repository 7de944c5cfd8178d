"""Where a digest may send its reader for the rest: a web page, a command, or nowhere.

A digest never promises what its reader cannot do. "发送 /today full" works only where the
reader talks to the bot (a private chat, or a reply to a command they just typed); a Telegram
channel, a group, a Slack channel and a mailbox get the issue's web page when a site is
configured (`[site] base_url`), else no pointer at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from digestbot.model import Channel


class Audience(StrEnum):
    CHAT = "chat"  # a conversation with the bot: the reader can type /today
    BROADCAST = "broadcast"  # channels, groups, Slack channels, mailboxes: links only


@dataclass(frozen=True, slots=True)
class Reach:
    """What the templates may point to: `issue_url` ("阅读全文", "在浏览器中查看"), whether
    the reader can send commands (then "发送 /today full" is a promise that holds), and the
    Telegram bot's own chat for readers of a channel or group when there is no web page."""

    issue_url: str | None = None
    commands: bool = False
    bot_url: str | None = None  # the Telegram bot's chat, where /today works


# Nothing to point to: no site, no commands.
NO_REACH = Reach()


def audience_of(channel: Channel | str, target: str) -> Audience:
    """Telegram user ids are positive; groups, supergroups and channels are negative or
    `@name`. Groups count as broadcast: the bot may have no command scope there."""
    if Channel(channel) is Channel.TELEGRAM and target.isdigit():
        return Audience.CHAT
    return Audience.BROADCAST


def bot_chat_url(bot_username: str) -> str | None:
    """`https://t.me/<bot>`: opens a private chat with the bot."""
    name = bot_username.strip().removeprefix("@")
    return f"https://t.me/{name}" if name else None


__all__ = ["NO_REACH", "Audience", "Reach", "audience_of", "bot_chat_url"]
