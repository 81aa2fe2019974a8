"""Build the POST data of an admin change form from the page the curator was shown."""

from django.forms import MultiWidget


def change_form_data(response, **overrides):
    """What submitting the page unchanged would send, with `overrides` applied; inline rows are left untouched."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if isinstance(field.widget, MultiWidget):
            continue  # split date and time: only sent when a test sets them
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        else:
            data[name] = "" if value is None else str(value)
    for inline in response.context.get("inline_admin_formsets", []):
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}
