"""`targets_file`: CSV targets, checked line by line when the config loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from digestbot.config import ConfigError, load_config
from digestbot.model import Variant
from tests.processes import run

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


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        (
            '1,top3\n2,"top3\n3,full\n',
            'line 2: unterminated quote (a field that opens with " must close with ")',
        ),
        ('1,top3\n"2"x,top3\n', 'line 2: text after a closing quote (write "a ""quoted"" word")'),
        (
            "1,top3\n2,top3\n3," + "x" * 200_000 + "\n",
            "line 3: a field longer than 131,072 characters",
        ),
    ],
    ids=["unterminated-quote", "text-after-quote", "field-over-limit"],
)
def test_a_line_that_is_not_csv_is_one_problem_with_its_number(
    tmp_path: Path, csv_text: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, "telegram", csv_text), {})
    assert caught.value.problems == [f"telegram.targets_file: {expected}"]


def test_a_quoted_id_is_still_read(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, "telegram", '"-1001","top3"\n'), {})
    assert config.static_targets("telegram") == [("1", Variant.TOP5), ("-1001", Variant.TOP3)]


def test_a_file_of_bad_lines_lists_twenty_then_counts_the_rest(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config(tmp_path, "telegram", "x,top3\n" * 25), {})
    problems = caught.value.problems
    assert len(problems) == 21
    assert problems[0].startswith("telegram.targets_file: line 1: must be a numeric chat id")
    assert problems[-1] == "telegram.targets_file: and 5 more bad lines"


@pytest.mark.parametrize("command", [["publish", "--dry-run"], ["check-config"]])
def test_a_broken_targets_file_stops_the_cli_with_one_line_and_no_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    config = _config(tmp_path, "telegram", '1,top3\n2,"top3\n' + "3," + "y" * 200_000 + "\n")
    result = run(config, *command, timeout=60, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if "targets_file" in line]
    assert [line.split("targets_file: ")[1] for line in lines] == [
        'line 2: unterminated quote (a field that opens with " must close with ")',
        "line 3: a field longer than 131,072 characters",
    ]
    # publish: bad config is exit 2; check-config lists problems and exits 1 (its contract).
    assert result.returncode == (2 if command[0] == "publish" else 1)
