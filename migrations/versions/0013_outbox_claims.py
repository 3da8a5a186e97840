"""outbox claims: a message is claimed (a lease) in one short transaction, sent with no transaction
open, and recorded in another, instead of being sent under a row lock

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-14 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # No index: the due-chats query reads the heads through ix_outbox_pending_chat and checks the
    # lease on those few rows.
    op.add_column('outbox', sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column('outbox', 'claimed_until')
