"""The OpenAPI 3 description of `/api/v1`, served at `/api/v1/openapi.json`.

Kept as a Python dict next to the routes it documents; tests check that every documented path
exists in the URL map and that real responses carry the documented required keys and types.
"""
from __future__ import annotations

from flask import jsonify

from . import bp


def _obj(required: list[str], properties: dict, **extra) -> dict:
    return {"type": "object", "required": required, "properties": properties, **extra}


STR, INT, NUM, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
DATETIME = {"type": "string", "format": "date-time"}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


ERROR = _obj(["error"], {"error": _obj(["code", "message"], {
    "code": STR, "message": STR,
    "fields": {"type": "object", "additionalProperties": {"type": "array", "items": STR}}})})

IMAGE = _nullable(_obj(["url", "alt", "width", "height"], {
    "url": {"type": "string", "description": "/m/<sha256>.webp — the hash of the image's bytes; cached immutable"},
    "alt": STR, "width": _nullable(INT), "height": _nullable(INT)},
    description="an image shown with the question or option (null when there is none)"))
OPTION = _obj(["id", "text"], {"id": INT, "text": STR, "image": IMAGE})
QUESTION = _obj(["id", "text", "kind", "options"], {
    "id": INT, "text": STR, "kind": {"type": "string", "enum": ["single", "multiple", "true_false"]},
    "image": IMAGE, "options": {"type": "array", "items": OPTION}})
ANSWERS = {"type": "object", "description": "question id → chosen option ids",
           "additionalProperties": {"type": "array", "items": INT}}
UNIT_ITEM = _obj(["code", "name", "parent_code", "depth"],
                 {"code": STR, "name": STR, "parent_code": _nullable(STR), "depth": INT})
QUIZ_INFO = _obj(
    ["code", "title", "state", "opens_at", "closes_at", "duration_s", "question_count", "max_attempts",
     "prediction", "allow_other_unit", "units"],
    {"code": STR, "title": STR, "description": STR,
     "state": {"type": "string", "enum": ["upcoming", "open", "closed"]},
     "opens_at": DATETIME, "closes_at": DATETIME, "seconds_to_open": INT, "duration_s": INT,
     "question_count": INT, "max_attempts": INT,
     "prediction": {"type": "string", "enum": ["count", "percent"], "nullable": True},
     "allow_other_unit": BOOL, "show_review": BOOL, "units": {"type": "array", "items": UNIT_ITEM}})
REGISTRATION = _obj(["full_name", "unit_code", "identity", "consent"], {
    "full_name": {"type": "string", "maxLength": 120},
    "unit_code": {"type": "string", "description": "a unit code, or \"__other__\" with other_unit"},
    "identity": {"type": "string", "description": "phone (0912 345 678, +84…) or staff code"},
    "consent": BOOL, "prediction": {"type": "number", "description": "count, or percent (≤ 5 decimals)"},
    "birth_year": INT, "position": STR, "other_unit": STR})
ATTEMPT_STATE = _obj(["attempt_id", "state", "deadline", "remaining_s", "answers"], {
    "attempt_id": STR, "quiz": STR, "state": {"type": "string", "enum": ["in_progress", "finished"]},
    "attempt_no": INT, "started_at": DATETIME, "deadline": DATETIME, "remaining_s": INT,
    "question_count": INT, "answers": ANSWERS})
STARTED = {**ATTEMPT_STATE, "required": ATTEMPT_STATE["required"] + ["questions"],
           "properties": {**ATTEMPT_STATE["properties"], "questions": {"type": "array", "items": QUESTION}}}
REVIEW_ITEM = _obj(["id", "text", "your_option_ids", "correct_option_ids", "is_correct", "explanation"], {
    "id": INT, "number": INT, "text": STR, "kind": STR, "image": IMAGE,
    "options": {"type": "array", "items": _obj(["id", "text", "is_correct", "chosen"], {
        "id": INT, "text": STR, "is_correct": {"type": ["boolean", "null"]}, "chosen": BOOL, "image": IMAGE})},
    "your_option_ids": {"type": "array", "items": INT}, "correct_option_ids": {"type": "array", "items": INT},
    "is_correct": {"type": ["boolean", "null"]}, "explanation": STR,
    "withheld": {"type": "boolean", "description": "the question may still be asked elsewhere: no key yet"},
    "voided": {"type": ["string", "null"], "enum": ["credit", "drop", None],
               "description": "voided in this quiz: everyone got its points (credit) or it left the maximum (drop)"},
    "key_corrected": {"type": "boolean", "description": "the organizers corrected its key after the round"}})
RESULT = _obj(["score", "max_score", "correct_count", "percent", "duration_s", "rank", "total", "provisional"], {
    "score": INT, "max_score": INT, "correct_count": INT, "question_count": INT, "percent": NUM,
    "duration_s": NUM, "submitted_at": DATETIME, "finalised_by": STR,
    "prediction": _nullable(NUM), "rank": _nullable(INT), "total": _nullable(INT), "provisional": BOOL,
    "unit_rank": _obj(["rank", "name"], {"rank": INT, "total": INT, "name": STR, "participants": INT,
                                         "headcount": _nullable(INT), "participation_rate": _nullable(NUM),
                                         "emulation_score": _nullable(NUM)}),
    "review": {"type": "array", "items": REVIEW_ITEM,
               "description": "only when the quiz shows the review, and only once the quiz has closed"},
    "review_at": {"type": "string", "format": "date-time",
                  "description": "while the quiz is open: when the review (correct answers) will be shown"}})
