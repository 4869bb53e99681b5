"""The whole participant journey in headless Chromium at 360 px, with a network drop mid-quiz."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quiz import clock
from quiz.extensions import db
from quiz.models import Answer, Attempt, Contest, DrawRule, Option, Question, QuestionSet, Quiz, Unit
from quiz.services.units import refresh_paths

pytestmark = pytest.mark.browser

QUESTIONS = [
    ("Nghị quyết 57-NQ/TW của Bộ Chính trị bàn về lĩnh vực nào?", "single",
     ["Đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
      "Phát triển nông nghiệp hữu cơ", "Cải cách chế độ tiền lương", "Xây dựng nông thôn mới"], {0}),
    ("Mật khẩu nào sau đây an toàn nhất?", "single",
     ["123456", "ngaysinh1985", "Tr0ng!Dong#Lai-Chau24", "matkhau"], {2}),
    ("Những việc nào giúp bảo vệ tài khoản VNeID? (chọn tất cả đáp án đúng)", "multiple",
     ["Không chia sẻ mã OTP cho bất kỳ ai", "Bật xác thực hai lớp", "Gửi mật khẩu qua Zalo cho đồng nghiệp giữ hộ",
      "Cập nhật ứng dụng thường xuyên"], {0, 1, 3}),
    ("Hồ sơ bệnh án điện tử có giá trị pháp lý như hồ sơ bệnh án giấy.", "true_false", ["Đúng", "Sai"], {0}),
    ("“Bình dân học vụ số” là phong trào nhằm mục tiêu gì?", "single",
     ["Phổ cập kỹ năng số cho toàn dân", "Tuyển sinh đại học trực tuyến", "Bán hàng qua mạng", "Thi tin học quốc tế"], {0}),
]


def seed(app) -> None:
    with app.app_context():
        root = Unit(code="SYT", name="Đảng bộ Sở Y tế tỉnh Lai Châu", path="/")
        db.session.add(root)
        for code, name in [("CDC", "Trung tâm Kiểm soát bệnh tật tỉnh"), ("TTYT-TD", "Trung tâm Y tế Tam Đường"),
                           ("TTYT-PT", "Trung tâm Y tế Phong Thổ"), ("BVDK", "Bệnh viện Đa khoa tỉnh")]:
            db.session.add(Unit(code=code, name=name, parent=root, headcount=120, path="/"))
        db.session.flush()
        refresh_paths()
        question_set = QuestionSet(name="Kỹ năng số cơ bản")
        for text, kind, options, correct in QUESTIONS:
            db.session.add(Question(question_set=question_set, text=text, text_key=text.lower(), kind=kind,
                                    explanation="Xem Kế hoạch số 12-KH/ĐU, mục II.",
                                    options=[Option(position=i, text=t, is_correct=i in correct)
                                             for i, t in enumerate(options)]))
        now = clock.utcnow()
        db.session.add(Quiz(code="TUAN1", title="Tuần 1 — Tìm hiểu chuyển đổi số",
                            contest=Contest(code="BDHVS", title="Cuộc thi Bình dân học vụ số ngành Y tế"),
                            opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=3), duration_s=900,
                            prediction="count", shuffle_questions=False, shuffle_options=False,
                            draw_rules=[DrawRule(position=0, question_set=question_set, count=5)]))
        db.session.commit()


def pick(page, number: int, option_index: int) -> None:
    form = page.locator(f'form.q[data-number="{number}"]')
    form.locator("label.opt").nth(option_index).click()


def test_participant_journey_survives_a_network_drop(live_server, live_app, phone, desktop, screenshot):
    seed(live_app)
    page = phone.new_page()
    page.goto(f"{live_server}/j/tuan1?u=cdc")
    assert page.locator("#unit_code").input_value() == "CDC"
    screenshot(page, "play-join", full_page=False)

    # the diacritic-insensitive search finds "Tam Đường" from "tam duong"
    page.fill("#unit-search", "tam duong")
    page.locator("button.unit-match", has_text="Tam Đường").click()
    assert page.locator("#unit_code").input_value() == "TTYT-TD"
    page.fill("#full_name", "Lò Thị Mai")
    page.fill("#identity", "0912 345 678")
    page.fill("#prediction", "25")
    page.check("#consent")
    page.click("button:has-text('Bắt đầu thi')")
    page.wait_for_url("**/a/*")
    token = page.url.rsplit("/", 1)[1].split("?")[0]

    assert page.locator("form.q:visible").count() == 1
    pick(page, 1, 0)
    page.locator('form.q[data-number="1"] .q-status', has_text="Đã lưu").wait_for()
    screenshot(page, "play-question", full_page=False)
    page.click('form.q[data-number="1"] button[value="next"]')
    pick(page, 2, 2)
    page.locator('form.q[data-number="2"] .q-status', has_text="Đã lưu").wait_for()

    phone.set_offline(True)
    page.click('form.q[data-number="2"] button[value="next"]')
    pick(page, 3, 0)
    pick(page, 3, 1)
    page.click('form.q[data-number="3"] button[value="next"]')
    pick(page, 4, 0)
    page.locator("#net-status.net-offline").wait_for()
    assert "Mất kết nối" in page.locator("#net-status").inner_text()
    page.locator('form.q[data-number="4"] .q-status[data-state="queued"]').wait_for()
    screenshot(page, "play-offline", full_page=False)
    with live_app.app_context():
        assert db.session.scalar(db.select(db.func.count(Answer.id))) == 2

    phone.set_offline(False)
    page.wait_for_function("!localStorage.getItem('tds:q:' + document.getElementById('play').dataset.token)",
                           timeout=15000)
    page.reload()
    for number, expected in ((1, [0]), (2, [2]), (3, [0, 1]), (4, [0])):
        inputs = page.locator(f'form.q[data-number="{number}"] input[name=option]')
        assert [i for i in range(inputs.count()) if inputs.nth(i).is_checked()] == expected, number
    assert page.locator(".q-grid a.cell.is-answered").count() == 4
    with live_app.app_context():
        assert db.session.scalar(db.select(db.func.count(Answer.id))) == 4

    page.click("#submit-link")
    assert page.locator("#confirm-text").inner_text() == "Còn câu 5 chưa trả lời. Vẫn nộp bài?"
    screenshot(page, "play-confirm", full_page=False)
    page.click("#submit-form button")
    page.wait_for_url("**/result")
    assert page.locator(".score-big strong").inner_text() == "3"
    assert "Xếp hạng" in page.content() and "Dự đoán của bạn" in page.content()
    screenshot(page, "play-result", full_page=False)
    screenshot(page, "play-result-full")
    with live_app.app_context():
        attempt = db.session.scalar(db.select(Attempt).filter_by(token=token))
        assert attempt.finalised_by == "participant" and attempt.correct_count == 3

    wide = desktop.new_page()
    wide.goto(f"{live_server}/j/TUAN1")
    screenshot(wide, "play-join-desktop", full_page=False)


def test_join_page_first_screen_budget(live_server, live_app, phone):
    seed(live_app)
    page = phone.new_page()
    hosts, sizes = set(), {}

    def on_response(response):
        hosts.add(response.url.split("/")[2])
        body = response.body()
        sizes[response.url] = len(body)

    page.on("response", on_response)
    page.goto(f"{live_server}/j/TUAN1", wait_until="networkidle")
    assert hosts == {live_server.split("/")[2]}
    assert sum(sizes.values()) < 60 * 1024, sizes


def test_page_submits_by_itself_at_zero(live_server, live_app, phone):
    seed(live_app)
    with live_app.app_context():
        db.session.scalar(db.select(Quiz)).duration_s = 4
        db.session.commit()
    page = phone.new_page()
    page.goto(f"{live_server}/j/TUAN1")
    page.fill("#full_name", "Giàng A Tủa")
    page.select_option("#unit_code", "CDC")
    page.fill("#identity", "NV-0042")
    page.fill("#prediction", "3")
    page.check("#consent")
    page.click("button:has-text('Bắt đầu thi')")
    page.wait_for_url("**/a/*")
    pick(page, 1, 0)
    page.wait_for_url("**/result", timeout=15000)
    assert page.locator(".score-big strong").inner_text() == "1"
    with live_app.app_context():
        attempt = db.session.scalar(db.select(Attempt))
        assert attempt.finalised_by == "participant" and attempt.duration_ms <= 4000


def test_upcoming_join_page_counts_down(live_server, live_app, phone, screenshot):
    seed(live_app)
    with live_app.app_context():
        quiz = db.session.scalar(db.select(Quiz))
        quiz.opens_at = clock.utcnow() + timedelta(days=1, hours=2)
        db.session.commit()
    page = phone.new_page()
    page.goto(f"{live_server}/j/TUAN1")
    countdown = page.locator(".countdown")
    assert countdown.inner_text().startswith("1 ngày 2:0") or countdown.inner_text().startswith("1 ngày 1:59")
    assert page.locator("#full_name").count() == 0
    screenshot(page, "play-join-upcoming", full_page=False)
