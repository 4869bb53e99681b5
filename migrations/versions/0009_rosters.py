"""rosters: staff lists per unit and reviews of participants on no list

Revision ID: 0009_rosters
Revises: 0008_unit_tallies
Create Date: 2026-11-27 11:38:49

A roster entry holds a normalised phone and/or staff code; participants are matched to entries
when a page is read (nothing links them), so re-importing a roster never leaves a stale link.

"""
from alembic import op
import sqlalchemy as sa

import quiz.models.types


# revision identifiers, used by Alembic.
revision = '0009_rosters'
down_revision = '0008_unit_tallies'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('roster_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('staff_code', sa.String(length=40), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('position', sa.String(length=120), nullable=False),
    sa.Column('sub_unit', sa.String(length=120), nullable=False),
    sa.Column('created_at', quiz.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('phone IS NOT NULL OR staff_code IS NOT NULL', name=op.f('ck_roster_entry_has_identity')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_roster_entry_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_entry')),
    sa.UniqueConstraint('unit_id', 'phone', name=op.f('uq_roster_entry_unit_id_phone')),
    sa.UniqueConstraint('unit_id', 'staff_code', name=op.f('uq_roster_entry_unit_id_staff_code'))
    )
    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_entry_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entry_staff_code'), ['staff_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_entry_unit_id'), ['unit_id'], unique=False)

    op.create_table('roster_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', quiz.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'], name=op.f('fk_roster_review_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['organizer.id'], name=op.f('fk_roster_review_reviewed_by_id_organizer'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_roster_review_unit_id_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_review')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_roster_review_participant_id'))
    )
    with op.batch_alter_table('roster_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_review_unit_id'), ['unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('roster_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_review_unit_id'))

    op.drop_table('roster_review')
    with op.batch_alter_table('roster_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_entry_unit_id'))
        batch_op.drop_index(batch_op.f('ix_roster_entry_staff_code'))
        batch_op.drop_index(batch_op.f('ix_roster_entry_phone'))

    op.drop_table('roster_entry')
