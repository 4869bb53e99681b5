import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..models import Contest
from ..services import exports
from ..services.quizzes import find_quiz
from ..services.xlsx_report import write_xlsx
from .common import CommandError, transactional


@click.command("export", help="Xuất bảng xếp hạng của một đợt thi (hoặc cả cuộc thi với --contest).")
@click.argument("code")
@click.option("--format", "fmt", required=True, help="xlsx hoặc csv.")
@click.option("--contest", "is_contest", is_flag=True, help="CODE là mã cuộc thi: xếp hạng chung các đợt.")
@click.option("--public", is_flag=True, help="Bản công khai: đọc kết quả đã công bố, che số điện thoại.")
@click.option("--table", default="individuals", show_default=True,
              help="Với csv: individuals (cá nhân), units (đơn vị) hoặc questions (thống kê câu hỏi).")
@click.option("-o", "--output", required=True, help="Tệp kết quả.")
@with_appcontext
@transactional
def export(code: str, fmt: str, is_contest: bool, public: bool, table: str, output: str) -> None:
    fmt = fmt.lower()
    if fmt not in ("xlsx", "csv"):
        raise CommandError(f"Định dạng '{fmt}' không được hỗ trợ: dùng xlsx hoặc csv.")
    if table not in ("individuals", "units", "questions"):
        raise CommandError(f"Bảng '{table}' không có: dùng individuals, units hoặc questions.")
    if is_contest:
        contest = db.session.scalar(db.select(Contest).filter_by(code=code))
        if contest is None:
            raise CommandError(f"Không có cuộc thi mã {code}.")
        quiz = None
    else:
        quiz = find_quiz(code)
        if quiz is None:
            raise CommandError(f"Không có đợt thi mã {code}.")
        contest = None
    report = exports.build_report(quiz=quiz, contest=contest, public=public,
                                  timezone=current_app.config["QUIZ_TIMEZONE"])
    try:
        with open(output, "wb") as file:
            if fmt == "xlsx":
                write_xlsx(report, file)
            else:
                exports.write_csv(report.table(table), file)
    except OSError as error:
        raise CommandError(f"Không ghi được tệp {output}: {error.strerror}.") from error
    click.echo(f"Đã xuất {'bản công khai' if public else 'bản đầy đủ'} ({fmt}) vào {output}.")
