"""Form widgets written in Python, byte for byte as Django's widget templates write them.

Django renders every widget, and every option of a drop-down, radio group or check-box group, through
nested templates (``select.html`` includes ``select_option.html`` per option, which includes
``attrs.html``; a radio button goes ``radio_option.html`` → ``input_option.html`` → ``input.html`` →
``attrs.html``). That was most of a wizard page's time: 75 widgets and 150 options on the metrics step.
``FastRenderer`` is Django's default form renderer (``DjangoTemplates``) that writes the plain widgets
(``<input>`` of every type, ``<select>``, ``<textarea>``, radio and check-box options) itself from the
same context the templates get; any other template (file inputs, error lists, a widget with a template
of its own) is rendered by Django as before. Templates are Django's own: this project overrides none
(it sets no FORM_RENDERER), so the HTML is unchanged, which tests/test_widget_html.py checks widget by
widget against the templates.
"""

import html

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

W = "django/forms/widgets/"


def _escape(text):
    # Django's escape() is html.escape() of the text; a safe string is left as it is.
    return html.escape(text) if type(text) is str else conditional_escape(text)


def shown(value):
    """``{{ value }}`` in a template: local time, localized, then escaped unless already safe."""
    if type(value) is not str:
        value = localize(template_localtime(value))
        if not isinstance(value, str):
            value = str(value)
    return _escape(value)


def formatted(value):
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe value safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return _escape(mark_safe(text) if isinstance(value, SafeData) else text)


def attrs_html(attrs):
    """``attrs.html``: `` name="value"`` each, a bare name for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {shown(name)}")
        elif value is not False:
            parts.append(f' {shown(name)}="{formatted(value)}"')
    return "".join(parts)


def input_html(widget):
    """``input.html``, without its final line break."""
    value = "" if widget["value"] is None else f' value="{formatted(widget["value"])}"'
    return f'<input type="{shown(widget["type"])}" name="{shown(widget["name"])}"{value}{attrs_html(widget["attrs"])}>'


def input_option_html(widget):
    """``input_option.html`` (a radio button or check box, its label around it when ``wrap_label``)."""
    if not widget.get("wrap_label"):
        return input_html(widget)
    label_id = widget["attrs"].get("id")
    label_for = f' for="{shown(label_id)}"' if label_id else ""
    return f"<label{label_for}>{input_html(widget)}\n {shown(widget['label'])}</label>"


def option_html(widget):
    """``select_option.html``, without its final line break."""
    return (
        f'<option value="{formatted(widget["value"])}"{attrs_html(widget["attrs"])}>{shown(widget["label"])}</option>'
    )


def select_html(widget):
    """``select.html``; None when an option has a template of its own."""
    parts = [f'<select name="{shown(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != W + "select_option.html":
                return None
            parts.append(f"\n  {option_html(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def textarea_html(widget):
    """``textarea.html``, without its final line break."""
    value = shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{shown(widget["name"])}"{attrs_html(widget["attrs"])}>\n{value}</textarea>'


OPTION_TEMPLATES = frozenset({W + "radio_option.html", W + "checkbox_option.html"})
INPUT_TEMPLATES = ("checkbox color date datetime email hidden number password search tel text time url").split()
WRITERS = {
    **{f"{W}{name}.html": input_html for name in INPUT_TEMPLATES},
    W + "input.html": input_html,
    W + "radio_option.html": input_option_html,
    W + "checkbox_option.html": input_option_html,
    W + "input_option.html": input_option_html,
    W + "select_option.html": option_html,
    W + "select.html": select_html,
    W + "textarea.html": textarea_html,
}


class FastRenderer(DjangoTemplates):
    """Django's default form renderer, writing the plain widgets in Python (same HTML, a tenth of the time)."""

    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        if writer is not None and "widget" in context:
            written = writer(context["widget"])
            if written is not None:
                return written.strip()
        return super().render(template_name, context, request=request)


RENDERER = FastRenderer()
