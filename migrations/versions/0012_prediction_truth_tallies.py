"""prediction truth tallies: per (quiz, unit) how many counted attempts are perfect, and the same
counts for participants without a unit, so a closed quiz's truth is a read of the tallies

Revision ID: 0012_prediction_truth_tallies
Revises: 0011_question_corrections
Create Date: 2026-11-27 15:30:00

"""
from types import SimpleNamespace

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_prediction_truth_tallies'
down_revision = '0011_question_corrections'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit_tally', schema=None) as batch_op:
        batch_op.add_column(sa.Column('perfect', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.create_table('other_unit_tally',
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=False),
    sa.Column('perfect', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_other_unit_tally_quiz_id_quiz'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('quiz_id', name=op.f('pk_other_unit_tally'))
    )
    # Re-count every quiz with the very statements the app re-counts a quiz with (the unit figures
    # come out as they were; the truth's counts are new).
    from quiz.services.rankings.tallies import rebuild_statements
    bind = op.get_bind()
    quizzes = bind.execute(sa.text("SELECT id, ranking_order, counted_attempt, max_attempts FROM quiz")).all()
    for row in quizzes:
        quiz = SimpleNamespace(id=row.id, counted_attempt=row.counted_attempt, max_attempts=row.max_attempts,
                               ranking_keys=[k for k in row.ranking_order.split(",") if k])
        for statement in rebuild_statements(quiz):
            bind.execute(statement)


def downgrade():
    op.drop_table('other_unit_tally')
    with op.batch_alter_table('unit_tally', schema=None) as batch_op:
        batch_op.drop_column('perfect')
