"""Money arithmetic: integer minor units, ISO 4217 exponents, conversion and fees.

This is the only module that converts between currencies or rounds. Amounts are ints of
minor units; rates are Decimals of destination major units per one source major unit.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext

# ISO 4217 minor-unit exponents. Kept in code on purpose: display libraries (CLDR) differ
# from ISO for some currencies, and a wrong exponent is a 100x error.
EXPONENTS: dict[str, int] = {
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "XOF": 0,
    "XAF": 0,
    "GHS": 2,
    "GNF": 0,
    "NGN": 2,
    "CDF": 2,
    "UGX": 0,
    "GMD": 2,
    "SLE": 2,
    "LRD": 2,
    "RWF": 0,
    "ZMW": 2,
    "KWD": 3,
}

# 1 EUR = 655.957 XOF = 655.957 XAF, fixed by treaty since 1999.
EUR_PEGS: dict[str, Decimal] = {"XOF": Decimal("655.957"), "XAF": Decimal("655.957")}

BPS = 10_000


class UnknownCurrency(ValueError):
    def __init__(self, code: str):
        super().__init__(f"unknown currency {code!r}")
        self.code = code


def exponent(currency: str) -> int:
    try:
        return EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrency(currency) from None


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self):
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int of minor units")
        exponent(self.currency)

    @property
    def major(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def __str__(self) -> str:
        return f"{format_major(self.minor, self.currency)} {self.currency}"


def format_major(minor: int, currency: str) -> str:
    """The amount as a plain decimal string with the currency's own number of decimals."""
    exp = exponent(currency)
    return f"{Decimal(minor).scaleb(-exp):.{exp}f}"


def display(minor: int, currency: str, locale: str = "en") -> str:
    """For people: digits grouped the locale's way, ISO code after. Never parse it back."""
    from babel.numbers import format_decimal

    exp = exponent(currency)
    pattern = "#,##0" + ("." + "0" * exp if exp else "")
    amount = format_decimal(Decimal(minor).scaleb(-exp), format=pattern, locale=locale)
    return f"{amount} {currency}"


def parse_major(text: str, currency: str) -> int:
    """Parse a decimal string in major units into minor units, refusing excess decimals."""
    exp = exponent(currency)
    value = Decimal(text)
    if not value.is_finite():
        raise ValueError("amount must be a finite number")
    minor = value.scaleb(exp)
    if minor != minor.to_integral_value():
        raise ValueError(f"{currency} amounts have at most {exp} decimals")
    return int(minor)


def _scale(rate: Decimal, source: str, target: str) -> Decimal:
    """Rate in minor units of target per minor unit of source."""
    return rate.scaleb(exponent(target) - exponent(source))


def convert_down(amount_minor: int, rate: Decimal, source: str, target: str) -> int:
    """What amount_minor of source buys in target at rate, rounded down to a minor unit.

    Rounding down means we never promise money we did not receive; the fraction left over
    stays with us and is accounted for by the caller.
    """
    with localcontext() as ctx:
        ctx.prec = 60
        return int((amount_minor * _scale(rate, source, target)).to_integral_value(ROUND_FLOOR))


def send_for_receive(receive_minor: int, rate: Decimal, source: str, target: str) -> int:
    """Smallest source amount whose conversion (rounded down) is at least receive_minor."""
    with localcontext() as ctx:
        ctx.prec = 60
        send = int((receive_minor / _scale(rate, source, target)).to_integral_value(ROUND_CEILING))
    # Decimal division is exact to 60 digits; nudge for the last-digit edge either way.
    while send > 1 and convert_down(send - 1, rate, source, target) >= receive_minor:
        send -= 1
    while convert_down(send, rate, source, target) < receive_minor:
        send += 1
    return send


def percentage_of(amount_minor: int, bps: int) -> int:
    """bps/10000 of an amount, rounded half up to a minor unit (integers only)."""
    return (amount_minor * bps + BPS // 2) // BPS


def apply_margin(mid_rate: Decimal, margin_bps: int) -> Decimal:
    """The customer rate: the mid rate less our margin, cut to 8 significant decimals."""
    with localcontext() as ctx:
        ctx.prec = 60
        rate = mid_rate * (BPS - margin_bps) / BPS
        return rate.quantize(Decimal("1e-8"), rounding=ROUND_FLOOR)
