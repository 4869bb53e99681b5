"""Every word list and threshold the question linter uses, in one place (see lint.py for the rules).

Tuning a rule means editing this module only; tests/question_bank/test_lint.py holds the good and bad
questions each value was chosen against. Words are compared after `lint.tokens()`: NFC, case-folded,
split into Vietnamese syllables ("chỉ thị" is two tokens, "22/12/2024" and "57-NQ/TW" are one).
"""
from __future__ import annotations

# --- absolute words -----------------------------------------------------------------------------
# Absolute words make a statement easy to reject without knowing the subject ("it says luôn, so it
# is wrong"). Each entry is a phrase of one or more syllables, matched as whole tokens.
ABSOLUTE_WORDS: tuple[str, ...] = (
    "chỉ", "luôn", "luôn luôn", "mọi", "tất cả", "chắc chắn", "không bao giờ", "hoàn toàn", "duy nhất",
    "tuyệt đối", "không ai",
)
# "chỉ" is also half of many ordinary words: "chỉ thị" (directive), "chỉ đạo", "địa chỉ" (address),
# "chỉ số"… A "chỉ" followed by one of these syllables, or preceded by one of the prefixes below,
# is not the absolute "only". "không chỉ … mà còn" ("not only … but also") is not absolute either.
# Syllables that also start common phrases after the absolute "chỉ" are left out on purpose: "chỉ báo
# cáo" (only report), "chỉ thực hiện" (only carry out), "chỉ nam giới" (only men) are absolute.
CHI_COMPOUND_NEXT: frozenset[str] = frozenset({
    "thị", "đạo", "số", "tiêu", "dẫn", "định", "huy", "ra", "rõ", "trích", "điểm", "giáo", "tay",
    "vàng", "khâu", "mục", "trỏ", "lệnh", "bảo",
})
CHI_COMPOUND_PREV: frozenset[str] = frozenset({"địa", "ngón", "kim", "sợi", "không", "cử"})
# "mọi" in "mọi mặt" / "mọi lúc" is still absolute; but "tất cả" inside "tất cả các đáp án trên" is
# reported by the all-of-the-above rule instead, not twice.

# --- "all of the above" and friends --------------------------------------------------------------
# Regular expressions searched in the option's tokens joined by single spaces (case-folded, no
# punctuation: "Cả A, B và C" is searched as "cả a b và c") for options that point at other
# options: a guesser picks them whenever two options look right.
OPTION_REFERS_TO_OTHERS: tuple[str, ...] = (
    r"\btất cả (các )?(đáp án|phương án|câu|ý|lựa chọn)( trả lời)?( ở)? (trên|nêu trên|đã nêu)",
    r"\btất cả (đều|cùng) (đúng|sai)",
    r"\b(các|những|cả hai|cả ba|cả bốn) (đáp án|phương án|ý|câu|lựa chọn)( trả lời)? (trên|nêu trên)?\s*(đều )?(đúng|sai)",
    r"\bcả (hai|ba|bốn|năm) (đáp án|phương án|ý|câu|lựa chọn)",
    r"\bcả [a-f]( [a-f])* (và|lẫn) [a-f]\b",
    r"^[a-f]( [a-f])* và [a-f]( đều (đúng|sai))?$",
    r"\b(không có|không) (đáp án|phương án|ý|câu|lựa chọn) nào( ở trên| nêu trên| trên)?( (là )?đúng| (là )?sai)?$",
    r"\b(đáp án|phương án|ý) [a-f] và [a-f]\b",
    r"\ball of the above\b", r"\bnone of the above\b",
)

