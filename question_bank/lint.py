"""The question linter: warnings about questions that can be answered by guessing from their wording.

Two entry points, both pure (no Flask, no database):
- `lint_question(q)`: the rules that look at one question (longest option, absolute words, word overlap
  with the stem, "all of the above", explanation, source);
- `lint_set(questions, context=…)`: those, plus the rules across a set (near-duplicate stems, a stem
  giving away another question's answer), and the per-set figures (true/false keyed "Đúng", spread of
  the correct letter, count per warning). `context` questions are compared with but not reported on:
  the rest of the set when one question is edited, the set's stored questions when a file is imported.

Warnings never block anything; each says what to change. Word lists and thresholds: lint_rules.py.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher

from . import lint_rules as R
from .schema import LETTERS, QuestionData, duplicate_key

# Short Vietnamese names of the warnings, for summaries (codes are the stable part: JSON, CLI, tests).
CODES: dict[str, str] = {
    "longest_correct": "đáp án đúng dài nhất",
    "absolute_wrong_only": "từ tuyệt đối chỉ ở phương án sai",
    "absolute_false_statement": "câu Sai có từ tuyệt đối",
    "overlap_with_stem": "đáp án lặp từ câu hỏi",
    "refers_to_others": "phương án “tất cả các đáp án trên”",
    "near_duplicate": "câu gần trùng",
    "answer_in_other_stem": "câu hỏi lộ đáp án câu khác",
    "explanation_missing": "thiếu giải thích",
    "explanation_restates": "giải thích chỉ nhắc lại đáp án",
    "source_missing": "thiếu nguồn",
}

_TOKEN = re.compile(r"\w+(?:[/.\-]\w+)*")
_INSTRUCTIONS = re.compile(R.STEM_INSTRUCTIONS, re.IGNORECASE)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»")
_REFERS = [re.compile(p) for p in R.OPTION_REFERS_TO_OTHERS]
_ABSOLUTE = sorted((tuple(w.split()) for w in R.ABSOLUTE_WORDS), key=len, reverse=True)


@dataclass(frozen=True)
class LintWarning:
    code: str
    field: str  # the form field to change: "text", "options", "explanation" or "source"
    message: str


@dataclass
class SetReport:
    """What the linter found in a set: per question (parallel to the questions given) and overall."""
    warnings: list[list[LintWarning]]
    counts: dict[str, int] = field(default_factory=dict)
    tf_total: int = 0
    tf_true: int = 0
    letters: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    pairwise_skipped: bool = False

    @property
    def total(self) -> int:
        return len(self.warnings)

    @property
    def flagged(self) -> int:
        return sum(1 for w in self.warnings if w)

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.total if self.total else 0.0

    def as_dict(self) -> dict:
        return {"total": self.total, "flagged": self.flagged, "flagged_share": round(self.flagged_share, 4),
                "counts": dict(self.counts), "true_false": {"total": self.tf_total, "true": self.tf_true},
                "letters": dict(self.letters), "notes": list(self.notes), "pairwise_skipped": self.pairwise_skipped,
                "questions": [[asdict(w) for w in ws] for ws in self.warnings]}


# --- words ------------------------------------------------------------------------------------------

def tokens(text: str) -> list[str]:
    """Case-folded syllables of a text; a date, a number or a document code stays one token."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    return [unicodedata.normalize("NFC", t) for t in _TOKEN.findall(text)]


def content_words(text: str) -> set[str]:
    return {t for t in tokens(text) if t not in R.STOPWORDS}


def stem_words(stem: str) -> set[str]:
    """The meaningful words of a stem, without instructions such as "(chọn tất cả đáp án đúng)"."""
    return content_words(_INSTRUCTIONS.sub(" ", stem or ""))


def absolute_words(text: str) -> list[str]:
    """The absolute words in a text, as whole words ("chỉ thị", "địa chỉ", "không chỉ" are not "chỉ"),
    outside quotation marks: a quoted slogan or name (“không ai bị bỏ lại phía sau”) claims nothing."""
    toks, found, i = tokens(_QUOTED.sub(" ", text or "")), [], 0
    while i < len(toks):
        for phrase in _ABSOLUTE:
            if tuple(toks[i:i + len(phrase)]) != phrase:
                continue
            if phrase == ("chỉ",) and (
                    (i + 1 < len(toks) and toks[i + 1] in R.CHI_COMPOUND_NEXT)
                    or (i > 0 and toks[i - 1] in R.CHI_COMPOUND_PREV)):
                continue
            found.append(" ".join(phrase))
            i += len(phrase) - 1
            break
        i += 1
    return found


