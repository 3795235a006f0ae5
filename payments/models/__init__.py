from payments.models.customers import Customer, Recipient
from payments.models.funding import CashBalanceMove, IncomingPayment, Refund
from payments.models.idempotency import IdempotencyRecord
from payments.models.ledger import Account, JournalEntry, Posting
from payments.models.pricing import Corridor, FeeBand, FxRate
from payments.models.quotes import Quote
from payments.models.transfers import PayoutAttempt, Transfer, TransferEvent
from payments.models.treasury import FloatTopUp

__all__ = [
    "Account",
    "CashBalanceMove",
    "Corridor",
    "Customer",
    "FeeBand",
    "FloatTopUp",
    "FxRate",
    "IdempotencyRecord",
    "IncomingPayment",
    "JournalEntry",
    "PayoutAttempt",
    "Posting",
    "Quote",
    "Recipient",
    "Refund",
    "Transfer",
    "TransferEvent",
]
