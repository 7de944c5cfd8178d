"""Fixtures every test directory shares: the real seeds, the golden-file flag, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO.parent / "shared" / "seeds"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI") == "true"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite tests/golden/ from the current renders (review the diff before committing).",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def seed_paths() -> list[Path]:
    """The real issues in ../shared/seeds (empty when the folder is absent)."""
    return sorted(SEEDS_DIR.glob("*.txt")) if SEEDS_DIR.is_dir() else []


def seeds_missing() -> NoReturn:
    """A test that needs the real issues and cannot find them: a failure in CI, where the
    seeds must be present (a skip there would pass without testing anything), and a skip
    with the reason in a clone that has no ../shared next to it."""
    reason = f"the real issues in {SEEDS_DIR} are absent (expected *.txt files there)"
    if IN_CI:
        pytest.fail(f"{reason}; CI=true requires them, tests on them must not skip")
    pytest.skip(reason)


def seed_params() -> list[Any]:
    """For `parametrize` over the seeds: one param per seed, or a single "seeds-absent"
    param whose test then fails in CI (an empty parameter set would only be skipped)."""
    paths = seed_paths()
    if not paths:
        return [pytest.param(None, id="seeds-absent")]
    return [pytest.param(path, id=path.name[:3]) for path in paths]


@pytest.fixture(params=seed_params())
def seed(request: pytest.FixtureRequest) -> Path:
    """Each real issue in turn (see seed_params)."""
    path: Path | None = request.param
    if path is None:
        seeds_missing()
    return path


@pytest.fixture
def seeds() -> list[Path]:
    paths = seed_paths()
    if not paths:
        seeds_missing()
    return paths


def _pg_reachable(url: str) -> str | None:
    """None when the database answers, else the reason it does not."""
    try:
        import sqlalchemy

        engine = sqlalchemy.create_engine(url)
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure means "not here"
        return f"{type(exc).__name__}: {exc}"
    return None


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    """The real PostgreSQL. Required when CI=true; skipped elsewhere when it is absent."""
    url = os.environ.get("DIGESTBOT_TEST_PG_URL", DEFAULT_PG_URL)
    reason = _pg_reachable(url)
    if reason is not None:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but {url} is unreachable: {reason}")
        pytest.skip(f"PostgreSQL unreachable at {url}: {reason}")
    return url


@pytest.fixture
def pg_url(pg_base_url: str) -> Iterator[str]:
    """A fresh, empty schema on the real PostgreSQL for one test, dropped afterwards."""
    import sqlalchemy

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(pg_base_url)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in pg_base_url else "?"
    yield f"{pg_base_url}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()
