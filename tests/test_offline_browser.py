"""Item 9 of issue 14: a reload while offline shows the quiz (not the browser's "No internet" page).

A small service worker scoped to the attempt pages (`/a/`) keeps the attempt page and its assets;
offline, a reload shows the quiz with the answers already saved, the queue of answers not yet sent and
the countdown on the server's last known time. Back online, every answer reaches the server.
"""
from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.models import Answer, Attempt

from .test_play_browser import pick, seed
from .conftest import join_in_browser

pytestmark = pytest.mark.browser


def _checked(page, number: int) -> list[int]:
    inputs = page.locator(f'form.q[data-number="{number}"] input[name=option]')
    return [i for i in range(inputs.count()) if inputs.nth(i).is_checked()]


def _go_offline(context, app) -> None:
    """Offline as a phone in a dead zone is. Chromium's offline emulation does not always reach a
    request that a freshly restarted service worker lets through, so the API is cut off as well —
    in the browser, and (CI once saw an answer arrive all the same) at the server: what still gets
    there is answered as a server out of reach would be, a 503 the page keeps its queue for."""
    context.set_offline(True)
    context.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    inner = app.wsgi_app

    def out_of_reach(environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/api/"):
            start_response("503 Service Unavailable", [("Content-Type", "application/json"), ("Retry-After", "1")])
            return [b'{"error": {"code": "unreachable", "message": "offline"}}']
        return inner(environ, start_response)
    app.wsgi_app, app.extensions["test_online_wsgi"] = out_of_reach, inner


def _go_online(context, app) -> None:
    app.wsgi_app = app.extensions.pop("test_online_wsgi")
    context.unroute("**/api/**")
    context.set_offline(False)


def _start(page, live_server) -> str:
    return join_in_browser(page, f"{live_server}/j/TUAN1?u=CDC")


def test_offline_reload_keeps_the_quiz_and_every_answer_arrives(live_server, live_app, phone, screenshot):
    seed(live_app)
    page = phone.new_page()
    token = _start(page, live_server)
    # the worker took the page and its assets: the page says so once its copy is stored
    page.locator('#play[data-offline="ready"]').wait_for(timeout=15000)
    pick(page, 1, 0)
    page.locator('form.q[data-number="1"] .q-status', has_text="Đã lưu").wait_for()
    clock_before = page.locator("#clock").inner_text()

    _go_offline(phone, live_app)
    page.reload()
    # the quiz, not the browser's error page; this copy came from the worker
    assert page.locator("#play").get_attribute("data-page-copy") == "offline"
    assert page.locator("form.q:visible").count() == 1
    assert _checked(page, 1) == [0]  # saved after the copy was taken, still shown as answered
    assert page.locator(".q-grid a.cell.is-answered").count() == 1
    minutes, seconds = (int(x) for x in page.locator("#clock").inner_text().split(":"))
    before_m, before_s = (int(x) for x in clock_before.split(":"))
    assert 0 < minutes * 60 + seconds <= before_m * 60 + before_s  # the server's deadline, not a fresh 15:00
    assert "Mất kết nối" in page.locator("#net-status").inner_text()
    screenshot(page, "offline-reload", full_page=False)

    page.click('form.q[data-number="1"] button[value="next"]')
    pick(page, 2, 2)
    page.click('form.q[data-number="2"] button[value="next"]')
    pick(page, 3, 0)
    pick(page, 3, 1)
    page.locator('form.q[data-number="3"] .q-status[data-state="queued"]').wait_for()
    page.reload()  # a second offline reload: the queue is still there
    page.click('.q-grid a.cell[data-number="3"]')
    assert _checked(page, 2) == [2] and _checked(page, 3) == [0, 1]
    pick(page, 3, 3)
    with live_app.app_context():
        assert db.session.scalar(db.select(db.func.count(Answer.id))) == 1

    _go_online(phone, live_app)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("!localStorage.getItem('tds:q:' + document.getElementById('play').dataset.token)",
                           timeout=15000)
    with live_app.app_context():
        attempt = db.session.scalar(db.select(Attempt).filter_by(token=token))
        saved = {a.question_id: a.choice_mask for a in attempt.answers}
        drawn = [q.question_id for q in attempt.questions]
        assert set(saved) == set(drawn[:3]) and all(saved.values())
    page.reload()  # online again: the server's page shows all three
    assert _checked(page, 1) == [0] and _checked(page, 2) == [2] and _checked(page, 3) == [0, 1, 3]
    assert page.locator("#play").get_attribute("data-page-copy") == "network"


def test_worker_never_serves_a_finished_attempt(live_server, live_app, phone):
    seed(live_app)
    page = phone.new_page()
    _start(page, live_server)
    page.locator('#play[data-offline="ready"]').wait_for(timeout=15000)
    pick(page, 1, 0)
    page.locator('form.q[data-number="1"] .q-status', has_text="Đã lưu").wait_for()
    page.click("#submit-link")
    page.click("#submit-form button")
    page.wait_for_url("**/result")
    page.go_back()  # the attempt page now redirects to the result, online
    page.wait_for_url("**/result")
    phone.set_offline(True)
    try:
        page.goto(page.url.rsplit("/", 1)[0])
    except Exception:  # noqa: BLE001 - the browser's own offline error is what we expect here
        pass
    assert page.locator("#play").count() == 0
