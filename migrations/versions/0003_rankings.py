"""rankings: a covering index for the ranking queries

Revision ID: 0003_rankings
Revises: 0002_console_content
Create Date: 2026-11-26 11:55:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003_rankings'
down_revision = '0002_console_content'
branch_labels = None
depends_on = None

COLUMNS = ['quiz_id', 'submitted_at', 'score', 'correct_count', 'duration_ms', 'max_score', 'prediction',
           'participant_id']


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_ranking', COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_ranking')
