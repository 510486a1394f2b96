"""Unsubscribe links: a person's id, signed with the app's secret key (itsdangerous).

The token does not expire: an unsubscribe link in an old mail must keep working. It only
names a person and can only switch their reminders off, so a leaked link cannot do more.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "reminders-unsubscribe"


def unsubscribe_token(secret_key: str, user_id: int) -> str:
    return URLSafeSerializer(secret_key, salt=SALT).dumps(user_id)


def unsubscribe_url(app_url: str, secret_key: str, user_id: int) -> str:
    """The link in a personal mail (and its List-Unsubscribe header)."""
    return f"{app_url}/herinneringen/afmelden/{unsubscribe_token(secret_key, user_id)}"


def unsubscribe_user_id(secret_key: str, token: str) -> int | None:
    """The person the token was made for, or None when it was not made by this app."""
    try:
        value = URLSafeSerializer(secret_key, salt=SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
