"""Showing a service's `ApplicationError` on the form that asked for it."""

from django import forms

from common.errors import ApplicationError


def form_add_application_error(form: forms.Form, error: ApplicationError) -> None:
    """Per-field messages go under their field when the form has it, everything else above the form."""
    fields = error.field_errors
    if not fields:
        form.add_error(None, error.message)
        return
    for name, messages in fields.items():
        form.add_error(name if name in form.fields else None, messages)