def refers_to_others(text: str) -> bool:
    folded = " ".join(tokens(text))
    return any(p.search(folded) for p in _REFERS)


def _quoted(words) -> str:
    return ", ".join(f"«{w}»" for w in words)


def _letters(indexes) -> str:
    return ", ".join(LETTERS[i] if i < len(LETTERS) else str(i + 1) for i in indexes)


# --- one question -----------------------------------------------------------------------------------

def lint_question(q: QuestionData) -> list[LintWarning]:
    """Every warning about `q` on its own, in a stable order."""
    out: list[LintWarning] = []
    options = list(q.options or [])
    correct = [i for i, o in enumerate(options) if o.is_correct]
    wrong = [i for i, o in enumerate(options) if not o.is_correct]
    if q.kind in ("single", "multiple") and correct and wrong:
        out += _refers(options)
        out += _absolute_in_options(options, correct, wrong)
    if q.kind == "single" and len(correct) == 1 and wrong:
        out += _longest(options, correct[0], wrong)
        out += _overlap(q.text, options, correct[0], wrong)
    if q.kind == "true_false" and correct and options[correct[0]].text == "Sai":
        found = absolute_words(q.text)
        if found:
            out.append(LintWarning("absolute_false_statement", "text", (
                f"Câu có đáp án «Sai» lại chứa từ tuyệt đối {_quoted(found)}: người thi đoán «Sai» mà không cần "
                "biết nội dung. Hãy bỏ từ tuyệt đối và làm câu sai bằng một chi tiết sai cụ thể (ngày, cơ quan "
                "ban hành, con số).")))
    out += _explanation(q, [options[i].text for i in correct])
    if not (q.source or "").strip():
        out.append(LintWarning("source_missing", "source", (
            "Chưa ghi nguồn: hãy ghi văn bản hoặc tài liệu làm căn cứ (ví dụ: Nghị quyết 57-NQ/TW) để người "
            "duyệt đối chiếu được.")))
    return out


def _refers(options) -> list[LintWarning]:
    hits = [i for i, o in enumerate(options) if refers_to_others(o.text)]
    if not hits:
        return []
    return [LintWarning("refers_to_others", "options", (
        f"Phương án {_letters(hits)} («{options[hits[0]].text}») dựa vào các phương án khác: chỉ cần thấy hai "
        "phương án có vẻ đúng là đoán được. Hãy thay bằng một phương án tự đứng được, hoặc đổi thành câu nhiều "
        "đáp án."))]


def _absolute_in_options(options, correct, wrong) -> list[LintWarning]:
    if any(absolute_words(options[i].text) for i in correct):
        return []
    hits = {i: absolute_words(options[i].text) for i in wrong if not refers_to_others(options[i].text)}
    hits = {i: words for i, words in hits.items() if words}
    if not hits:
        return []
    words = sorted({w for ws in hits.values() for w in ws})
    return [LintWarning("absolute_wrong_only", "options", (
        f"Từ tuyệt đối {_quoted(words)} chỉ có ở phương án sai ({_letters(sorted(hits))}): người thi loại ngay "
        "các phương án này. Hãy bỏ từ tuyệt đối, và làm phương án sai bằng một chi tiết sai cụ thể (ngày, cơ "
        "quan, con số)."))]


def _longest(options, right, wrong) -> list[LintWarning]:
    if any(not options[i].text for i in [right, *wrong]):
        return []  # a picture option has no length to compare
    n, m = len(options[right].text), max(len(options[i].text) for i in wrong)
    if n >= m * R.LONGEST_MIN_RATIO and n - m >= R.LONGEST_MIN_EXTRA:
        return [LintWarning("longest_correct", "options", (
            f"Đáp án đúng ({_letters([right])}, {n} ký tự) dài hơn hẳn mọi phương án sai (dài nhất {m} ký tự): "
            "người thi hay đoán phương án dài và đầy đủ nhất. Hãy rút gọn đáp án, hoặc viết phương án sai cụ thể "
            "và dài tương đương."))]
    return []


