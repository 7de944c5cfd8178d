"""The mapping functions on failures the fakes cannot easily produce (connect timeouts, pool
exhaustion, write timeouts): whether the request may have left decides transient vs uncertain."""

from __future__ import annotations

import aiohttp
import aiosmtplib
import pytest
import telegram.error as tg_error

from digestbot.channels import (
    ChannelError,
    PermanentError,
    TransientError,
    UncertainDelivery,
    map_slack_error,
    map_smtp_error,
    map_telegram_error,
)
from digestbot.channels.smtp import Phase

# Where aiohttp was connecting when it failed (ClientConnectorError wants one).
_KEY = aiohttp.client_reqrep.ConnectionKey("127.0.0.1", 9, False, True, None, None, None, None)


def _failed(
    cause: Exception, kind: type[tg_error.NetworkError] = tg_error.NetworkError
) -> Exception:
    """What the Bot's aiohttp request raises: PTB's TimedOut or NetworkError, chained to the
    aiohttp exception."""
    try:
        try:
            raise cause
        except (aiohttp.ClientError, TimeoutError) as err:
            raise kind(f"aiohttp.{type(err).__name__}") from err
    except tg_error.NetworkError as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (_failed(aiohttp.ConnectionTimeoutError("c"), tg_error.TimedOut), TransientError),
        (_failed(aiohttp.ClientConnectorError(_KEY, OSError(111, "refused"))), TransientError),
        (_failed(aiohttp.SocketTimeoutError("r"), tg_error.TimedOut), UncertainDelivery),
        (_failed(TimeoutError(), tg_error.TimedOut), UncertainDelivery),
        (_failed(aiohttp.ServerDisconnectedError()), UncertainDelivery),
        (_failed(aiohttp.ClientOSError(104, "reset by peer")), UncertainDelivery),
        (_failed(aiohttp.ClientPayloadError("cut short")), UncertainDelivery),
        (_failed(aiohttp.InvalidURL("no")), TransientError),
        (tg_error.NetworkError("Bad Gateway"), TransientError),  # a 5xx answer
        (tg_error.InvalidToken("Unauthorized"), PermanentError),
        (tg_error.Conflict("terminated by other getUpdates"), PermanentError),
    ],
    ids=lambda v: type(v.__cause__ or v).__name__ if isinstance(v, Exception) else v.__name__,
)
def test_telegram_mapping(exc: Exception, expected: type[ChannelError]) -> None:
    assert type(map_telegram_error(exc)) is expected


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (aiohttp.ConnectionTimeoutError("connect"), TransientError),
        (aiohttp.SocketTimeoutError("read"), UncertainDelivery),
        (aiohttp.ServerDisconnectedError(), UncertainDelivery),
        (aiohttp.ClientConnectionError("reset"), TransientError),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else v.__name__,
)
def test_slack_mapping(exc: Exception, expected: type[ChannelError]) -> None:
    assert type(map_slack_error(exc)) is expected


@pytest.mark.parametrize(
    ("exc", "phase", "expected"),
    [
        (aiosmtplib.SMTPConnectTimeoutError("t"), "connect", TransientError),
        (aiosmtplib.SMTPReadTimeoutError("t"), "envelope", TransientError),
        (aiosmtplib.SMTPReadTimeoutError("t"), "data", UncertainDelivery),
        (aiosmtplib.SMTPServerDisconnected("gone"), "envelope", TransientError),
        (aiosmtplib.SMTPServerDisconnected("gone"), "data", UncertainDelivery),
        (aiosmtplib.SMTPSenderRefused(451, "later", "a@b"), "envelope", TransientError),
        (aiosmtplib.SMTPDataError(554, "spam"), "data", PermanentError),
        (aiosmtplib.SMTPDataError(452, "full"), "data", TransientError),
        (ConnectionRefusedError(), "connect", TransientError),
    ],
)
def test_smtp_mapping(exc: Exception, phase: Phase, expected: type[ChannelError]) -> None:
    assert type(map_smtp_error(exc, phase)) is expected


def test_unexpected_exceptions_are_not_disguised_as_channel_errors() -> None:
    with pytest.raises(KeyError):
        map_telegram_error(KeyError("bug"))
