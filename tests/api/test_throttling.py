"""Rate limits: per IP on sign-in, per sender elsewhere, counted in the shared cache, which
is the database by default and the real Redis server when REDIS_URL is set."""

import pytest
import redis

from tests.api.conftest import PASSWORD

REDIS = "redis://127.0.0.1:6379/15"


def hammer(api, n, path="/auth/token", body=None):
    body = body or {"email": "nobody@example.com", "password": PASSWORD}
    return [api.post(path, body, token="").status_code for _ in range(n)]


def test_sign_in_attempts_are_limited_per_client(anon, settings):
    settings.API_THROTTLE_AUTH = "3/m"
    assert hammer(anon, 4) == [401, 401, 401, 429]
    limited = anon.post("/auth/token", {"email": "x@example.com", "password": "x"}, token="")
    assert limited.json()["code"] == "rate_limited" and int(limited["Retry-After"]) > 0


def test_a_sender_is_limited_across_endpoints(sender, settings):
    settings.API_THROTTLE_USER = "5/m"
    codes = [sender.get("/me").status_code for _ in range(3)]
    codes += [sender.get("/corridors").status_code for _ in range(3)]
    assert codes == [200] * 5 + [429]


@pytest.fixture
def redis_cache(settings):
    server = redis.Redis.from_url(REDIS)
    server.flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS}
    }
    yield server
    server.flushdb()


def test_with_redis_the_counts_live_in_redis(anon, settings, redis_cache):
    settings.API_THROTTLE_AUTH = "2/m"
    assert hammer(anon, 3) == [401, 401, 429]
    keys = [k.decode() for k in redis_cache.keys("*")]
    assert any("throttle_sign_in" in k for k in keys), keys
