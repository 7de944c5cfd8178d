"""The preview gallery as a reader sees it in headless Chromium: in each of the nine panes the
issue's title and every conclusion are visible text, Chinese glyphs are drawn (not tofu), the
email frame has content, and no script error happened.

Debian's /usr/bin/chromium driven by Playwright for Python (`executable_path`); Playwright never
downloads a browser here. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Frame, Page, sync_playwright

from digestbot.model import Channel, Issue, Variant
from digestbot.rendering.preview import build_gallery
from tests.chromium import QUIET_FLAGS, chromium_path
from tests.conftest import REPO, seed_params, seeds_missing
from tests.rendering.builders import sample_issue
from tests.rendering.cases import load_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = REPO / "test-artifacts"
FLAGS = ["--no-sandbox", *QUIET_FLAGS]
# A code point no font has (plane 15 private use): whatever the browser draws for it is the
# "missing glyph" box a reader would see instead of a character the fonts lack.
MISSING = "\U000f0000"
_CJK = re.compile(r"[\u4e00-\u9fff]")

# For one element: up to six distinct CJK characters of its text, each drawn on a canvas in the
# element's own font next to MISSING, and the laid-out width of its first CJK character in the
# page next to that of MISSING in the same place. Tofu is the missing glyph drawn for a real one.
_GLYPHS_JS = """
([el, missing]) => {
  const style = getComputedStyle(el);
  const font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const chars = [...new Set((el.innerText.match(/[\\u4e00-\\u9fff]/g) || []))].slice(0, 6);
  const draw = (ch) => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext("2d");
    ctx.font = font;
    ctx.textBaseline = "top";
    ctx.fillText(ch, 4, 4);
    const alpha = ctx.getImageData(0, 0, 64, 64).data.filter((_, i) => i % 4 === 3);
    return {ch, ink: alpha.reduce((a, b) => a + (b > 0), 0), shape: alpha.join(",")};
  };
  const laidOut = (text) => {
    const probe = document.createElement("span");
    probe.textContent = text;
    el.appendChild(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return width;
  };
  return {
    font, drawn: chars.map(draw), missing: draw(missing),
    width: chars.length ? laidOut(chars[0]) : 0, missingWidth: laidOut(missing),
    fontSize: parseFloat(style.fontSize),
  };
}
"""


def _launch(playwright: Any, **env: str) -> Browser:
    extra = {"env": {**os.environ, **env}} if env else {}
    browser: Browser = playwright.chromium.launch(
        executable_path=chromium_path(), args=FLAGS, headless=True, **extra
    )
    return browser


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Browser]:
    browser = _launch(playwright)
    yield browser
    browser.close()


def _issue(source: str | Path | None) -> Issue:
    """`"sample"`, a seed's path, or None when the seeds are absent (see seed_params)."""
    if source == "sample":
        return sample_issue()
    if not isinstance(source, Path):
        seeds_missing()
    return load_case(f"seed-{source.stem}")


def _open_gallery(browser: Browser, issue: Issue, folder: Path) -> tuple[Page, list[str]]:
    page_file = folder / "index.html"
    page_file.write_text(build_gallery(issue), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1600, "height": 2400})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(page_file.as_uri(), wait_until="load")
    for variant in Variant:
        page.locator(f"#pane-email-{variant.value} iframe").element_handle().content_frame()
    return page, errors


def _reader_text(page: Page, channel: str, variant: str) -> tuple[str, Any]:
    """The visible text of a pane's rendering (for email: the mail's frame) and its element."""
    pane = page.locator(f"#pane-{channel}-{variant}")
    assert pane.is_visible()
    if channel != "email":
        view = pane.locator(".view")
        return view.inner_text(), view.element_handle()
    frame = pane.locator("iframe").element_handle().content_frame()
    assert isinstance(frame, Frame)
    body = frame.locator("body")
    return body.inner_text(), body.element_handle()


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _tofu(report: dict[str, Any]) -> list[str]:
    """What in a glyph report says the reader sees boxes instead of characters."""
    problems = []
    missing = report["missing"]["shape"]
    for glyph in report["drawn"]:
        if glyph["shape"] == missing or glyph["ink"] == 0:
            problems.append(f"{glyph['ch']} is drawn as the missing-glyph box")
    if len({g["shape"] for g in report["drawn"]}) < len(report["drawn"]):
        problems.append("different characters are drawn with the same shape")
    if report["drawn"] and abs(report["width"] - report["missingWidth"]) < 0.5:
        problems.append(
            f"a CJK character is laid out as wide as a missing glyph ({report['width']:.1f}px)"
        )
    return problems


@pytest.mark.parametrize("source", [pytest.param("sample", id="sample"), *seed_params()])
def test_every_pane_shows_the_title_and_every_conclusion_in_drawn_chinese_glyphs(
    browser: Browser, tmp_path: Path, source: str | Path | None
) -> None:
    issue = _issue(source)
    name = source if isinstance(source, str) else f"seed-{getattr(source, 'name', '')[:3]}"
    page, errors = _open_gallery(browser, issue, tmp_path)
    try:
        expected = [issue.title, *issue.conclusions]
        assert all(_CJK.search(text) for text in expected[1:]), "conclusions are Chinese"
        for variant in Variant:
            for channel in Channel:
                text, element = _reader_text(page, channel, variant.value)
                seen = _squeeze(text)
                where = f"{channel}/{variant.value}"
                for wanted in expected:
                    assert _squeeze(wanted) in seen, f"{where} does not show {wanted!r}"
                report = page.evaluate(_GLYPHS_JS, [element, MISSING])
                assert report["drawn"], f"{where}: no Chinese text found"
                assert not _tofu(report), f"{where} ({report['font']}): {_tofu(report)}"
                if channel == "email":
                    box = page.locator(f"#pane-email-{variant.value} iframe").bounding_box()
                    assert box is not None and box["height"] > 200 and len(seen) > 100
        assert page.locator("#console-errors").inner_text() == ""
        assert errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"preview-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        page.close()


def test_the_glyph_check_sees_tofu_when_no_chinese_font_is_installed(
    playwright: Any, tmp_path: Path
) -> None:
    # The same check against a browser whose fontconfig knows only DejaVu (no CJK coverage):
    # it must report the boxes, or the test above could never fail.
    fonts = tmp_path / "fonts.conf"
    fonts.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        "<dir>/usr/share/fonts/truetype/dejavu</dir>"
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    browser = _launch(playwright, FONTCONFIG_FILE=str(fonts))
    try:
        page, _ = _open_gallery(browser, sample_issue(), tmp_path)
        _, element = _reader_text(page, "telegram", "top3")
        report = page.evaluate(_GLYPHS_JS, [element, MISSING])
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "preview-without-cjk-font.png"))
    finally:
        browser.close()
    assert _tofu(report)
