import click
from flask.cli import with_appcontext

from ..services.rosters.importing import import_roster_file
from .common import read_input_file, transactional


@click.group(help="Danh sách cán bộ của đơn vị (tính số người, xem ai chưa tham gia).")
def rosters() -> None:
    pass


@rosters.command("import", help="Nhập CSV/XLSX có cột unit_code, full_name, staff_code, phone, position (và sub_unit); "
                                "thay danh sách của mỗi đơn vị có trong tệp. Có lỗi thì không ghi gì.")
@click.argument("file")
@click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi.")
@with_appcontext
@transactional
def import_(file: str, dry_run: bool) -> None:
    result = import_roster_file(read_input_file(file), file, dry_run=dry_run)
    verb = "Sẽ nhập" if dry_run else "Đã nhập"
    for change in result.units:
        click.echo(f"  {change.code}: {change.before} → {change.after} người")
    click.echo(f"{verb} {result.entries} người vào danh sách của {len(result.units)} đơn vị.")
