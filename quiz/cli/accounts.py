import sys

import click
from flask.cli import with_appcontext

from ..services import accounts as account_service
from .common import CommandError, transactional


@click.group(help="Tài khoản ban tổ chức.")
def organizer() -> None:
    pass


@organizer.command("create", help="Tạo tài khoản: admin, organizer hoặc unit (đầu mối đơn vị).")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "organizer", "unit"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Đọc mật khẩu từ dòng đầu của stdin.")
@click.option("--unit", "unit_code", help="Mã đơn vị (bắt buộc với --role unit).")
@click.option("--name", "full_name", default="", help="Họ tên.")
@with_appcontext
@transactional
def create(email: str, role: str, password_stdin: bool, unit_code: str | None, full_name: str) -> None:
    if not password_stdin:
        raise CommandError("Cần --password-stdin: mật khẩu đọc từ stdin để không lộ trong lịch sử lệnh.")
    password = sys.stdin.readline().rstrip("\r\n")
    account = account_service.create_organizer(email, role, password, unit_code=unit_code, full_name=full_name)
    click.echo(f"Đã tạo tài khoản {account.email} ({account.role}).")
