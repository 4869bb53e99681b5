"""HTTP responses for exported files (shared by the public results and the admin console)."""
from __future__ import annotations

import tempfile

from flask import Response, stream_with_context

from ..services import exports


def _disposition(filename: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_response(table: exports.Table, filename: str) -> Response:
    """Stream a CSV (UTF-8 with BOM) row by row."""
    return Response(stream_with_context(exports.iter_csv(table)), mimetype="text/csv; charset=utf-8",
                    headers=_disposition(filename))


CSV_TABLES = {"individuals": "ca-nhan", "units": "don-vi", "questions": "cau-hoi"}


def csv_table_response(report: exports.Report, asked: str | None, stem: str) -> Response:
    """One table of a report as CSV (individuals unless another is asked), its file named by the
    table (`ket-qua-TUAN1-don-vi.csv`) so two downloads never share a name."""
    name = asked if asked in CSV_TABLES else "individuals"
    return csv_response(report.table(name), f"{stem}-{CSV_TABLES[name]}.csv")


def xlsx_response(report: exports.Report, filename: str, writer) -> Response:
    """Write the workbook to a temporary file (openpyxl write-only mode), then send it."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    writer(report, spool)
    spool.seek(0)

    def chunks():
        with spool:
            while block := spool.read(64 * 1024):
                yield block

    return Response(chunks(), headers=_disposition(filename),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
