import os
import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import clock
from ..services import demo as demo_service
from ..services.awards.demo import DEMO_ROUND_CODE, load_award_demo
from .common import transactional

LOGIN_FILE = "demo-login.txt"


def _base_url() -> str:
    return current_app.config.get("QUIZ_BASE_URL") or "http://127.0.0.1:5000"


@click.command("demo", help="Nạp dữ liệu mẫu: cây đơn vị, bộ câu hỏi khởi đầu, một đợt thi đang mở.")
@click.option("--sample-attempts", default=60, show_default=True, type=click.IntRange(0, 5000),
              help="Số lượt thi mẫu để bảng xếp hạng có dữ liệu.")
@with_appcontext
@transactional
def demo(sample_attempts: int) -> None:
    login_file = Path(current_app.instance_path) / LOGIN_FILE
    if not demo_service.is_loaded():
        password = secrets.token_urlsafe(9)
        quiz = demo_service.load_demo(clock.utcnow(), password, timezone=current_app.config["QUIZ_TIMEZONE"])
        played = demo_service.play_sample_attempts(quiz, clock.utcnow(), count=sample_attempts)
        load_award_demo(clock.utcnow(), timezone=current_app.config["QUIZ_TIMEZONE"])
        # Kept (0600, in instance/) so `make run` can show the demo login on every start.
        fd = os.open(login_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"{demo_service.DEMO_ADMIN_EMAIL}\n{password}\n")
        click.echo(f"Đã nạp dữ liệu mẫu: đợt thi {quiz.code} ({quiz.question_count} câu, {played} lượt thi mẫu).")
    else:
        click.echo("Dữ liệu mẫu đã có sẵn.")
    if login_file.exists():
        email, password = login_file.read_text(encoding="utf-8").split()[:2]
        click.echo(f"Đăng nhập ban tổ chức: {_base_url()}/login  —  {email} / {password}")
    click.echo(f"Đường dẫn dự thi: {_base_url()}/j/{demo_service.DEMO_QUIZ_CODE}")
    click.echo(f"Bảng xếp hạng: {_base_url()}/r/{demo_service.DEMO_QUIZ_CODE}  ·  "
               f"Màn hình lớn: {_base_url()}/board/{demo_service.DEMO_QUIZ_CODE}")
    click.echo(f"Danh sách khen thưởng (đợt {DEMO_ROUND_CODE} đã kết thúc): "
               f"{_base_url()}/r/contest/{demo_service.DEMO_CONTEST_CODE}/awards")
