"""published ranking versions unique per quiz and per contest: the (quiz, contest, version) key
never fired, since one of its columns is always NULL, so two publications at once could both be
"version N"; any such pair already stored is renumbered first (the later one becomes the next)

Revision ID: 0013_snapshot_versions_unique
Revises: 0012_prediction_truth_tallies
Create Date: 2026-11-27 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_snapshot_versions_unique'
down_revision = '0012_prediction_truth_tallies'
branch_labels = None
depends_on = None

OWNERS = ('quiz_id', 'contest_id')


def upgrade():
    bind = op.get_bind()
    for owner in OWNERS:
        rows = bind.execute(sa.text(
            f"SELECT id, {owner} AS owner, version FROM ranking_snapshot WHERE {owner} IS NOT NULL "
            f"ORDER BY {owner}, version, id")).all()
        latest, seen = {}, set()
        for row in rows:
            latest[row.owner] = max(latest.get(row.owner, 0), row.version)
        for row in rows:
            if (row.owner, row.version) in seen:  # a second publication under a taken number
                latest[row.owner] += 1
                bind.execute(sa.text("UPDATE ranking_snapshot SET version = :v WHERE id = :id"),
                             {"v": latest[row.owner], "id": row.id})
            else:
                seen.add((row.owner, row.version))
        op.create_index(f'uq_ranking_snapshot_{owner[:-3]}_version', 'ranking_snapshot', [owner, 'version'],
                        unique=True, sqlite_where=sa.text(f'{owner} IS NOT NULL'),
                        postgresql_where=sa.text(f'{owner} IS NOT NULL'))


def downgrade():
    for owner in OWNERS:
        op.drop_index(f'uq_ranking_snapshot_{owner[:-3]}_version', table_name='ranking_snapshot')
