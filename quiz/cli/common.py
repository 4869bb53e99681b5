"""What every command shares: one commit per command, domain errors as clear exits."""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from ..errors import DomainError
from ..extensions import db


class CommandError(click.ClickException):
    """Printed as `Lỗi: …` (plus one line per problem) with exit status 1."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []

    def show(self, file=None) -> None:
        out = file or sys.stderr
        click.echo(f"Lỗi: {self.message}", file=out)
        for problem in self.problems:
            click.echo(f"  - {problem}", file=out)


def transactional(func):
    """Run the command in one transaction: commit on success, roll back and exit 1 on error."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            result = func(*args, **kwargs)
            db.session.commit()
            return result
        except DomainError as error:
            db.session.rollback()
            raise CommandError(error.message, error.problems
                               or [m for msgs in error.fields.values() for m in msgs]) from error
        except BaseException:
            db.session.rollback()
            raise
    return wrapper


MAX_INPUT_BYTES = 50 * 1024 * 1024  # as question_bank's readers: larger is not a question or unit list


def read_input_file(path: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"Không tìm thấy tệp {path}.")
    size = file.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise CommandError(f"Tệp {path} quá lớn ({size // (1024 * 1024)} MB, tối đa "
                           f"{MAX_INPUT_BYTES // (1024 * 1024)} MB). Hãy chia nhỏ tệp.")
    return file.read_bytes()
