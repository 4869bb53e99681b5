"""The live session: a host paces one quiz question by question for a hall of phones (issue #8).

"Live" means this and nothing else. One feature, one folder:
  * `host`  — create a session, move it along (start, pause, reveal, next, skip, end), end it;
  * `phone` — join (or rejoin) a session, answer the current question, a phone's own state;
  * `board` — standings, and the state document phones and the projector poll (kept per version).
Its views are in quiz/views/live_session/, its models in quiz/models/live.py, its templates in
templates/live/. Callers import what they use from here.
"""
from .board import (
    DOCUMENTS, STANDINGS, VERSIONS, PlayerRow, answered_count, build_state, current_version, joined_by_unit,
    kept_document, player_standings, recent_version, remember_version, session_of, standings_by_attempt,
    state_document, unit_standings,
)
from .host import (
    ACTIONS, LiveStateError, control, create_session, finalise_session_attempts, get_session, latest_session,
    running_session, sessions_of,
)
from .phone import (
    OPTIONS, AlreadyAnsweredError, LiveClosedError, find_player, get_player, join_session, player_state,
    save_live_answer, save_live_answer_retrying, speed_points,
)

__all__ = [
    "ACTIONS", "DOCUMENTS", "OPTIONS", "STANDINGS", "VERSIONS", "AlreadyAnsweredError", "LiveClosedError",
    "LiveStateError", "PlayerRow", "answered_count", "build_state", "control", "create_session",
    "current_version", "finalise_session_attempts", "find_player", "get_player", "get_session", "join_session",
    "joined_by_unit", "kept_document", "latest_session", "player_standings", "player_state", "recent_version",
    "remember_version", "running_session", "save_live_answer", "save_live_answer_retrying", "session_of",
    "sessions_of", "speed_points", "standings_by_attempt", "state_document", "unit_standings",
]
