"""RSA-2048 key pairs for our actors: one per chapter Group, one for the instance.

A key is made the first time it is needed and kept: peers cache public keys by id,
so a key that changed would make every signature we send look forged.
"""

from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction

from federation import ids
from federation.models import ActorKey

KEY_SIZE = 2048
PUBLIC_EXPONENT = 65537


def generate_pem_pair() -> tuple[str, str]:
    """A new RSA-2048 pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    private_key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=KEY_SIZE)
    private_pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_pem, public_pem


def key_for(chapter=None) -> ActorKey:
    """The key of a chapter's Group (or of the instance for None), created on first use."""
    existing = ActorKey.objects.filter(chapter=chapter).first()
    if existing is not None:
        return existing
    private_pem, public_pem = generate_pem_pair()
    try:
        with transaction.atomic():
            return ActorKey.objects.create(
                chapter=chapter, private_pem=private_pem, public_pem=public_pem
            )
    except IntegrityError:
        # Another worker made it first; theirs is the key peers will see.
        return ActorKey.objects.get(chapter=chapter)


def private_key_pem(chapter=None) -> str:
    return key_for(chapter).private_pem


def public_key_pem(chapter=None) -> str:
    return key_for(chapter).public_pem


def signing_identity(chapter=None) -> tuple[str, str]:
    """(key id, private PEM) for safefetch's sign_as: who signs requests for this actor."""
    return ids.key_id(chapter), private_key_pem(chapter)


@lru_cache(maxsize=256)
def load_private_key(private_pem: str) -> rsa.RSAPrivateKey:
    """Parse a private PEM once: parsing costs more than a signature."""
    return serialization.load_pem_private_key(private_pem.encode(), password=None)
