"""Forms of the rankings screens."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional


class PublishForm(FlaskForm):
    note = TextAreaField(_l("Ghi chú kèm lần công bố (không bắt buộc)"),
                         validators=[Optional(), Length(max=500, message=_l("Tối đa 500 ký tự."))])
