from pathlib import Path

import click
from flask.cli import with_appcontext

from question_bank import FORMATS_WRITE, write_template

from ..extensions import db
from ..models import QuestionSet
from ..services import bank as bank_service
from .common import CommandError, read_input_file, transactional


@click.group(help="Ngân hàng câu hỏi: nhập, xuất, tệp mẫu.")
def bank() -> None:
    pass


@bank.command("import", help="Nhập câu hỏi từ tệp (xlsx, csv, Aiken, GIFT, Moodle XML, Kahoot, JSON; tự nhận "
                             "dạng). Có lỗi thì không nhập câu nào.")
@click.argument("file")
@click.option("--set", "set_name", default="", help="Tên bộ câu hỏi (mặc định: tên tệp).")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi.")
@with_appcontext
@transactional
def import_(file: str, set_name: str, dry_run: bool) -> None:
    data = read_input_file(file)
    preview = bank_service.preview_import(data, Path(file).name, set_name)
    if preview.errors:
        raise CommandError(f"Không nhập câu nào: tệp {Path(file).name} có {len(preview.errors)} lỗi.",
                           [str(p) for p in preview.errors])
    for problem in preview.skipped:
        click.echo(f"Bỏ qua (không hỗ trợ): {problem}")
    for problem in preview.duplicates:
        click.echo(f"Trùng, bỏ qua: {problem}")
    for problem in preview.warnings:
        click.echo(f"Lưu ý (không nhập phần này): {problem}")
    if dry_run:
        click.echo(f"Tệp hợp lệ ({preview.format}): sẽ thêm {preview.new_count} câu vào bộ "
                   f"“{preview.set_name}”, bỏ qua {len(preview.marks) - preview.new_count} câu trùng.")
        return
    stored = bank_service.store_questions(preview.set_name, preview.questions)
    click.echo(f"Đã thêm {stored.added} câu vào bộ “{stored.question_set.name}”, "
               f"bỏ qua {len(stored.duplicates)} câu trùng.")


@bank.command("export", help="Xuất một bộ câu hỏi ra tệp.")
@click.option("--set", "set_name", required=True, help="Tên bộ câu hỏi.")
@click.option("--format", "fmt", type=click.Choice(FORMATS_WRITE), required=True)
@click.option("-o", "--output", required=True, help="Tệp ghi ra.")
@with_appcontext
@transactional
def export(set_name: str, fmt: str, output: str) -> None:
    question_set = db.session.scalar(db.select(QuestionSet).filter_by(name=set_name.strip()))
    if question_set is None:
        raise CommandError(f"Không có bộ câu hỏi “{set_name}”.")
    data = bank_service.export_set(question_set, fmt)
    Path(output).write_bytes(data)
    click.echo(f"Đã ghi {output} ({fmt}).")


@bank.command("template", help="Ghi tệp Excel mẫu để soạn câu hỏi.")
@click.option("-o", "--output", required=True, help="Tệp .xlsx ghi ra.")
def template(output: str) -> None:
    Path(output).write_bytes(write_template())
    click.echo(f"Đã ghi tệp mẫu {output}.")
