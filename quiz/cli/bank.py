import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from question_bank import FORMATS_WRITE, write_template

from ..extensions import db
from ..models import QuestionSet
from ..services import bank as bank_service
from ..services import bank_lint
from .common import CommandError, read_input_file, transactional


@click.group(help="Ngân hàng câu hỏi: nhập, xuất, tệp mẫu, kiểm tra cách ra đề.")
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
    if preview.lint and preview.lint.flagged:
        click.echo(f"Kiểm tra cách ra đề: {preview.lint.flagged}/{preview.lint.total} câu có cảnh báo "
                   "(không chặn việc nhập; xem chi tiết bằng `bank lint --set …` sau khi nhập).")
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


@bank.command("lint", help="Kiểm tra cách ra đề: câu hỏi đoán được từ câu chữ (đáp án dài nhất, từ tuyệt đối, "
                           "“tất cả các đáp án trên”, câu gần trùng…). Chỉ cảnh báo, không sửa gì.")
@click.option("--set", "set_name", default="", help="Chỉ kiểm tra bộ này (mặc định: mọi bộ).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on", "fail_on", type=click.Choice(["never", "warning"]), default="never", show_default=True,
              help="“warning”: thoát với mã 1 khi có cảnh báo (dùng trong kiểm tra tự động).")
@with_appcontext
@transactional
def lint(set_name: str, fmt: str, fail_on: str) -> None:
    if set_name.strip():
        question_set = db.session.scalar(db.select(QuestionSet).filter_by(name=set_name.strip()))
        if question_set is None:
            raise CommandError(f"Không có bộ câu hỏi “{set_name}”.")
        sets = [question_set]
    else:
        sets = bank_service.list_sets()
    results = [bank_lint.lint_stored_set(s) for s in sets]
    if fmt == "json":
        click.echo(json.dumps({"sets": [_lint_json(r) for r in results]}, ensure_ascii=False, indent=1))
    else:
        for result in results:
            _lint_text(result)
        flagged, total = sum(r.report.flagged for r in results), sum(r.report.total for r in results)
        share = f"{100 * flagged / total:.1f}".replace(".", ",") if total else "0"
        click.echo(f"Tổng: {flagged}/{total} câu có cảnh báo ({share} %).")
    if fail_on == "warning" and any(r.report.flagged for r in results):
        raise click.exceptions.Exit(1)


def _lint_json(result) -> dict:
    data = result.report.as_dict()
    questions = data.pop("questions")
    data["set"] = result.question_set.name
    data["questions"] = [{"id": q.id, "text": q.text, "warnings": ws}
                         for q, ws in zip(result.questions, questions) if ws]
    return data


def _lint_text(result) -> None:
    report, names = result.report, bank_lint.code_names()
    share = f"{100 * report.flagged_share:.1f}".replace(".", ",")
    click.echo(f"Bộ “{result.question_set.name}”: {report.flagged}/{report.total} câu có cảnh báo ({share} %).")
    click.echo(f"  Đúng/Sai có đáp án Đúng: {report.tf_true}/{report.tf_total}. Đáp án đúng (một đáp án): "
               + (" · ".join(f"{k} {v}" for k, v in report.letters.items()) or "—") + ".")
    if report.counts:
        click.echo("  Theo loại: " + " · ".join(f"{code} ({names[code]}) {n}" for code, n in sorted(report.counts.items())))
    for note in report.notes:
        click.echo(f"  Lưu ý: {note}")
    for question, warnings in zip(result.questions, report.warnings):
        if warnings:
            click.echo(f"  Câu số {question.id}: {question.text[:80]}")
            for w in warnings:
                click.echo(f"    [{w.code}] {w.message}")
