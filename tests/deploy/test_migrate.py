"""`digestbot migrate` and the lock around Alembic upgrades: replicas starting together migrate
once; the lock is per database and schema, so other schemas (parallel test runs, another
deployment on the same server) never wait for it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from digestbot.cli import app
from digestbot.store.engine import MIGRATION_LOCK_KEY_SQL, create_store_engine
from digestbot.store.migrating import upgrade_schema
from tests.store.test_schema import _head_revision as _head


def _migrate(tmp_path: Path, store_url: str) -> tuple[int, str]:
    config = tmp_path / "digestbot.toml"
    config.write_text(f'[store]\nurl = "{store_url}"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(config), "migrate"])
    return result.exit_code, result.output


def _with_options(pg_url: str, options: str) -> str:
    """The fixture's URL with more server options (`-c name=value`, URL-encoded)."""
    return pg_url.replace("options=", f"options={options}%20", 1)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_migrate_upgrades_once_then_has_nothing_to_do(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path}/ledger.db"
    if backend == "postgresql":
        url = request.getfixturevalue("pg_url")
    first = _migrate(tmp_path, url)
    second = _migrate(tmp_path, url)
    assert first[0] == 0 and first[1].strip().endswith(f"schema upgraded empty → {_head()}")
    assert second[0] == 0 and second[1].strip().endswith(f"schema already at {_head()} (newest)")


def test_migrate_with_the_store_down_is_exit_3_without_the_password(tmp_path: Path) -> None:
    code, output = _migrate(tmp_path, "postgresql+psycopg://bot:pgSECRET@127.0.0.1:9/digest")
    assert code == 3
    assert output.startswith(
        "digestbot: error: store (postgresql+psycopg://bot:***@127.0.0.1:9/digest) unavailable"
    )
    assert "pgSECRET" not in output


@pytest.mark.postgres
def test_replicas_migrating_one_schema_together_both_succeed(pg_url: str) -> None:
    engines = [create_store_engine(pg_url) for _ in range(3)]
    results: list[tuple[str | None, str]] = []
    errors: list[BaseException] = []

    def upgrade(engine: sqlalchemy.Engine) -> None:
        try:
            results.append(upgrade_schema(engine))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=upgrade, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for engine in engines:
        engine.dispose()
    assert errors == []
    # Exactly one found the schema empty; the others waited for it and found it done.
    assert sorted(results, key=lambda r: r[0] or "") == [
        (None, _head()),
        (_head(), _head()),
        (_head(), _head()),
    ]


@pytest.mark.postgres
def test_the_migration_lock_is_per_schema(pg_url: str, pg_base_url: str) -> None:
    # Another session holds the lock of this test's schema, as a migrating replica would.
    holder = sqlalchemy.create_engine(pg_url)
    with holder.connect() as held:
        held.execute(sqlalchemy.text(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY_SQL})"))
        # The same schema waits (given up after 300 ms instead of waiting for ever) …
        same = create_store_engine(_with_options(pg_url, "-clock_timeout%3D300"))
        with pytest.raises(OperationalError, match="lock timeout"):
            upgrade_schema(same)
        same.dispose()
        # … while another schema on the same database migrates at once.
        other_schema = "t_other_" + pg_url.rsplit("%3D", 1)[1]
        admin = sqlalchemy.create_engine(pg_base_url)
        with admin.begin() as conn:
            conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{other_schema}"'))
        try:
            other_url = pg_url.rsplit("%3D", 1)[0] + f"%3D{other_schema}"
            other = create_store_engine(_with_options(other_url, "-clock_timeout%3D300"))
            assert upgrade_schema(other) == (None, _head())
            other.dispose()
        finally:
            with admin.begin() as conn:
                conn.execute(sqlalchemy.text(f'DROP SCHEMA "{other_schema}" CASCADE'))
            admin.dispose()
        held.execute(sqlalchemy.text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY_SQL})"))
    holder.dispose()
