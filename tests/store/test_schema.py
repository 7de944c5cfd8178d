"""Alembic owns the schema: it builds it from empty, re-opening is a no-op, and it matches
the ORM models exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from digestbot.store import StoreURLError, open_store, parse_store_url
from digestbot.store.models import metadata
from digestbot.store.schema_version import head_revision


def test_open_store_on_an_empty_database_creates_every_table(store_url: str) -> None:
    store = open_store(store_url)
    try:
        tables = set(inspect(store.engine).get_table_names())
        assert {"deliveries", "delivery_parts", "subscribers", "target_aliases"} <= tables
        assert "alembic_version" in tables
    finally:
        store.close()


def test_reopening_an_upgraded_database_changes_nothing(store_url: str) -> None:
    first = open_store(store_url)
    first.subscribe("telegram", "42", "top5")
    first.close()
    second = open_store(store_url)
    try:
        assert second.count_active_subscribers("telegram") == 1
        with second.engine.connect() as conn:
            versions = conn.execute(text("select version_num from alembic_version")).all()
        assert [v for (v,) in versions] == [_head_revision()]
    finally:
        second.close()


def test_the_head_read_from_the_migration_files_is_alembics() -> None:
    assert head_revision() == _head_revision()


def test_opening_a_store_whose_schema_is_current_does_not_load_alembic(store_url: str) -> None:
    open_store(store_url).close()  # the first open migrates
    opened_again = (
        "import sys\n"
        "from digestbot.store import open_store\n"
        f"open_store({store_url!r}).close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", opened_again], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_migrations_build_exactly_the_schema_the_models_describe(store_url: str) -> None:
    store = open_store(store_url)
    try:
        with store.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, metadata) == []
    finally:
        store.close()


def test_sqlite_store_creates_its_folder_and_runs_in_wal_mode(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/a/b/ledger.db")
    try:
        assert (tmp_path / "a" / "b" / "ledger.db").exists()
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("sqlite:///data/x.db", "sqlite"),
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
    ],
)
def test_store_urls_are_normalized_to_an_installed_driver(url: str, driver: str) -> None:
    assert parse_store_url(url).drivername == driver


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "redis://h"])
def test_unsupported_store_urls_are_refused(url: str) -> None:
    with pytest.raises(StoreURLError):
        parse_store_url(url)


def _head_revision() -> str:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from digestbot.store.engine import MIGRATIONS_DIR

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head
