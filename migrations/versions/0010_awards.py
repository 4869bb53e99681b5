"""awards: prize tables and levels, winner checks, published award lists, certificates; the
contest's award and certificate settings

Revision ID: 0010_awards
Revises: 0009_rosters
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa

import quiz.models.types


# revision identifiers, used by Alembic.
revision = '0010_awards'
down_revision = '0009_rosters'
branch_labels = None
depends_on = None

UTC = quiz.models.types.UTCDateTime(timezone=True)


def upgrade():
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('one_prize_per_person', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('certificate_issuer', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('certificate_place', sa.String(length=80), server_default='', nullable=False))
        batch_op.add_column(sa.Column('certificate_signer_title', sa.String(length=200), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('certificate_signer_name', sa.String(length=120), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('completion_min_pct', sa.Double(), nullable=True))

    op.create_table('prize_table',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=True),
    sa.Column('scope_key', sa.String(length=16), nullable=False),
    sa.Column('min_score_pct', sa.Double(), nullable=True),
    sa.Column('cap_pct', sa.Double(), nullable=True),
    sa.Column('unit_top_n', sa.Integer(), nullable=True),
    sa.Column('unit_top_name', sa.String(length=80), nullable=False),
    sa.Column('unit_min_rate_pct', sa.Double(), nullable=True),
    sa.Column('unit_rate_name', sa.String(length=80), nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.CheckConstraint('cap_pct IS NULL OR (cap_pct > 0 AND cap_pct <= 100)', name=op.f('ck_prize_table_cap_range')),
    sa.CheckConstraint('min_score_pct IS NULL OR (min_score_pct >= 0 AND min_score_pct <= 100)',
                       name=op.f('ck_prize_table_min_score_range')),
    sa.CheckConstraint('unit_min_rate_pct IS NULL OR (unit_min_rate_pct > 0 AND unit_min_rate_pct <= 100)',
                       name=op.f('ck_prize_table_unit_rate_range')),
    sa.CheckConstraint('unit_top_n IS NULL OR unit_top_n >= 1', name=op.f('ck_prize_table_unit_top_positive')),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_prize_table_contest_id_contest'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_prize_table_quiz_id_quiz'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prize_table')),
    sa.UniqueConstraint('contest_id', 'scope_key', name=op.f('uq_prize_table_contest_id_scope_key'))
    )
    op.create_index(op.f('ix_prize_table_contest_id'), 'prize_table', ['contest_id'], unique=False)
    op.create_index(op.f('ix_prize_table_quiz_id'), 'prize_table', ['quiz_id'], unique=False)

    op.create_table('prize_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.CheckConstraint('count >= 1', name=op.f('ck_prize_level_count_positive')),
    sa.ForeignKeyConstraint(['table_id'], ['prize_table.id'], name=op.f('fk_prize_level_table_id_prize_table'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prize_level')),
    sa.UniqueConstraint('table_id', 'position', name=op.f('uq_prize_level_table_id_position'))
    )
    op.create_index(op.f('ix_prize_level_table_id'), 'prize_level', ['table_id'], unique=False)

    op.create_table('winner_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=True),
    sa.Column('checked_at', UTC, nullable=False),
    sa.CheckConstraint("status IN ('verified', 'disqualified')", name=op.f('ck_winner_check_status_known')),
    sa.ForeignKeyConstraint(['checked_by_id'], ['organizer.id'], name=op.f('fk_winner_check_checked_by_id_organizer')),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'],
                            name=op.f('fk_winner_check_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['table_id'], ['prize_table.id'], name=op.f('fk_winner_check_table_id_prize_table'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_winner_check')),
    sa.UniqueConstraint('table_id', 'participant_id', name=op.f('uq_winner_check_table_id_participant_id'))
    )
    op.create_index(op.f('ix_winner_check_participant_id'), 'winner_check', ['participant_id'], unique=False)
    op.create_index(op.f('ix_winner_check_table_id'), 'winner_check', ['table_id'], unique=False)

    op.create_table('award_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_at', UTC, nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_award_list_version_positive')),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_award_list_contest_id_contest'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['organizer.id'], name=op.f('fk_award_list_published_by_id_organizer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_list')),
    sa.UniqueConstraint('contest_id', 'version', name=op.f('uq_award_list_contest_id_version'))
    )
    op.create_index(op.f('ix_award_list_contest_id'), 'award_list', ['contest_id'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=True),
    sa.Column('scope_key', sa.String(length=16), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('unit_name', sa.String(length=200), nullable=False),
    sa.Column('prize_name', sa.String(length=80), nullable=False),
    sa.Column('scope_title', sa.String(length=200), nullable=False),
    sa.Column('award_version', sa.Integer(), nullable=False),
    sa.Column('issued_at', UTC, nullable=False),
    sa.Column('revoked_at', UTC, nullable=True),
    sa.Column('revoked_reason', sa.String(length=500), nullable=False),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('award', 'completion')", name=op.f('ck_certificate_kind_known')),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_certificate_contest_id_contest'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participant.id'],
                            name=op.f('fk_certificate_participant_id_participant'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quiz_id'], ['quiz.id'], name=op.f('fk_certificate_quiz_id_quiz'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['organizer.id'], name=op.f('fk_certificate_revoked_by_id_organizer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('code', name=op.f('uq_certificate_code'))
    )
    op.create_index(op.f('ix_certificate_contest_id'), 'certificate', ['contest_id'], unique=False)
    op.create_index('ix_certificate_participant', 'certificate', ['participant_id', 'scope_key'], unique=False)


def downgrade():
    op.drop_index('ix_certificate_participant', table_name='certificate')
    op.drop_index(op.f('ix_certificate_contest_id'), table_name='certificate')
    op.drop_table('certificate')
    op.drop_index(op.f('ix_award_list_contest_id'), table_name='award_list')
    op.drop_table('award_list')
    op.drop_index(op.f('ix_winner_check_table_id'), table_name='winner_check')
    op.drop_index(op.f('ix_winner_check_participant_id'), table_name='winner_check')
    op.drop_table('winner_check')
    op.drop_index(op.f('ix_prize_level_table_id'), table_name='prize_level')
    op.drop_table('prize_level')
    op.drop_index(op.f('ix_prize_table_quiz_id'), table_name='prize_table')
    op.drop_index(op.f('ix_prize_table_contest_id'), table_name='prize_table')
    op.drop_table('prize_table')
    with op.batch_alter_table('contest', schema=None) as batch_op:
        for column in ('completion_min_pct', 'certificate_signer_name', 'certificate_signer_title',
                       'certificate_place', 'certificate_issuer', 'one_prize_per_person'):
            batch_op.drop_column(column)
