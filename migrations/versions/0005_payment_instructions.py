"""payment instructions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 06:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('circles', sa.Column('payment_instructions', sa.Text(), nullable=True))
    op.create_check_constraint(op.f('ck_circles_payment_instructions_length'), 'circles',
                               'length(payment_instructions) between 1 and 300')


def downgrade() -> None:
    op.drop_constraint(op.f('ck_circles_payment_instructions_length'), 'circles', type_='check')
    op.drop_column('circles', 'payment_instructions')
