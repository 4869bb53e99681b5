"""question search text (folded, without diacritics) for the bank search

Revision ID: 0002_console_content
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa

from question_bank import strip_diacritics

revision = '0002_console_content'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def _fold(*parts):
    return " ".join(strip_diacritics(" ".join((p or "").split())) for p in parts if p)


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
    # Existing questions become searchable at once (banks are thousands of rows, not millions).
    connection = op.get_bind()
    question = sa.table('question', sa.column('id', sa.Integer), sa.column('text', sa.Text),
                        sa.column('topic', sa.String), sa.column('source', sa.String),
                        sa.column('search_text', sa.Text))
    rows = connection.execute(sa.select(question.c.id, question.c.text, question.c.topic, question.c.source)).all()
    for row in rows:
        connection.execute(question.update().where(question.c.id == row.id)
                           .values(search_text=_fold(row.text, row.topic, row.source)))


def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('search_text')
