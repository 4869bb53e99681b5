"""live sessions: the session and its questions, attempts linked to a session, answer timing

Revision ID: 0005_live
Revises: 0004_attempt_token_hash
Create Date: 2026-11-26 12:46:10.174566

"""
from alembic import op
import sqlalchemy as sa

import quiz.models.types


# revision identifiers, used by Alembic.
revision = '0005_live'
down_revision = '0004_attempt_token_hash'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('paused_state', sa.String(length=10), nullable=True),
    sa.Column('current_index', sa.Integer(), nullable=False),
    sa.Column('question_time_s', sa.Integer(), nullable=False),
    sa.Column('scoring', sa.String(length=16), nullable=False),
    sa.Column('unit_score', sa.String(length=8), nullable=False),
    sa.Column('remaining_ms', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', quiz.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', quiz.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', quiz.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("scoring IN ('correct_time', 'speed')", name=op.f('ck_live_session_scoring_known')),
    sa.CheckConstraint("state IN ('lobby', 'question', 'reveal', 'paused', 'ended')", name=op.f('ck_live_session_state_known')),
    sa.CheckConstraint("unit_score IN ('mean', 'sum')", name=op.f('ck_live_session_unit_score_known')),
    sa.CheckConstraint('question_time_s BETWEEN 5 AND 120', name=op.f('ck_live_session_question_time_range')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_live_session_version_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['organizer.id'], name=op.f('fk_live_session_created_by_id_organizer')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_live_session_quiz_id_quiz')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_session'))
    )
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_session_quiz_id'), ['quiz_id'], unique=False)
        batch_op.create_index('ix_live_session_quiz_state', ['quiz_id', 'state'], unique=False)

    op.create_table('live_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('option_order', sa.String(length=80), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('started_at', quiz.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('deadline', quiz.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('is_skipped', sa.Boolean(), nullable=False),
    sa.CheckConstraint('deadline IS NULL OR deadline > started_at', name=op.f('ck_live_question_deadline_after_start')),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_live_question_question_id_question')),
    sa.ForeignKeyConstraint(['session_id'], ['live_session.id'], name=op.f('fk_live_question_session_id_live_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_question')),
    sa.UniqueConstraint('session_id', 'position', name=op.f('uq_live_question_session_id_position')),
    sa.UniqueConstraint('session_id', 'question_id', name=op.f('uq_live_question_session_id_question_id'))
    )
    with op.batch_alter_table('live_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_question_question_id'), ['question_id'], unique=False)

    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('elapsed_ms', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('live_points', sa.Integer(), nullable=True))

    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live_session_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attempt_live_session_id'), ['live_session_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attempt_live_session_id_live_session'), 'live_session', ['live_session_id'], ['id'])



def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attempt_live_session_id_live_session'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attempt_live_session_id'))
        batch_op.drop_column('live_session_id')

    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_column('live_points')
        batch_op.drop_column('elapsed_ms')

    with op.batch_alter_table('live_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_question_question_id'))

    op.drop_table('live_question')
    with op.batch_alter_table('live_session', schema=None) as batch_op:
        batch_op.drop_index('ix_live_session_quiz_state')
        batch_op.drop_index(batch_op.f('ix_live_session_quiz_id'))

    op.drop_table('live_session')
