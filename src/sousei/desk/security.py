"""Passwords (argon2id), random tokens, and the password rules shown to people."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD = 12
MAX_PASSWORD = 128
# A few passwords people reach for first; the length rule already excludes most others.
COMMON = {"password1234", "passwordpassword", "123456789012", "qwertyuiopas", "sousei123456", "administrator"}
PASSWORD_RULE_JA = (
    f"パスワードは{MIN_PASSWORD}〜{MAX_PASSWORD}文字で、メールアドレスと同じでなく、同じ文字だけの並びでないこと"
)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when an account does not exist, so that a wrong e-mail takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str, email: str) -> str | None:
    """What is wrong with a new password (in Japanese), or None."""
    if len(password) < MIN_PASSWORD:
        return f"パスワードが短すぎます（{MIN_PASSWORD}文字以上）"
    if len(password) > MAX_PASSWORD:
        return f"パスワードが長すぎます（{MAX_PASSWORD}文字以下）"
    if password.lower() in {email.lower(), email.split("@")[0].lower()}:
        return "パスワードにメールアドレスは使えません"
    if len(set(password)) < 4:
        return "パスワードに使われている文字の種類が少なすぎます"
    if password.lower() in COMMON:
        return "よく使われるパスワードは使えません"
    return None


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a session or link token."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.encode(), b.encode())
