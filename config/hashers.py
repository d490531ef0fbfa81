"""The password hasher: Argon2id with OWASP's recommended minimum cost (see PASSWORD_HASHERS in settings)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB of memory, 2 passes, 1 lane: OWASP's Password Storage Cheat Sheet minimum.

    The algorithm name stays ``argon2``, so hashes made with Django's own (heavier) Argon2 settings verify
    here too and are rewritten with these parameters at the next sign-in (``must_update``).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
