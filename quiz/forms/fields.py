"""Form fields shared by several forms."""
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, SelectField, SelectMultipleField

from ..models.types import row_id

BAD_ID = _l("Lựa chọn không hợp lệ.")
BAD_NUMBER = _l("Nhập một số, ví dụ 80 hoặc 12.5.")


class RowIdSelectField(SelectField):
    """A select of rows by id (0 = none): a posted value that is no possible row id is a field
    error in Vietnamese, never a number handed to the database (see `models.types.row_id`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", row_id)
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = row_id(valuelist[0])
            except ValueError:
                raise ValueError(BAD_ID) from None


class RowIdMultipleField(SelectMultipleField):
    """The same for a multiple select (every value must be a possible row id)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", row_id)
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            self.data = [row_id(value) for value in valuelist]
        except ValueError:
            self.data = []
            raise ValueError(BAD_ID) from None


class NumberField(DecimalField):
    """A decimal typed by a person: only a finite number is data. Python's Decimal also reads
    "NaN", "sNaN" and "Infinity", and a signalling NaN makes every comparison (NumberRange, a sum of
    weights) raise instead of failing validation: such input is a field error, like "abc"."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(BAD_NUMBER)
