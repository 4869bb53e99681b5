"""Exports: XLSX and CSV opened and read cell by cell, CSV injection guard, print page, CLI."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from quiz.extensions import db
from quiz.services import exports
from quiz.services.rankings import published as publishing
from quiz.services.exports import guard_text


@pytest.fixture
def seeded(make_quiz, make_unit, make_attempt, make_organizer, frozen_clock):
    unit = make_unit(code="CDC", name="Trung tâm Kiểm soát bệnh tật", headcount=4)
    flagged = make_unit(code="DS", name="Chi cục Dân số", headcount=None)
    quiz = make_quiz(questions=4, code="TUAN2", title="Tuần 2 — An toàn thông tin", prediction="count",
                     closes_at=frozen_clock.now() + timedelta(hours=1))
    make_attempt(quiz, unit, full_name="Nguyễn Thị Lan", identity="0912345678", score=4, prediction=1,
                 duration_ms=95_500)
    make_attempt(quiz, unit, full_name="=HYPERLINK(\"http://x\")", identity="0987654321", score=2,
                 prediction=3, duration_ms=120_000)
    make_attempt(quiz, flagged, full_name="-Trừ Đầu", identity="0911111111", score=1, duration_ms=30_000)
    return quiz


def test_csv_guard_only_touches_text():
    assert guard_text("=1+2") == "'=1+2"
    assert guard_text("+84912") == "'+84912"
    assert guard_text("@SUM(A1)") == "'@SUM(A1)"
    assert guard_text("\tx") == "'\tx" and guard_text("\rx") == "'\rx"
    assert guard_text("-Trừ") == "'-Trừ"
    assert guard_text("Lan") == "Lan"
    assert exports._csv_cell(-5, "int") == -5


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_organizer_csv_has_full_identities_and_guarded_text(ctx, seeded, tmp_path):
    report = exports.build_report(quiz=seeded)
    path = tmp_path / "x.csv"
    with open(path, "wb") as file:
        exports.write_csv(report.table("individuals"), file)
    rows = read_csv(path.read_bytes())
    assert rows[0] == ["Hạng", "Họ và tên", "Số điện thoại / mã cán bộ", "Mã đơn vị", "Đơn vị", "Số câu đúng",
                       "Điểm", "Điểm tối đa", "Tỷ lệ điểm (%)", "Dự đoán", "Sai số dự đoán",
                       "Thời gian làm bài (giây)", "Nộp bài lúc"]
    assert rows[1] == ["1", "Nguyễn Thị Lan", "0912345678", "CDC", "Trung tâm Kiểm soát bệnh tật", "4", "4", "4",
                       "100.0", "1", "", "95.5", "10/10/2025 08:00:00"]
    assert rows[2][1] == "'=HYPERLINK(\"http://x\")"
    assert rows[3][1] == "'-Trừ Đầu" and rows[3][9] == ""
    units = list(exports.iter_csv(report.table("units")))
    unit_rows = list(csv.reader(io.StringIO("".join(units).lstrip("\ufeff"))))
    assert unit_rows[1] == ["1", "CDC", "Trung tâm Kiểm soát bệnh tật", "", "4", "2", "50.0", "75.0", "62.5", ""]
    assert unit_rows[2][:2] == ["", "DS"] and unit_rows[2][9].startswith("Chưa có số người")


def test_xlsx_sheets_title_block_formats(ctx, seeded, tmp_path, frozen_clock):
    frozen_clock.advance(hours=2)  # closed: official, with prediction errors (truth = 1)
    from quiz.services.xlsx_report import write_xlsx
    path = tmp_path / "x.xlsx"
    write_xlsx(exports.build_report(quiz=seeded), str(path))
    book = load_workbook(path)
    # The organizer's export (public=False) adds the item analysis (issue 16); a public one never does.
    assert book.sheetnames == ["Cá nhân", "Đơn vị", "Thống kê câu hỏi", "Phân tích câu hỏi", "Thông tin"]
    people = book["Cá nhân"]
    assert people["A1"].value == "Tuần 2 — An toàn thông tin"
    assert people["A2"].value.startswith("Thời gian thi: 07:00 10/10/2025 – 09:00 10/10/2025")
    assert people["A3"].value == "Xuất lúc: 10:00 10/10/2025"
    assert people["A4"].value == "KẾT QUẢ CHÍNH THỨC"
    assert people.freeze_panes == "A7"
    assert [c.value for c in people[6]][:4] == ["Hạng", "Họ và tên", "Số điện thoại / mã cán bộ", "Mã đơn vị"]
    lan = [c for c in people[7]]
    assert [c.value for c in lan[:9]] == [1, "Nguyễn Thị Lan", "0912345678", "CDC", "Trung tâm Kiểm soát bệnh tật",
                                         4, 4, 4, 1.0]
    assert lan[8].number_format == "0.00%"
    assert (lan[9].value, lan[10].value, lan[11].value) == (1.0, 0.0, 95.5)
    assert lan[11].number_format == "0.00"
    assert lan[12].value == datetime(2025, 10, 10, 8, 0) and lan[12].number_format == "dd/mm/yyyy hh:mm:ss"
    assert people["B8"].value == "=HYPERLINK(\"http://x\")" and people["B8"].data_type == "s"  # text, not a formula
    assert people.column_dimensions["B"].width == 26
    units = book["Đơn vị"]
    assert [c.value for c in units[7]] == [1, "CDC", "Trung tâm Kiểm soát bệnh tật", None, 4, 2, 0.5, 0.75, 62.5, None]
    assert units["G7"].number_format == "0.00%"
    stats = book["Thống kê câu hỏi"]
    header = [c.value for c in stats[6]]
    assert header[:8] == ["Mã câu", "Câu hỏi", "Ảnh", "Chủ đề", "Đáp án đúng", "Số lần ra đề", "Số lần trả lời",
                          "Tỷ lệ đúng"]
    assert header[8:] == ["Chọn A", "Chọn B", "Chọn C", "Chọn D"]
    first_question = [c.value for c in stats[7]]
    # 3 attempts drew it; Lan (4 right), the 2nd (2 right) answered B; "-Trừ Đầu" (1 right) also right on q1
    assert first_question[2] is None  # no image ("Ảnh" column, issue 15)
    assert first_question[4:] == ["B", 3, 3, 1.0, 0, 3, 0, 0]
    fourth = [c.value for c in stats[10]]
    assert fourth[5:] == [3, 3, 0.3333, 2, 1, 0, 0]  # two wrong picks of A (mask 1)
    info = {r[0].value: r[1].value for r in book["Thông tin"].iter_rows(min_row=6)}
    assert info["Mã đợt thi"] == "TUAN2" and info["Đáp án câu dự đoán"] == "1"


def test_public_export_reads_the_snapshot_masked(ctx, seeded, make_attempt):
    with pytest.raises(Exception) as error:
        exports.build_report(quiz=seeded, public=True)
    assert "chưa được công bố" in str(error.value)
    publishing.publish_ranking(quiz=seeded)
    db.session.commit()
    make_attempt(seeded, None, full_name="Sau công bố", score=4)
    report = exports.build_report(quiz=seeded, public=True)
    rows = list(report.table("individuals").rows)
    assert [r[1] for r in rows] == ["Nguyễn Thị Lan", "=HYPERLINK(\"http://x\")", "-Trừ Đầu"]
    assert rows[0][2] == "09xx xxx 678"
    assert report.status == "KẾT QUẢ TẠM THỜI" and report.lines[2].startswith("Công bố lần 1")


def test_admin_downloads_and_print_page(client, seeded, make_organizer):
    admin = make_organizer(role="admin", password="mat-khau-123")
    client.post("/login", data={"email": admin.email, "password": "mat-khau-123"})
    xlsx = client.get("/admin/quizzes/TUAN2/rankings/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(xlsx.data))["Cá nhân"]["C7"].value == "0912345678"
    csv_response = client.get("/admin/quizzes/TUAN2/rankings/export.csv")
    assert 'filename="xep-hang-TUAN2-ca-nhan.csv"' in csv_response.headers["Content-Disposition"]
    assert read_csv(csv_response.data)[1][2] == "0912345678"
    page = client.get("/admin/quizzes/TUAN2/rankings/export.print").get_data(as_text=True)
    for text in ("T/M BAN TỔ CHỨC", "(Ký, ghi rõ họ tên)", "KẾT QUẢ TẠM THỜI", "Nguyễn Thị Lan", "Tuần 2 — An toàn thông tin"):
        assert text in page
    assert client.get("/admin/quizzes/TUAN2/rankings/export.pdf").status_code == 404
    contest_id = seeded.contest_id
    assert client.get(f"/admin/contests/{contest_id}/rankings").status_code == 200
    book = load_workbook(io.BytesIO(client.get(f"/admin/contests/{contest_id}/rankings/export.xlsx").data))
    assert book["Cá nhân"]["B7"].value == "Nguyễn Thị Lan"


def test_cli_export(runner, seeded, tmp_path):
    out = tmp_path / "kq.xlsx"
    result = runner.invoke(args=["export", "TUAN2", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_workbook(out)["Cá nhân"]["B7"].value == "Nguyễn Thị Lan"
    out_csv = tmp_path / "kq.csv"
    result = runner.invoke(args=["export", seeded.contest.code, "--contest", "--format", "csv", "-o", str(out_csv)])
    assert result.exit_code == 0, result.output
    assert read_csv(out_csv.read_bytes())[1][1] == "Nguyễn Thị Lan"
    bad = runner.invoke(args=["export", "KHONGCO", "--format", "xlsx", "-o", str(out)])
    assert bad.exit_code != 0 and "Không có đợt thi mã KHONGCO" in bad.output
    bad = runner.invoke(args=["export", "TUAN2", "--format", "pdf", "-o", str(out)])
    assert bad.exit_code != 0 and "không được hỗ trợ" in bad.output
    unpublished = runner.invoke(args=["export", "TUAN2", "--format", "csv", "--public", "-o", str(out_csv)])
    assert unpublished.exit_code != 0 and "chưa được công bố" in unpublished.output
