"""A plan's budget (begroting): amounts per theme and line item, and its split over networks.

Amounts are Decimal euros, never floats. A split ("3/5 deel") divides the total; the last
share takes the rounding remainder, so the parts always add up to the total to the cent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from tracker.domain.message import Message, MessageError, Number

CENT = Decimal("0.01")
MAX_SPENDING = Decimal("1000000.00")  # one entry: far above a network's yearly budget


class BadAmount(MessageError, ValueError):
    """Not an amount of euros, or not a share like 3/5."""


def _not_an_amount(text: object) -> BadAmount:
    return BadAmount(Message("not an amount: %(text)s", text=repr(text)))


@dataclass(frozen=True)
class BudgetLine:
    theme: str
    item: str
    amount: Decimal


@dataclass(frozen=True)
class BudgetShare:
    """Who pays which part: "Netwerk Noordwest Twente", 2/5."""

    name: str
    share: Fraction


def parse_amount(text: str | int | float | Decimal) -> Decimal:
    """'€ 22.466,70', '22466.70', 1500 → Decimal('22466.70'); raise BadAmount otherwise."""
    if isinstance(text, bool):
        raise _not_an_amount(text)
    if isinstance(text, int | Decimal):
        value = Decimal(text)
    elif isinstance(text, float):
        value = Decimal(str(text))
    else:
        plain = text.replace("€", "").replace("\u00a0", "").replace(" ", "").rstrip("*,-")
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?", plain) or re.fullmatch(
            r"\d+,\d{1,2}", plain
        ):
            plain = plain.replace(".", "").replace(",", ".")  # Dutch: 22.466,70
        try:
            value = Decimal(plain)
        except InvalidOperation:
            raise _not_an_amount(text) from None
    if not value.is_finite() or value < 0:
        raise _not_an_amount(text)
    try:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # too many digits for cents ("1e30")
        raise _not_an_amount(text) from None


def parse_share(text: str) -> Fraction:
    """'3/5' (also '3/5 deel') → Fraction(3, 5)."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)(?:\s*deel)?\s*", str(text))
    if not match or int(match.group(2)) == 0 or int(match.group(1)) > int(match.group(2)):
        raise BadAmount(Message("not a share like 3/5: %(text)s", text=repr(text)))
    return Fraction(int(match.group(1)), int(match.group(2)))


def per_theme(lines: Sequence[BudgetLine]) -> dict[str, Decimal]:
    """Planned amount per theme, in the order the themes first appear."""
    totals: dict[str, Decimal] = {}
    for line in lines:
        totals[line.theme] = totals.get(line.theme, Decimal("0.00")) + line.amount
    return totals


def split(total: Decimal, shares: Sequence[BudgetShare]) -> list[tuple[str, Decimal]]:
    """The total divided by the shares, to the cent; the last share takes the remainder."""
    parts: list[tuple[str, Decimal]] = []
    for share in shares[:-1]:
        amount = (total * share.share.numerator / share.share.denominator).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        parts.append((share.name, amount))
    if shares:
        parts.append((shares[-1].name, total - sum((a for _, a in parts), Decimal("0.00"))))
    return parts


class SpendingRefused(MessageError, ValueError):
    """Spending the rules refuse; `field` names the input ("amount", "spent_on")."""

    def __init__(self, field: str, message: Message) -> None:
        super().__init__(message)
        self.field = field


def check_spending(amount: Decimal, spent_on: date, plan_year: int, today: date) -> None:
    """Spending is an amount above zero (up to MAX_SPENDING), spent on a day from the start
    of the plan's year up to today; raise SpendingRefused otherwise."""
    if not CENT <= amount <= MAX_SPENDING:
        limit = Message(
            "Give an amount above zero and at most %(max)s euros.", max=Number(1_000_000)
        )
        raise SpendingRefused("amount", limit)
    if spent_on > today:
        raise SpendingRefused("spent_on", Message("The day cannot be in the future."))
    if spent_on < date(plan_year, 1, 1):
        raise SpendingRefused(
            "spent_on",
            Message("The day cannot be before the plan's year (%(year)s).", year=str(plan_year)),
        )
