"""The linter as an author meets it, in headless Chromium with CSRF on: warnings appear under the editor
while typing (server-checked), saving is never blocked, and the set page sums the set up."""
import pytest

from question_bank import starter_sets
from quiz.extensions import db
from quiz.models import Organizer, QuestionSet
from quiz.services import bank as bank_service

pytestmark = pytest.mark.browser

LONG = "Đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia"


@pytest.fixture
def bank(live_app):
    """An admin and the six starter sets (265 questions), as after `demo`."""
    with live_app.app_context():
        account = Organizer(email="qt@example.vn", role="admin", full_name="Quản trị")
        account.set_password("mat-khau-123")
        db.session.add(account)
        for name, questions in starter_sets():
            bank_service.store_questions(name, questions)
        db.session.commit()
        return db.session.scalar(db.select(QuestionSet.id).filter_by(name="Chủ trương, chính sách"))


def _login(page, base):
    page.goto(f"{base}/login")
    page.fill("#email", "qt@example.vn")
    page.fill("#password", "mat-khau-123")
    page.click("button[type=submit]")


def _type_a_guessable_question(page, base, set_id):
    page.goto(f"{base}/admin/bank/questions/new?set_id={set_id}")
    assert "Nhập câu hỏi và các phương án để kiểm tra." in page.locator("#lint-results").inner_text()
    page.fill("#text", "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị tập trung vào lĩnh vực nào?")
    for i, option in enumerate([LONG, "Kinh tế tư nhân", "Hội nhập quốc tế", "Chỉ riêng công tác pháp luật"]):
        page.fill(f"#options-{i}-text", option)
    page.check("#options-0-is_correct")
    page.locator(".lint-item[data-code='longest_correct']").wait_for(timeout=10_000)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_editor_warns_while_typing_and_saving_is_not_blocked(request, live_server, live_app, bank, screenshot, device):
    page = request.getfixturevalue(device).new_page()
    _login(page, live_server)
    _type_a_guessable_question(page, live_server, bank)
    results = page.locator("#lint-results")
    codes = [item.get_attribute("data-code") for item in results.locator(".lint-item").all()]
    assert codes == ["absolute_wrong_only", "longest_correct", "explanation_missing", "source_missing",
                     "answer_in_other_stem", "answer_in_other_stem"]
    text = results.inner_text()
    assert "«22/12/2024», là đáp án đúng của câu số" in text and "«chỉ»" in text
    # the fix is seen as you type: a source makes its warning go away
    page.fill("#source", "Kế hoạch tuyên truyền Phong trào Bình dân học vụ số của Đảng ủy Sở Y tế")
    page.wait_for_function("!document.querySelector(\"#lint-results [data-code='source_missing']\")", timeout=10_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], "the warnings must not widen the page"
    block = "end" if device == "desktop" else "start"
    page.evaluate(f"document.getElementById('lint-card').scrollIntoView({{block: '{block}'}})")
    screenshot(page, "editor-lint-warning" if device == "desktop" else "editor-lint-warning-360", full_page=False)

    page.click("button:has-text('Lưu')")
    assert "Đã lưu câu hỏi số" in page.locator(".flash-success").inner_text()
    assert "cảnh báo về cách ra đề" in page.locator(".flash-warning").inner_text()


def test_set_page_summarises_the_set(live_server, live_app, bank, desktop, phone, screenshot):
    page = desktop.new_page()
    _login(page, live_server)
    _type_a_guessable_question(page, live_server, bank)
    page.click("button:has-text('Lưu')")
    page.goto(f"{live_server}/admin/bank?set_id={bank}")
    summary = page.locator(".lint-summary")
    assert "1/46" in summary.inner_text() and "(2,2%)" in summary.inner_text() and "đáp án đúng dài nhất: 1" in summary.inner_text()
    page.locator(".lint-details summary").first.click()
    assert page.locator(".lint-details[open] .lint-item").count() == 6
    page.evaluate("document.querySelector('.lint-summary').scrollIntoView({block: 'start'})")
    screenshot(page, "bank-set-lint", full_page=False)
    small = phone.new_page()
    _login(small, live_server)
    small.goto(f"{live_server}/admin/bank?set_id={bank}")
    assert small.evaluate("document.documentElement.scrollWidth") <= 360
    small.locator(".lint-summary").scroll_into_view_if_needed()
    small.evaluate("document.querySelector('.lint-summary').scrollIntoView({block: 'start'})")
    screenshot(small, "bank-set-lint-360", full_page=False)


def test_import_preview_lists_the_warnings(live_server, live_app, bank, desktop, screenshot, tmp_path):
    rows = ("câu hỏi,loại,phương án A,phương án B,phương án C,phương án D,đáp án đúng,giải thích,chủ đề,mức độ,nguồn,điểm\n"
            "Mật khẩu mạnh cần gì?,một đáp án,Có chữ hoa,Có chữ số,Có ký tự đặc biệt,Tất cả các đáp án trên,D,"
            "Mật khẩu mạnh kết hợp nhiều loại ký tự,An toàn thông tin,1,Sổ tay an toàn thông tin,1\n"
            "Nghị quyết số 57-NQ/TW được ban hành vào ngày nào?,một đáp án,22/12/2024,09/01/2025,27/2/2025,05/5/2025,A,"
            "Đúng như mục II.2 của Kế hoạch ghi,Chủ trương,1,Kế hoạch,1\n")
    path = tmp_path / "tuan-2.csv"
    path.write_text(rows, encoding="utf-8")
    page = desktop.new_page()
    _login(page, live_server)
    page.goto(f"{live_server}/admin/bank/import")
    page.set_input_files("#file", str(path))
    page.select_option("#set_id", label="Chủ trương, chính sách")
    page.click("button:has-text('Xem trước')")
    summary = page.locator(".lint-summary")
    assert "2/2" in summary.inner_text()
    assert page.locator(".lint-details").count() == 2
    page.locator(".lint-details summary").nth(1).click()
    text = page.locator(".lint-details").nth(1).inner_text()
    assert "gần trùng với câu số" in text  # compared with the set it goes into
    assert page.locator("button:has-text('Xác nhận nhập')").is_enabled()  # advice, not a block
    page.evaluate("document.querySelector('.lint-summary').scrollIntoView({block: 'start'})")
    screenshot(page, "bank-import-lint", full_page=False)
