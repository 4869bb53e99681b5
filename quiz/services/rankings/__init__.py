"""Rankings: the one pipeline, as one package.

* `scope`      — a quiz or a contest behind one interface (what is ranked, which order);
* `order`      — the ranking order compiled once from the quiz's keys (ORDER BY, best-attempt
                 pick, "who beats me");
* `counted`    — each participant's counted attempt (a quiz) or totals (a contest), in SQL;
* `individuals`— the individual ranking, with the rules in its docstring;
* `units`      — the unit (emulation) ranking with its roll-up (`unit_rollup`), and a
                 participant's standing after submitting;
* `tallies`    — a quiz's exact per-unit figures, kept in the transaction that finishes or
                 re-counts an attempt: what a quiz's unit ranking reads;
* `rows`       — the row dataclasses and their one JSON shape (`row_dict`);
* `published`  — published, versioned snapshots;
* `question_stats` — per-question figures a publication freezes;
* `read`       — the one read path: published or current, and what each audience may see.

The names below are the quiz/contest entry points the rest of the app (and the tests) call.
"""
from .counted import is_provisional, prediction_truth
from .individuals import (contest_individual_ranking, individual_ranking, is_contest_provisional,
                          iter_individual_ranking, participant_rank)
from .rows import IndividualRow, UnitRow, row_dict
from .scope import Scope
from .units import Standing, attempt_standing, contest_unit_ranking, unit_ranking, unit_ranking_levels

__all__ = [
    "IndividualRow", "Scope", "Standing", "UnitRow", "attempt_standing", "contest_individual_ranking",
    "contest_unit_ranking", "individual_ranking", "is_contest_provisional", "is_provisional",
    "iter_individual_ranking",
    "participant_rank", "prediction_truth", "row_dict", "unit_ranking", "unit_ranking_levels",
]
