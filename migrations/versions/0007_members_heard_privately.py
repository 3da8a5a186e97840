"""members heard privately: joined from a private chat, so a circle's Telegram group may not reach them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('memberships', sa.Column('hears_privately', sa.Boolean(), server_default=sa.text('false'),
                                           nullable=False))


def downgrade() -> None:
    op.drop_column('memberships', 'hears_privately')
