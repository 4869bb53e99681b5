"""unit tallies: exact per (quiz, unit) figures of the unit ranking, counted from the attempts so far;
an index for the n-th best score of a quiz (a top-100 page skips the rows below it)

Revision ID: 0008_unit_tallies
Revises: 0007_media
Create Date: 2026-11-27 11:50:00

"""
from types import SimpleNamespace

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_unit_tallies'
down_revision = '0007_media'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('unit_tally',
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('pct_units', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('participants >= 0', name=op.f('ck_unit_tally_participants_not_negative')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_unit_tally_quiz_id_quiz'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_unit_tally_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quiz_id', 'unit_id', name=op.f('pk_unit_tally'))
    )
    with op.batch_alter_table('unit_tally', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_tally_unit_id'), ['unit_id'], unique=False)
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_quiz_score', ['quiz_id', 'score', 'submitted_at', 'duration_ms',
                                                        'correct_count', 'max_score', 'prediction', 'participant_id'],
                              unique=False)
    # Count what is already there, with the very statements the app re-counts a quiz with.
    from quiz.services.rankings.tallies import rebuild_statements
    bind = op.get_bind()
    quizzes = bind.execute(sa.text("SELECT id, ranking_order, counted_attempt, max_attempts FROM quiz")).all()
    for row in quizzes:
        quiz = SimpleNamespace(id=row.id, counted_attempt=row.counted_attempt, max_attempts=row.max_attempts,
                               ranking_keys=[k for k in row.ranking_order.split(",") if k])
        for statement in rebuild_statements(quiz, truth=False):  # the truth's counts came with 0012
            bind.execute(statement)


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_quiz_score')
    with op.batch_alter_table('unit_tally', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_tally_unit_id'))
    op.drop_table('unit_tally')
