"""Shared fixtures: an app on SQLite (or on PostgreSQL when TEST_DATABASE_URL is set), its client
and CLI runner, a frozen clock, and factories for the objects most tests need."""
from __future__ import annotations

import itertools
import os
import shutil
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from quiz import clock, create_app
from quiz.extensions import db
from quiz.models import accounts as account_models
from quiz.models import Contest, DrawRule, Option, Organizer, Question, QuestionSet, Quiz, Unit
from quiz.services.units import refresh_paths

FROZEN_AT = datetime(2025, 10, 10, 1, 0, tzinfo=UTC)  # 08:00 on 10/10 in Vietnam
# Hundreds of tests create accounts and log in: a cheap hash keeps them fast (production: scrypt).
account_models.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist each worker gets its own PostgreSQL database (`test_gw0`, …)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# Rate limits are off in tests unless a test turns them on (QUIZ_RATELIMIT_ENABLED=True in its config).
os.environ["QUIZ_RATELIMIT_ENABLED"] = "0"
# Admission control likewise (quiz/admission.py): the race tests send more at once than its bound on
# purpose; tests/test_admission.py sets the bounds it checks.
os.environ["QUIZ_ADMISSION_START"] = os.environ["QUIZ_ADMISSION_SUBMIT"] = "0"
POSTGRES_URL = _worker_database(os.environ.get("TEST_DATABASE_URL") or None)
_schema_ready = False
_sqlite_template: Path | None = None


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives headless Chromium (skipped without it)")
    config.addinivalue_line("markers", "postgres_only: needs PostgreSQL (TEST_DATABASE_URL)")


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite (per-test file)'}"


def pytest_collection_modifyitems(config, items):
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


def _truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(db.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def app_config(tmp_path):
    """The test config; a test may change it before asking for `app`."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": POSTGRES_URL or f"sqlite:///{tmp_path / 'test.db'}",
        "QUIZ_BASE_URL": "http://quiz.test",
    }


def _copy_sqlite_schema(uri: str, tmp_path_factory) -> bool:
    """Give a test's SQLite file the schema by copying one built per session (faster than DDL)."""
    global _sqlite_template
    target = Path(uri.removeprefix("sqlite:///"))
    if not uri.startswith("sqlite:///") or target.exists():
        return False
    if _sqlite_template is None:
        template = tmp_path_factory.mktemp("schema") / "template.db"
        builder = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}"},
                             instance_path=str(template.parent / "instance"))
        with builder.app_context():
            db.create_all()
            db.engine.dispose()
        _sqlite_template = template
    shutil.copyfile(_sqlite_template, target)
    return True


