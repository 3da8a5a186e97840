"""partial payments and payment versions: a short payment stays short until topped up, and a
decision applies only to the claim (version) the organizer saw

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

STATUS = 'ck_contributions_contribution_status'


def upgrade() -> None:
    op.add_column('contributions', sa.Column('confirmed_amount', sa.BigInteger(), server_default=sa.text('0'),
                                             nullable=False))
    op.add_column('contributions', sa.Column('version', sa.Integer(), server_default=sa.text('1'), nullable=False))
    op.create_check_constraint(op.f('ck_contributions_confirmed_amount_not_negative'), 'contributions',
                               'confirmed_amount >= 0')
    op.create_check_constraint(op.f('ck_contributions_version_positive'), 'contributions', 'version >= 1')
    op.drop_constraint(op.f(STATUS), 'contributions', type_='check')
    op.create_check_constraint(op.f(STATUS), 'contributions', "status in ('PENDING', 'CONFIRMED', 'REJECTED', 'PARTIAL')")
    # What was confirmed so far; a confirmed payment below the circle's amount was an underpayment
    # counted as paid (issue 11 finding 7): it becomes PARTIAL, owing the rest.
    op.execute("update contributions set confirmed_amount = amount where status = 'CONFIRMED'")
    # A payment marked again after a rejection was reused in place: count its claims from the audit
    # log, so an old button or code (which means the first claim) is refused for a payment claimed again.
    op.execute("""update contributions k set version = marks.n from (
                      select entity_id, count(*) as n from audit_log
                      where entity = 'contribution' and action = 'payment_marked' group by entity_id) marks
                  where marks.entity_id = k.id::text and marks.n > 1""")
    op.execute("""update contributions k set status = 'PARTIAL' from cycles y join circles c on c.id = y.circle_id
                  where k.cycle_id = y.id and k.status = 'CONFIRMED' and k.amount < c.amount_per_cycle""")


def downgrade() -> None:
    # The old schema holds one amount per payment: what was confirmed wins (a pending top-up keeps its claim).
    op.execute("update contributions set amount = confirmed_amount, status = 'CONFIRMED' "
               "where status in ('CONFIRMED', 'PARTIAL') and confirmed_amount > 0")
    op.drop_constraint(op.f(STATUS), 'contributions', type_='check')
    op.create_check_constraint(op.f(STATUS), 'contributions', "status in ('PENDING', 'CONFIRMED', 'REJECTED')")
    op.drop_constraint(op.f('ck_contributions_version_positive'), 'contributions', type_='check')
    op.drop_constraint(op.f('ck_contributions_confirmed_amount_not_negative'), 'contributions', type_='check')
    op.drop_column('contributions', 'version')
    op.drop_column('contributions', 'confirmed_amount')
