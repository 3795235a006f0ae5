"""The mobile apps' bearer token. Anything that is not a live access token is a 401."""

from ninja.security import HttpBearer

from accounts.sessions import session_for_access_token


class SenderAuth(HttpBearer):
    def authenticate(self, request, token):
        session = session_for_access_token(token)
        if session is None:
            return None
        request.api_session = session
        return session.customer
