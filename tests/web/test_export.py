"""`digestbot site build --out DIR`: the served pages as files, every internal link resolving,
the same text as the service shows, the feed pointing at the service."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from digestbot.cli import app
from digestbot.store import Store, open_store
from tests.web.archive import publish_samples, publish_seeds
from tests.web.conftest import client_for, make_site

runner = CliRunner()
BASE = "https://digest.example.org"
DAYS = [dt.date(2026, 3, 31), dt.date(2026, 4, 19), dt.date(2026, 4, 20)]


def write_config(folder: Path, base_url: str = BASE) -> Path:
    config = folder / "digestbot.toml"
    db = json.dumps(f"sqlite:///{folder / 'db.sqlite'}")
    config.write_text(f'[store]\nurl = {db}\n\n[site]\nbase_url = "{base_url}"\n')
    return config


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, Store, list[dt.date]]:
    store = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    days = sorted([*publish_samples(store, DAYS), *publish_seeds(store)])
    return write_config(tmp_path), store, days


def build(config: Path, out: Path) -> str:
    result = runner.invoke(app, ["--config", str(config), "site", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result.output


def crawl(root: Path) -> tuple[set[Path], list[str]]:
    """Every file reachable from index.html by its links, and every link that leads nowhere."""
    seen: set[Path] = set()
    broken: list[str] = []
    todo = [root / "index.html"]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        if page.suffix != ".html":
            continue
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in doc.find_all(["a", "link"], href=True):
            url = urldefrag(urljoin(page.as_uri(), tag["href"]))[0]
            if urlsplit(url).scheme != "file":
                continue
            target = Path(unquote(urlsplit(url).path))
            if not target.is_file() or root not in target.parents:
                broken.append(f"{page.relative_to(root)} → {tag['href']}")
            else:
                todo.append(target)
    return seen, broken


def test_the_export_has_every_issue_and_no_broken_internal_link(
    archive: tuple[Path, Store, list[dt.date]], tmp_path: Path
) -> None:
    config, _, days = archive
    out = tmp_path / "site"
    output = build(config, out)
    assert f"{len(days)} issues" in output
    reached, broken = crawl(out)
    assert broken == []
    for day in days:
        assert out / "issues" / f"{day.isoformat()}.html" in reached
    assert {out / "index.html", out / "issues" / "index.html", out / "feed.xml"} <= reached
    assert (out / "404.html").is_file()


async def test_exported_pages_say_what_the_service_serves(
    archive: tuple[Path, Store, list[dt.date]], tmp_path: Path
) -> None:
    config, store, days = archive
    out = tmp_path / "site"
    build(config, out)

    def main_text(html: str) -> str:
        main = BeautifulSoup(html, "html.parser").find("main")
        assert main is not None
        return main.get_text()

    pairs = [("/", "index.html"), ("/issues/", "issues/index.html")]
    pairs += [(f"/issues/{d.isoformat()}", f"issues/{d.isoformat()}.html") for d in days]
    async with client_for(store, make_site(store, BASE, signup=False)) as client:
        served = {path: (await client.get(path)).text for path, _ in pairs}
    for path, file in pairs:
        exported = (out / file).read_text(encoding="utf-8")
        assert main_text(exported) == main_text(served[path]), file
        head = BeautifulSoup(exported, "html.parser")
        canonical = head.find("link", rel="canonical")
        assert canonical is not None and canonical["href"] == f"{BASE}{path}"


def test_the_exported_feed_links_to_the_service(
    archive: tuple[Path, Store, list[dt.date]], tmp_path: Path
) -> None:
    config, _, days = archive
    build(config, tmp_path / "site")
    feed = feedparser.parse((tmp_path / "site" / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.link for e in feed.entries] == [
        f"{BASE}/issues/{d.isoformat()}" for d in sorted(days, reverse=True)
    ]


def test_a_second_build_replaces_pages_and_drops_withdrawn_issues(
    archive: tuple[Path, Store, list[dt.date]], tmp_path: Path
) -> None:
    config, _, _ = archive
    out = tmp_path / "site"
    (out / "issues").mkdir(parents=True)
    withdrawn = out / "issues" / "2020-01-01.html"
    withdrawn.write_text("an issue no longer in the archive")
    keep = out / "issues" / "notes.txt"
    keep.write_text("the operator's own file")
    output = build(config, out)
    assert "removed 1 withdrawn" in output
    assert not withdrawn.exists() and keep.exists()
    _, broken = crawl(out)
    assert broken == []


def test_without_a_base_url_the_build_refuses_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "digestbot.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "db.sqlite"}"\n')
    result = runner.invoke(
        app, ["--config", str(config), "site", "build", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "digestbot: error: site.base_url is not set: the feed's links and the sign-up form "
        "point there"
    ]
    assert not (tmp_path / "out").exists()


def test_an_empty_archive_exports_a_site_that_says_so(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(write_config(tmp_path), out)
    assert "还没有已发布的日报" in (out / "index.html").read_text(encoding="utf-8")
    _, broken = crawl(out)
    assert broken == []
