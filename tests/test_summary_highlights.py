"""The cycle summary's sentences (reports.summary_highlights), worded for every count: none, one, few, all.

Seed 004 says "Almost none have implemented voice recognition or web chat"; the summary says
what the answers say, and never "Almost none … (none)". The PDF itself: tests/test_cycle_summary.py.
"""

from reports.summary_highlights import highlights, trends
from tests.factories.answers import COMPLETE, complete_answers

CHANNELS = COMPLETE["channels"]["channels"]  # live phone, IVR, web form, mobile app, e-mail, social media


def answers(channels=(), metrics=6, **steps):
    """Complete answers with ``channels`` added to the usual ones and ``metrics`` rows."""
    changed = {
        "channels": {**complete_answers()["channels"], "channels": CHANNELS + list(channels)},
        "metrics": [{"kind": "other", "name": f"Metric {i}"} for i in range(metrics)],
    }
    for step, values in steps.items():
        changed[step] = {**complete_answers()[step], **values}
    return complete_answers(**changed)


def test_thirteen_designees_read_like_the_announcement():
    designees = [answers(["web_chat"] if i < 2 else [], metrics=5 + i) for i in range(13)]
    designees[0]["planning"]["technology_plan"] = False
    designees[1]["planning"]["technology_plan"] = False

    assert highlights(designees) == [
        "All 13 take service requests by live agent by phone, interactive voice response (IVR), web form, "
        "mobile app, e-mail and social media.",
        "None offers text message (SMS), walk-in counter or voice recognition.",
        "Only 2 of 13 offer web chat.",
        "All 13 integrate the CRM with telephony / ACD, work-order management, GIS and knowledge base.",
        "All 13 offer a mobile reporting app that sends a photo and location into the CRM.",
        "They track 5 to 17 performance metrics, 11 on average.",
        "Every one offers at least 5 self-service choices.",
        "85 % have a written technology plan and 100 % written service-level agreements with the departments "
        "that deliver services.",
        "All 13 take service requests through social media.",
        "All 13 have remote call takers.",
        "All 13 use both 3-1-1 and a 7-digit number.",
    ]


def test_one_of_many_is_singular_and_a_common_choice_is_not_rare():
    designees = [answers(["web_chat"] if i == 0 else ["sms"], metrics=6) for i in range(6)]
    designees[0]["participation"]["social_takes_requests"] = False
    designees[0]["profile"]["contact_number_type"] = "311"
    designees[1]["profile"]["contact_number_type"] = "7digit"
    designees[2]["profile"].pop("contact_number_type")

    sentences = highlights(designees)

    assert "Only 1 of 6 offers web chat." in sentences
    # Five of six send text messages: neither common to all nor rare, so no sentence names it.
    assert not [s for s in sentences if "text message" in s]
    assert "None offers walk-in counter or voice recognition." in sentences
    assert "They track 6 performance metrics each." in sentences
    assert "5 of 6 take service requests through social media." in sentences
    assert (
        "As their central number, 1 uses a 7-digit number only, 3 use both 3-1-1 and a 7-digit number, "
        "1 uses 3-1-1 only and 1 did not say." in sentences
    )


def test_two_designees_are_both_or_neither():
    sentences = highlights([answers(), answers(workforce={"remote_call_takers": False})])

    assert sentences[0].startswith("Both take service requests by live agent by phone")
    assert "Neither offers web chat, text message (SMS), walk-in counter or voice recognition." in sentences
    assert "1 of 2 has remote call takers." in sentences
    assert (
        "Both have a written technology plan and written service-level agreements with the departments that "
        "deliver services." in sentences
    )
    no_plans = [answers(planning={"technology_plan": False}, accountability={"written_slas": False})] * 3
    assert "None has a written technology plan or written service-level agreements" in " ".join(highlights(no_plans))


def test_one_designee_is_the_designee():
    one = answers(
        metrics=1,
        planning={"technology_plan": False},
        participation={"social_takes_requests": False},
    )
    one["channels"]["self_service"] = ["payments"]

    assert highlights([one]) == [
        "The designee takes service requests by live agent by phone, interactive voice response (IVR), web form, "
        "mobile app, e-mail and social media.",
        "The designee does not offer web chat, text message (SMS), walk-in counter or voice recognition.",
        "The designee integrates the CRM with telephony / ACD, work-order management, GIS and knowledge base.",
        "The designee offers a mobile reporting app that sends a photo and location into the CRM.",
        "The designee tracks 1 performance metric.",
        "The designee offers 1 self-service choice.",
        "The designee has written service-level agreements with the departments that deliver services but no "
        "written technology plan.",
        "The designee does not take service requests through social media.",
        "The designee has remote call takers.",
        "The designee uses both 3-1-1 and a 7-digit number.",
    ]


def test_no_designee_has_no_highlights_and_broken_answers_count_as_unanswered():
    assert highlights([]) == []
    sentences = highlights([None, {"channels": "web_chat", "metrics": "many", "planning": []}])

    assert "No one channel takes service requests at every designee." in sentences
    assert "Neither offers live agent by phone, interactive voice response (IVR), web form" in sentences[1]
    assert "They track 0 performance metrics each." in sentences
    assert "No designee said which contact number residents call." in sentences
    assert not [s for s in sentences if "(none)" in s or "Almost none" in s]


def test_trends_name_only_the_shares_that_changed():
    before = [answers(["web_chat"] if i < 2 else [], metrics=9) for i in range(13)]
    now = [answers(["web_chat"] if i < 9 else [], metrics=9) for i in range(16)]
    for designee in now[:4]:
        designee["planning"]["technology_plan"] = False

    assert trends("2013–2015", before, now) == [
        "Web chat: 2 of 13 in 2013–2015, 9 of 16 now",
        "Written technology plan: all 13 in 2013–2015, 12 of 16 now",
    ]
    # The same shares of a different number of designees are no change.
    assert trends("2013–2015", before[:4], now[4:7] + now[9:12]) == []


def test_trends_of_one_designee_and_of_the_metrics_average():
    before = [answers(["sms"], metrics=6), answers(metrics=12)]
    one = [answers(["web_chat"], metrics=8, participation={"social_takes_requests": False})]

    assert trends("2024–2026", before, one) == [
        "Web chat: none of 2 in 2024–2026, the one designee now",
        "Text message (SMS): 1 of 2 in 2024–2026, none now",
        "Service requests through social media: both in 2024–2026, none now",
        "Performance metrics tracked: 9 on average in 2024–2026, 8 now",
    ]


def test_no_trends_without_designees_on_either_side():
    assert trends("2024–2026", [], [answers()]) == []
    assert trends("2024–2026", [answers()], []) == []
