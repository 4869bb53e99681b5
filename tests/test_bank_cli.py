"""`bank import / export / template` through the CLI runner, on files written by the test."""
import json

from openpyxl import load_workbook

from tests.bank_files import BAD_CSV, DUPLICATE_CSV, GOOD_CSV
from quiz.extensions import db
from quiz.models import Question, QuestionSet


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Question))


def test_import_good_file_into_named_set(runner, ctx, tmp_path):
    path = tmp_path / "cau-hoi.csv"
    path.write_bytes(GOOD_CSV)
    result = runner.invoke(args=["bank", "import", str(path), "--set", "Tuần 1"])
    assert result.exit_code == 0, result.output
    assert "Đã thêm 3 câu" in result.output
    question_set = db.session.scalar(db.select(QuestionSet).filter_by(name="Tuần 1"))
    assert [q.kind for q in question_set.questions] == ["single", "multiple", "true_false"]
    assert question_set.questions[0].search_text.startswith("chuyen doi so la gi")


def test_bad_file_lists_every_problem_and_writes_nothing(runner, ctx, tmp_path):
    path = tmp_path / "loi.csv"
    path.write_bytes(BAD_CSV)
    result = runner.invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 1
    assert "loi.csv, dòng 3" in result.output
    assert _count() == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(QuestionSet)) == 0


def test_dry_run_writes_nothing_and_duplicates_are_reported(runner, ctx, tmp_path):
    path = tmp_path / "trung.csv"
    path.write_bytes(DUPLICATE_CSV)
    result = runner.invoke(args=["bank", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Trùng, bỏ qua" in result.output and "dòng 3" in result.output
    assert "sẽ thêm 2 câu" in result.output
    assert _count() == 0
    result = runner.invoke(args=["bank", "import", str(path)])
    assert "Đã thêm 2 câu vào bộ “trung”" in result.output
    assert _count() == 2


def test_export_each_format_and_template(runner, ctx, tmp_path):
    source = tmp_path / "cau-hoi.csv"
    source.write_bytes(GOOD_CSV)
    runner.invoke(args=["bank", "import", str(source), "--set", "Bộ A"])
    for fmt in ("xlsx", "csv", "gift", "json"):
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(args=["bank", "export", "--set", "Bộ A", "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    assert len(json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["questions"]) == 3
    # Aiken cannot hold a multiple-answer question: a clear refusal, not a crash.
    result = runner.invoke(args=["bank", "export", "--set", "Bộ A", "--format", "aiken", "-o", str(tmp_path / "a.txt")])
    assert result.exit_code == 1 and "aiken" in result.output
    result = runner.invoke(args=["bank", "export", "--set", "Không có", "--format", "csv", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 1 and "Không có bộ câu hỏi" in result.output
    template = tmp_path / "mau.xlsx"
    assert runner.invoke(args=["bank", "template", "-o", str(template)]).exit_code == 0
    assert load_workbook(template).worksheets[0].max_row > 1


def test_missing_file_is_a_clear_error(runner, ctx):
    result = runner.invoke(args=["bank", "import", "/khong/co.csv"])
    assert result.exit_code == 1 and "Không tìm thấy tệp" in result.output
