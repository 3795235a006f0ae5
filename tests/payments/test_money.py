"""Money arithmetic (payments/money.py) and the pure pricing function (payments.pricing.price).

No database: the pricing properties are checked with hypothesis over random amounts, rates,
margins and fee bands, for currencies with 0, 2 and 3 decimals.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payments import money
from payments.errors import InvalidAmount
from payments.pricing import Band, fee_for, price

PEG = Decimal("655.957")
PROPERTY = settings(
    max_examples=300,
    deadline=None,
)


# --- Exponents and formatting -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "exp"), [("EUR", 2), ("XOF", 0), ("XAF", 0), ("GNF", 0), ("KWD", 3), ("GHS", 2)]
)
def test_iso_4217_exponents(currency, exp):
    assert money.exponent(currency) == exp


def test_cfa_francs_are_pegged_to_the_euro():
    assert money.EUR_PEGS == {"XOF": PEG, "XAF": PEG}


@pytest.mark.parametrize(
    "call",
    [
        lambda: money.exponent("XYZ"),
        lambda: money.exponent("eur"),
        lambda: money.format_major(100, "XYZ"),
        lambda: money.parse_major("1.00", "XYZ"),
        lambda: money.convert_down(100, Decimal(1), "EUR", "XYZ"),
        lambda: money.convert_down(100, Decimal(1), "XYZ", "EUR"),
        lambda: money.send_for_receive(100, Decimal(1), "EUR", "XYZ"),
        lambda: money.Money(100, "XYZ"),
    ],
    ids=["exponent", "lowercase", "format", "parse", "target", "source", "send_for", "Money"],
)
def test_unknown_currency_raises(call):
    with pytest.raises(money.UnknownCurrency) as err:
        call()
    assert isinstance(err.value, ValueError)
    assert "unknown currency" in str(err.value)


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (1050, "EUR", "10.50"),
        (5, "EUR", "0.05"),
        (0, "EUR", "0.00"),
        (300000, "EUR", "3000.00"),
        (-1999, "EUR", "-19.99"),
        (65596, "XOF", "65596"),
        (1000, "XAF", "1000"),
        (935025, "GNF", "935025"),
        (1234, "KWD", "1.234"),
        (5, "KWD", "0.005"),
    ],
)
def test_format_major_uses_the_currency_decimals(minor, currency, text):
    assert money.format_major(minor, currency) == text
    assert money.parse_major(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("10", "EUR", 1000), ("10.5", "EUR", 1050), ("10.500", "EUR", 1050), ("7", "KWD", 7000)],
)
def test_parse_major_accepts_fewer_decimals_and_trailing_zeros(text, currency, minor):
    assert money.parse_major(text, currency) == minor


@pytest.mark.parametrize(
    ("text", "currency"),
    [("10.001", "EUR"), ("0.005", "EUR"), ("1.5", "XOF"), ("0.1", "XAF"), ("2.0001", "KWD")],
)
def test_parse_major_refuses_excess_decimals(text, currency):
    with pytest.raises(ValueError, match=f"{currency} amounts have at most"):
        money.parse_major(text, currency)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_parse_major_refuses_non_finite_numbers(text):
    with pytest.raises(ValueError, match="finite"):
        money.parse_major(text, "EUR")


@PROPERTY
@given(
    minor=st.integers(min_value=-(10**15), max_value=10**15),
    currency=st.sampled_from(sorted(money.EXPONENTS)),
)
def test_format_then_parse_round_trips(minor, currency):
    text = money.format_major(minor, currency)
    exp = money.exponent(currency)
    assert (len(text.split(".")[1]) if "." in text else 0) == exp
    assert money.parse_major(text, currency) == minor


def test_money_value_object():
    m = money.Money(1050, "EUR")
    assert m.major == Decimal("10.50") and str(m) == "10.50 EUR"
    assert str(money.Money(65596, "XOF")) == "65596 XOF"
    for bad in (10.5, True, Decimal("10"), "10"):
        with pytest.raises(TypeError):
            money.Money(bad, "EUR")


# --- Conversion -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rate", "source", "target", "expected"),
    [
        (1, PEG, "EUR", "XOF", 6),  # 0.01 EUR = 6.55957 XOF
        (100, PEG, "EUR", "XOF", 655),  # 1 EUR = 655.957 XOF
        (10_000, PEG, "EUR", "XAF", 65595),  # 100 EUR = 65595.7 XAF
        (10_000, Decimal("16.4210"), "EUR", "GHS", 164210),
        (1, Decimal("9350.25"), "EUR", "GNF", 93),  # 0.01 EUR = 93.5025 GNF
        (1, Decimal("0.333333"), "EUR", "KWD", 3),  # 0.01 EUR = 0.00333333 KWD
        (1000, Decimal("0.001524"), "XOF", "EUR", 152),  # 1000 XOF = 1.524 EUR
        (999, Decimal("1"), "KWD", "EUR", 99),  # 0.999 KWD = 0.999 EUR
        (0, PEG, "EUR", "XOF", 0),
    ],
)
def test_convert_down_rounds_down_to_a_minor_unit(amount, rate, source, target, expected):
    assert money.convert_down(amount, rate, source, target) == expected


currencies = st.sampled_from(["EUR", "XOF", "XAF", "GNF", "GHS", "KWD"])
targets = st.sampled_from(["XOF", "XAF", "GNF", "GHS", "KWD"])
mid_rates = st.one_of(
    st.just(PEG),
    st.decimals(
        min_value=Decimal("0.001"),
        max_value=Decimal("20000"),
        places=6,
        allow_nan=False,
        allow_infinity=False,
    ),
)
margins = st.integers(min_value=0, max_value=500)
sends = st.integers(min_value=1, max_value=10_000_000)


def exact(amount: int, rate: Decimal, source: str, target: str) -> Fraction:
    """The exact value of amount in target minor units (no rounding at all)."""
    shift = money.exponent(target) - money.exponent(source)
    return amount * Fraction(rate) * Fraction(10) ** shift


@PROPERTY
@given(amount=sends, rate=mid_rates, source=currencies, target=targets)
def test_convert_down_is_the_floor_of_the_exact_value(amount, rate, source, target):
    got = money.convert_down(amount, rate, source, target)
    value = exact(amount, rate, source, target)
    assert got <= value < got + 1


@PROPERTY
@given(amount=sends, rate=mid_rates, source=currencies, target=targets)
def test_send_for_receive_is_the_smallest_sufficient_send(amount, rate, source, target):
    receive = max(1, money.convert_down(amount, rate, source, target))
    send = money.send_for_receive(receive, rate, source, target)
    assert money.convert_down(send, rate, source, target) >= receive
    assert send == 1 or money.convert_down(send - 1, rate, source, target) < receive


@pytest.mark.parametrize(
    ("amount", "bps", "expected"),
    [(10_000, 50, 50), (10_001, 50, 50), (10_100, 50, 51), (100, 50, 1), (99, 50, 0), (1, 0, 0)],
)
def test_percentage_of_rounds_half_up(amount, bps, expected):
    # 100 * 50 bps = 0.5 -> 1 (half up); 99 * 50 bps = 0.495 -> 0
    assert money.percentage_of(amount, bps) == expected


@PROPERTY
@given(mid=mid_rates, margin=margins)
def test_apply_margin_never_raises_the_rate(mid, margin):
    rate = money.apply_margin(mid, margin)
    assert 0 < rate <= mid
    assert rate == rate.quantize(Decimal("1e-8"))
    assert mid * (10_000 - margin) / 10_000 - rate < Decimal("1e-8")
    if margin == 0:
        assert rate == mid


# --- Fees -------------------------------------------------------------------------------------


@st.composite
def fee_bands(draw) -> list[Band]:
    """Contiguous bands covering every send amount from 1 up (the last band is open-ended)."""
    cuts = sorted(
        draw(st.sets(st.integers(min_value=2, max_value=10_000_000), min_size=0, max_size=4))
    )
    lows = [1, *cuts]
    highs = [c - 1 for c in cuts] + [10**18]
    return [
        Band(
            lo,
            hi,
            draw(st.integers(min_value=0, max_value=5_000)),
            draw(st.integers(min_value=0, max_value=1_000)),
        )
        for lo, hi in zip(lows, highs, strict=True)
    ]


def expected_fee(send: int, bands: list[Band]) -> int:
    (band,) = [b for b in bands if b.min_send_minor <= send <= b.max_send_minor]
    pct = (Decimal(send) * band.percent_bps / 10_000).quantize(Decimal(1), ROUND_HALF_UP)
    return band.fixed_minor + int(pct)


FIXTURE_BANDS = [
    Band(1, 10_000, 199, 0),
    Band(10_001, 50_000, 299, 50),
    Band(50_001, 300_000, 0, 100),
]


@pytest.mark.parametrize(
    ("send", "fee"),
    [
        (500, 199),
        (10_000, 199),
        (10_001, 299 + 50),  # 0.5% of 100.01 = 0.50005 -> 0.50
        (10_100, 299 + 51),  # 0.5% of 101.00 = 0.505 -> 0.51 (half up)
        (50_000, 299 + 250),
        (50_001, 500),
        (300_000, 3_000),
    ],
)
def test_fee_for_the_fixture_bands(send, fee):
    assert fee_for(send, FIXTURE_BANDS) == fee


@pytest.mark.parametrize("send", [0, 300_001])
def test_fee_for_an_amount_outside_every_band_is_refused(send):
    with pytest.raises(InvalidAmount) as err:
        fee_for(send, FIXTURE_BANDS)
    assert err.value.code == "invalid_amount" and "no fee is defined" in str(err.value)


@PROPERTY
@given(send=sends, bands=fee_bands())
def test_fee_is_fixed_plus_percentage_half_up_and_never_negative(send, bands):
    fee = fee_for(send, bands)
    assert fee == expected_fee(send, bands)
    assert fee >= 0


# --- price(): no minor unit created or lost, both directions agree ----------------------------


def quote_by_send(send, **kw):
    return price(send_minor=send, **kw)


def quote_by_receive(receive, **kw):
    return price(receive_minor=receive, **kw)


def check_conserves(p, *, mid_rate, source, target, bands):
    assert p.total_minor == p.send_minor + p.fee_minor
    assert p.fee_minor == fee_for(p.send_minor, bands) >= 0
    mid_value = money.convert_down(p.send_minor, mid_rate, source, target)
    assert p.mid_value_minor == mid_value
    assert mid_value == p.receive_minor + p.fx_margin_minor + p.rounding_minor
    assert p.fx_margin_minor >= 0 and p.rounding_minor >= 0
    assert p.rate <= mid_rate
    assert p.receive_minor == money.convert_down(p.send_minor, p.rate, source, target) - (
        p.rounding_minor
    )


pricing_inputs = st.fixed_dictionaries(
    {
        "source": st.just("EUR"),
        "target": targets,
        "mid_rate": mid_rates,
        "margin_bps": margins,
        "bands": fee_bands(),
    }
)


@PROPERTY
@given(send=sends, kw=pricing_inputs)
def test_price_by_send_conserves_every_minor_unit(send, kw):
    p = quote_by_send(send, **kw)
    assert p.send_minor == send and p.rounding_minor == 0
    check_conserves(p, **{k: kw[k] for k in ("mid_rate", "source", "target", "bands")})


@PROPERTY
@given(send=sends, kw=pricing_inputs)
def test_price_by_receive_conserves_every_minor_unit(send, kw):
    # A reachable receive amount of a realistic size, drawn through a send amount.
    receive = max(1, money.convert_down(send, kw["mid_rate"], kw["source"], kw["target"]))
    p = quote_by_receive(receive, **kw)
    assert p.receive_minor == receive
    check_conserves(p, **{k: kw[k] for k in ("mid_rate", "source", "target", "bands")})


@PROPERTY
@given(send=sends, kw=pricing_inputs)
def test_receive_driven_send_is_minimal_and_send_driven_agrees(send, kw):
    src, tgt = kw["source"], kw["target"]
    receive = max(1, money.convert_down(send, kw["mid_rate"], src, tgt))
    by_receive = quote_by_receive(receive, **kw)
    s, rate = by_receive.send_minor, by_receive.rate
    assert money.convert_down(s, rate, src, tgt) >= receive
    assert money.convert_down(s - 1, rate, src, tgt) < receive

    by_send = quote_by_send(s, **kw)
    assert by_send.receive_minor >= receive and by_send.rounding_minor == 0
    assert by_send.rate == rate
    assert by_send.fee_minor == by_receive.fee_minor
    assert by_send.fx_margin_minor == by_receive.fx_margin_minor
    assert by_send.receive_minor == receive + by_receive.rounding_minor


@PROPERTY
@given(send=sends, kw=pricing_inputs)
def test_send_then_receive_round_trip_never_asks_more(send, kw):
    by_send = quote_by_send(send, **kw)
    if by_send.receive_minor == 0:  # too small to deliver anything: quote_create refuses it
        return
    back = quote_by_receive(by_send.receive_minor, **kw)
    assert back.send_minor <= send
    assert back.receive_minor == by_send.receive_minor
    assert back.rate == by_send.rate


def test_price_example_100_eur_to_senegal():
    p = price(
        source="EUR",
        target="XOF",
        mid_rate=PEG,
        margin_bps=50,
        bands=FIXTURE_BANDS,
        send_minor=10_000,
    )
    assert p.rate == Decimal("652.677215")
    assert (p.send_minor, p.fee_minor, p.total_minor) == (10_000, 199, 10_199)
    assert p.receive_minor == 65267 and p.mid_value_minor == 65595
    assert (p.fx_margin_minor, p.rounding_minor) == (328, 0)


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "shown"),
    [
        (31437000, "EUR", "en", "314,370.00 EUR"),
        (114218, "XOF", "en", "114,218 XOF"),
        (1234567, "KWD", "en", "1,234.567 KWD"),
        (-5, "EUR", "en", "-0.05 EUR"),
    ],
)
def test_display_groups_digits_and_keeps_the_currency_exponent(minor, currency, locale, shown):
    assert money.display(minor, currency, locale) == shown


def test_display_in_french_uses_french_separators():
    shown = money.display(31437005, "EUR", "fr")
    assert shown.endswith(",05 EUR") and shown.replace("\u202f", " ").startswith("314 370")
