"""organizer sessions can be revoked: a session version in the account row

Revision ID: 0006_session_version
Revises: 0005_live
Create Date: 2026-11-27 08:45:00.000000

Every session and "remember me" cookie now carries the account's session version, raised by
logout, a password change or reset and disabling. Existing sessions (plain ids) are refused after
the upgrade: organizers log in once more.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_session_version'
down_revision = '0005_live'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('organizer', schema=None) as batch_op:
        batch_op.drop_column('session_version')
