"""The pages work under the real Content-Security-Policy (the other browser tests bypass it so
Playwright may evaluate strings): the scripts load from /static and run, nothing is refused."""
from __future__ import annotations

from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from tests.test_rankings_browser import seed

pytestmark = pytest.mark.browser


def test_pages_run_their_scripts_under_the_csp(live_app, live_server, browser, screenshot):
    code = seed(live_app)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", bypass_csp=False)
    refused = []
    page = context.new_page()
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{live_server}/j/{code}")
    with urlopen(f"{live_server}/j/{code}", timeout=10) as response:
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    page.locator(".unit-search").wait_for(state="visible", timeout=15000)  # play.js ran: the search box shows
    page.fill("#unit-search", "tam duong")
    expect(page.locator(".unit-match").first).to_contain_text("Trung tâm Y tế Tam Đường", timeout=15000)  # its parents follow
    page.fill("#full_name", "Lò Văn Minh")
    page.select_option("#unit_code", "TTYT-TD")
    page.fill("#identity", "0912 345 678")
    if page.locator("#prediction").count():
        page.fill("#prediction", "20")
    page.check("#consent")
    page.click("button[type=submit]")
    page.wait_for_url("**/a/**")
    page.locator("form.q:not([hidden]) input[name=option]").first.check()
    # play.js saved the answer through the API (without it, the answer waits for a form post)
    page.locator("form.q:not([hidden]) .q-status[data-state=saved]").wait_for(timeout=15000)
    assert page.locator(".q-grid a.cell.is-answered").count() == 1
    page.goto(f"{live_server}/board/{code}")
    expect(page.locator('[data-field="finished"]')).to_have_text("60", timeout=15000)
    page.wait_for_timeout(4500)  # board.js polls its JSON at least once
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "admin@example.vn")
    page.fill("input[name=password]", "mat-khau-123")
    page.click("button[type=submit]")
    page.goto(f"{live_server}/admin/quizzes/{code}/rankings/export.print")
    assert page.locator("[data-print]").count() == 1
    screenshot(page, "csp-print", full_page=False)
    context.close()
    assert not refused, refused
