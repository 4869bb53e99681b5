"""attempt.token_hash: attempts are looked up by the SHA-256 of their token

Revision ID: 0004_attempt_token_hash
Revises: 0003_rankings
Create Date: 2026-11-26 13:05:00

"""
import hashlib

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004_attempt_token_hash'
down_revision = '0003_rankings'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    attempt = sa.table('attempt', sa.column('id', sa.Integer), sa.column('token', sa.String),
                       sa.column('token_hash', sa.String))
    rows = bind.execute(sa.select(attempt.c.id, attempt.c.token)).all()
    for attempt_id, token in rows:
        bind.execute(attempt.update().where(attempt.c.id == attempt_id)
                     .values(token_hash=hashlib.sha256(token.encode('utf-8')).hexdigest()))
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint('uq_attempt_token_hash', ['token_hash'])


def downgrade():
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_constraint('uq_attempt_token_hash', type_='unique')
        batch_op.drop_column('token_hash')
