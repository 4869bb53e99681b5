"""Forms of the awards screens: prize tables, award settings, winner checks, revocation."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, FieldList, Form, FormField, HiddenField, IntegerField,
                     StringField, TextAreaField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .fields import NumberField, RowIdSelectField

LEVEL_ROWS = 6
PERCENT = NumberRange(0, 100, _l("Là một phần trăm từ 0 đến 100."))


class LevelForm(Form):
    name = StringField(_l("Tên giải"), validators=[Optional(), Length(max=80, message=_l("Tối đa 80 ký tự."))])
    count = IntegerField(_l("Số lượng"), validators=[Optional(), NumberRange(1, 10_000, _l("Từ 1 đến 10.000."))])


class PrizeTableForm(FlaskForm):
    levels = FieldList(FormField(LevelForm), min_entries=LEVEL_ROWS, max_entries=12)
    min_score_pct = NumberField(_l("Điểm tối thiểu để được giải (%)"), places=None, validators=[Optional(), PERCENT])
    cap_pct = NumberField(_l("Tối đa số giải (phần trăm số người hoàn thành)"), places=None,
                           validators=[Optional(), NumberRange(0.01, 100, _l("Lớn hơn 0, tối đa 100."))])
    unit_top_n = IntegerField(_l("Giải tập thể cho N đơn vị dẫn đầu điểm thi đua"),
                              validators=[Optional(), NumberRange(1, 10_000, _l("Từ 1 đến 10.000."))])
    unit_top_name = StringField(_l("Tên giải tập thể"), validators=[Optional(), Length(max=80)])
    unit_min_rate_pct = NumberField(_l("Giải cho mọi đơn vị có tỷ lệ tham gia từ (%)"), places=None,
                                     validators=[Optional(), NumberRange(0.01, 100, _l("Lớn hơn 0, tối đa 100."))])
    unit_rate_name = StringField(_l("Tên giải theo tỷ lệ tham gia"), validators=[Optional(), Length(max=80)])


class AwardSettingsForm(FlaskForm):
    one_prize_per_person = BooleanField(_l("Mỗi người chỉ nhận một giải trong cả cuộc thi (giữ giải cao hơn)"))
    certificate_issuer = StringField(_l("Cơ quan cấp"), validators=[Optional(), Length(max=200)])
    certificate_place = StringField(_l("Địa danh ghi ngày ký"), validators=[Optional(), Length(max=80)])
    certificate_signer_title = TextAreaField(_l("Chức danh người ký"), validators=[Optional(), Length(max=200)])
    certificate_signer_name = StringField(_l("Họ tên người ký"), validators=[Optional(), Length(max=120)])
    completion_min_pct = NumberField(_l("Cấp giấy chứng nhận hoàn thành cho người đạt từ (%)"), places=None,
                                      validators=[Optional(), PERCENT])


class CheckForm(FlaskForm):
    table_id = RowIdSelectField(validators=[InputRequired()])
    participant_id = RowIdSelectField(validators=[InputRequired()])
    status = HiddenField(validators=[DataRequired()])
    note = StringField(_l("Ghi chú"), validators=[Optional(), Length(max=500, message=_l("Tối đa 500 ký tự."))])


class ClearCheckForm(FlaskForm):
    table_id = RowIdSelectField(validators=[InputRequired()])
    participant_id = RowIdSelectField(validators=[InputRequired()])


class PublishAwardsForm(FlaskForm):
    note = TextAreaField(_l("Ghi chú kèm lần công bố (không bắt buộc)"),
                         validators=[Optional(), Length(max=500, message=_l("Tối đa 500 ký tự."))])


class RevokeForm(FlaskForm):
    reason = StringField(_l("Lý do thu hồi"), validators=[DataRequired(_l("Ghi lý do thu hồi.")),
                                                          Length(max=500, message=_l("Tối đa 500 ký tự."))])
