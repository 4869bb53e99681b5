"""The demo: a provincial Health Department's unit tree, the starter sets and an open quiz."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from question_bank import starter_sets

from ..extensions import db
from ..models import Option, Organizer, Quiz, RosterEntry, Unit
from . import accounts, attempts, bank, quizzes, units
from .rosters.importing import import_rosters

DEMO_QUIZ_CODE = "BDHVS"
DEMO_CONTEST_CODE = "BDHVS-DEMO"
DEMO_ADMIN_EMAIL = "admin@thiduaso.local"

# (code, name, parent code, headcount): a fictional but realistic Sở Y tế with its units.
DEMO_UNITS = [
    ("SYT", "Đảng bộ Sở Y tế tỉnh Lai Châu", "", None),
    ("VP-SYT", "Chi bộ Văn phòng Sở Y tế", "SYT", 38),
    ("CDC", "Trung tâm Kiểm soát bệnh tật tỉnh", "SYT", 124),
    ("BVDK", "Bệnh viện Đa khoa tỉnh", "SYT", None),
    ("BVDK-NOI", "Khối Nội — Bệnh viện Đa khoa tỉnh", "BVDK", 186),
    ("BVDK-NGOAI", "Khối Ngoại — Bệnh viện Đa khoa tỉnh", "BVDK", 162),
    ("BVDK-CLS", "Khối Cận lâm sàng — Bệnh viện Đa khoa tỉnh", "BVDK", 74),
    ("BVDK-HC", "Chi bộ Hành chính — Bệnh viện Đa khoa tỉnh", "BVDK", 58),
    ("BVYHCT", "Bệnh viện Y dược cổ truyền tỉnh", "SYT", 96),
    ("BVPHCN", "Bệnh viện Phục hồi chức năng tỉnh", "SYT", 71),
    ("TTYT-TD", "Trung tâm Y tế Tam Đường", "SYT", 142),
    ("TTYT-PT", "Trung tâm Y tế Phong Thổ", "SYT", 168),
    ("TTYT-SH", "Trung tâm Y tế Sìn Hồ", "SYT", 175),
    ("TTYT-MT", "Trung tâm Y tế Mường Tè", "SYT", 131),
    ("TTYT-TU", "Trung tâm Y tế Than Uyên", "SYT", 150),
    ("TTYT-TAU", "Trung tâm Y tế Tân Uyên", "SYT", 119),
    ("TTYT-NN", "Trung tâm Y tế Nậm Nhùn", "SYT", 88),
    ("TTYT-TP", "Trung tâm Y tế thành phố Lai Châu", "SYT", 97),
    ("CCDS", "Chi cục Dân số", "SYT", 22),
    ("TTKN", "Trung tâm Kiểm nghiệm", "SYT", 31),
]

# (set name, topic filter, difficulty, count): 15 questions over the six topics of the plan.
DEMO_DRAW = [
    ("Chủ trương, chính sách", None, None, 3),
    ("Khái niệm cơ bản", None, None, 2),
    ("Kỹ năng số cơ bản", None, None, 3),
    ("An toàn thông tin", None, None, 3),
    ("Chuyển đổi số y tế", None, None, 2),
    ("Bình dân học vụ số", None, None, 2),
]


def is_loaded() -> bool:
    return db.session.scalar(db.select(Quiz.id).filter_by(code=DEMO_QUIZ_CODE)) is not None


def load_demo(now: datetime, admin_password: str, *, timezone: str) -> Quiz:
    """Load everything the demo needs; safe to call on a database that already has some of it."""
    if not db.session.scalar(db.select(Unit.id).limit(1)):
        units.import_units(
            [(i, {"code": c, "name": n, "parent_code": p, "headcount": "" if h is None else str(h)})
             for i, (c, n, p, h) in enumerate(DEMO_UNITS, start=2)],
            filename="demo",
        )
    if not db.session.scalar(db.select(RosterEntry.id).limit(1)):
        import_rosters(demo_roster_rows(), filename="demo")
    loaded = {name: bank.store_questions(name, questions).question_set.name for name, questions in starter_sets()}
    if db.session.scalar(db.select(Organizer.id).filter_by(email=DEMO_ADMIN_EMAIL)) is None:
        accounts.create_organizer(DEMO_ADMIN_EMAIL, "admin", admin_password, full_name="Quản trị demo")
    draw = [{"set": s, "count": c, **({"topic": t} if t else {}), **({"difficulty": d} if d else {})}
            for s, t, d, c in DEMO_DRAW if s in loaded]
    quiz, _created = quizzes.save_quiz({
        "code": DEMO_QUIZ_CODE,
        "title": "Tìm hiểu chuyển đổi số — Phong trào “Bình dân học vụ số”",
        "contest": DEMO_CONTEST_CODE,
        "contest_title": "Cuộc thi trực tuyến Bình dân học vụ số ngành Y tế (demo)",
        "description": "Đợt thi thử: 15 câu hỏi trong 15 phút về chuyển đổi số, kỹ năng số và an toàn thông tin.",
        "opens_at": (now - timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "duration_s": 900, "draw": draw, "prediction": "count", "show_review": True,
    }, timezone=timezone)
    return quiz


FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Lò", "Tòng", "Vàng", "Giàng", "Lường", "Đỗ")
MIDDLE_NAMES = ("Văn", "Thị", "Minh", "Thu", "Quang", "Ngọc", "Đức", "Hồng", "Thanh", "Xuân")
GIVEN_NAMES = ("An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hương", "Lan", "Linh", "Mai", "Nam", "Páo", "Sơn",
               "Thảo", "Trang", "Tuấn", "Vân", "Yến", "Khánh", "Phương")


# (unit code, sub-units, positions): the units whose contacts keep a staff list in the demo.
DEMO_ROSTERS = [
    ("VP-SYT", ("Văn phòng", "Phòng Kế hoạch – Tài chính", "Phòng Nghiệp vụ Y"), ("Chuyên viên", "Phó Trưởng phòng", "Kế toán viên")),
    ("CCDS", ("Phòng Truyền thông", "Phòng Nghiệp vụ"), ("Chuyên viên", "Viên chức")),
    ("TTKN", ("Khoa Kiểm nghiệm thuốc", "Khoa Kiểm nghiệm thực phẩm – mỹ phẩm", "Phòng Tổ chức – Hành chính"),
     ("Kỹ thuật viên", "Dược sĩ", "Trưởng khoa")),
]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


def demo_roster_rows(seed: int = 17) -> list[tuple[int, dict[str, str]]]:
    """Import rows for the demo's rosters: as many people as each unit's headcount, some with a
    staff code only, some with a phone only (fictional numbers in the 086 range)."""
    rng = random.Random(seed)
    heads = {code: head for code, _n, _p, head in DEMO_UNITS}
    rows, number = [], 2
    for index, (code, subs, positions) in enumerate(DEMO_ROSTERS):
        for n in range(heads[code] or 0):
            with_code, with_phone = rng.random() < 0.7, rng.random() < 0.85
            rows.append((number, {
                "unit_code": code, "full_name": _person(rng), "position": rng.choice(positions),
                "sub_unit": rng.choice(subs), "staff_code": f"{code}-{n + 1:03d}" if with_code or not with_phone else "",
                "phone": f"086{index}{n:03d}{rng.randrange(1000):03d}" if with_phone else ""}))
            number += 1
    return rows


def _question_behaviour(question_id: int, seed: int) -> tuple[str, float]:
    """How the made-up staff treat a question, so the item analysis has something to show: most
    follow the person's skill; some are easy, some hard, and some are "tricky" — a believable
    wrong option attracts the most skilled (a negative discrimination, as a wrong key would)."""
    draw = random.Random(question_id * 7919 + seed).random()
    if draw < 0.12:
        return "tricky", 0.0
    if draw < 0.27:
        return "easy", 0.99
    if draw < 0.37:
        return "hard", 0.1
    return "skill", 0.0


def _chance_right(behaviour: tuple[str, float], skill: float) -> float:
    kind, p = behaviour
    if kind == "tricky":
        return 1.05 - skill  # the better, the likelier to fall for the distractor
    return skill if kind == "skill" else p


def play_sample_attempts(quiz: Quiz, now: datetime, count: int = 60, seed: int = 10) -> int:
    """Let `count` made-up staff take the quiz through the real services, so the demo's rankings
    board and item analysis have something to show. Units near the province's centre take part more; in a unit
    with a roster, most players are people of the roster (a few typed a number it does not have);
    questions behave as `_question_behaviour` says."""
    rng = random.Random(seed)
    leaves = [u for u in db.session.scalars(db.select(Unit)) if u.headcount]
    weights = [1 + (u.headcount or 0) / 40 for u in leaves]
    rostered: dict[int, list[RosterEntry]] = {}
    for entry in db.session.scalars(db.select(RosterEntry).order_by(RosterEntry.id)):
        rostered.setdefault(entry.unit_id, []).append(entry)
    for people in rostered.values():
        rng.shuffle(people)
    # The roster units' own push: half of the sample are people of their lists, unit by unit.
    pushed = [(unit_id, entry) for unit_id, people in rostered.items() for entry in people[: len(people) // 2]]
    rng.shuffle(pushed)
    pushed = pushed[: count // 2]
    for unit_id, entry in pushed:
        rostered[unit_id].remove(entry)
    for n in range(count):
        if n < len(pushed):
            unit, entry = db.session.get(Unit, pushed[n][0]), pushed[n][1]
            name, identity = entry.full_name, entry.phone or entry.staff_code
        else:
            unit = rng.choices(leaves, weights)[0]
            name, identity = _person(rng), f"09{n:04d}{rng.randrange(10**4):04d}"
            if rostered.get(unit.id) and rng.random() < 0.9:
                entry = rostered[unit.id].pop()
                name, identity = entry.full_name, entry.phone or entry.staff_code
        _play(quiz, rng, unit, name, identity, now - timedelta(hours=rng.uniform(1, 20)), seed)
    return count


def _play(quiz: Quiz, rng: random.Random, unit: Unit, name: str, identity: str, started: datetime, seed: int) -> None:
    attempt, _created = attempts.start_attempt(quiz, {
        "full_name": name, "unit_code": unit.code, "identity": identity,
        "consent": True, "prediction": rng.randrange(5, 40),
    }, now=started)
    skill = rng.uniform(0.45, 0.95)
    clock_at = started
    for drawn in attempt.questions:
        clock_at += timedelta(seconds=rng.uniform(15, 50))
        # A start draws from the question pool and links questions by id only (question_pool.py).
        options = db.session.scalars(db.select(Option).where(Option.question_id == drawn.question_id)
                                     .order_by(Option.position)).all()
        correct = [o.id for o in options if o.is_correct]
        wrong = [o.id for o in options if not o.is_correct]
        behaviour = _question_behaviour(drawn.question_id, seed)
        if rng.random() < _chance_right(behaviour, skill) or not wrong:
            picked = correct
        else:  # a tricky question's distractor is always the same wrong option
            picked = [wrong[0]] if behaviour[0] == "tricky" else [rng.choice(wrong)]
        attempts.save_answer(attempt, drawn.question_id, picked, now=clock_at)
    attempts.submit_attempt(attempt, now=clock_at + timedelta(seconds=5))
