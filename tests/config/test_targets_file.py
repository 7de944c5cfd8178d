"""`targets_file`: CSV targets, checked line by line when the config loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from digestbot.config import ConfigError, load_config
from digestbot.model import Variant

SECTIONS = {
    "telegram": '[telegram]\ntransport = "outbox"\ntargets = [{{ chat_id = "1" }}]\n'
    'targets_file = "{csv}"\n',
    "slack": '[slack]\ntransport = "outbox"\ntargets = [{{ channel = "C1AAAA" }}]\n'
    'targets_file = "{csv}"\n',
    "email": '[email]\ntransport = "outbox"\nfrom = "d@example.org"\n'
    'targets = [{{ address = "a@example.org" }}]\ntargets_file = "{csv}"\n',
}


def _config(tmp_path: Path, channel: str, csv_text: str | None) -> Path:
    csv = tmp_path / "targets.csv"
    if csv_text is not None:
        csv.write_text(csv_text, encoding="utf-8")
    path = tmp_path / "digestbot.toml"
    path.write_text(SECTIONS[channel].format(csv=csv), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("channel", "csv_text", "expected"),
    [
        (
            "telegram",
            "id,variant\n-1001,top3\n\n# a comment\n2, FULL\n@news\n1,top5\n",
            [
                ("1", Variant.TOP5),
                ("-1001", Variant.TOP3),
                ("2", Variant.FULL),
                ("@news", Variant.TOP5),
            ],
        ),
        (
            "slack",
            "C0123456,full\nC0ABCDEF,top3\n",
            [("C1AAAA", Variant.TOP5), ("C0123456", Variant.FULL), ("C0ABCDEF", Variant.TOP3)],
        ),
        (
            "email",
            "\ufeffaddress,variant\nb@example.org,full\n",  # Excel writes a BOM
            [("a@example.org", Variant.TOP5), ("b@example.org", Variant.FULL)],
        ),
    ],
)
def test_file_targets_follow_the_inline_ones_without_duplicates(
    tmp_path: Path, channel: str, csv_text: str, expected: list[tuple[str, Variant]]
) -> None:
    config = load_config(_config(tmp_path, channel, csv_text), {})
    assert config.static_targets(channel) == expected


def test_every_bad_line_is_reported_with_its_number(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, "telegram", "1,top3\nfoo bar,top3\n3,huge\n4,full\n"), {})
    assert caught.value.problems == [
        "telegram.targets_file: line 2: must be a numeric chat id like -1001234567890 or an "
        "@channelname",
        "telegram.targets_file: line 3: variant must be one of top3, top5, full",
    ]


def test_a_missing_targets_file_is_a_problem_of_that_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, "email", None), {})
    (problem,) = caught.value.problems
    assert problem.startswith("email.targets_file: file ") and "not found" in problem


def test_an_empty_targets_file_setting_means_none(tmp_path: Path) -> None:
    path = tmp_path / "digestbot.toml"
    path.write_text('[telegram]\ntransport = "outbox"\ntargets_file = ""\n', encoding="utf-8")
    config = load_config(path, {})
    assert config.telegram is not None and config.telegram.targets_file is None
