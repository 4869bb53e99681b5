"""The data model, one module per aggregate; import models from here."""
from .accounts import ROLES, Organizer
from .attempts import Answer, Attempt, AttemptQuestion, Participant
from .bank import KINDS, Option, Question, QuestionSet
from .corrections import CORRECTION_KINDS, VOID_MODES, QuestionCorrection
from .quizzes import (
    COUNTED_ATTEMPTS,
    DEFAULT_RANKING_ORDER,
    PREDICTION_KINDS,
    RANKING_KEYS,
    Contest,
    DrawRule,
    Quiz,
    contest_organizer,
)
from .media import MEDIA_TYPES, Media
from .live import LIVE_SCORING, LIVE_STATES, LIVE_UNIT_SCORE, LiveQuestion, LiveSession
from .rankings import AuditEntry, OtherUnitTally, RankingSnapshot, UnitTally
from .awards import CERTIFICATE_KINDS, CHECK_STATUSES, AwardList, Certificate, PrizeLevel, PrizeTable, WinnerCheck
from .rosters import RosterEntry, RosterReview
from .units import Unit

__all__ = [
    "ROLES", "KINDS", "COUNTED_ATTEMPTS", "DEFAULT_RANKING_ORDER", "PREDICTION_KINDS", "RANKING_KEYS",
    "LIVE_SCORING", "LIVE_STATES", "LIVE_UNIT_SCORE", "LiveQuestion", "LiveSession",
    "CORRECTION_KINDS", "VOID_MODES", "QuestionCorrection",
    "MEDIA_TYPES", "Media", "Answer", "Attempt", "AttemptQuestion", "AuditEntry", "Contest", "DrawRule", "Option",
    "Organizer", "Participant", "Question", "QuestionSet", "Quiz", "RankingSnapshot", "RosterEntry",
    "OtherUnitTally", "RosterReview", "Unit", "UnitTally",
    "contest_organizer", "CERTIFICATE_KINDS", "CHECK_STATUSES", "AwardList", "Certificate", "PrizeLevel",
    "PrizeTable", "WinnerCheck",
]
