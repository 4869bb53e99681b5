import click
from flask.cli import with_appcontext

from ..services import units as unit_service
from .common import read_input_file, transactional


@click.group(help="Đơn vị (cây đơn vị, số người).")
def units() -> None:
    pass


@units.command("import", help="Nhập CSV/XLSX có cột code, name, parent_code, headcount; cập nhật theo code.")
@click.argument("file")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi.")
@with_appcontext
@transactional
def import_(file: str, dry_run: bool) -> None:
    result = unit_service.import_units_file(read_input_file(file), file, dry_run=dry_run)
    verb = "Sẽ" if dry_run else "Đã"
    click.echo(f"{verb} thêm {len(result.created)}, cập nhật {len(result.updated)}, "
               f"giữ nguyên {len(result.unchanged)} đơn vị.")
