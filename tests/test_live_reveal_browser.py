"""Issue 14 item 12, the live part: on the projector (1920 × 1080) the reveal screen's top 10 is
read from the back of a hall — every text of it at least 28 px, all ten rows on the screen."""
from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.models import LiveSession, Organizer, Unit
from quiz.services.live_session import host as live
from quiz.services.live_session import phone as live_play
from quiz.services.units import refresh_paths

from .test_live_browser import seed

pytestmark = pytest.mark.browser

UNITS = [("TTYT-MT", "Trung tâm Y tế huyện Mường Tè"), ("BVDK-NOI", "Khoa Nội tổng hợp — Bệnh viện Đa khoa tỉnh"),
         ("CB-DUOC", "Chi bộ Khoa Dược — Vật tư thiết bị y tế"), ("TTYT-PT", "Trung tâm Y tế huyện Phong Thổ"),
         ("BV-YHCT", "Bệnh viện Y dược cổ truyền tỉnh Lai Châu")]
NAMES = ["Nguyễn Thị Phương Thảo", "Trần Văn Bình", "Lò Thị Mai", "Hoàng Văn Thắng", "Sùng A Dế",
         "Phạm Thị Ngọc Ánh", "Vàng Seo Chính", "Đỗ Minh Khôi", "Lê Thị Hồng Nhung", "Tẩn Láo Lở",
         "Bùi Quang Huy", "Giàng Thị Dua"]
MIN_PX = 28
ROWS_SHOWN = """() => {
    const stage = document.querySelector('[data-stage]').getBoundingClientRect();
    return [...document.querySelectorAll('.lh-top10 tbody tr')].map(r => {
      const box = r.getBoundingClientRect();
      return box.bottom <= stage.bottom + 1 && box.right <= stage.right + 1;
    });
}"""


def _reveal_with_twelve_players(app, session_id: int) -> None:
    with app.app_context():
        root = db.session.scalar(db.select(Unit).filter_by(code="SYT"))
        for code, name in UNITS:
            db.session.add(Unit(code=code, name=name, parent=root, headcount=40, path="/"))
        db.session.flush()
        refresh_paths()
        session = db.session.get(LiveSession, session_id)
        admin = db.session.scalar(db.select(Organizer))
        codes = [c for c, _n in UNITS] + ["CDC", "BVDK"]
        players = []
        for i, name in enumerate(NAMES):
            attempt, _created = live_play.join_session(session, {"full_name": name, "identity": f"09123450{i:02d}",
                                                                 "unit_code": codes[i % len(codes)], "consent": True})
            players.append(attempt.token)
        live.control(session, "start", actor=admin)
        db.session.commit()
        question = session.questions[session.current_index]
        for i, token in enumerate(players):
            live_play.save_live_answer(token, question.question_id, [question.option_ids[1 if i % 4 else 0]])
        live.control(session, "reveal", actor=admin)
        db.session.commit()


def test_the_projectors_top_ten_is_readable_from_the_back_of_the_hall(live_server, live_app, browser, screenshot):
    session_id = seed(live_app)
    _reveal_with_twelve_players(live_app, session_id)
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN")
    try:
        host = context.new_page()
        host.goto(f"{live_server}/login")
        host.fill("#email", "mc@example.vn")
        host.fill("#password", "mat-khau-123")
        host.click("button[type=submit]")
        host.goto(f"{live_server}/admin/live/{session_id}")
        host.wait_for_selector('#live-host[data-state="reveal"] .lh-top10 tbody tr')
        sizes = host.evaluate("""() => [...document.querySelectorAll('.lh-top10 h2, .lh-top10 th, .lh-top10 td, .lh-top10 td small')]
            .filter(n => n.textContent.trim()).map(n => [n.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(n).fontSize)])""")
        small = [(text, size) for text, size in sizes if size < MIN_PX]
        assert len(sizes) > 40 and small == []
        rows = host.evaluate(ROWS_SHOWN)
        assert rows == [True] * 10
        screenshot(host, "live-reveal-1920", full_page=False)
        with live_app.app_context():
            live.control(db.session.get(LiveSession, session_id), "end", actor=db.session.scalar(db.select(Organizer)))
            db.session.commit()
        host.wait_for_selector('#live-host[data-state="ended"] .lh-top10 tbody tr')
        screenshot(host, "live-podium-1920", full_page=False)
        # The final screen: the podiums show the first three, the table under them the 4th to the 10th.
        assert host.locator(".lh-top10 tbody tr td:first-child").all_inner_texts() == [str(n) for n in range(4, 11)]
        assert host.evaluate(ROWS_SHOWN) == [True] * 7
        screenshot(host, "live-podium-1920", full_page=False)
    finally:
        context.close()
