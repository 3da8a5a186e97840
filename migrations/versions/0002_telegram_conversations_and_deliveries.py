"""telegram conversations and deliveries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:45:13.685639
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversations',
    sa.Column('channel', sa.Enum('TELEGRAM', 'WHATSAPP', name='channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('chat_address', sa.String(length=128), nullable=False),
    sa.Column('user_address', sa.String(length=128), nullable=False),
    sa.Column('state', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'chat_address', 'user_address', name=op.f('pk_conversations'))
    )
    op.create_table('processed_deliveries',
    sa.Column('channel', sa.Enum('TELEGRAM', 'WHATSAPP', name='channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'key', name=op.f('pk_processed_deliveries'))
    )
    op.add_column('channel_identities', sa.Column('handle', sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column('channel_identities', 'handle')
    op.drop_table('processed_deliveries')
    op.drop_table('conversations')