def _overlap(stem, options, right, wrong) -> list[LintWarning]:
    in_stem = stem_words(stem)
    shared = content_words(options[right].text) & in_stem
    most = max(len(content_words(options[i].text) & in_stem) for i in wrong)
    if len(shared) - most >= R.OVERLAP_MIN_MARGIN and len(shared) >= R.OVERLAP_MIN_RATIO * most:
        return [LintWarning("overlap_with_stem", "options", (
            f"Đáp án đúng ({_letters([right])}) lặp lại {len(shared)} từ của câu hỏi ({_quoted(sorted(shared))}), "
            f"phương án sai nhiều nhất chỉ {most}: người thi chọn phương án giống câu hỏi nhất. Hãy diễn đạt đáp "
            "án bằng từ khác, hoặc cho các phương án sai dùng cùng những từ đó."))]
    return []


def _explanation(q: QuestionData, answers: list[str]) -> list[LintWarning]:
    text = (q.explanation or "").strip()
    if not text:
        return [LintWarning("explanation_missing", "explanation", (
            "Chưa có giải thích: hãy viết vì sao đáp án đúng (văn bản nào quy định, điều gì phân biệt nó với "
            "phương án sai) — người thi đọc phần này sau khi nộp bài."))]
    known = content_words(q.text).union(*(content_words(a) for a in answers))
    if len(content_words(text) - known) < R.EXPLANATION_MIN_NEW_WORDS:
        return [LintWarning("explanation_restates", "explanation", (
            "Giải thích chỉ nhắc lại câu hỏi và đáp án: hãy thêm lý do hoặc chi tiết (văn bản nào, vì sao phương "
            "án sai là sai, điều cần nhớ)."))]
    return []


# --- a set ------------------------------------------------------------------------------------------

def lint_set(questions: list[QuestionData], context: list[QuestionData] = (),
             labels: list[str] | None = None, context_labels: list[str] | None = None) -> SetReport:
    """Lint `questions` as one set; `context` questions are compared with them but not reported on.

    `labels` name the questions in messages about another question (default "câu 1", "câu 2"…).
    """
    questions, context = list(questions), list(context)
    labels = labels or [f"câu {i}" for i in range(1, len(questions) + 1)]
    context_labels = context_labels or [f"câu {i}" for i in range(len(questions) + 1, len(questions) + len(context) + 1)]
    report = SetReport(warnings=[lint_question(q) for q in questions])
    everything, names = questions + context, labels + context_labels
    if len(everything) <= R.MAX_PAIRWISE:
        _near_duplicates(everything, names, len(questions), report)
        _answers_in_stems(everything, names, len(questions), report)
    else:
        report.pairwise_skipped = True
        report.notes.append(f"Bộ có {len(everything)} câu, quá {R.MAX_PAIRWISE}: chưa kiểm tra câu gần trùng và câu "
                            "lộ đáp án câu khác.")
    report.counts = dict(Counter(w.code for ws in report.warnings for w in ws))
    _figures(questions, report)
    return report


def _near_duplicates(qs, names, reported: int, report: SetReport) -> None:
    keys = [duplicate_key(q.text) for q in qs]
    words = [frozenset(tokens(k)) for k in keys]
    letter_counts = [Counter(k) for k in keys]
    order = sorted(range(len(qs)), key=lambda i: len(keys[i]))
    # ratio <= 2·min(len)/(len a + len b): past this length factor no pair can reach the threshold.
    reach = 2 / R.NEAR_DUPLICATE_RATIO - 1
    matcher = SequenceMatcher(None, autojunk=False)
    # Work is counted, not timed (a result must not depend on the machine's load): a look at two
    # word sets costs 1, a look at two letter counts LETTER_COUNT_COST, a letter-by-letter
    # comparison LETTER_DIFF_COST.
    budget = R.MAX_PAIRWISE_WORK
    for pos, i in enumerate(order):
        matcher.set_seq2(keys[i])  # difflib caches what it learns about the second sequence
        for k in range(pos + 1, len(order)):
            j = order[k]
            if len(keys[j]) > len(keys[i]) * reach:
                break
            if keys[i] == keys[j] or (i >= reported and j >= reported):
                continue  # exact duplicates are reported (and skipped) by the importer
            budget -= 1
            if budget < 0:
                return _gave_up(report)
            if 2 * len(words[i] & words[j]) < R.NEAR_DUPLICATE_WORDS * (len(words[i]) + len(words[j])):
                continue  # cheap: stems this different in words are not near-duplicates in letters
            budget -= R.LETTER_COUNT_COST
            # difflib's quick_ratio (the same upper bound), on letter counts made once per stem
            common = sum((letter_counts[i] & letter_counts[j]).values())
            if 2 * common < R.NEAR_DUPLICATE_RATIO * (len(keys[i]) + len(keys[j])):
                continue
            budget -= R.LETTER_DIFF_COST
            if budget < 0:
                return _gave_up(report)
            matcher.set_seq1(keys[j])
            ratio = matcher.ratio()
            if ratio < R.NEAR_DUPLICATE_RATIO:
                continue
            later, earlier = (max(i, j), min(i, j)) if max(i, j) < reported else (min(i, j), max(i, j))
            report.warnings[later].append(LintWarning("near_duplicate", "text", (
                f"Câu hỏi gần trùng với {names[earlier]} (giống {round(ratio * 100)} %): hai câu kiểm tra cùng một "
                "điều. Hãy bỏ một câu, hoặc hỏi một khía cạnh khác.")))


