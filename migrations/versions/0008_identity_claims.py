"""identity claims: a new account presenting a member's number, or a member's new number, waits for a confirmation

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('identity_claims',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('channel', sa.Enum('TELEGRAM', 'WHATSAPP', name='channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('address', sa.String(length=128), nullable=False),
    sa.Column('handle', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("phone ~ '^\\+[1-9][0-9]{6,14}$'", name=op.f('ck_identity_claims_phone_e164')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_identity_claims_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_claims')),
    sa.UniqueConstraint('channel', 'address', name=op.f('uq_identity_claims_channel_address'))
    )
    op.create_index(op.f('ix_identity_claims_user_id'), 'identity_claims', ['user_id'], unique=False)
    # WhatsApp members who had no profile name were named by their number, which every announcement
    # then showed to the circle: they get the neutral name new members get (they are asked for theirs).
    op.execute("update users set full_name = 'WhatsApp member', updated_at = now() where full_name = phone")


def downgrade() -> None:
    op.drop_index(op.f('ix_identity_claims_user_id'), table_name='identity_claims')
    op.drop_table('identity_claims')
