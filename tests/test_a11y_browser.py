"""Issue 14 item 19: accessibility checked, not hoped. axe-core (bundled by axe-playwright-python,
no network) runs on the participant's pages, the public rankings and the board; no serious or
critical violation is allowed."""
from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.services.rankings import published as publishing

from .test_play_browser import seed

pytestmark = pytest.mark.browser
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="pip install -e '.[test]'")


ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def _serious(page, impacts=("serious", "critical")) -> list[str]:
    response = axe_module.Axe().run(page).response
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in response["violations"] if v["impact"] in impacts]


def test_participant_and_public_pages_have_no_serious_violation(live_server, live_app, phone, desktop):
    seed(live_app)
    page = phone.new_page()
    found = {}
    page.goto(f"{live_server}/j/TUAN1?u=CDC")
    found["join"] = _serious(page)
    page.fill("#full_name", "Lò Thị Mai")
    page.fill("#identity", "12")
    page.check("#consent")
    page.click("button:has-text('Bắt đầu thi')")
    page.wait_for_load_state()
    found["join with errors"] = _serious(page)
    page.fill("#identity", "0912 345 678")
    page.fill("#prediction", "25")
    page.click("button:has-text('Bắt đầu thi')")
    page.wait_for_url("**/a/*")
    page.locator('form.q[data-number="1"] label.opt').first.click()
    page.locator('form.q[data-number="1"] .q-status', has_text="Đã lưu").wait_for()
    found["question"] = _serious(page)
    page.click("#submit-link")
    page.click("#submit-form button")
    page.wait_for_url("**/result")
    found["result"] = _serious(page)
    with live_app.app_context():
        from quiz.models import Quiz
        publishing.publish_ranking(quiz=db.session.scalar(db.select(Quiz).filter_by(code="TUAN1")))
        db.session.commit()
    page.goto(f"{live_server}/r/TUAN1")
    found["ranking (phone)"] = _serious(page)
    wide = desktop.new_page()
    wide.goto(f"{live_server}/r/TUAN1")
    found["ranking (desktop)"] = _serious(wide)
    wide.goto(f"{live_server}/board/TUAN1")
    found["board"] = _serious(wide)
    wide.goto(f"{live_server}/board/TUAN1?source=published")
    found["board (published)"] = _serious(wide)
    assert {k: v for k, v in found.items() if v} == {}


def test_live_phone_pages_have_no_serious_violation(live_server, live_app, phone):
    """The live session's phone: its join form, the lobby, a question with its big option buttons,
    the verdict after the reveal and the final result. No violation at all, moderate ones included
    (the page had no heading: a screen reader user could not tell which quiz it was)."""
    from quiz.models import LiveSession, Organizer
    from quiz.services.live_session import host as live

    from .test_live_browser import answer, join, seed

    session_id = seed(live_app)

    def host(action: str) -> None:
        with live_app.app_context():
            live.control(db.session.get(LiveSession, session_id), action, actor=db.session.scalar(db.select(Organizer)))
            db.session.commit()

    page = phone.new_page()
    found = {}
    page.goto(f"{live_server}/live/NGAYHOI")
    found["live join"] = _serious(page, ALL_IMPACTS)
    join(page, live_server, "Lò Thị Mai", "0911 222 333", "TTYT-TD")
    page.wait_for_selector("text=Bạn đã vào phòng chờ.")
    found["live lobby"] = _serious(page, ALL_IMPACTS)
    host("start")
    page.wait_for_selector(".lp-options .lp-opt")
    found["live question"] = _serious(page, ALL_IMPACTS)
    answer(page, "B")
    found["live answered"] = _serious(page, ALL_IMPACTS)
    host("reveal")
    page.wait_for_selector(".lp-result.is-right .lp-rank")
    found["live verdict"] = _serious(page, ALL_IMPACTS)
    host("end")
    page.wait_for_selector(".lp-result.is-final .lp-rank")
    found["live final"] = _serious(page, ALL_IMPACTS)
    page.reload()  # the page as the server writes it (what shows before the script runs)
    found["live final (server)"] = _serious(page, ALL_IMPACTS)
    assert {k: v for k, v in found.items() if v} == {}
