"""Images on a 360 px phone and on the projector, in headless Chromium: boxes sized before the
bytes arrive, option images lazy, tap to enlarge, fetched once and kept for a reload."""
from __future__ import annotations

from datetime import timedelta

import pytest

from question_bank import ImageData, OptionData, QuestionData
from quiz import clock
from quiz.extensions import db
from quiz.models import Contest, DrawRule, Organizer, Quiz, Unit
from quiz.services import bank as bank_service
from quiz.services.live_session import host as live
from tests import media_files

pytestmark = pytest.mark.browser

ICONS = [((200, 40, 40), "Khiên đỏ", "rect"), ((20, 90, 170), "Quốc huy", "circle"),
         ((30, 140, 60), "Lá xanh", "rect"), ((220, 150, 20), "Ngôi sao", "circle")]


def _picture_set(name: str):
    """A set of two questions: one with an image, one whose options are images."""
    question_set = bank_service.get_or_create_set(name)
    bank_service.create_question(question_set, QuestionData(
        text="Tin nhắn trong ảnh có phải tin nhắn lừa đảo không?", kind="true_false",
        image=ImageData(media_files.picture(1200, 800, (60, 60, 80), "SMS: Tai khoan cua ban bi khoa..."),
                        "sms.png", "Ảnh chụp tin nhắn báo tài khoản bị khoá, kèm đường link lạ"),
        options=[OptionData("Đúng", True), OptionData("Sai", False)]))
    bank_service.create_question(question_set, QuestionData(
        text="Biểu tượng nào là ứng dụng VNeID?", kind="single",
        options=[OptionData(name, i == 1, ImageData(media_files.picture(400, 400, color, name, shape), f"{i}.png",
                                                   f"Biểu tượng {name.lower()}"))
                 for i, (color, name, shape) in enumerate(ICONS)]))
    return question_set


def seed(app) -> int:
    with app.app_context():
        db.session.add(Unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật tỉnh", path="/"))
        question_set = _picture_set("Nhận diện bằng hình")
        # The hall asks its own copies: a live reveal must not give the key of the open HINH1.
        hall_set = _picture_set("Nhận diện bằng hình — hội trường")
        now = clock.utcnow()
        quiz = Quiz(code="HINH1", title="Nhận diện bằng hình", contest=Contest(code="CH", title="Ảnh"),
                    opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1), duration_s=600,
                    shuffle_questions=False, shuffle_options=False, show_review=True,
                    draw_rules=[DrawRule(position=0, question_set=question_set, count=2)])
        admin = Organizer(email="mc@example.vn", role="admin")
        admin.set_password("mat-khau-123")
        # The hall runs its own round (a quiz run live takes no attempt of its own, and back).
        hall = Quiz(code="HINH2", title="Nhận diện bằng hình — hội trường", contest=quiz.contest,
                    opens_at=quiz.opens_at, closes_at=quiz.closes_at, duration_s=600, shuffle_questions=False,
                    shuffle_options=False, draw_rules=[DrawRule(position=0, question_set=hall_set, count=2)])
        db.session.add_all([quiz, hall, admin])
        db.session.flush()
        session = live.create_session(hall, {"question_time_s": 60}, actor=admin)
        db.session.commit()
        return session.id


