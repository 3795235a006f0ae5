"""A restarted simulator still knows what it paid, so a restarted demo loses nothing."""

import pytest

from providers.base import PayoutRequest, PayoutState
from providers.mtn_momo.adapter import MtnMomoProvider
from providers.sandboxes import server
from providers.sandboxes.mtn_momo import MtnMomoSimulator
from providers.sandboxes.wave import WaveSimulator
from providers.wave.adapter import WaveProvider

pytestmark = pytest.mark.django_db


def serve(app):
    srv, _ = server.start(app)
    return srv, f"http://127.0.0.1:{srv.server_port}"


def test_wave_and_mtn_simulators_remember_across_a_restart(tmp_path, settings):
    settings.WAVE_API_KEY, settings.WAVE_API_KEYS = "k", {}
    settings.MTN_API_USER, settings.MTN_API_KEY, settings.MTN_SUBSCRIPTION_KEY = "u", "p", "s"
    wave_file, mtn_file = str(tmp_path / "wave.json"), str(tmp_path / "mtn.json")
    wave_req = PayoutRequest("MB-R-1", 1000, "XOF", "+221771234557", "A B", "SN")
    mtn_req = PayoutRequest("MB-R-2", 1000, "XAF", "+237671234557", "A B", "CM")

    for restart in (False, True):
        wave_srv, settings.WAVE_BASE_URL = serve(WaveSimulator(api_key="k", state_file=wave_file))
        mtn_srv, settings.MTN_BASE_URL = serve(
            MtnMomoSimulator(api_user="u", api_key="p", subscription_key="s", state_file=mtn_file)
        )
        try:
            if not restart:
                WaveProvider().send_payout(wave_req)
                MtnMomoProvider().send_payout(mtn_req)
            else:
                assert WaveProvider().get_payout_status("MB-R-1").state == PayoutState.SUCCEEDED
                assert MtnMomoProvider().get_payout_status("MB-R-2", "CM").state == (
                    PayoutState.SUCCEEDED
                )
        finally:
            wave_srv.shutdown()
            mtn_srv.shutdown()
