"""Password hashing: argon2id at OWASP's recommended minimum cost.

OWASP's Password Storage Cheat Sheet asks for argon2id with at least
19 MiB of memory, 2 iterations and 1 degree of parallelism. Hashes made by an
earlier release (werkzeug's scrypt) still verify and are upgraded at the next
successful login.
"""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

# Verified against when the username is unknown, so a wrong username costs
# the same time as a wrong password and timing does not reveal accounts.
_DUMMY = _hasher.hash("not-a-real-password-only-for-equal-timing")


def hash_password(password):
    return _hasher.hash(password)


def verify(stored, password):
    """(ok, needs_rehash). ``stored`` None means: no such account, same cost."""
    if stored is None:
        _verify_argon2(_DUMMY, password)
        return False, False
    if stored.startswith("$argon2"):
        ok = _verify_argon2(stored, password)
        return ok, ok and _hasher.check_needs_rehash(stored)
    return check_password_hash(stored, password), True


def _verify_argon2(stored, password):
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
