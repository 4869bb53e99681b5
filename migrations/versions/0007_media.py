"""images: the media table (content-addressed, bytes in the database) and image columns on questions and options

Revision ID: 0007_media
Revises: 0006_session_version
Create Date: 2026-11-27 08:40:00

"""
from alembic import op
import sqlalchemy as sa

import quiz.models.types


# revision identifiers, used by Alembic.
revision = '0007_media'
down_revision = '0006_session_version'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('media',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', quiz.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("content_type IN ('image/webp')", name=op.f('ck_media_content_type_known')),
    sa.CheckConstraint('size > 0 AND width > 0 AND height > 0', name=op.f('ck_media_dimensions_positive')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_media'))
    )
    for table in ('question', 'option'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('image_sha256', sa.String(length=64), nullable=True))
            batch_op.add_column(sa.Column('image_alt', sa.String(length=300), server_default='', nullable=False))
            batch_op.create_index(batch_op.f(f'ix_{table}_image_sha256'), ['image_sha256'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_image_sha256_media'), 'media',
                                        ['image_sha256'], ['sha256'])
            batch_op.create_check_constraint(batch_op.f(f'ck_{table}_image_has_alt'),
                                             "image_sha256 IS NULL OR image_alt <> ''")


def downgrade():
    for table in ('option', 'question'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'ck_{table}_image_has_alt'), type_='check')
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_image_sha256_media'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_image_sha256'))
            batch_op.drop_column('image_alt')
            batch_op.drop_column('image_sha256')
    op.drop_table('media')
