import pytest

from payments.ledger_check import check_ledger


@pytest.fixture(autouse=True)
def ledger_stays_balanced(request):
    """After every payments test that touched the database, the whole ledger must hold."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")  # set up first, so torn down after us
    elif "db" in names or marker:
        request.getfixturevalue("db")
    else:
        yield
        return
    yield
    report = check_ledger()
    assert report.ok, "\n".join(report.problems)
