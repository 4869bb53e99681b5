"""`purge`: anonymise the participants of contests closed long ago (personal-data retention)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db
from ..services import purge as purge_service
from .common import transactional


@click.command("purge", help="Ẩn danh người dự thi của các cuộc thi đã đóng quá N ngày (giữ nguyên điểm, "
                             "xếp hạng, thống kê).")
@click.option("--older-than-days", "days", type=int, default=365, show_default=True,
              help="Chỉ các cuộc thi có đợt thi cuối đóng cách đây quá số ngày này.")
@click.option("--contest", "code", default=None, help="Chỉ cuộc thi có mã này.")
@click.option("--dry-run", is_flag=True, help="Chỉ cho biết sẽ ẩn danh những gì, không ghi.")
@click.option("--force", is_flag=True, help=f"Cho phép dưới {purge_service.MIN_DAYS_WITHOUT_FORCE} ngày.")
@with_appcontext
@transactional
def purge(days: int, code: str | None, dry_run: bool, force: bool) -> None:
    reports = purge_service.purge(days, code=code, force=force)
    if dry_run:
        db.session.rollback()
    if not reports:
        click.echo(f"Không có cuộc thi nào đóng quá {days} ngày: không có gì để ẩn danh.")
        return
    verb = "Sẽ ẩn danh" if dry_run else "Đã ẩn danh"
    for r in reports:
        click.echo(f"{r.code} — {r.title} (đóng {r.last_closed_at:%d/%m/%Y}): {verb} {r.participants} người dự thi, "
                   f"{r.snapshots} bảng xếp hạng đã công bố, {r.audit_entries} mục nhật ký"
                   + (f"; {r.already_anonymised} người đã ẩn danh từ trước" if r.already_anonymised else "") + ".")
    total = sum(r.participants for r in reports)
    click.echo(f"{'Chạy thử, không ghi gì' if dry_run else 'Xong'}: {total} người dự thi trong {len(reports)} cuộc thi.")