# --- word overlap with the stem -------------------------------------------------------------------
# Syllables that carry no meaning of their own: not counted when comparing an option with the stem
# nor as "new" words in an explanation.
STOPWORDS: frozenset[str] = frozenset("""
    là của và các những một được cho có trong với để nào gì sau đây này đó thì về theo khi bằng từ trên
    tại ra vào đã sẽ đang cũng như mà nếu hay hoặc nhất rất hơn không phải do bởi đến ở nên vì thế
    ai đâu sao bao nhiêu lúc nơi việc sự cái người chiếc hãy cần nhưng thể nhau ta mình bị vẫn lại
    đúng sai câu đáp án phương chọn điều nói trả lời
""".split())
# Instructions to the participant inside a stem, left out before comparing stems with options or
# with each other: "(chọn tất cả đáp án đúng)" says nothing about the subject.
STEM_INSTRUCTIONS = r"\((?:hãy )?chọn[^)]*\)"
# The correct option "shares clearly more words with the stem" when it shares at least
# OVERLAP_MIN_MARGIN more meaningful syllables with the stem than the wrong option sharing most, AND
# at least OVERLAP_MIN_RATIO times as many. Two syllables is one Vietnamese compound word ("dữ
# liệu", "mật khẩu"); the ratio keeps long options that all echo the stem from being flagged.
OVERLAP_MIN_MARGIN = 2
OVERLAP_MIN_RATIO = 2.0

# --- the longest option ---------------------------------------------------------------------------
# The correct option (single answer) is flagged when it is strictly the longest AND clearly so: at
# least LONGEST_MIN_RATIO times as long as the longest wrong option and LONGEST_MIN_EXTRA characters
# longer. "Bộ Chính trị" beside "Ban Bí thư" is two characters longer and nobody guesses from that.
LONGEST_MIN_RATIO = 1.25
LONGEST_MIN_EXTRA = 8

# --- questions of one set -------------------------------------------------------------------------
# Two stems at least this similar (difflib ratio of their normalised texts) test the same thing.
NEAR_DUPLICATE_RATIO = 0.85
# A cheap first look: pairs sharing less than this share of their words (Dice coefficient) are not
# compared letter by letter. Far below what 85 % letter similarity implies, so it only saves time.
NEAR_DUPLICATE_WORDS = 0.4
# How much pairwise work one run may do before it stops with a note ("chưa so hết các câu gần trùng"),
# in units of one look at two stems' word sets (~1 µs); a look at their letter counts costs
# LETTER_COUNT_COST, a letter-by-letter comparison LETTER_DIFF_COST. About two seconds at most: a
# file of thousands of look-alike questions gets a note instead of a page that takes a minute.
MAX_PAIRWISE_WORK = 1_500_000
LETTER_COUNT_COST = 25
LETTER_DIFF_COST = 400
# Beyond this many questions the pairwise checks (near-duplicates, answers in other stems) are
# skipped and the report says so: they grow with the square of the count.
MAX_PAIRWISE = 3000
# A correct answer "given away" by another stem must be specific enough to be a give-away: at least
# this many characters and two syllables, or containing a digit (a date, a number, a document code)…
ANSWER_IN_STEM_MIN_CHARS = 6
# …and the two stems must be about the same thing: sharing this many meaningful syllables besides
# the answer itself ("Nghị quyết 57-NQ/TW" shares three).
ANSWER_IN_STEM_MIN_CONTEXT = 2

# --- explanation ----------------------------------------------------------------------------------
# An explanation explains when it brings at least this many meaningful syllables that are in neither
# the stem nor the correct answer ("Sai: do Bộ Chính trị ban hành" brings "bộ", "trị", "ban", "hành"…).
EXPLANATION_MIN_NEW_WORDS = 2

# --- per set --------------------------------------------------------------------------------------
# Noted (not a question warning) when a set has at least TF_MIN_COUNT true/false questions and the
# share keyed "Đúng" is outside this range: answering all "Đúng" (or all "Sai") should not pay.
TF_MIN_COUNT = 6
TF_TRUE_SHARE_RANGE = (0.35, 0.65)
# Noted when a set has at least LETTER_MIN_COUNT single-answer questions and one letter is correct in
# more than LETTER_MAX_SHARE of them (options may be shuffled in a quiz, but not on paper).
LETTER_MIN_COUNT = 8
LETTER_MAX_SHARE = 0.40