ATTEMPT_WITH_RESULT = {**ATTEMPT_STATE, "properties": {**ATTEMPT_STATE["properties"], "result": RESULT}}
SAVED = _obj(["question_id", "option_ids", "saved", "remaining_s"], {
    "question_id": INT, "option_ids": {"type": "array", "items": INT}, "saved": BOOL, "saved_at": DATETIME,
    "remaining_s": INT})
QUIZ_REF = _obj(["code", "title"], {"code": STR, "title": STR})
LEADERBOARD = _obj(["quiz", "provisional", "rows"], {
    "quiz": QUIZ_REF, "provisional": BOOL,
    "rows": {"type": "array", "items": _obj(
        ["rank", "full_name", "identity", "unit_code", "unit_name", "correct_count", "score", "max_score",
         "score_pct", "prediction", "prediction_error", "duration_s", "submitted_at"],
        {"rank": INT, "full_name": STR, "identity": {"type": "string", "description": "masked: 09xx xxx 678"},
         "unit_code": _nullable(STR), "unit_name": _nullable(STR), "correct_count": INT, "score": INT,
         "max_score": INT, "score_pct": NUM, "prediction": _nullable(NUM), "prediction_error": _nullable(NUM),
         "duration_s": NUM, "submitted_at": DATETIME})}})
UNIT_RANKING = _obj(["quiz", "provisional", "rows"], {
    "quiz": QUIZ_REF, "provisional": BOOL,
    "rows": {"type": "array", "items": _obj(
        ["rank", "code", "name", "parent_code", "headcount", "participants", "participation_rate",
         "mean_score_pct", "emulation_score", "is_flagged"],
        {"rank": _nullable(INT), "code": STR, "name": STR, "parent_code": _nullable(STR),
         "headcount": _nullable(INT), "participants": INT, "participation_rate": _nullable(NUM),
         "mean_score_pct": _nullable(NUM), "emulation_score": _nullable(NUM), "is_flagged": BOOL})}})


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": _json(schema)}


def _err(description: str) -> dict:
    return {"description": description, "content": _json({"$ref": "#/components/schemas/Error"})}


CODE = {"name": "code", "in": "path", "required": True, "schema": STR, "description": "quiz join code"}
TOKEN = {"name": "attempt_id", "in": "path", "required": True, "schema": STR,
         "description": "the attempt's unguessable token"}
QUESTION_ID = {"name": "question_id", "in": "path", "required": True, "schema": INT}

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Thi Đua Số API", "version": "1.0.0",
             "description": "Participant flow and public rankings. Errors are JSON "
                            "{error: {code, message, fields?}} with Vietnamese messages."},
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/quizzes/{code}": {"get": {
            "summary": "Public quiz info and the unit tree for the picker", "parameters": [CODE],
            "responses": {"200": _ok("quiz info", QUIZ_INFO), "404": _err("unknown quiz")}}},
        "/quizzes/{code}/attempts": {"post": {
            "summary": "Start (201) or resume (200) the attempt of an identity", "parameters": [CODE],
            "requestBody": {"required": True, "content": _json(REGISTRATION)},
            "responses": {"201": _ok("started", STARTED), "200": _ok("resumed", STARTED),
                          "400": _err("malformed JSON"), "403": _err("quiz not open yet"),
                          "404": _err("unknown quiz"), "409": _err("no attempts left"),
                          "410": _err("quiz closed"), "422": _err("invalid fields (see error.fields)")}}},
        "/quizzes/{code}/leaderboard": {"get": {
            "summary": "Individual ranking (identities masked)", "parameters": [CODE],
            "responses": {"200": _ok("leaderboard", LEADERBOARD), "404": _err("unknown quiz")}}},
        "/quizzes/{code}/unit-ranking": {"get": {
            "summary": "Unit (emulation) ranking", "parameters": [CODE],
            "responses": {"200": _ok("unit ranking", UNIT_RANKING), "404": _err("unknown quiz")}}},
        "/attempts/{attempt_id}": {"get": {
            "summary": "The attempt's state, saved answers, remaining seconds, and result when finished",
            "parameters": [TOKEN],
            "responses": {"200": _ok("attempt", ATTEMPT_WITH_RESULT), "404": _err("unknown attempt")}}},
        "/attempts/{attempt_id}/answers/{question_id}": {"put": {
            "summary": "Save one answer; an empty list clears it", "parameters": [TOKEN, QUESTION_ID],
            "requestBody": {"required": True, "content": _json(_obj(["option_ids"], {
                "option_ids": {"type": "array", "items": INT}}))},
            "responses": {"200": _ok("saved", SAVED), "400": _err("malformed JSON"),
                          "404": _err("unknown attempt or question not in it"),
                          "409": _err("already submitted"), "410": _err("deadline passed"),
                          "422": _err("invalid option ids")}}},
        "/attempts/{attempt_id}/submit": {"post": {
            "summary": "Finish the attempt; idempotent", "parameters": [TOKEN],
            "responses": {"200": _ok("result", RESULT), "404": _err("unknown attempt")}}},
    },
    "components": {"schemas": {"Error": ERROR}},
}


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(SPEC)
