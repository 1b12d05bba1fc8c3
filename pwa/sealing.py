"""Records sealed on the phone to the server's public key, opened only here.

A phone encrypts each outbox record at save time (WebCrypto: an ephemeral
ECDH P-256 key, HKDF-SHA-256, AES-256-GCM), so a stolen phone holds only
ciphertext it cannot read back. The private keys stay in the instance folder
(mode 0600); rotation adds a key and keeps the old ones, so records sealed
under an old key still open.

Wire format of a sealed record (version 2):
  {"kind": "sealed", "v": 2, "id": <uuid>, "team": <team id>, "device":
   <the sealing phone's device id>, "kid": <key id>, "epk": <JWK of the
   ephemeral public key>, "iv": <base64url 12 bytes>, "ct": <base64url>}
The AES-GCM additional data is "<id>|<team>|<device>": every team seals to
the same key, so without the team and the phone in it a worker of another
team could upload a blob copied from a colleague's phone and have it stored
in their own team (issue 12, item 2). The team and device stand in clear so a
mismatch is refused by name before anything is opened; changing them breaks
the tag. The plaintext is the record itself, whose id must match.

Version 1 (additional data = the id only) is refused with its own reason:
accepting it would reopen that hole, and no phone in the field holds one
(the app had not reached workers when version 2 came).
"""
import base64
import json
import os
import secrets
from pathlib import Path

import click
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask.cli import with_appcontext

VERSION = 2
# Bumped with the version, so a version-1 ciphertext relabelled as version 2 does not open either.
INFO = b"gadekontakt-seal-v2"


class Unsealable(ValueError):
    """The record cannot be opened; `field` names what is wrong."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def _b64d(value):
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _b64e(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def key_dir():
    return Path(current_app.instance_path) / "keys"


def _write_private(path, key):
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


def new_key():
    folder = key_dir()
    folder.mkdir(mode=0o700, exist_ok=True)
    kid = secrets.token_hex(8)
    _write_private(folder / f"{kid}.pem", ec.generate_private_key(ec.SECP256R1()))
    (folder / "current").write_text(kid)
    return kid


def ensure_key():
    if not (key_dir() / "current").exists():
        new_key()


def current_kid():
    return (key_dir() / "current").read_text().strip()


def _private(kid):
    if not isinstance(kid, str) or not kid or not all(ch in "0123456789abcdef" for ch in kid):
        raise Unsealable("kid", "ukendt nøgle")
    try:
        pem = (key_dir() / f"{kid}.pem").read_bytes()
    except FileNotFoundError:
        raise Unsealable("kid", "ukendt nøgle") from None
    return serialization.load_pem_private_key(pem, password=None)


def public_jwk():
    """The current public key as a JWK for WebCrypto's importKey."""
    kid = current_kid()
    numbers = _private(kid).public_key().public_numbers()
    return {"kid": kid, "jwk": {"kty": "EC", "crv": "P-256", "x": _b64e(numbers.x.to_bytes(32, "big")),
                                "y": _b64e(numbers.y.to_bytes(32, "big")), "ext": True}}


def additional_data(record_id, team, device):
    """What the AES-GCM tag binds besides the plaintext; seal.js builds the same string."""
    return f"{record_id}|{team}|{device}".encode()


def _check_binding(sealed, team, device):
    """The envelope must be version 2 and name the team and phone it is uploaded for."""
    if sealed.get("v") != VERSION:
        raise Unsealable("v", "krypteret af en ældre version af appen (uden team og telefon) og kan ikke "
                              "modtages; skriv posten igen")
    found = sealed.get("team")
    if type(found) is not int:
        raise Unsealable("team", "skal være teamets nummer")
    if found != team:
        raise Unsealable("team", "posten er skrevet i et andet team og kan ikke gemmes i dit")
    if sealed.get("device") != device:
        raise Unsealable("device", "posten er krypteret på en anden telefon end den, der sender den")


def _aes_key(private, epk, kid):
    try:
        if epk.get("kty") != "EC" or epk.get("crv") != "P-256":
            raise ValueError
        point = ec.EllipticCurvePublicNumbers(int.from_bytes(_b64d(epk["x"]), "big"),
                                              int.from_bytes(_b64d(epk["y"]), "big"), ec.SECP256R1())
        shared = private.exchange(ec.ECDH(), point.public_key())
    except (ValueError, KeyError, TypeError, AttributeError):
        raise Unsealable("epk", "ugyldig nøgle") from None
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO + kid.encode()).derive(shared)


def open_record(sealed, *, team, device):
    """The plaintext record inside a sealed one, sealed in `team` on `device`, or raise Unsealable."""
    _check_binding(sealed, team, device)
    kid = sealed.get("kid")
    key = _aes_key(_private(kid), sealed.get("epk"), kid)
    try:
        iv, ct = _b64d(sealed["iv"]), _b64d(sealed["ct"])
        if len(iv) != 12:
            raise ValueError
    except (KeyError, TypeError, ValueError, AttributeError):
        raise Unsealable("ct", "ugyldigt krypteret indhold") from None
    try:
        plain = AESGCM(key).decrypt(iv, ct, additional_data(sealed.get("id"), team, device))
        record = json.loads(plain)
    except (InvalidTag, ValueError, RecursionError):
        raise Unsealable("ct", "kan ikke åbnes med serverens nøgle") from None
    if not isinstance(record, dict) or record.get("id") != sealed.get("id") or record.get("kind") == "sealed":
        raise Unsealable("id", "passer ikke med det krypterede indhold")
    return record


def seal(record, jwk_info, *, team, device):
    """Seal like the phone does (seal.js), in `team` on `device`; used by tests, never by the server itself."""
    kid = jwk_info["kid"]
    jwk = jwk_info["jwk"]
    server = ec.EllipticCurvePublicNumbers(int.from_bytes(_b64d(jwk["x"]), "big"),
                                           int.from_bytes(_b64d(jwk["y"]), "big"), ec.SECP256R1()).public_key()
    eph = ec.generate_private_key(ec.SECP256R1())
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO + kid.encode()).derive(
        eph.exchange(ec.ECDH(), server))
    iv = secrets.token_bytes(12)
    n = eph.public_key().public_numbers()
    plain = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()   # as JSON.stringify writes it
    ct = AESGCM(key).encrypt(iv, plain, additional_data(record["id"], team, device))
    return {"kind": "sealed", "v": VERSION, "id": record["id"], "team": team, "device": device, "kid": kid,
            "epk": {"kty": "EC", "crv": "P-256", "x": _b64e(n.x.to_bytes(32, "big")), "y": _b64e(n.y.to_bytes(32, "big"))},
            "iv": _b64e(iv), "ct": _b64e(ct)}


@click.command("rotate-key")
@with_appcontext
def rotate_key_command():
    """Make a new sealing key; phones use it from their next login, old keys still open old records."""
    old = current_kid()
    click.echo(f"New sealing key {new_key()} (previous {old} kept to open records sealed under it).")


def init_app(app):
    app.cli.add_command(rotate_key_command)
    with app.app_context():
        ensure_key()
