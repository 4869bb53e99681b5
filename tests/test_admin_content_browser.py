"""A new organizing committee's first hour, in headless Chromium: log in, import questions (an error
first), search without accents, add a unit by the form and by an import preview. The account is an
admin: units and the question bank are shared by every contest, so only admins change them."""
import pytest

from quiz.extensions import db
from quiz.models import Organizer, Question, Unit
from tests.bank_files import BAD_CSV, GOOD_CSV

pytestmark = pytest.mark.browser


@pytest.fixture
def organizer(live_app):
    with live_app.app_context():
        account = Organizer(email="btc@example.vn", role="admin", full_name="Ban tổ chức")
        account.set_password("mat-khau-123")
        db.session.add_all([account, Unit(code="SYT", name="Sở Y tế", path="/", headcount=None)])
        db.session.commit()
        from quiz.services.units import refresh_paths
        refresh_paths()
        db.session.commit()
    return account


def _login(page, base):
    page.goto(f"{base}/login")
    page.fill("#email", "btc@example.vn")
    page.fill("#password", "mat-khau-123")
    page.click("button[type=submit]")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_new_organizer_walkthrough(request, live_server, live_app, organizer, screenshot, tmp_path, device):
    context = request.getfixturevalue(device)
    page = context.new_page()
    _login(page, live_server)
    suffix = "" if device == "desktop" else "-phone"

    bad, good = tmp_path / "cau-hoi-loi.csv", tmp_path / "cau-hoi.csv"
    bad.write_bytes(BAD_CSV)
    good.write_bytes(GOOD_CSV)
    page.goto(f"{live_server}/admin/bank/import")
    page.set_input_files("#file", str(bad))
    page.fill("#new_set", "Tuần 1")
    page.click("button:has-text('Xem trước')")
    errors = page.locator(".import-errors")
    assert "dòng 3" in errors.inner_text()
    screenshot(page, f"admin-import-errors{suffix}", full_page=False)

    page.set_input_files("#file", str(good))
    page.fill("#new_set", "Tuần 1")
    page.click("button:has-text('Xem trước')")
    page.click("text=Xác nhận nhập 3 câu")
    assert "Đã nhập 3 câu hỏi" in page.locator(".flash-success").inner_text()
    with live_app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 3

    page.goto(f"{live_server}/admin/bank")
    page.fill("#q", "chuyen doi so")
    page.click("button:has-text('Lọc')")
    rows = page.locator(".bank-table tbody tr")
    assert rows.count() == 1 and "Chuyển đổi số là gì?" in rows.first.inner_text()
    page.goto(f"{live_server}/admin/bank")
    screenshot(page, f"admin-bank{suffix}", full_page=False)

    page.goto(f"{live_server}/admin/units/new")
    page.fill("#code", "BVDK")
    page.fill("#name", "Bệnh viện Đa khoa tỉnh")
    page.select_option("#parent_id", label="Sở Y tế (SYT)")
    page.fill("#headcount", "450")
    page.click("button:has-text('Lưu')")
    assert "Đã thêm đơn vị" in page.locator(".flash-success").inner_text()

    units = tmp_path / "don-vi.csv"
    units.write_text("code,name,parent_code,headcount\nBVDK-NOI,Khoa Nội,BVDK,35\nCDC,Trung tâm Kiểm soát bệnh tật,SYT,120\n",
                     encoding="utf-8")
    page.goto(f"{live_server}/admin/units/import")
    page.set_input_files("#file", str(units))
    page.click("button:has-text('Xem trước')")
    assert "2 thêm mới" in " ".join(page.locator(".stat-row").inner_text().split())
    page.click("button:has-text('Xác nhận nhập')")
    assert "thêm 2" in page.locator(".flash-success").inner_text()
    tree = page.locator(".unit-tree").inner_text()
    assert "Khoa Nội" in tree and "605" in tree
    screenshot(page, f"admin-units{suffix}", full_page=False)
