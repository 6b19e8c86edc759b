"""Database URLs shown without their credentials: in messages, ``db info``, advice and
logs. A leaf module: the engine, the schema and the backup all use it."""

from __future__ import annotations

import re
from urllib.parse import quote_plus

from sqlalchemy import URL, make_url
from sqlalchemy.exc import ArgumentError

# Query parameters that carry a credential: libpq's password and sslpassword, and the
# names other drivers and proxies give theirs. Shown as *** like the password itself.
_CREDENTIAL_WORDS = r"pass|pwd|secret|token|credential|api_?key"
_CREDENTIAL = re.compile(_CREDENTIAL_WORDS, re.IGNORECASE)
_CREDENTIAL_IN_TEXT = re.compile(
    rf"([^=&;?\s]*(?:{_CREDENTIAL_WORDS})[^=&;?\s]*=)[^&;\s]*", re.IGNORECASE
)


def masked(url: URL | str) -> str:
    """``url`` as text with every credential in it shown as ``***``: the password, and
    any query parameter that holds one (``?password=``, ``?sslpassword=``).

    The one way a database URL is shown: in messages, ``db info``, advice and logs.
    Text that is not a valid URL loses everything up to its ``@`` and the values of
    its credential parameters.
    """
    if isinstance(url, str):
        given = url
        try:
            url = make_url(given)
        except (ArgumentError, ValueError):
            text = given.split("@", 1)[-1] if "@" in given else given
            return _CREDENTIAL_IN_TEXT.sub(r"\1***", text)
    text = url.set(query={}).render_as_string(hide_password=True)
    pairs = [
        f"{quote_plus(key)}={'***' if _CREDENTIAL.search(key) else quote_plus(value)}"
        for key in sorted(url.query)
        for value in _values(url.query[key])
    ]
    return f"{text}?{'&'.join(pairs)}" if pairs else text


def without_credentials(url: URL) -> URL:
    """``url`` without its password and credential query parameters (for a command a
    user may copy, where ``***`` would be taken for the password)."""
    return URL.create(
        url.drivername,
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query={key: value for key, value in url.query.items() if not _CREDENTIAL.search(key)},
    )


def scrubbed(text: str, url: URL) -> str:
    """``text`` (a driver's message, say) with every credential of ``url`` in it masked."""
    secrets = [str(url.password)] if url.password else []
    secrets += [
        value
        for key, values in url.query.items()
        if _CREDENTIAL.search(key)
        for value in _values(values)
        if value
    ]
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def _values(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)
