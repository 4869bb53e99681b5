import click
from flask import current_app
from flask.cli import with_appcontext

from ..services import quizzes as quiz_service
from .common import read_input_file, transactional


@click.group(help="Đợt thi.")
def quizzes() -> None:
    pass


@quizzes.command("create", help="Tạo hoặc cập nhật đợt thi từ tệp định nghĩa JSON/YAML.")
@click.argument("file")
@with_appcontext
@transactional
def create(file: str) -> None:
    definition = quiz_service.load_definition_file(read_input_file(file), file)
    quiz, created = quiz_service.save_quiz(definition, timezone=current_app.config["QUIZ_TIMEZONE"])
    click.echo(f"{'Đã tạo' if created else 'Đã cập nhật'} đợt thi {quiz.code}: {quiz.title} "
               f"({quiz.question_count} câu, {quiz.duration_s // 60} phút).")
