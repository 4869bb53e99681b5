"""Registration of a participant for a quiz: what the join form and the API both accept.

`clean_registration()` turns raw input (form strings or JSON values) into a checked dict, or
raises ValidationError whose `fields` maps every bad field to Vietnamese messages, so the page
and the API show the same rules.

`returning_participant()` and `record_participant()` are the one rule for who may continue as an
existing participant, used by the quiz start and the live join alike: the identity (normalised in
quiz.services.identity) finds the contest's participant, and the name typed must be theirs
(compared without diacritics, case or extra spaces). Knowing someone's phone number is then not
enough to open their attempt, read their answers or use up their attempts; and no registration
ever changes an existing participant's stored name or unit. See docs/SECURITY.md (identity)
for what this does not protect against (someone who knows both the number and the name).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..models import Participant, Quiz, Unit
from .identity import normalise_identity, same_name

T = TypeVar("T")

OTHER_UNIT = "__other__"  # the picker's "other unit" choice
MAX_COUNT_PREDICTION = 9_999_999
NAME_MAX, OTHER_UNIT_MAX, POSITION_MAX = 120, 200, 120


@dataclass
class Registration:
    full_name: str
    identity_kind: str
    identity: str
    unit: Unit | None
    other_unit: str | None
    birth_year: int | None
    position: str | None
    prediction: Decimal | None


def _text(raw, field: str, fields: dict, *, required: bool, max_len: int) -> str | None:
    if raw is None or raw == "":
        if required:
            fields.setdefault(field, []).append(_("Bắt buộc nhập."))
        return None
    if not isinstance(raw, str):
        fields.setdefault(field, []).append(_("Phải là chuỗi ký tự."))
        return None
    text = " ".join(raw.split())
    if not text and required:
        fields.setdefault(field, []).append(_("Bắt buộc nhập."))
        return None
    if len(text) > max_len:
        fields.setdefault(field, []).append(_("Tối đa %(n)d ký tự.", n=max_len))
        return None
    return text or None


def _consent(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    return isinstance(raw, str) and raw.strip().lower() in ("y", "yes", "true", "on", "1")


def _birth_year(raw, fields: dict, now: datetime) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        if isinstance(raw, bool) or isinstance(raw, float):
            raise ValueError
        year = int(str(raw).strip())
    except ValueError:
        fields["birth_year"] = [_("Năm sinh phải là số, ví dụ 1985.")]
        return None
    if not 1900 <= year <= now.year - 10:
        fields["birth_year"] = [_("Năm sinh phải từ 1900 đến %(y)d.", y=now.year - 10)]
        return None
    return year


def _prediction(raw, kind: str | None, fields: dict) -> Decimal | None:
    if kind is None:
        return None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        fields["prediction"] = [_("Vui lòng trả lời câu hỏi dự đoán.")]
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        fields["prediction"] = [_("Câu trả lời dự đoán phải là một số.")]
        return None
    text = str(raw).strip().replace(",", ".") if isinstance(raw, str) else repr(raw)
    try:
        value = Decimal(text)
    except InvalidOperation:
        fields["prediction"] = [_("Câu trả lời dự đoán phải là một số.")]
        return None
    if not value.is_finite() or value < 0:
        fields["prediction"] = [_("Câu trả lời dự đoán phải là một số không âm.")]
        return None
    if kind == "count":
        if value != value.to_integral_value() or value > MAX_COUNT_PREDICTION:
            fields["prediction"] = [_("Số người dự đoán phải là số nguyên từ 0 đến %(n)s.", n=f"{MAX_COUNT_PREDICTION:,}".replace(",", "."))]
            return None
        return value.quantize(Decimal(1))
    if value > 100 or value.as_tuple().exponent < -5:
        fields["prediction"] = [_("Tỷ lệ dự đoán phải từ 0 đến 100, tối đa 5 chữ số thập phân.")]
        return None
    return value


def find_unit(code) -> Unit | None:
    """The unit with this code, ignoring case (codes on posters are typed or scanned)."""
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        return None
    return db.session.scalar(db.select(Unit).where(db.func.upper(Unit.code) == code.strip().upper()))


def clean_registration(quiz: Quiz, data: dict, now: datetime) -> Registration:
    """Check the registration fields; raise ValidationError naming every bad field."""
    fields: dict[str, list[str]] = {}
    full_name = _text(data.get("full_name"), "full_name", fields, required=True, max_len=NAME_MAX)
    if full_name is not None and len(full_name) < 2:
        fields["full_name"] = [_("Vui lòng nhập đầy đủ họ và tên.")]
    unit, other_unit = None, None
    unit_code = data.get("unit_code")
    if unit_code == OTHER_UNIT or (not unit_code and data.get("other_unit") and quiz.allow_other_unit):
        if not quiz.allow_other_unit:
            fields["unit_code"] = [_("Vui lòng chọn đơn vị trong danh sách.")]
        else:
            other_unit = _text(data.get("other_unit"), "other_unit", fields, required=True, max_len=OTHER_UNIT_MAX)
    elif unit_code in (None, ""):
        fields["unit_code"] = [_("Vui lòng chọn đơn vị.")]
    else:
        unit = find_unit(unit_code)
        if unit is None:
            fields["unit_code"] = [_("Không có đơn vị này trong danh sách.")]
    kind = identity = None
    raw_identity = data.get("identity")
    if raw_identity is not None and not isinstance(raw_identity, str):
        fields["identity"] = [_("Phải là chuỗi ký tự.")]
    elif raw_identity is not None and len(raw_identity) > 60:
        fields["identity"] = [_("Tối đa %(n)d ký tự.", n=60)]
    else:
        try:
            kind, identity = normalise_identity(raw_identity or "")
        except ValidationError as error:
            fields.update(error.fields)
    birth_year = _birth_year(data.get("birth_year"), fields, now)
    position = _text(data.get("position"), "position", fields, required=False, max_len=POSITION_MAX)
    prediction = _prediction(data.get("prediction"), quiz.prediction, fields)
    if not _consent(data.get("consent")):
        fields["consent"] = [_("Bạn cần đồng ý cho phép sử dụng thông tin cá nhân để dự thi.")]
    if fields:
        raise ValidationError(_("Thông tin đăng ký chưa hợp lệ, vui lòng kiểm tra lại."), fields=fields)
    return Registration(full_name=full_name, identity_kind=kind, identity=identity, unit=unit,
                        other_unit=other_unit, birth_year=birth_year, position=position, prediction=prediction)


class IdentityNameMismatchError(ConflictError):
    code = "identity_name_mismatch"


def returning_participant(quiz: Quiz, reg: Registration) -> Participant | None:
    """The contest's participant with this identity, if any — provided the name typed is theirs.

    Refused (409) otherwise, with a message that does not show the stored name. An anonymised
    participant (see quiz.services.purge) is nobody's to continue.
    """
    participant = db.session.scalar(db.select(Participant).filter_by(contest_id=quiz.contest_id,
                                                                     identity=reg.identity))
    if participant is not None and (participant.anonymised_at is not None
                                    or not same_name(participant.full_name, reg.full_name)):
        raise IdentityNameMismatchError(_(
            "Số điện thoại hoặc mã cán bộ này đã được đăng ký dự thi với một họ tên khác. Nếu đó là bạn, "
            "hãy nhập đúng họ tên đã đăng ký; nếu không, vui lòng kiểm tra lại số điện thoại hoặc mã cán bộ."))
    return participant


def record_participant(quiz: Quiz, reg: Registration, now: datetime,
                       participant: Participant | None) -> Participant:
    """A new participant from the registration, or the returning one (from `returning_participant`)
    with its name and unit as first registered: a resume, a rejoin or a further attempt never
    moves someone to another name or unit (an organizer corrects those). Birth year and position
    are only filled in where missing; the consent is renewed."""
    if participant is None:
        participant = Participant(contest_id=quiz.contest_id, identity=reg.identity, identity_kind=reg.identity_kind,
                                  full_name=reg.full_name, unit=reg.unit, other_unit=reg.other_unit)
        db.session.add(participant)
    participant.birth_year = participant.birth_year or reg.birth_year
    participant.position = participant.position or reg.position
    participant.consent_at = now
    return participant


def save_participant(quiz: Quiz, reg: Registration, now: datetime) -> Participant:
    """The contest's participant for this registration, created or returning (see above)."""
    participant = record_participant(quiz, reg, now, returning_participant(quiz, reg))
    db.session.flush()
    return participant


def retry_identity_race(write: Callable[[], T], reg: Registration, *, also: tuple[type[Exception], ...] = (),
                        before_retry: Callable[[], None] | None = None) -> T:
    """`write()` (it saves `reg`'s participant and an attempt), tried up to three times.

    Two requests for the same identity at the same moment (a double tap, two tabs, two phones)
    race on the unique constraints (contest, identity) and (quiz, participant, attempt_no); the
    loser rolls back and tries again, and then finds the winner's rows and continues with them.
    `also`: other exceptions that mean "roll back and try again" (`before_retry` runs after the
    rollback, e.g. to drop a copy the failed try read).
    """
    for _try in range(3):
        try:
            return write()
        except (IntegrityError, *also):
            db.session.rollback()
            if before_retry is not None:
                before_retry()
            if reg.unit is not None:
                reg.unit = db.session.merge(reg.unit)
    raise ConflictError(_("Hệ thống đang bận, vui lòng thử lại."))
