"""whatsapp window and delivery ids

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:16:46.291699
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('channel_identities', sa.Column('last_inbound_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('outbox', sa.Column('provider_id', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_outbox_provider_id'), 'outbox', ['provider_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_outbox_provider_id'), table_name='outbox')
    op.drop_column('outbox', 'provider_id')
    op.drop_column('channel_identities', 'last_inbound_at')
