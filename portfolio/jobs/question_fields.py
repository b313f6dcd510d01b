"""The job's screening questions as form fields, wherever an applicant answers them: the questions page, the
consent screen of a first application, and the job page's apply panel once the person has agreed."""

from portfolio.jobs.models import Job, ScreeningQuestion
from portfolio.jobs.services import applications as application_services


def question_rows(job: Job, values: dict[str, str], errors: dict[str, list[str]]) -> list[dict]:
    """One row per question of the job for templates/jobs/_apply_question_fields.html: its field's name, the
    value to show (`values`, e.g. prefilled from the profile), its options and its errors."""
    rows = []
    for question in job.questions.all():
        name = application_services.question_field(question)
        if question.kind == ScreeningQuestion.Kind.YES_NO:
            options = [("yes", "Yes"), ("no", "No")]
        elif question.kind == ScreeningQuestion.Kind.SINGLE_CHOICE:
            options = [(choice, choice) for choice in question.choices]
        else:
            options = []
        value = values.get(name, "")
        if question.kind == ScreeningQuestion.Kind.YES_NO:
            value = value.lower()
        rows.append({
            "question": question,
            "name": name,
            "value": value,
            "options": options,
            "errors": errors.get(name, []),
            "limit": application_services.ANSWER_LIMITS.get(question.kind),
        })
    return rows
