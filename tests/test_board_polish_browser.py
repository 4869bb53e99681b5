"""Issue 14 item 12: at 1920 × 1080 the board shows the unit names it has room for and never cuts
the "VỪA NỘP BÀI" ticker mid-word."""
from __future__ import annotations

import pytest

from .test_rankings_browser import seed

pytestmark = pytest.mark.browser


def test_board_at_1080p_shows_whole_names_and_whole_ticker_items(live_app, live_server, browser, screenshot):
    code = seed(live_app)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server}/board/{code}")
    cut = page.evaluate("""() => [...document.querySelectorAll('.board-unit .b-name')]
        .filter(n => n.scrollWidth > n.clientWidth + 1 || n.scrollHeight > n.clientHeight + 1).map(n => n.textContent)""")
    assert cut == []
    half = page.evaluate("""() => {
      const list = document.querySelector('[data-list=latest]').getBoundingClientRect();
      return [...document.querySelectorAll('[data-list=latest] li')].filter(li => {
        const box = li.getBoundingClientRect();
        const shown = box.top < list.bottom && box.left < list.right;
        return shown && (box.right > list.right + 1 || box.bottom > list.bottom + 1);
      }).map(li => li.textContent);
    }""")
    assert half == []
    # The top 10, as on the live reveal: every text at least 28 px, all ten rows on the screen.
    sizes = page.evaluate("""() => [...document.querySelectorAll('.board-top10 h2, .board-top10 li span, .board-top10 li small')]
        .filter(n => n.textContent.trim()).map(n => [n.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(n).fontSize)])""")
    assert len(sizes) >= 30 and [s for s in sizes if s[1] < 28] == []
    shown = page.evaluate("""() => {
      const screen = document.querySelector('.board-grid').getBoundingClientRect();
      return [...document.querySelectorAll('.board-top10 li')].map(li => li.getBoundingClientRect().bottom <= screen.bottom + 1);
    }""")
    screenshot(page, "board-1080p-names", full_page=False)
    assert shown == [True] * 10
    context.close()
