"""The archive keeps every revision's bytes; retry, /today and the web render from the current
one, and a retracted day is served by none of them."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, text

from digestbot.store import IssueRetracted, SavedRevision, Store, open_store
from digestbot.store.engine import MIGRATIONS_DIR, WRITE_OPTION

D1, D2, D3 = dt.date(2026, 4, 19), dt.date(2026, 4, 20), dt.date(2026, 4, 21)


def test_first_published_version_wins_until_a_revision_is_added(store: Store) -> None:
    assert store.save_issue(D2, "2026-04-20.txt", "原文".encode())
    assert store.save_issue(D2, "2026-04-20.txt", "原文".encode()), "same bytes: fine"
    assert not store.save_issue(D2, "2026-04-20.txt", b"edited")
    stored = store.get_issue(D2)
    assert stored is not None and (stored.data, stored.revision) == ("原文".encode(), 1)

    assert store.add_revision(D2, "2026-04-20.md", b"fixed") == SavedRevision(2, created=True)

    stored = store.get_issue(D2)
    assert stored is not None
    assert (stored.filename, stored.data, stored.revision) == ("2026-04-20.md", b"fixed", 2)
    assert store.save_issue(D2, "2026-04-20.md", b"fixed"), "the current revision's bytes"


def test_every_revision_keeps_its_bytes_and_the_same_bytes_add_none(
    store: Store, clock: object
) -> None:
    assert store.add_revision(D2, "a.txt", b"one") == SavedRevision(1, created=True)
    assert store.add_revision(D2, "a.txt", b"two") == SavedRevision(2, created=True)
    assert store.add_revision(D2, "a.txt", b"two") == SavedRevision(2, created=False)
    assert store.add_revision(D2, "a.txt", b"one") == SavedRevision(3, created=True)

    record = store.issue_record(D2)
    assert record is not None and record.revision == 3 and not record.retracted
    assert [r.revision for r in record.revisions] == [1, 2, 3]
    assert record.revisions[0].sha256 == record.revisions[2].sha256 != record.revisions[1].sha256
    assert [store.get_issue(D2, revision=n).data for n in (1, 2, 3)] == [b"one", b"two", b"one"]  # type: ignore[union-attr]
    assert store.get_issue(D2, revision=4) is None


def test_latest_issue_is_the_newest_not_after_a_date(store: Store) -> None:
    assert store.latest_issue() is None
    store.save_issue(D1, "a.txt", b"one")
    store.save_issue(D3, "c.txt", b"three")
    latest = store.latest_issue()
    assert latest is not None and latest.issue_date == D3
    before = store.latest_issue(on_or_before=D2)
    assert before is not None and before.issue_date == D1
    assert store.get_issue(D2) is None


def test_list_issues_is_newest_first_without_data_and_follows_a_correction(
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
    store.add_revision(D2, "b.txt", b"two, corrected")
    after = store.list_issues()[1]
    stored = store.get_issue(D2)
    assert stored is not None and after.sha256 == stored.sha256 != before
    assert after.revision == stored.revision == 2


def test_a_retracted_day_is_served_by_nothing_but_its_record_remains(store: Store) -> None:
    store.save_issue(D1, "a.txt", b"one")
    store.save_issue(D2, "b.txt", b"two")
    store.add_revision(D2, "b.txt", b"two, corrected")

    assert store.retract_issue(D2, "wrong day's file") is True
    assert store.retract_issue(D2, "again") is False, "idempotent; the first reason stays"

    assert store.get_issue(D2) is None and store.get_issue(D2, revision=1) is None
    assert [v.issue_date for v in store.list_issues()] == [D1]
    latest = store.latest_issue()
    assert latest is not None and latest.issue_date == D1
    record = store.issue_record(D2)
    assert record is not None and record.retracted
    assert record.retraction_reason == "wrong day's file" and record.revision == 2
    revision_1 = store.get_revision(D2, 1)
    assert revision_1 is not None and revision_1.data == b"two", "kept for the record"
    with pytest.raises(IssueRetracted):
        store.save_issue(D2, "b.txt", b"two")
    with pytest.raises(IssueRetracted):
        store.add_revision(D2, "b.txt", b"three")
    with pytest.raises(LookupError):
        store.retract_issue(D3, "never published")


def test_migration_keeps_an_archived_issue_as_its_first_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    engine = create_engine(url)
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0003")
            conn.execute(
                text(
                    "INSERT INTO issues (issue_date, filename, sha256, data, published_at) "
                    "VALUES ('2026-04-20', 'x.txt', 'abc', :data, '2026-04-20 01:00:00')"
                ),
                {"data": "原文".encode()},
            )
    engine.dispose()

    store = open_store(url)
    try:
        stored = store.get_issue(D2)
        assert stored is not None
        assert (stored.revision, stored.filename, stored.data) == (1, "x.txt", "原文".encode())
        assert stored.published_at == dt.datetime(2026, 4, 20, 1, tzinfo=dt.UTC)
        assert store.add_revision(D2, "x.txt", b"fixed") == SavedRevision(2, created=True)
    finally:
        store.close()


def _archive_together(stores: list[Store], day: dt.date) -> list[object]:
    start = threading.Barrier(len(stores))
    outcomes: list[object] = []

    def archive(store: Store) -> None:
        start.wait()
        try:
            outcomes.append(store.save_issue(day, "x.txt", b"same bytes"))
        except Exception as exc:  # what the test is about: none may escape
            outcomes.append(exc)

    threads = [threading.Thread(target=archive, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_workers_publishing_a_new_day_together_archive_it_once(store_url: str) -> None:
    """Replicas started together all archive the day they publish: one inserts it, the others
    find it (no unique-key error), whatever the interleaving."""
    stores = [open_store(store_url) for _ in range(4)]
    try:
        for day_offset in range(10):
            day = D1 + dt.timedelta(days=100 + day_offset)
            assert _archive_together(stores, day) == [True] * len(stores)
    finally:
        for store in stores:
            store.close()
