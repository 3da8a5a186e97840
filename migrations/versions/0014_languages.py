"""languages: a person's own (private messages) and a circle's (its group and status card)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 23:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('language', sa.String(length=16), nullable=True))
    op.add_column('circles', sa.Column('language', sa.String(length=16), server_default=sa.text("'en'"),
                                       nullable=False))


def downgrade() -> None:
    op.drop_column('circles', 'language')
    op.drop_column('users', 'language')
