from django import template

from payments.money import display

register = template.Library()


@register.filter
def money(minor: int, currency: str) -> str:
    """Minor units as a person reads them: {{ t.send_amount_minor|money:t.send_currency }}."""
    return display(minor, currency)
