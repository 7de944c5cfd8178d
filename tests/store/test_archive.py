"""The archive keeps the bytes that were published; retry and /today render from it."""

from __future__ import annotations

import datetime as dt

from digestbot.store import Store

D1, D2, D3 = dt.date(2026, 4, 19), dt.date(2026, 4, 20), dt.date(2026, 4, 21)


def test_first_published_version_wins_and_an_edit_is_reported(store: Store) -> None:
    assert store.save_issue(D2, "2026-04-20.txt", "原文".encode())
    assert store.save_issue(D2, "2026-04-20.txt", "原文".encode()), "same bytes: fine"
    assert not store.save_issue(D2, "2026-04-20.txt", b"edited")
    stored = store.get_issue(D2)
    assert stored is not None and stored.data == "原文".encode()
    store.replace_issue(D2, "2026-04-20.md", b"fixed")
    stored = store.get_issue(D2)
    assert stored is not None and (stored.filename, stored.data) == ("2026-04-20.md", b"fixed")


def test_latest_issue_is_the_newest_not_after_a_date(store: Store) -> None:
    assert store.latest_issue() is None
    store.save_issue(D1, "a.txt", b"one")
    store.save_issue(D3, "c.txt", b"three")
    latest = store.latest_issue()
    assert latest is not None and latest.issue_date == D3
    before = store.latest_issue(on_or_before=D2)
    assert before is not None and before.issue_date == D1
    assert store.get_issue(D2) is None


def test_list_issues_is_newest_first_without_data_and_follows_a_replacement(
    store: Store,
) -> None:
    assert store.list_issues() == []
    store.save_issue(D2, "b.txt", b"two")
    store.save_issue(D1, "a.txt", b"one")
    store.save_issue(D3, "c.txt", b"three")
    listed = store.list_issues()
    assert [v.issue_date for v in listed] == [D3, D2, D1]
    assert [v.issue_date for v in store.list_issues(limit=2)] == [D3, D2]
    before = listed[1].sha256
    store.replace_issue(D2, "b.txt", b"two, corrected")
    after = store.list_issues()[1]
    stored = store.get_issue(D2)
    assert stored is not None and after.sha256 == stored.sha256 != before