@pytest.fixture
def app(app_config, tmp_path, tmp_path_factory):
    global _schema_ready
    copied = not POSTGRES_URL and _copy_sqlite_schema(app_config["SQLALCHEMY_DATABASE_URI"], tmp_path_factory)
    app = create_app(app_config, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        if POSTGRES_URL:
            if not _schema_ready:
                db.drop_all()
                db.create_all()
                _schema_ready = True
            else:
                _truncate_all()
        elif not copied:
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(tmp_path):
    """`make_app(config)` builds another app for a test; its database connections are closed after."""
    built = []

    def make(config: dict | None = None, name: str = "extra"):
        app = create_app(config, instance_path=str(tmp_path / name))
        built.append(app)
        return app
    yield make
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for tests that call services directly."""
    with app.app_context():
        yield


@pytest.fixture
def frozen_clock():
    """Time stands at 10/10/2025 08:00 Vietnam time; `frozen_clock.advance(seconds=…)` moves it."""
    class Controller:
        at = FROZEN_AT

        @staticmethod
        def advance(**kwargs):
            clock.advance(timedelta(**kwargs))
            return clock.utcnow()

        @staticmethod
        def now():
            return clock.utcnow()

    clock.freeze(FROZEN_AT)
    yield Controller
    clock.unfreeze()


_seq = itertools.count(1)


@pytest.fixture
def make_unit(ctx):
    def make(**overrides) -> Unit:
        n = next(_seq)
        parent = overrides.pop("parent", None)
        unit = Unit(code=overrides.pop("code", f"U{n}"), name=overrides.pop("name", f"Đơn vị {n}"),
                    headcount=overrides.pop("headcount", 10), parent=parent, **overrides)
        db.session.add(unit)
        db.session.flush()
        refresh_paths()
        db.session.commit()
        return unit
    return make


@pytest.fixture
def make_organizer(ctx):
    def make(**overrides) -> Organizer:
        n = next(_seq)
        password = overrides.pop("password", "mat-khau-123")
        organizer = Organizer(email=overrides.pop("email", f"btc{n}@example.vn"),
                              role=overrides.pop("role", "organizer"), **overrides)
        organizer.set_password(password)
        db.session.add(organizer)
        db.session.commit()
        return organizer
    return make


@pytest.fixture
def make_question(ctx):
    def make(question_set: QuestionSet | None = None, **overrides) -> Question:
        n = next(_seq)
        if question_set is None:
            question_set = db.session.scalar(db.select(QuestionSet).filter_by(name="Bộ thử")) \
                or QuestionSet(name="Bộ thử")
        kind = overrides.pop("kind", "single")
        options = overrides.pop("options", None)
        if options is None:
            options = ([("Đúng", True), ("Sai", False)] if kind == "true_false"
                       else [(f"Phương án {c}", c == "B") for c in "ABCD"])
        text = overrides.pop("text", f"Câu hỏi thử số {n}?")
        question = Question(question_set=question_set, text=text, text_key=text.lower(), kind=kind,
                            topic=overrides.pop("topic", "Chung"), difficulty=overrides.pop("difficulty", 1),
                            options=[Option(position=i, text=t, is_correct=c) for i, (t, c) in enumerate(options)],
                            **overrides)
        db.session.add(question)
        db.session.commit()
        return question
    return make


@pytest.fixture
def make_quiz(ctx, make_question):
    """A quiz (open around the frozen clock by default) drawing `questions` from a fresh set."""
    def make(questions: int = 5, **overrides) -> Quiz:
        n = next(_seq)
        contest = overrides.pop("contest", None) or Contest(code=f"C{n}", title=f"Cuộc thi {n}")
        question_set = QuestionSet(name=f"Bộ {n}")
        for _i in range(questions):
            make_question(question_set)
        now = clock.utcnow()
        quiz = Quiz(code=overrides.pop("code", f"Q{n:04d}"), title=overrides.pop("title", f"Đợt thi {n}"),
                    contest=contest, opens_at=overrides.pop("opens_at", now - timedelta(hours=1)),
                    closes_at=overrides.pop("closes_at", now + timedelta(days=1)),
                    duration_s=overrides.pop("duration_s", 600),
                    draw_rules=[DrawRule(position=0, question_set=question_set, count=questions)], **overrides)
        db.session.add(quiz)
        db.session.commit()
        return quiz
    return make


# --- Browser tests: a live server in a thread and headless Chromium through Playwright ---

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_app(make_app, tmp_path, tmp_path_factory):
    """A separate app for the browser, on its own SQLite file, with CSRF on as in production."""
    uri = f"sqlite:///{tmp_path / 'live.db'}"
    copied = _copy_sqlite_schema(uri, tmp_path_factory)
    app = make_app({"TESTING": True, "SECRET_KEY": "live-test", "WTF_CSRF_ENABLED": True,
                    "SQLALCHEMY_DATABASE_URI": uri, "PROPAGATE_TEST_ERRORS": False}, name="live-instance")
    if not copied:
        with app.app_context():
            db.create_all()
    return app


@pytest.fixture
def live_server(live_app):
    """Serve `live_app` on a free loopback port; yields the base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live_app.config["QUIZ_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield live_app.config["QUIZ_BASE_URL"]
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield _CSPBypassingBrowser(chromium)
        chromium.close()


class _CSPBypassingBrowser:
    """Contexts bypass the app's Content-Security-Policy unless asked not to: Playwright's
    wait_for_function evaluates strings, which the CSP (no eval) forbids in the page.
    tests/test_security_browser.py checks the pages under the real policy (bypass_csp=False)."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        options.setdefault("bypass_csp", True)
        return self._browser.new_context(**options)

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def phone(browser):
    """A 360 × 740 phone-sized browser context."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    yield context
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    yield context
    context.close()


@pytest.fixture
def screenshot(tmp_path):
    """`screenshot(page, "name")` saves a full-page PNG to $QUIZ_SCREENSHOTS (docs) or tmp."""
    folder = Path(os.environ.get("QUIZ_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path
    return take


# --- Rankings ---

_FINISHED_NOW = object()


@pytest.fixture
def make_attempt(ctx):
    """`make_attempt(quiz, who, score=…, correct_count=…, duration_ms=…, submitted_at=…, prediction=…)`.

    `who` is a Participant, a Unit (a new participant of that unit) or None (a new participant
    with an "other" unit). The attempt draws the quiz's questions in order and answers the first
    `correct_count` right and the rest wrong (the option at position 0, which make_question makes
    wrong). `submitted_at=None` leaves it unfinished; by default it finished "now".
    """
    from decimal import Decimal
    import secrets

    from quiz.models import Answer, Attempt, AttemptQuestion, Participant

    def make(quiz: Quiz, who=None, *, score: int | None = None, correct_count: int | None = None,
             max_score: int | None = None, duration_ms: int = 60_000, submitted_at=_FINISHED_NOW,
             prediction=None, attempt_no: int | None = None, full_name: str | None = None,
             identity: str | None = None):
        n = next(_seq)
        if isinstance(who, Participant):
            participant = who
        else:
            participant = Participant(
                contest_id=quiz.contest_id, identity=identity or f"09{n:08d}", identity_kind="phone",
                full_name=full_name or f"Người thi {n}", unit=who if isinstance(who, Unit) else None,
                other_unit=None if isinstance(who, Unit) else "Đơn vị khác", consent_at=clock.utcnow())
            db.session.add(participant)
            db.session.flush()
        rule = quiz.draw_rules[0]
        questions = list(db.session.scalars(
            db.select(Question).where(Question.set_id == rule.set_id).order_by(Question.id).limit(rule.count)))
        if correct_count is None:
            correct_count = score if score is not None else len(questions)
        if score is None:
            score = correct_count
        finished_at = clock.utcnow() if submitted_at is _FINISHED_NOW else submitted_at
        started_at = (finished_at or clock.utcnow()) - timedelta(milliseconds=duration_ms)
        if attempt_no is None:
            attempt_no = 1 + (db.session.scalar(db.select(db.func.max(Attempt.attempt_no)).where(
                Attempt.quiz_id == quiz.id, Attempt.participant_id == participant.id)) or 0)
        attempt_max = len(questions) if max_score is None else max_score
        attempt = Attempt(
            token=secrets.token_urlsafe(16), quiz=quiz, participant=participant, attempt_no=attempt_no,
            started_at=started_at, deadline=started_at + timedelta(seconds=quiz.duration_s + 1),
            submitted_at=finished_at, finalised_by="participant" if finished_at else None,
            prediction=None if prediction is None else Decimal(str(prediction)),
            correct_count=correct_count if finished_at else None, score=score if finished_at else None,
            max_score=attempt_max,
            score_pct=(100.0 * score / attempt_max if attempt_max else 0.0) if finished_at else None,
            duration_ms=duration_ms if finished_at else None)
        for position, question in enumerate(questions):
            attempt.questions.append(AttemptQuestion(
                question=question, position=position, points=question.points,
                option_order=",".join(str(o.id) for o in question.options)))
            is_correct = position < correct_count
            attempt.answers.append(Answer(question_id=question.id, is_correct=is_correct,
                                          choice_mask=question.correct_mask if is_correct else 1))
        db.session.add(attempt)
        db.session.commit()
        return attempt
    return make


# --- Console content (accounts, units, bank, audit) ---

@pytest.fixture
def login_as(client, make_organizer, make_unit):
    """`login_as("admin")` creates an account of that role, logs the test client in, returns it."""
    def login(role: str = "organizer", **overrides) -> Organizer:
        if role == "unit" and "unit" not in overrides:
            overrides["unit"] = make_unit()
        account = make_organizer(role=role, password="mat-khau-123", **overrides)
        response = client.post("/login", data={"email": account.email, "password": "mat-khau-123"})
        assert response.status_code == 302, response.get_data(as_text=True)
        return account
    return login



def fill_join_form(page, *, full_name: str = "Lò Thị Mai", identity: str = "0912 345 678",
                   unit_code: str | None = None, prediction: str | None = "25", submit: str = "Bắt đầu thi") -> None:
    """Type a registration into the join page open in `page` and press its button (the unit stays the
    poster's `?u=` one unless `unit_code` is given; `prediction` only where the quiz asks it)."""
    page.fill("#full_name", full_name)
    if unit_code is not None:
        page.select_option("#unit_code", unit_code)
    page.fill("#identity", identity)
    if prediction is not None:
        page.fill("#prediction", prediction)
    page.check("#consent")
    page.click(f"button:has-text('{submit}')")


def join_in_browser(page, url: str, **registration) -> str:
    """Open a join page, register, and return the attempt's token once the quiz page is there."""
    page.goto(url)
    fill_join_form(page, **registration)
    page.wait_for_url("**/a/*")
    return page.url.rsplit("/", 1)[1].split("?")[0]