def _gave_up(report: SetReport) -> None:
    report.pairwise_skipped = True
    report.notes.append("Quá nhiều câu giống nhau về từ ngữ: chưa so hết các câu gần trùng.")


def _specific(answer: str) -> bool:
    toks = tokens(answer)
    return any(ch.isdigit() for ch in answer) or (len(answer) >= R.ANSWER_IN_STEM_MIN_CHARS and len(toks) >= 2)


def _answers_in_stems(qs, names, reported: int, report: SetReport) -> None:
    stems = [tokens(q.text) for q in qs]
    joined = [f" {' '.join(stem)} " for stem in stems]  # whole-token search as a plain substring search
    words = [stem_words(q.text) for q in qs]
    having: dict[str, set[int]] = {}  # token -> the stems containing it, to look only where it can be
    for x, stem in enumerate(stems):
        for token in stem:
            having.setdefault(token, set()).add(x)
    for y, q in enumerate(qs):
        if q.kind == "true_false":
            continue
        for option in q.options:
            if not option.is_correct or not option.text or not _specific(option.text):
                continue
            needle, own = tokens(option.text), content_words(option.text)
            if not needle:
                continue
            phrase = f" {' '.join(needle)} "
            candidates = set.intersection(*(having.get(t, set()) for t in set(needle)))
            for x in sorted(candidates):
                if x == y or (x >= reported and y >= reported) or phrase not in joined[x]:
                    continue
                if len((words[x] & words[y]) - own) < R.ANSWER_IN_STEM_MIN_CONTEXT:
                    continue
                if x < reported:
                    report.warnings[x].append(LintWarning("answer_in_other_stem", "text", (
                        f"Câu hỏi có «{option.text}», là đáp án đúng của {names[y]}: ai gặp cả hai câu sẽ biết đáp "
                        "án. Hãy bỏ chi tiết này khỏi câu hỏi, hoặc hỏi điều khác.")))
                else:
                    report.warnings[y].append(LintWarning("answer_in_other_stem", "options", (
                        f"Đáp án đúng «{option.text}» đã được nêu trong {names[x]}: ai gặp cả hai câu sẽ biết đáp án. "
                        "Hãy hỏi điều khác, hoặc bỏ chi tiết đó khỏi câu kia.")))


def _figures(questions, report: SetReport) -> None:
    tf = [q for q in questions if q.kind == "true_false" and any(o.is_correct for o in q.options)]
    report.tf_total = len(tf)
    report.tf_true = sum(1 for q in tf if q.options[0].is_correct)
    letters: Counter = Counter()
    for q in questions:
        if q.kind == "single":
            for i, o in enumerate(q.options):
                if o.is_correct and i < len(LETTERS):
                    letters[LETTERS[i]] += 1
    report.letters = {k: letters[k] for k in sorted(letters)}
    low, high = R.TF_TRUE_SHARE_RANGE
    if report.tf_total >= R.TF_MIN_COUNT and not low <= report.tf_true / report.tf_total <= high:
        report.notes.append(
            f"{report.tf_true}/{report.tf_total} câu đúng/sai có đáp án «Đúng»: chọn toàn một đáp án cũng được nhiều "
            f"điểm. Hãy cân bằng trong khoảng {round(low * 100)}–{round(high * 100)} %.")
    singles = sum(letters.values())
    if singles >= R.LETTER_MIN_COUNT:
        letter, count = letters.most_common(1)[0]
        if count / singles > R.LETTER_MAX_SHARE:
            report.notes.append(
                f"Đáp án đúng là {letter} ở {count}/{singles} câu một đáp án: hãy đổi chỗ các phương án cho đều hơn "
                "(khi in ra giấy hoặc không xáo trộn phương án, người thi sẽ nhận ra).")
