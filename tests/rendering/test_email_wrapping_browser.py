"""Links in an email wrap like text, not like `word-break: break-all` (issue 9 point 7).

Debian's Chromium (Playwright, `executable_path`) lays the email out at a phone's width; a
script asks the layout engine, for every English word inside a link, how many line boxes it
occupies. A word split across lines ("expans|ion") occupies two. A long bare URL must still
wrap instead of widening the page.
"""

from __future__ import annotations

import dataclasses

import pytest
from playwright.sync_api import sync_playwright

from digestbot.model import Source, Variant
from digestbot.rendering import Renderer
from tests.chromium import QUIET_FLAGS, chromium_path
from tests.rendering.builders import sample_issue

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LONG_NAME = " ".join(
    ["Reuters technology coverage of the hyperscaler capacity expansion announcements"] * 3
)
LONG_URL = "https://example.com/" + "/".join(f"segment{n}-with-a-long-slug" for n in range(12))
_PROBE = """
() => {
  const split = [];
  for (const a of document.querySelectorAll("a")) {
    if (a.textContent.startsWith("https://")) continue;  // a bare URL may break anywhere
    const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[A-Za-z]{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                          .map(r => Math.round(r.top)));
        if (lines.size > 1) split.push(m[0]);
      }
    }
  }
  const url = [...document.querySelectorAll("a")].find(a => a.textContent.startsWith("https://"));
  const urlLines = url ? new Set([...url.getClientRects()].map(r => Math.round(r.top))).size : 0;
  return {split, urlLines, scrollWidth: document.documentElement.scrollWidth,
          width: window.innerWidth};
}
"""


def test_links_wrap_between_words_and_long_urls_wrap_inside() -> None:
    issue = sample_issue()
    first = issue.events[0]
    event = dataclasses.replace(
        first, sources=(Source(LONG_NAME, "https://www.reuters.com/a"), Source("", LONG_URL))
    )
    issue = dataclasses.replace(issue, events=(event, *issue.events[1:]))
    html = Renderer().email(issue, Variant.TOP5).html

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", *QUIET_FLAGS], headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 360, "height": 800})  # a phone
            page.set_content(html)
            result = page.evaluate(_PROBE)
        finally:
            browser.close()

    assert result["split"] == [], f"words broken across lines: {result['split']}"
    assert result["urlLines"] >= 2, "the long URL should wrap"
    assert result["scrollWidth"] <= result["width"], "the page scrolls sideways"
