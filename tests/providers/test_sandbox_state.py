"""A restarted simulator still knows what it paid, so a restarted demo loses nothing."""

import pytest

from providers.base import PayoutRequest, PayoutState
from providers.mtn_momo.adapter import MtnMomoProvider
from providers.sandboxes.mtn_momo import MtnMomoSimulator
from providers.sandboxes.wave import WaveSimulator
from providers.wave.adapter import WaveProvider

pytestmark = pytest.mark.django_db


def test_wave_and_mtn_simulators_remember_across_a_restart(tmp_path, settings, serve):
    settings.WAVE_API_KEY, settings.WAVE_API_KEYS = "k", {}
    settings.MTN_API_USER, settings.MTN_API_KEY, settings.MTN_SUBSCRIPTION_KEY = "u", "p", "s"
    wave_file, mtn_file = str(tmp_path / "wave.json"), str(tmp_path / "mtn.json")

    def start_simulators():  # a new simulator reads only what its file kept
        settings.WAVE_BASE_URL = serve(WaveSimulator(api_key="k", state_file=wave_file))
        settings.MTN_BASE_URL = serve(
            MtnMomoSimulator(api_user="u", api_key="p", subscription_key="s", state_file=mtn_file)
        )

    start_simulators()
    WaveProvider().send_payout(PayoutRequest("MB-R-1", 1000, "XOF", "+221771234557", "A B", "SN"))
    MtnMomoProvider().send_payout(
        PayoutRequest("MB-R-2", 1000, "XAF", "+237671234557", "A B", "CM")
    )
    start_simulators()
    assert WaveProvider().get_payout_status("MB-R-1").state == PayoutState.SUCCEEDED
    assert MtnMomoProvider().get_payout_status("MB-R-2", "CM").state == PayoutState.SUCCEEDED
