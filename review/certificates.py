"""Certificates of designation: issuing them when a designation is published, and what a code verifies.

A certificate has a number for people ("CEC-2026-0007": the first year of the cycle's validity and
the certificate's place among that year's) and a verification code for anyone holding the certificate
or the seal: ten characters of Crockford's base32 drawn by ``secrets`` (50 bits), never a counter, so
no code can be found from another. Codes are read as Crockford says: case does not matter, nor does
the dash, O is 0, I and L are 1.

``lookup`` tells what a code verifies now, in one indexed query for the certificate: valid, expired
(the cycle's validity ended), withdrawn (a later decision did not designate), replaced (a later
designation has its own certificate) or unknown.
"""

import re
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from review.models import Certificate, Decision

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O or U
CODE_LENGTH = 10
NUMBER_PREFIX = "CEC"
# Read as the digits they look like (Crockford); U is no symbol of the alphabet and stays wrong.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—]+")
ATTEMPTS = 8  # a unique number or code taken meanwhile: drawn again


class Status:
    VALID = "valid"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    REPLACED = "replaced"
    UNKNOWN = "unknown"


def new_code():
    """A fresh verification code (stored form, no dash), drawn from the operating system's randomness."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(typed):
    """The stored form of a code as someone typed it ("7kq2m x9pdt", "7KQ2MX9PDT", "7KQ2M-X9PDT"), or None
    when it cannot be a code (wrong length, a character outside the alphabet)."""
    code = _SEPARATORS.sub("", str(typed or "")).upper().translate(_LOOKALIKES)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def display(code):
    """A stored code as it is printed: "7KQ2M-X9PDT"."""
    return f"{code[:5]}-{code[5:]}"


def _issuable(decision):
    return (
        decision.outcome == Decision.Outcome.DESIGNATED
        and decision.published_at is not None
        and decision.superseded_at is None
    )


def _next_number(cycle):
    """The next number of the cycle's first year of validity (two cycles starting in one year share the series)."""
    prefix = f"{NUMBER_PREFIX}-{cycle.valid_from.year}-"
    taken = Certificate.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    last = max((int(n.removeprefix(prefix)) for n in taken if n.removeprefix(prefix).isdigit()), default=0)
    return f"{prefix}{last + 1:04d}"


def issue(decision):
    """The certificate of a published, current designation, issued now if it has none (idempotent); None for
    any other decision. A number or code taken meanwhile (a parallel issue) is drawn again."""
    if not _issuable(decision):
        return None
    existing = Certificate.objects.filter(decision=decision).first()
    if existing:
        return existing
    cycle = decision.application.cycle
    for _attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    decision=decision,
                    number=_next_number(cycle),
                    code=new_code(),
                    issued_at=decision.published_at,
                )
        except IntegrityError:
            existing = Certificate.objects.filter(decision=decision).first()
            if existing:
                return existing
    raise RuntimeError(f"No free certificate number or code after {ATTEMPTS} attempts.")


def for_decision(decision):
    """The decision's certificate: the one it has, or one issued now if it is a published, current
    designation; None otherwise (not designated, not published, or superseded without one)."""
    if decision is None:
        return None
    existing = Certificate.objects.filter(decision=decision).first()
    return existing or issue(decision)


def current_for(application):
    """The certificate of the application's current decision, or None (one query)."""
    return Certificate.objects.filter(decision__application=application, decision__superseded_at=None).first()


@dataclass
class Verification:
    """What a code verifies: ``status`` (a ``Status``), the certificate it names (None when unknown), and
    ``since``: the day it expired (a date), or the moment it was withdrawn or replaced; ``replaced_by``:
    the certificate of the designation now in force."""

    status: str
    certificate: Certificate | None = None
    since: object = None
    replaced_by: Certificate | None = None

    @property
    def found(self):
        return self.certificate is not None


def lookup(code, today=None):
    """What ``code`` (as typed) verifies now. The certificate is found by one indexed query on its code;
    only for a found one is anything else read."""
    normalized = normalize(code)
    if normalized is None:
        return Verification(Status.UNKNOWN)
    certificate = (
        Certificate.objects.select_related("decision__application__jurisdiction", "decision__application__cycle")
        .filter(code=normalized)
        .first()
    )
    if certificate is None:
        return Verification(Status.UNKNOWN)
    decision = certificate.decision
    cycle = decision.application.cycle
    if decision.superseded_at is not None:
        current = decision.application.decisions.filter(superseded_at=None).first()
        if current is not None and current.published_at is not None and current.outcome == Decision.Outcome.DESIGNATED:
            return Verification(Status.REPLACED, certificate, decision.superseded_at, for_decision(current))
        # Withdrawn when the designation ended: the published decision that ended it, else when it was superseded.
        ended = current.decided_at if current is not None and current.published_at is not None else None
        return Verification(Status.WITHDRAWN, certificate, ended or decision.superseded_at)
    today = today or timezone.localdate(timezone=ZoneInfo(cycle.time_zone))  # the last valid day, on its clock
    if cycle.valid_until < today:
        return Verification(Status.EXPIRED, certificate, cycle.valid_until)
    return Verification(Status.VALID, certificate)
