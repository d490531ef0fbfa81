"""The certificates' forms for tests/test_forms_keep_typed.py (``CASES``, merged into tests/keep_typed_cases.py):
withdrawing a designation (pages/withdraw.py) and typing a code to verify (pages/verify.py, a GET form).

A case is what tests/keep_typed_cases.py's ``Case`` holds (that module lists this one, so it is not imported).
"""

from types import SimpleNamespace

from django.urls import reverse

from pages.verify import BAD_CODE, VerifyForm
from pages.withdraw import WithdrawForm
from review.decisions import decide, publish_decisions
from review.queries import current_decision
from tests.factories import close_cycle
from tests.keep_typed_lists import SearchClient

TYPED = "ÉÀ <&> 'q\""


def _case(client, url, kept, error, body=None):
    return SimpleNamespace(client=client, url=url, kept=kept, error=error, body=body or kept, secret=(), files={})


def withdrawing(world):
    """The world's decision, made a designation and published; the reason one character too long."""
    application = world.application
    if current_decision(application).outcome != "designated":
        decide(application, "designated", "Designated", "Strong.", world.organizer, override_reason="Site visit.")
    close_cycle(world.cycle)
    publish_decisions(world.cycle, world.organizer)
    reason = f"Typed-reason-{TYPED} "
    reason += "x" * (2001 - len(reason))
    kept = {"reason": reason}
    body = kept | {"replaces": str(current_decision(application).pk)}
    url = reverse("designation_withdraw", args=[application.pk])
    error = "Ensure this value has at most 2000 characters (it has 2001)."
    return _case(world.client["organizer"], url, kept, error, body)


def verifying(world):
    """A code that cannot be one (a GET form: what is "posted" goes in the query string), typed by anyone."""
    return _case(SearchClient(), reverse("verify_form"), {"code": f"Typed-code-{TYPED}"}, BAD_CODE)


# Each Form class of the certificates' pages and its case (tests/fuzz_forms.py's COVERED lists them).
CASES = {WithdrawForm: withdrawing, VerifyForm: verifying}
