import click
from flask.cli import with_appcontext

from ..services import attempts as attempt_service
from .common import transactional


@click.command("finalize-expired", help="Chấm điểm các lượt thi đã quá hạn mà chưa nộp (tính tại hạn chót).")
@with_appcontext
@transactional
def finalize_expired() -> None:
    count = attempt_service.finalize_expired()
    click.echo(f"Đã chấm {count} lượt thi quá hạn.")
