from django import template

register = template.Library()


@register.simple_tag
def field_widget(bound_field):
    """Renders a field's widget with the ARIA attributes that tie it to its help text and errors."""
    attrs = {}
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
        described_by.append(f"{bound_field.auto_id}_errors")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(attrs=attrs)
