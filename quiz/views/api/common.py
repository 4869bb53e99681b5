"""What the API resource modules share: reading a JSON body without ever failing with a 500."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ...errors import DomainError


class BadJSONError(DomainError):
    status = 400
    code = "bad_json"


def json_object() -> dict:
    """The request body as a JSON object, or a 400 in Vietnamese."""
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        raise BadJSONError(_("Nội dung gửi lên phải là một đối tượng JSON hợp lệ."))
    return data
