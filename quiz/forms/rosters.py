"""Forms of the roster screens and of the unit contact's participation page."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from .fields import RowIdSelectField

_MAX = Length(max=120, message=_l("Tối đa 120 ký tự."))


class RosterEntryForm(FlaskForm):
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(_l("Vui lòng nhập họ tên.")), _MAX])
    phone = StringField(_l("Số điện thoại"), validators=[Optional(), Length(max=40, message=_l("Tối đa 40 ký tự."))])
    staff_code = StringField(_l("Mã cán bộ"), validators=[Optional(), Length(max=40, message=_l("Tối đa 40 ký tự."))])
    position = StringField(_l("Chức vụ"), validators=[Optional(), _MAX])
    sub_unit = StringField(_l("Khoa/phòng, tổ (nếu có)"), validators=[Optional(), _MAX])

    def values(self) -> dict[str, str]:
        return {name: getattr(self, name).data or "" for name in
                ("full_name", "phone", "staff_code", "position", "sub_unit")}


class MoveParticipantForm(FlaskForm):
    unit_id = RowIdSelectField(_l("Chuyển sang đơn vị"), choices=[])

    def set_units(self, units) -> None:
        self.unit_id.choices = [(u.id, "\u00a0\u00a0" * u.depth + u.name) for u in units]
