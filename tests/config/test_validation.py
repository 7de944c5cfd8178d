"""Every mistake an operator can make is reported with the key path that holds it, all at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from digestbot.config import ConfigError, load_config
from digestbot.model import Variant
from digestbot.notices import Language

ENV = {"TELEGRAM_BOT_TOKEN": "123456:AAtelegramSECRET", "SLACK_BOT_TOKEN": "xoxb-slackSECRET"}


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> object:
    path = tmp_path / "digestbot.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, ENV if env is None else env)


def _problems(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text, env)
    return caught.value.problems


TG = '[telegram]\ntoken = "${TELEGRAM_BOT_TOKEN}"\n'
EMAIL = '[email]\ntransport = "outbox"\nfrom = "Daily <d@example.org>"\n'

BAD_CONFIGS = [
    (
        TG + 'targets = [{chat_id="1"}, {chat_id="2"}, {chat_id="3", variant="top4"}]',
        "telegram.targets[2].variant: must be one of top3, top5, full",
    ),
    (TG + 'targets = [{chat_id="general"}]', "telegram.targets[0].chat_id: must be a numeric"),
    (TG + "admin_chat_ids = [1, true]", "telegram.admin_chat_ids[1]: must be a numeric"),
    (TG + 'api_base_url = "api.telegram.org"', "telegram.api_base_url: must be an http"),
    (TG + "rate = { per_chat_per_second = 0 }", "telegram.rate.per_chat_per_second: must be"),
    (TG + "tokn = 'x'", "telegram.tokn: unknown key"),
    (TG + 'bot_username = "ai daily"', "telegram.bot_username: must be the bot's username"),
    (TG + 'bot_username = "@ai_daily"', "telegram.bot_username: must be the bot's username"),
    ('[telegram]\ntransport = "live"', "telegram.token: required when transport is live"),
    ('[telegram]\ntransport = "pigeon"', "telegram.transport: must be one of live, outbox"),
    ('[slack]\ntransport = "live"', "slack.token: required when transport is live"),
    (
        '[slack]\ntoken = "x"\ntargets = [{channel = "general chat"}]',
        "slack.targets[0].channel: must be a Slack channel id",
    ),
    ('[slack]\ntoken = "x"\nslash_response = "loud"', "slack.slash_response: must be one of"),
    (EMAIL + 'security = "ssl"', "email.security: must be one of tls, starttls, none"),
    (EMAIL + "port = 70000", "email.port: must be less than or equal to 65535"),
    (EMAIL + 'port = "smtp"', "email.port: must be an integer"),
    (EMAIL + 'targets = [{address = "not-an-address"}]', "email.targets[0].address: must be an"),
    (EMAIL + 'targets = [{address = "a@b"}]', "email.targets[0].address: must be an"),
    ('[email]\ntransport = "outbox"\nfrom = "nobody"', "email.from: must be an address"),
    ('[email]\ntransport = "outbox"', "email.from: required"),
    (EMAIL + 'username = "u"', "email.password: required when username is set"),
    (EMAIL + 'unsubscribe_url = "example.org/u"', "email.unsubscribe_url: must be an http"),
    ('[email]\nfrom = "d@example.org"', "email.host: required when transport is live"),
    ('[email]\nfrom = "d@example.org"', "email.unsubscribe_secret: required when transport is"),
    ('[store]\nurl = "mysql://u@h/db"', "store.url: scheme must be sqlite or postgresql"),
    ('[source]\nkind = "ftp"', "source.kind: must be one of folder, url, feed"),
    ('[source]\nkind = "url"\nurl = "https://x.org/today"', "source.url: kind url needs"),
    ('[source]\nkind = "feed"', "source.url: kind feed needs"),
    ('[source]\ntimezone = "Asia/Shangai"', "source.timezone: unknown time zone"),
    ('[schedule]\ntime = "8:30"', "schedule.time: must be a time of day HH:MM"),
    ('[schedule]\ntime = "24:00"', "schedule.time: must be a time of day HH:MM"),
    ('[schedule]\npoll_every = "5 minutes"', "schedule.poll_every: must be a duration"),
    ('[schedule]\npoll_every = "0s"', "schedule.poll_every: must be a duration"),
    ('[schedule]\ntime = "12:30"\ndeadline = "12:00"', "schedule.deadline: must be later"),
    ("[server]\nport = 0", "server.port: must be greater than or equal to 1"),
    ("[delivery]\nmax_attempts = 0", "delivery.max_attempts: must be greater than or equal"),
    ("[delivery]\nbackoff_cap = 0.5", "delivery.backoff_cap: must be at least"),
    ("[delivery]\nconcurrency = 2.5", "delivery.concurrency: must be an integer"),
    ('[site]\nbase_url = "digest.example.org"', "site.base_url: must be the site's http(s)"),
    ('[site]\nbase_url = "https://x.org/?a=1"', "site.base_url: must be the site's http(s)"),
    ('[site]\nbase_url = "https://例子.org"', "site.base_url: must be the site's http(s)"),
    (
        EMAIL + 'unsubscribe_url = "https://example.org/退订"',
        "email.unsubscribe_url: must be ASCII and at most 500",
    ),
    (
        EMAIL + f'unsubscribe_url = "https://example.org/{"u" * 500}"',
        "email.unsubscribe_url: must be ASCII and at most 500",
    ),
    ("[telegarm]\n", "telegarm: unknown key"),
    ("store = 3", "store: must be a table"),
]


@pytest.mark.parametrize(("text", "expected"), BAD_CONFIGS)
def test_a_bad_value_is_reported_with_its_key_path(
    tmp_path: Path, text: str, expected: str
) -> None:
    problems = _problems(tmp_path, text)
    assert any(p.startswith(expected) for p in problems), problems


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        '[source]\ntimezone = "Mars/Olympus"\n'
        '[schedule]\ntime = "late"\n'
        '[telegram]\ntoken = "x"\ntargets = [{chat_id = "1", variant = "huge"}]\n'
        "[server]\nport = -1\n",
    )
    assert [p.split(":")[0] for p in problems] == [
        "source.timezone",
        "telegram.targets[0].variant",
        "schedule.time",
        "server.port",
    ]


def test_broken_toml_names_the_file_and_line(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, "[telegram\ntoken = 1")
    assert "digestbot.toml: not valid TOML" in problem and "line 1" in problem


def test_a_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.toml", {})
    assert caught.value.problems == [f"{tmp_path / 'nope.toml'}: config file not found"]


def test_an_empty_file_means_defaults_and_no_channels(tmp_path: Path) -> None:
    config = _load(tmp_path, "")
    assert config.enabled_channels() == []  # type: ignore[attr-defined]


def test_bot_username_is_kept_without_its_at_sign(tmp_path: Path) -> None:
    config = _load(tmp_path, TG + 'bot_username = "@AI_Daily_Bot"\n')
    assert config.telegram.bot_username == "AI_Daily_Bot"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("written", "base_url"),
    [
        ("", ""),
        ("https://digest.example.org/", "https://digest.example.org"),
        ("http://127.0.0.1:8080/daily", "http://127.0.0.1:8080/daily"),
    ],
)
def test_site_base_url_is_kept_without_its_trailing_slash(
    tmp_path: Path, written: str, base_url: str
) -> None:
    config = _load(tmp_path, f'[site]\nbase_url = "{written}"\n')
    assert config.site.base_url == base_url  # type: ignore[attr-defined]


def test_values_are_parsed_into_their_types(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, TG + _TYPED), ENV)
    assert config.schedule.time == dt.time(7, 5)
    assert config.schedule.deadline == dt.time(11, 0)  # a TOML local time works too
    assert config.schedule.poll_every == dt.timedelta(hours=1, minutes=30)
    assert config.source.zone.key == "Europe/Berlin"
    assert config.telegram is not None
    assert config.telegram.static_targets() == [
        ("-1001234567890", Variant.TOP5),
        ("@news", Variant.FULL),
    ]
    assert config.telegram.admin_chat_ids == ["42"]
    assert config.telegram.rate.per_group_per_minute == 20


_TYPED = """
admin_chat_ids = [42]
targets = [{ chat_id = -1001234567890 }, { chat_id = "@news", variant = "full" }]
[source]
timezone = "Europe/Berlin"
[schedule]
time = "07:05"
deadline = 11:00:00
poll_every = "1h30m"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digestbot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_absent_or_disabled_sections_are_off(tmp_path: Path) -> None:
    config = load_config(
        _write(tmp_path, TG + '[slack]\nenabled = false\ntoken = "${SLACK_BOT_TOKEN}"\n' + EMAIL),
        {"TELEGRAM_BOT_TOKEN": "t"},  # a disabled section may name unset variables
    )
    assert config.enabled_channels() == ["telegram", "email"]
    assert config.static_targets("slack") == []


def test_summary_counts_targets_per_channel_and_hides_the_store_password(tmp_path: Path) -> None:
    text = (
        '[store]\nurl = "postgresql://bot:${PGPASSWORD}@db/digest"\n'
        + TG
        + 'targets = [{chat_id = "1"}, {chat_id = "2"}]\n'
        + EMAIL
        + 'targets = [{address = "a@example.org"}]\n'
    )
    config = load_config(_write(tmp_path, text), {**ENV, "PGPASSWORD": "pgSECRET"})
    assert config.summary() == (
        "telegram (2 static targets), email (1 static target, outbox); "
        "store postgresql+psycopg://bot:***@db/digest"
    )


def test_admin_notices_default_to_chinese_and_bot_language_switches_them(tmp_path: Path) -> None:
    assert _load(tmp_path, "").bot.language is Language.ZH  # type: ignore[attr-defined]
    english = _load(tmp_path, '[bot]\nlanguage = "en"\n')
    assert english.bot.language is Language.EN  # type: ignore[attr-defined]
    (problem,) = _problems(tmp_path, '[bot]\nlanguage = "fr"\n')
    assert problem.startswith("bot.language: ")
