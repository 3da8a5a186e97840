"""Every refusal core can give, as a type with a stable message key.

Channels turn `key` (plus `context`) into friendly text in their own words; nothing here is shown
to users verbatim, and nothing matches on message strings.
"""

from __future__ import annotations

from typing import Any


class CoreError(Exception):
    """A refusal: the operation changed nothing."""

    key = "error"

    def __init__(self, **context: Any) -> None:
        self.context = context
        super().__init__(f"{self.key} {context}" if context else self.key)


# --- input ------------------------------------------------------------------------------
class InvalidAmount(CoreError):
    key = "invalid_amount"  # context: text, reason ("malformed", "not_positive", "too_large", "too_precise")


class CurrencyMismatch(CoreError):
    key = "currency_mismatch"  # context: given, expected


class UnknownCurrency(CoreError):
    key = "unknown_currency"  # context: code


class InvalidPhone(CoreError):
    key = "invalid_phone"  # context: text


class InvalidTimezone(CoreError):
    key = "invalid_timezone"  # context: name


class InvalidDate(CoreError):
    key = "invalid_date"  # context: text


class InvalidSchedule(CoreError):
    key = "invalid_schedule"  # context: reason


class InvalidCircleSettings(CoreError):
    key = "invalid_circle_settings"  # context: field, reason


# --- who may act ----------------------------------------------------------------------------
class UnknownUser(CoreError):
    key = "unknown_user"


# Refusals of who may act carry the circle (circle_id) when core knows it, so a channel can say who
# can act instead; NotMember also names the person who isn't a member (user_id: the actor, or the
# member an organizer named).
class NotMember(CoreError):
    key = "not_member"  # context: circle_id, user_id


class NotOrganizer(CoreError):
    key = "not_organizer"  # context: circle_id


class NotReceiver(CoreError):
    key = "not_receiver"  # context: user_ids (the receiver), when the payout exists


# --- circle lifecycle ---------------------------------------------------------------------
class CircleNotFound(CoreError):
    key = "circle_not_found"


class CircleNotForming(CoreError):
    key = "circle_not_forming"  # context: status


class CircleNotActive(CoreError):
    key = "circle_not_active"  # context: status


class CircleFull(CoreError):
    key = "circle_full"  # context: total_members


class AlreadyMember(CoreError):
    key = "already_member"


class OrganizerCannotLeave(CoreError):
    key = "organizer_cannot_leave"


class NotEnoughMembers(CoreError):
    key = "not_enough_members"  # context: have, need


class InvalidPayoutOrder(CoreError):
    key = "invalid_payout_order"  # context: reason


# --- payments -------------------------------------------------------------------------------
class ContributionNotFound(CoreError):
    key = "contribution_not_found"


class AlreadyPaid(CoreError):
    key = "already_paid"  # context: status (PENDING or CONFIRMED)


class InvalidRejectReason(CoreError):
    key = "invalid_reject_reason"  # context: reason


class AlreadyDecided(CoreError):
    key = "already_decided"  # context: status (CONFIRMED or REJECTED), by (who decided, a name)


# --- draws and payouts ----------------------------------------------------------------------
class UnpaidMembers(CoreError):
    key = "unpaid_members"  # context: user_ids (not confirmed); an organizer may override


class AlreadyDrawn(CoreError):
    key = "already_drawn"  # context: cycle_number


class NotDrawnYet(CoreError):
    key = "not_drawn_yet"


class PendingPayments(CoreError):
    key = "pending_payments"  # context: user_ids awaiting a decision


class AlreadyAcknowledged(CoreError):
    key = "already_acknowledged"


class NothingToPayOut(CoreError):
    key = "nothing_to_pay_out"


class ChatHasActiveCircle(CoreError):
    key = "chat_has_active_circle"


class CircleHasGroup(CoreError):
    key = "circle_has_group"  # a circle lives in one group chat per app


class AlreadyOrganizer(CoreError):
    key = "already_organizer"


class DueDateInPast(CoreError):
    key = "due_date_in_past"  # context: due_date, today


class LastOrganizer(CoreError):
    key = "last_organizer"  # an organizer may step down only while another remains


class InstructionsTooLong(CoreError):
    key = "instructions_too_long"  # context: length, limit


class StaleButton(CoreError):
    key = "stale_button"  # a button of something since replaced or finished


# --- stewardship: member votes (core/stewardship.py) ----------------------------------------
class OrganizerActive(CoreError):
    key = "organizer_active"  # context: user_ids (the organizers), acted, from_date (when votes open), today; days


class VoteAlreadyOpen(CoreError):
    key = "vote_already_open"


class NoOpenVote(CoreError):
    key = "no_open_vote"


class VoteClosed(CoreError):
    key = "vote_closed"  # context: status (CARRIED, FAILED or EXPIRED)


class AlreadyVoted(CoreError):
    key = "already_voted"  # context: ballot ("yes" or "no")


# --- edges: flood limits (core/limits.py) -----------------------------------------------------
class TooManyCircles(CoreError):
    key = "too_many_circles"  # context: limit (per day), minutes (until one more is allowed)


class TooManySeatChanges(CoreError):
    key = "too_many_seat_changes"  # context: limit (joins and leaves per hour), minutes


# --- payments: partial payments and stale decisions ---------------------------------------------------
class MoreThanOwed(CoreError):
    key = "more_than_owed"  # context: owed (minor units still to pay this cycle), currency


class PaymentChanged(CoreError):
    """A decision on a claim the payment no longer holds (it was rejected and marked again): nothing
    changes; the context describes the payment as it is now, so the channel can show it afresh."""

    key = "payment_changed"  # context: contribution_id, version, amount, currency, status, name


# --- identity ---------------------------------------------------------------------------------
class NeedsConfirmation(CoreError):
    key = "needs_confirmation"  # an account new to a member who uses another one, or a member's new number


class PhoneTaken(CoreError):
    key = "phone_taken"  # context: user_ids (organizers of the circles of the member who has that number)


class ClaimNotFound(CoreError):
    key = "claim_not_found"  # already answered, replaced, or never existed


class NotClaimDecider(CoreError):
    key = "not_claim_decider"  # only the member's other account, or an organizer of their circle


class AmbiguousHandle(CoreError):
    key = "ambiguous_handle"  # context: handle (several members of the circle use it)


# --- beacon: the public random number a draw mixes in (core/fairness.py) ---
class BeaconUnavailable(CoreError):
    key = "beacon_unavailable"  # context: round; the draw needs it and it could not be fetched (or was wrong)
