"""The template + ZIP import: the "ảnh" column names files inside the ZIP; all or nothing."""
from __future__ import annotations

import pytest

from quiz.errors import ValidationError
from quiz.extensions import db
from quiz.models import Media, Question
from quiz.services import bank as bank_service
from tests import media_files


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_rows_get_the_images_their_column_names(ctx):
    bundle = media_files.template_bundle(
        [media_files.template_row("Biểu tượng nào an toàn?", "o-khoa.png", "Ổ khoá trên thanh địa chỉ"),
         media_files.template_row("Câu không có ảnh?"),
         media_files.template_row("Tin nhắn này có phải lừa đảo?", "SMS.JPG", "Ảnh chụp tin nhắn")],
        {"o-khoa.png": media_files.png(1200, 800), "sms.jpg": media_files.jpeg()})
    _preview, stored = bank_service.import_file(bundle, "cau-hoi.zip", "Ảnh")
    db.session.commit()
    assert stored.added == 3
    questions = db.session.scalars(db.select(Question).order_by(Question.id)).all()
    assert [q.image_alt for q in questions] == ["Ổ khoá trên thanh địa chỉ", "", "Ảnh chụp tin nhắn"]
    assert questions[1].image_sha256 is None and _count(Media) == 2


def test_a_missing_file_is_an_error_on_its_row_and_nothing_is_imported(ctx, client, login_as):
    bundle = media_files.template_bundle(
        [media_files.template_row("Câu một?", "co.png", "Có ảnh"),
         media_files.template_row("Câu hai?", "khong-co.png", "Thiếu ảnh")],
        {"co.png": media_files.small_png()})
    preview = bank_service.preview_import(bundle, "cau-hoi.zip", "Ảnh")
    assert len(preview.errors) == 1
    assert preview.errors[0].line == 3 and "khong-co.png" in preview.errors[0].message
    with pytest.raises(ValidationError):
        bank_service.import_file(bundle, "cau-hoi.zip", "Ảnh")
    db.session.rollback()
    assert _count(Question) == 0 and _count(Media) == 0

    login_as("admin")  # the bank is shared by every contest: admins change it (issue 12 item 13)
    import io
    response = client.post("/admin/bank/import", data={"file": (io.BytesIO(bundle), "cau-hoi.zip"), "set_id": "0",
                                                       "new_set": "Ảnh"}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "khong-co.png" in response.get_data(as_text=True)


def test_a_bad_image_in_the_zip_fails_its_row(ctx):
    bundle = media_files.template_bundle(
        [media_files.template_row("Câu một?", "bom.png", "Ảnh")], {"bom.png": media_files.png_bomb()})
    preview = bank_service.preview_import(bundle, "cau-hoi.zip", "Ảnh")
    assert preview.errors and preview.errors[0].line == 2 and "triệu điểm ảnh" in preview.errors[0].message


def test_an_image_column_without_a_zip_says_what_to_do(ctx):
    from openpyxl import load_workbook
    import io
    import zipfile
    bundle = media_files.template_bundle([media_files.template_row("Câu một?", "a.png", "Ảnh")], {})
    sheet = zipfile.ZipFile(io.BytesIO(bundle)).read("cau-hoi.xlsx")
    assert load_workbook(io.BytesIO(sheet)).active["O1"].value == "ảnh"
    preview = bank_service.preview_import(sheet, "cau-hoi.xlsx", "Ảnh")
    assert preview.errors and "ZIP" in preview.errors[0].message


def test_the_downloadable_template_documents_the_image_column():
    import io
    from openpyxl import load_workbook
    from question_bank import write_template
    workbook = load_workbook(io.BytesIO(write_template()))
    headers = [c.value for c in workbook["Câu hỏi"][1]]
    assert headers[headers.index("ảnh"):][:2] == ["ảnh", "mô tả ảnh"]
    help_text = " ".join(str(c.value) for row in workbook["Hướng dẫn"].iter_rows() for c in row)
    assert ".zip" in help_text


def test_json_export_and_import_carry_images_losslessly(ctx):
    import json
    from question_bank import read_bytes
    from quiz.models import QuestionSet
    bundle = media_files.template_bundle(
        [media_files.template_row("Biểu tượng nào an toàn?", "o-khoa.png", "Ổ khoá")],
        {"o-khoa.png": media_files.png(900, 500)})
    bank_service.import_file(bundle, "cau-hoi.zip", "Nguồn")
    source = db.session.scalar(db.select(QuestionSet).filter_by(name="Nguồn"))
    exported = bank_service.export_set(source, "json")
    doc = json.loads(exported)
    assert doc["questions"][0]["image"]["alt"] == "Ổ khoá" and doc["questions"][0]["image"]["data"]
    original = source.questions[0].image_sha256
    # Read back: the very bytes that were stored.
    assert read_bytes(exported, "bo.json").questions[0].image.data == db.session.get(Media, original).data
    bank_service.import_file(exported, "bo.json", "Bản sao")
    db.session.commit()
    copy = db.session.scalar(db.select(QuestionSet).filter_by(name="Bản sao")).questions[0]
    assert copy.image_sha256 == original and copy.image_alt == "Ổ khoá"
    assert _count(Media) == 1
    assert bank_service.export_set(db.session.get(QuestionSet, copy.set_id), "json").replace(
        "Bản sao".encode(), "Nguồn".encode()) == exported


def test_a_json_image_that_is_not_base64_or_not_an_image_is_refused(ctx):
    import json
    doc = {"version": 1, "questions": [{"text": "Câu?", "kind": "single", "image": {"alt": "x", "data": "%%%"},
                                        "options": [{"text": "A", "correct": True}, {"text": "B"}]}]}
    preview = bank_service.preview_import(json.dumps(doc).encode(), "a.json", "X")
    assert preview.errors and "base64" in preview.errors[0].message
    import base64
    doc["questions"][0]["image"]["data"] = base64.b64encode(media_files.zip_named_png()).decode()
    preview = bank_service.preview_import(json.dumps(doc).encode(), "a.json", "X")
    assert preview.errors and "không phải ảnh" in preview.errors[0].message and preview.errors[0].line == 1


def test_a_set_with_images_exports_to_moodle_xml_and_reads_back(ctx, client, login_as):
    from quiz.models import QuestionSet
    bank_service.import_file(media_files.moodle_multichoice(media_files.png(800, 500),
                                                            [media_files.small_png((i * 60, 0, 0)) for i in range(3)]),
                             "mc.xml", "Moodle")
    db.session.commit()
    question_set = db.session.scalar(db.select(QuestionSet).filter_by(name="Moodle"))
    login_as("admin")  # the bank is shared by every contest: admins change it (issue 12 item 13)
    response = client.get(f"/admin/bank/sets/{question_set.id}/export/moodle_xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    bank_service.import_file(response.data, "lai.xml", "Moodle lại")
    db.session.commit()
    again = db.session.scalar(db.select(QuestionSet).filter_by(name="Moodle lại")).questions[0]
    original = question_set.questions[0]
    # Our own WebP bytes came back: the same hashes, nothing stored twice.
    assert again.image_sha256 == original.image_sha256
    assert [o.image_sha256 for o in again.options] == [o.image_sha256 for o in original.options]
    assert [o.is_correct for o in again.options] == [o.is_correct for o in original.options]
    assert _count(Media) == 4


def test_quizizz_and_kahoot_image_links_are_kept_as_warnings(ctx, client, login_as):
    import csv
    import io
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Question Text", "Question Type", "Option 1", "Option 2", "Option 3", "Option 4", "Option 5",
                     "Correct Answer", "Time in seconds", "Image Link", "Answer explanation"])
    writer.writerow(["Biểu tượng nào là VNeID?", "Multiple Choice", "A", "B", "", "", "", "2", "30",
                     "https://example.com/vneid.png", ""])
    writer.writerow(["Câu không có ảnh?", "Multiple Choice", "A", "B", "", "", "", "1", "30", "", ""])
    preview = bank_service.preview_import(buffer.getvalue().encode(), "quizizz.csv", "Q")
    assert preview.format == "quizizz" and not preview.errors and len(preview.questions) == 2
    assert len(preview.warnings) == 1 and preview.warnings[0].line == 2
    assert "https://example.com/vneid.png" in preview.warnings[0].message

    from openpyxl import Workbook
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Quiz template"])
    sheet.append(["Question - max 120 characters", "Answer 1 - max 75 characters", "Answer 2 - max 75 characters",
                  "Answer 3 - max 75 characters", "Answer 4 - max 75 characters", "Time limit (sec)",
                  "Correct answer(s) - choose at least one", "Image link"])
    sheet.append(["Mật khẩu nào an toàn?", "123456", "Tr0ng!Dong#24", "", "", "20", "2", "https://kahoot.example/p.jpg"])
    data = io.BytesIO()
    workbook.save(data)
    login_as("admin")  # the bank is shared by every contest: admins change it (issue 12 item 13)
    response = client.post("/admin/bank/import", data={"file": (io.BytesIO(data.getvalue()), "kahoot.xlsx"),
                                                       "set_id": "0", "new_set": "K"},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "https://kahoot.example/p.jpg" in page and "Lưu ý" in page


# --- Option images from the template (issue 15): "ảnh phương án A" … columns naming files in the ZIP.

OPTION_HEADERS = ["ảnh phương án A", "mô tả ảnh phương án A", "ảnh phương án B", "mô tả ảnh phương án B"]


def _option_row(text: str, a_text: str, a_image: str, a_alt: str, b_text: str, b_image: str, b_alt: str) -> list[str]:
    """A single-answer row, B right, no question image; then the option image columns of A and B."""
    return [text, "một đáp án", a_text, b_text, "", "", "", "", "B", "", "", "1", "", "1", "", "",
            a_image, a_alt, b_image, b_alt]


def test_option_images_come_from_their_columns(ctx):
    bundle = media_files.template_bundle(
        [_option_row("Biểu tượng nào là ứng dụng VNeID?", "Khiên đỏ", "khien.png", "Khiên đỏ có ngôi sao",
                     "", "Quoc-Huy.PNG", "Quốc huy trên nền đỏ"),
         _option_row("Câu không có ảnh?", "Sai", "", "", "Đúng", "", "")],
        {"khien.png": media_files.small_png((200, 0, 0)), "quoc-huy.png": media_files.small_png((250, 200, 0))},
        extra_headers=OPTION_HEADERS)
    _preview, stored = bank_service.import_file(bundle, "cau-hoi.zip", "Biểu tượng")
    db.session.commit()
    assert stored.added == 2
    first, second = db.session.scalars(db.select(Question).order_by(Question.id)).all()
    assert [(o.text, o.image_alt, o.is_correct) for o in first.options] == [
        ("Khiên đỏ", "Khiên đỏ có ngôi sao", False), ("", "Quốc huy trên nền đỏ", True)]  # B: a picture only
    assert all(o.image_sha256 for o in first.options) and first.image_sha256 is None
    assert [o.image_sha256 for o in second.options] == [None, None]
    assert _count(Media) == 2


def test_a_missing_or_undescribed_option_image_fails_its_row_and_nothing_is_imported(ctx):
    bundle = media_files.template_bundle(
        [_option_row("Câu một?", "A", "co.png", "Có ảnh", "B", "", ""),
         _option_row("Câu hai?", "A", "", "", "B", "khong-co.png", "Thiếu ảnh"),
         _option_row("Câu ba?", "A", "co.png", "", "B", "", "")],
        {"co.png": media_files.small_png()}, extra_headers=OPTION_HEADERS)
    preview = bank_service.preview_import(bundle, "cau-hoi.zip", "Ảnh")
    by_line = {e.line: e.message for e in preview.errors}
    assert "khong-co.png" in by_line[3] and "phương án B" in by_line[3]
    assert "mô tả" in by_line[4]
    with pytest.raises(ValidationError):
        bank_service.import_file(bundle, "cau-hoi.zip", "Ảnh")
    db.session.rollback()
    assert _count(Question) == 0 and _count(Media) == 0


def test_an_option_image_for_an_option_the_row_does_not_have_is_an_error(ctx):
    row = ["Câu một?", "một đáp án", "A", "B", "", "", "", "", "B", "", "", "1", "", "1", "", "",
           "", "", "", "", "", "", "thua.png", "Ảnh thừa"]  # an image for D, with only A and B
    bundle = media_files.template_bundle(
        [row], {"thua.png": media_files.small_png()},
        extra_headers=OPTION_HEADERS + ["ảnh phương án C", "mô tả ảnh phương án C", "ảnh phương án D",
                                        "mô tả ảnh phương án D"])
    preview = bank_service.preview_import(bundle, "cau-hoi.zip", "Ảnh")
    assert preview.errors and preview.errors[0].line == 2 and "phương án D" in preview.errors[0].message


def test_the_downloadable_template_documents_the_option_image_columns():
    import io
    from openpyxl import load_workbook
    from question_bank import write_template
    workbook = load_workbook(io.BytesIO(write_template()))
    headers = [c.value for c in workbook["Câu hỏi"][1]]
    assert headers[headers.index("ảnh"):] == ["ảnh", "mô tả ảnh"] + [
        h for letter in "ABCDEF" for h in (f"ảnh phương án {letter}", f"mô tả ảnh phương án {letter}")]
    help_text = " ".join(str(c.value) for row in workbook["Hướng dẫn"].iter_rows() for c in row)
    assert "ảnh phương án A" in help_text
