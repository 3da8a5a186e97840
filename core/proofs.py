"""What the bot publishes about a draw, read back for people: the values core/verify_draw.py checks.

One `Proof` covers a cycle's draw (kind "draw": its eligible members and winner) and a payout order
drawn at the start (kind "order": the members and their order). The seed is only ever included once
the result is public: a cycle's at its draw, an order's when the circle starts. A cycle's draw also
names its beacon round and, once drawn, the round's value it mixed in (none: drawn without it).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from core import fairness
from core.errors import CircleNotFound
from core.models import Circle, Cycle, Draw, Membership, PayoutOrder, User
from core.uow import UnitOfWork

FORMAT = "rosca-draw-proof-v1"
_CYCLES = select(Cycle, Draw.winner_id, Draw.id, Draw.beacon_randomness, Draw.beacon_signature).outerjoin(
    Draw, Draw.cycle_id == Cycle.id)


@dataclass(frozen=True)
class Proof:
    kind: str  # "draw" or "order"
    circle_id: uuid.UUID
    circle_name: str
    cycle_number: int | None  # draws only
    member_ids: list[uuid.UUID]  # sorted: a draw's eligible members, or everyone an order was drawn among
    names: dict[uuid.UUID, str]
    commitment: str
    seed: str | None  # None until revealed
    result: list[uuid.UUID]  # [winner] or the order (cycle 1 first); empty until revealed
    draw_id: uuid.UUID | None = None
    beacon_round: int | None = None  # draws of cycles opened since the beacon
    beacon: fairness.BeaconValue | None = None  # the round's value, once drawn with it

    @property
    def revealed(self) -> bool:
        return self.seed is not None

    @property
    def without_beacon(self) -> bool:
        """Drawn from the seed alone although the cycle named a beacon round (it couldn't be reached)."""
        return self.revealed and self.beacon_round is not None and self.beacon is None

    @property
    def beacon_published(self) -> datetime | None:
        if self.beacon_round is None:
            return None
        return datetime.fromtimestamp(fairness.beacon_round_time(self.beacon_round), UTC)

    def name(self, user_id: uuid.UUID) -> str:
        return self.names.get(user_id, "?")

    @property
    def filename(self) -> str:
        return f"draw-{self.cycle_number}.json" if self.kind == "draw" else "order.json"

    def document(self) -> dict:
        """The machine-readable inputs, in the shape verify_draw.py reads."""
        doc = {"format": FORMAT, "kind": self.kind, "circle": str(self.circle_id), "circle_name": self.circle_name}
        ids = [str(u) for u in self.member_ids]
        if self.kind == "draw":
            doc |= {"cycle": self.cycle_number, "eligible": ids,
                    "winner": str(self.result[0]) if self.result else None, "beacon": self._beacon_document()}
        else:
            doc |= {"members": ids, "order": [str(u) for u in self.result] or None}
        return doc | {"commitment": self.commitment, "seed": self.seed,
                      "names": {str(u): self.name(u) for u in self.member_ids}}

    def _beacon_document(self) -> dict | None:
        if self.beacon_round is None:
            return None
        value = self.beacon
        return {"chain": fairness.BEACON_CHAIN, "round": self.beacon_round,
                "published": self.beacon_published.isoformat().replace("+00:00", "Z"),
                "randomness": value.randomness if value else None, "signature": value.signature if value else None}

    def json_bytes(self) -> bytes:
        return json.dumps(self.document(), indent=2, ensure_ascii=False).encode()


async def cycle_proof(uow: UnitOfWork, circle_id: uuid.UUID, cycle_number: int | None = None) -> Proof | None:
    """Cycle `cycle_number`'s draw (the latest cycle when None); None when there is no such cycle."""
    async with uow:
        circle = await _circle(uow, circle_id)
        query = _CYCLES.where(Cycle.circle_id == circle_id)
        query = query.where(Cycle.cycle_number == cycle_number) if cycle_number else query
        row = (await uow.session.execute(query.order_by(Cycle.cycle_number.desc()).limit(1))).first()
        if row is None:
            return None
        return await _draw_proof(uow, circle, *row)


async def order_proof(uow: UnitOfWork, circle_id: uuid.UUID) -> Proof | None:
    """The drawn payout order of a DRAWN_AT_START circle (its seed once started); None for other circles."""
    async with uow:
        circle = await _circle(uow, circle_id)
        if circle.payout_order != PayoutOrder.DRAWN_AT_START:
            return None
        return await _order_proof(uow, circle)


async def requested_proof(uow: UnitOfWork, circle_id: uuid.UUID, wanted: int | str | None) -> Proof | None:
    """What /verify shows: cycle `wanted`, the drawn order ("order"), or by default the latest cycle
    (before the first cycle opens, a drawn order's commitment). None when there is no such thing."""
    if wanted == "order":
        return await order_proof(uow, circle_id)
    found = await cycle_proof(uow, circle_id, wanted if isinstance(wanted, int) else None)
    return found if found is not None or wanted is not None else await order_proof(uow, circle_id)


async def proof_by_commitment(uow: UnitOfWork, commitment: str) -> Proof | None:
    """Whichever draw or order published this commitment: it is the unguessable name of its file."""
    async with uow:
        row = (await uow.session.execute(_CYCLES.where(Cycle.seed_commitment == commitment).limit(1))).first()
        if row is not None:
            return await _draw_proof(uow, await _circle(uow, row[0].circle_id), *row)
        circle = (await uow.session.execute(select(Circle).where(Circle.order_commitment == commitment))).scalar()
        return None if circle is None else await _order_proof(uow, circle)


async def _circle(uow: UnitOfWork, circle_id: uuid.UUID) -> Circle:
    circle = await uow.session.get(Circle, circle_id)
    if circle is None:
        raise CircleNotFound(circle_id=str(circle_id))
    return circle


async def _draw_proof(uow: UnitOfWork, circle: Circle, cycle: Cycle, winner: uuid.UUID | None,
                      draw_id: uuid.UUID | None, randomness: str | None, signature: str | None) -> Proof:
    eligible = sorted(cycle.eligible_ids, key=str)
    beacon = fairness.BeaconValue(cycle.beacon_round, randomness, signature) if randomness else None
    return Proof("draw", circle.id, circle.name, cycle.cycle_number, eligible, await _names(uow, eligible),
                 cycle.seed_commitment, cycle.seed if winner is not None else None, [winner] if winner else [], draw_id,
                 cycle.beacon_round, beacon)


async def _order_proof(uow: UnitOfWork, circle: Circle) -> Proof:
    rows = (await uow.session.execute(select(Membership.user_id, Membership.payout_position)
                                      .where(Membership.circle_id == circle.id))).all()
    members = sorted((user_id for user_id, _ in rows), key=str)
    started = circle.started_at is not None
    order = [user_id for user_id, position in sorted(rows, key=lambda r: r[1] or 0) if position] if started else []
    return Proof("order", circle.id, circle.name, None, members, await _names(uow, members),
                 circle.order_commitment, circle.order_seed if started else None, order)


async def _names(uow: UnitOfWork, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await uow.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids)))
    return dict(rows.all())


async def proof_of_draw(uow: UnitOfWork, draw_id: uuid.UUID) -> Proof | None:
    """The draw a button names; None when there is no such draw (a forged button)."""
    async with uow:
        row = (await uow.session.execute(_CYCLES.where(Draw.id == draw_id))).first()
        return None if row is None else await _draw_proof(uow, await _circle(uow, row[0].circle_id), *row)
