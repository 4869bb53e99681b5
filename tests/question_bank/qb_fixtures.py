"""Builders shared by conftest fixtures and the hypothesis tests."""
import io
from pathlib import Path

from openpyxl import Workbook

DATA = Path(__file__).parent / "data"


def build_xlsx(rows, title="Sheet1"):
    """An .xlsx whose first sheet holds `rows` (row 1 first)."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


KAHOOT_HEADER = [
    None, "Question - max 120 characters", "Answer 1 - max 75 characters",
    "Answer 2 - max 75 characters", "Answer 3 - max 75 characters", "Answer 4 - max 75 characters",
    "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs", "Correct answer(s) - choose at least one",
]


def kahoot_rows(questions):
    """Rows shaped like Kahoot's shipped template: title and instructions, header on row 8."""
    rows = [
        [None, "Quiz template"],
        [None, "Add questions, at least two answer alternatives, time limit and choose correct answers (at least one)."],
        [None, "Have fun creating your awesome quiz!"],
        [None, "Remember: questions have a limit of 120 characters and answers can have 75 characters max."],
        [None, "Text will turn red in Excel or Google Docs if you exceed this limit."],
        [None, "If several answers are correct, separate them with a comma."],
        [],
        KAHOOT_HEADER,
    ]
    for n, q in enumerate(questions, start=1):
        rows.append([n, *q])
    return rows


QUIZIZZ_HEADER = ["Question Text", "Question Type", "Option 1", "Option 2", "Option 3", "Option 4",
                  "Option 5", "Correct Answer", "Time in seconds", "Image Link", "Answer explanation"]
