"""What a browser, or anyone, can post to a wizard step: the step's field names and hostile text for them."""

from hypothesis import strategies as st

from tests.factories.answers import COMPLETE

hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(
        [
            "",
            " ",
            "-1",
            "1e309",
            "NaN",
            "0x10",
            "½",
            "٣",
            "\x00",
            "\x0b\x0c",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "9" * 400,
            "https://",
            "yes\nno",
            "\u202e",
            "🙂" * 20,
        ]
    ),
    st.sampled_from(
        [v for values in COMPLETE.values() if isinstance(values, dict) for v in values.values() if isinstance(v, str)]
    ),
)


def field_names(step):
    """The names a step's form reads (the metrics step: three rows and the formset's counts)."""
    if step == "metrics":
        return [f"metrics-{i}-{k}" for i in range(3) for k in COMPLETE["metrics"][0]] + [
            "metrics-TOTAL_FORMS",
            "metrics-INITIAL_FORMS",
        ]
    return [f"{step}-{name}" for name in COMPLETE[step]]
