from pathlib import Path

import click
from flask.cli import with_appcontext

from .. import clock
from ..services import backup as backup_service
from .common import transactional


@click.command("backup", help="Sao lưu CSDL SQLite khi máy chủ vẫn chạy (PostgreSQL: dùng pg_dump).")
@click.option("-o", "--output", "output", help="Tệp đích (mặc định instance/backups/thiduaso-<thời điểm>.db).")
@with_appcontext
@transactional
def backup(output: str | None) -> None:
    from flask import current_app

    target = Path(output) if output else (
        Path(current_app.instance_path) / "backups" / f"thiduaso-{clock.utcnow():%Y%m%d-%H%M%S}.db")
    size = backup_service.backup_sqlite(target)
    click.echo(f"Đã sao lưu vào {target} ({size / 1024:.0f} KB).")
