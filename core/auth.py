"""Editor sign-in for the Data management page.

The password is configured hashed (PBKDF2-SHA256 with a random salt) as `editor_password_hash` in
`.streamlit/secrets.toml` or in $DASHBOARD_EDITOR_PASSWORD_HASH, never in clear. Make the hash with:

    python -m core.auth
"""
from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import secrets

ITERATIONS = 200_000
ENV_VAR = "DASHBOARD_EDITOR_PASSWORD_HASH"


def hash_password(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify(password: str, stored: str) -> bool:
    """Constant-time comparison against a stored hash; False for a malformed one."""
    try:
        scheme, iterations, salt, expected = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


def configured_hash() -> str | None:
    """The editor password hash from the environment or Streamlit secrets, if any."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    try:
        import streamlit as st
        return st.secrets.get("editor_password_hash")
    except Exception:  # no secrets.toml: Streamlit raises its own not-found error type
        return None


if __name__ == "__main__":
    first = getpass.getpass("Editor password: ")
    if len(first) < 10 or first != getpass.getpass("Again: "):
        raise SystemExit("Passwords differ or are shorter than 10 characters.")
    print(f'editor_password_hash = "{hash_password(first)}"')
