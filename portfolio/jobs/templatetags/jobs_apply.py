"""The job page's apply panel reads what to show this viewer here, so the job page needs no apply logic."""

from django import template

from integrations.providers.types import Profile
from portfolio.jobs import question_fields
from portfolio.jobs.selectors import applications as application_selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def apply_panel_state(context, job):
    """`{% apply_panel_state job as panel %}`: the panel's state for the request's user (selectors.applications)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    panel = application_selectors.apply_panel(job=job, user=user)
    if panel.questions_inline:
        [(linked, _provider, _consented)] = panel.accounts
        prefilled = application_selectors.answers_prefill(job=job, profile=Profile.from_json(linked.profile))
        panel.question_rows = question_fields.question_rows(job, prefilled, {})
    return panel