def test_images_on_the_phone_and_the_projector(live_server, live_app, phone, browser, screenshot):
    session_id = seed(live_app)
    images: list[str] = []  # image requests that reached the server
    inner = live_app.wsgi_app

    def counting(environ, start_response):
        if environ["PATH_INFO"].startswith("/m/"):
            images.append(environ["PATH_INFO"])
        return inner(environ, start_response)
    live_app.wsgi_app = counting
    page = phone.new_page()
    page.goto(f"{live_server}/j/HINH1")
    assert not images  # the join page loads no question image
    page.fill("#full_name", "Lò Thị Mai")
    page.select_option("#unit_code", "CDC") if page.locator("select#unit_code").count() else \
        page.evaluate("document.querySelector('#unit_code').value = 'CDC'")
    page.fill("#identity", "0912 345 678")
    page.check("#consent")
    page.click("button:has-text('Bắt đầu thi')")
    page.wait_for_url("**/a/*")
    token = page.url.rsplit("/", 1)[1].split("?")[0]

    figure = page.locator('form.q[data-number="1"] .q-img img')
    figure.wait_for()
    page.wait_for_function("document.querySelector('form.q[data-number=\"1\"] .q-img img').complete")
    box = figure.bounding_box()
    assert 300 <= box["width"] <= 340 and abs(box["height"] / box["width"] - 480 / 720) < 0.02
    assert figure.evaluate("img => img.naturalWidth") == 720
    screenshot(page, "images-question-360", full_page=True)
    # The offline service worker keeps the attempt's images for a reload without network: each is
    # fetched once, whether it is shown yet or not (lazy loading then reads them from its cache).
    assert len(images) == len(set(images))

    figure.click()  # tap to enlarge
    page.wait_for_selector(".zoom-overlay img")
    screenshot(page, "images-zoom-360", full_page=False)
    page.locator(".zoom-overlay").click()
    assert page.locator(".zoom-overlay").count() == 0

    page.locator('form.q[data-number="1"] label.opt').first.click()
    page.locator('form.q[data-number="1"] button[value=next]').click()
    page.locator('form.q[data-number="2"]:visible').wait_for()
    page.wait_for_function("[...document.querySelectorAll('form.q[data-number=\"2\"] .opt-img img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")
    sizes = page.locator('form.q[data-number="2"] .opt-img img').evaluate_all(
        "imgs => imgs.map(i => [i.getBoundingClientRect().width, i.naturalWidth])")
    assert all(w == 96 and natural == 360 for w, natural in sizes)
    assert len(set(images)) == 5
    screenshot(page, "images-options-360", full_page=True)

    # A reload asks the server for no image again: immutable caching keeps them on the phone.
    before = len(images)
    page.reload()
    page.locator('form.q[data-number="2"]:visible').wait_for()
    page.wait_for_function("[...document.querySelectorAll('form.q[data-number=\"2\"] .opt-img img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")
    assert len(images) == before  # nothing fetched again from the server (served from the HTTP cache)

    # (The review shows them too once the quiz has closed: test_media_import, with the clock moved.)

    # The projector shows the question's image large.
    host_context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="vi-VN")
    player_context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", device_scale_factor=2,
                                         is_mobile=True, has_touch=True)
    try:
        host = host_context.new_page()
        host.goto(f"{live_server}/login")
        host.fill("#email", "mc@example.vn")
        host.fill("#password", "mat-khau-123")
        host.click("button[type=submit]")
        host.goto(f"{live_server}/admin/live/{session_id}")
        host.wait_for_selector('#live-host[data-state="lobby"]')
        player = player_context.new_page()
        player.goto(f"{live_server}/live/HINH2")
        player.fill("#full_name", "Giàng A Tủa")
        player.select_option("#unit_code", "CDC")
        player.fill("#identity", "0987 654 321")
        player.check("#consent")
        player.click("button[type=submit]")
        player.wait_for_selector("#live-phone")
        host.click('[data-action="start"]')
        host.wait_for_selector('#live-host[data-state="question"] .lh-qimg')
        host.wait_for_function("document.querySelector('.lh-qimg').complete")
        assert host.locator(".lh-qimg").bounding_box()["height"] > 200
        screenshot(host, "images-projector", full_page=False)
        host.click('[data-action="reveal"]')
        host.wait_for_selector('#live-host[data-state="reveal"]')
        host.click('[data-action="next"]')
        host.wait_for_selector('#live-host[data-state="question"] .lh-opt-img')
        screenshot(host, "images-projector-options", full_page=False)
        # The phone's buttons show the option images.
        player.wait_for_selector(".lp-options .lp-opt .lp-opt-img")
        player.wait_for_function("[...document.querySelectorAll('.lp-opt-img')].every(i => i.complete && i.naturalWidth)")
        assert player.locator(".lp-opt-img").count() == 4
        assert player.locator(".lp-opt-img").first.get_attribute("alt") == "Biểu tượng khiên đỏ"
        screenshot(player, "images-live-phone-360", full_page=False)
    finally:
        host_context.close()
        player_context.close()
