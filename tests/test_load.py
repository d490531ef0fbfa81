"""Fifty people at once on a real server: nothing fails and no save is lost (tests/load_users.py)."""

from tests.load_users import run_load


def test_fifty_users_at_once_get_no_error_and_lose_no_save(stack):
    stack.manage("migrate")
    result = run_load(stack, users=50, requests_per_user=10)
    print(result.report())

    assert result.errors == []
    assert result.lost == []
    # Everyone got real work done: wizard steps and reviews saved, exports downloaded whole.
    assert result.saves["wizard"] >= 30 and result.saves["review"] >= 10 and result.downloads >= 10
    # Colleagues who saved different steps of the same version at once: both saves kept, no conflict page.
    assert result.pairs > 0 and result.conflicts["wizard"] == 0
