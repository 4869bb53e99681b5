"""The unit contact's "chưa tham gia" page, the reminder and the roster import in Chromium, at
360 px and 1280 px, on the demo (20 units, rosters with long Vietnamese names). Screenshots go to
$QUIZ_SCREENSHOTS (docs/screenshots when refreshing the docs)."""
from quiz import clock
from quiz.extensions import db
from quiz.models import Organizer, Unit
from quiz.services import demo



def _seed(app) -> None:
    with app.app_context():
        quiz = demo.load_demo(clock.utcnow(), "mat-khau-admin", timezone="Asia/Ho_Chi_Minh")
        demo.play_sample_attempts(quiz, clock.utcnow(), count=60)
        contact = Organizer(email="daumoi@ttkn.gov.vn", role="unit", full_name="Đầu mối Trung tâm Kiểm nghiệm",
                            unit=db.session.scalar(db.select(Unit).filter_by(code="TTKN")))
        contact.set_password("mat-khau-123")
        db.session.add(contact)
        db.session.commit()


def _login(page, base, email):
    page.goto(f"{base}/login?next=/admin/")
    page.fill("#email", email)
    page.fill("#password", "mat-khau-123" if "ttkn" in email else "mat-khau-admin")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def _fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")


def test_unit_contact_sees_who_has_not_taken_part_on_a_phone(live_server, live_app, phone, desktop, screenshot):
    _seed(live_app)
    page = phone.new_page()
    _login(page, live_server, "daumoi@ttkn.gov.vn")
    page.click("nav.admin-menu >> text=Ai chưa tham gia")
    page.wait_for_selector(".people-list")
    assert "Trung tâm Kiểm nghiệm" in page.inner_text("select[name=unit]")
    names = page.locator(".people-list .person-name").all_inner_texts()
    assert len(names) >= 10 and page.locator(".badge-warn").count() >= 10
    assert _fits(page)
    screenshot(page, "roster-not-yet-360")
    page.click(".tabs >> text=Đã tham gia")
    page.wait_for_selector(".people-list .badge-ok")
    assert _fits(page)
    page.click("text=Soạn tin nhắc (Zalo, in)")
    page.wait_for_selector("#reminder-text")
    text = page.input_value("#reminder-text")
    assert f"{live_server}/j/BDHVS?u=TTKN" in text and "Trung tâm Kiểm nghiệm" in text
    page.click("text=Kèm tên người chưa tham gia")
    page.wait_for_selector("#reminder-text")
    page.click("button[data-copy]")
    page.wait_for_function("document.querySelector('.copy-status').textContent.length > 0")
    assert _fits(page)
    screenshot(page, "roster-reminder-360")

    wide = desktop.new_page()
    _login(wide, live_server, "daumoi@ttkn.gov.vn")
    wide.goto(f"{live_server}/admin/participation")
    wide.wait_for_selector(".people-list")
    screenshot(wide, "roster-not-yet-1280")


def test_roster_import_lists_every_bad_row(live_server, live_app, desktop, screenshot, tmp_path):
    _seed(live_app)
    page = desktop.new_page()
    _login(page, live_server, "admin@thiduaso.local")
    page.goto(f"{live_server}/admin/rosters")
    assert "theo danh sách" in page.inner_text("table")
    page.click("text=Nhập từ tệp")
    bad = tmp_path / "danh-sach.csv"
    bad.write_text("Mã đơn vị,Họ và tên,Mã cán bộ,Số điện thoại,Chức vụ,Khoa/phòng\n"
                   "CDC,Nguyễn Thị Thanh Hương,CDC-001,0912 345 678,Trưởng khoa,Khoa Kiểm soát bệnh truyền nhiễm\n"
                   "CDC,Lò Văn Páo,,0912 345 678,Bác sĩ,Khoa Dinh dưỡng\n"
                   "CDC-X,Giàng Thị Mỷ,,0987 111 222,Kỹ thuật viên,\n"
                   "CDC,Hoàng Minh Đức,12345,,Điều dưỡng,\n"
                   "CDC,,CDC-009,,,\n", encoding="utf-8")
    page.set_input_files("input[type=file]", str(bad))
    page.click("text=Xem trước")
    page.wait_for_selector(".import-errors")
    problems = page.locator(".problem-list li").all_inner_texts()
    assert len(problems) == 4 and "trùng với dòng 2" in problems[0]
    screenshot(page, "roster-import")
