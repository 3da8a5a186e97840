"""draw beacon: the public drand round a cycle's draw mixes with its seed, and the value a draw used

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing cycles keep no round: they draw from their seed alone, as they were promised.
    op.add_column('cycles', sa.Column('beacon_round', sa.BigInteger(), nullable=True))
    op.add_column('draws', sa.Column('beacon_randomness', sa.String(length=64), nullable=True))
    op.add_column('draws', sa.Column('beacon_signature', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('draws', 'beacon_signature')
    op.drop_column('draws', 'beacon_randomness')
    op.drop_column('cycles', 'beacon_round')
