"""Forms of the units screen."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from .fields import RowIdSelectField


class UnitForm(FlaskForm):
    code = StringField(_l("Mã đơn vị"), validators=[
        DataRequired(_l("Vui lòng nhập mã đơn vị.")),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}$",
               message=_l("Mã chỉ gồm chữ không dấu, số, '-', '_' hoặc '.' (tối đa 32 ký tự)."))])
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(_l("Vui lòng nhập tên đơn vị.")),
                                                     Length(max=200, message=_l("Tối đa 200 ký tự."))])
    parent_id = RowIdSelectField(_l("Thuộc đơn vị"), choices=[])
    headcount = IntegerField(_l("Số người (cán bộ, đảng viên cần tham gia)"), validators=[
        Optional(), NumberRange(min=0, message=_l("Số người phải là số không âm."))])

    def set_parents(self, units, exclude=None) -> None:
        """Offer every unit except `exclude` and its descendants (moving there would make a cycle)."""
        self.parent_id.choices = [(0, _l("— Cấp cao nhất —"))] + [
            (u.id, "\u00a0\u00a0" * u.depth + f"{u.name} ({u.code})") for u in units
            if exclude is None or not u.path.startswith(exclude.path)]


class UnitImportForm(FlaskForm):
    file = FileField(_l("Tệp CSV hoặc Excel (.xlsx)"), validators=[FileRequired(_l("Vui lòng chọn tệp."))])


class UploadConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
