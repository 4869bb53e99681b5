"""question corrections: a corrected key or a voided question, with who, why and how many attempts changed

Revision ID: 0011_question_corrections
Revises: 0010_awards
Create Date: 2026-11-27 11:55:00

"""
from alembic import op
import sqlalchemy as sa

import quiz.models.types


# revision identifiers, used by Alembic.
revision = '0011_question_corrections'
down_revision = '0010_awards'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('question_correction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('void_mode', sa.String(length=8), nullable=True),
    sa.Column('old_key', sa.String(length=10), nullable=False),
    sa.Column('new_key', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('attempts_rescored', sa.Integer(), nullable=False),
    sa.Column('scores_changed', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', quiz.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('key', 'void')", name=op.f('ck_question_correction_kind_known')),
    sa.CheckConstraint("(kind = 'void') = (void_mode IS NOT NULL)", name=op.f('ck_question_correction_void_has_mode')),
    sa.CheckConstraint("void_mode IS NULL OR void_mode IN ('credit', 'drop')",
                       name=op.f('ck_question_correction_void_mode_known')),
    sa.CheckConstraint("reason <> ''", name=op.f('ck_question_correction_reason_given')),
    sa.ForeignKeyConstraint(['actor_id'], ['organizer.id'], name=op.f('fk_question_correction_actor_id_organizer')),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_correction_question_id_question')),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_question_correction_quiz_id_quiz')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_correction'))
    )
    with op.batch_alter_table('question_correction', schema=None) as batch_op:
        batch_op.create_index('ix_question_correction_quiz_question', ['quiz_id', 'question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_correction_question_id'), ['question_id'], unique=False)


def downgrade():
    with op.batch_alter_table('question_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_correction_question_id'))
        batch_op.drop_index('ix_question_correction_quiz_question')
    op.drop_table('question_correction')
