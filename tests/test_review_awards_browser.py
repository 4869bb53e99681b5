"""Adversarial review, in Chromium: the award screens a phone organizer needs at 360 px."""
from __future__ import annotations

import pytest

from tests.test_awards_browser import demo_contest, log_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def test_every_prize_table_can_be_edited_at_360_px(live_server, demo_contest, phone):  # noqa: F811
    page = phone.new_page()
    log_in(page, live_server)
    page.goto(f"{live_server}/admin/contests/{demo_contest}/awards/settings")
    buttons = page.locator(".prize-tables a.button")
    assert buttons.count() >= 2
    width = page.evaluate("window.innerWidth")
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (i, box, width)
    # what the collective prizes are is still said, not scrolled away
    assert page.locator(".prize-tables td", has_text="đơn vị dẫn đầu").first.bounding_box()["x"] < width
