"""The migrations build exactly the schema the models describe, on the database under test."""
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from quiz import create_app
from quiz.extensions import db
from tests.conftest import POSTGRES_URL


@pytest.fixture
def empty_database_url(tmp_path):
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_and_models_agree(empty_database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_url},
                     instance_path=str(tmp_path / "inst"))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        db.engine.dispose()
    assert diff == []


def test_db_upgrade_command_creates_the_schema(empty_database_url, tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_url},
                     instance_path=str(tmp_path / "inst"))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(db.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"unit", "organizer", "question", "quiz", "attempt", "answer", "ranking_snapshot",
            "audit_entry", "alembic_version"} <= tables


def test_0013_renumbers_versions_two_publications_shared(empty_database_url, tmp_path):
    """Before 0013 two publications at once could both be "version 1" of a contest; the migration
    keeps the first and gives the later one the next number, then makes versions unique."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database_url},
                     instance_path=str(tmp_path / "inst"))
    with app.app_context():
        upgrade(revision="0012_prediction_truth_tallies")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO contest (id, code, title, description, w_rate, w_score, created_at) "
                              "VALUES (1, 'C', 'Cuộc thi', '', 0.5, 0.5, '2026-10-10 00:00:00')"))
            for snapshot_id, version, note in ((1, 1, "đầu"), (2, 1, "trùng"), (3, 2, "sau")):
                conn.execute(text("INSERT INTO ranking_snapshot (id, contest_id, version, is_provisional, published_at, "
                                  "note, payload) VALUES (:id, 1, :v, :p, '2026-10-10 00:00:00', :n, '{}')"),
                             {"id": snapshot_id, "v": version, "n": note, "p": True})
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT note, version FROM ranking_snapshot ORDER BY id")).all()
        db.engine.dispose()
    assert [tuple(r) for r in rows] == [("đầu", 1), ("trùng", 3), ("sau", 2)]
