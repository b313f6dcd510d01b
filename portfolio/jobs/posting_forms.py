"""The job form and its screening questions, for the posting pages.

The forms only parse what the page sends; every rule (dates, pay, places, the video) lives in
services.jobs, whose per-field messages the view puts back on these fields.
"""

from typing import cast

from django import forms

from portfolio.jobs.models import Job, ScreeningQuestion
from portfolio.jobs.services.jobs import PREFILL_FIELDS


class VideoChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, video):
        return video.title or video.platform_video_id


class JobForm(forms.Form):
    video = VideoChoiceField(
        queryset=None,
        empty_label=None,
        help_text="The organization's video the job goes on; viewers see “Apply” on it.",
    )
    title = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=10_000)
    employment_type = forms.ChoiceField(choices=Job.EmploymentType.choices, label="Employment type")
    workplace = forms.ChoiceField(
        choices=Job.Workplace.choices, widget=forms.RadioSelect, label="Where the work happens", initial="remote"
    )
    remote_countries = forms.CharField(
        required=False,
        label="Countries applicants may live in",
        help_text="For remote jobs: two-letter codes separated by commas, e.g. DE, PT, ES.",
    )
    street_address = forms.CharField(required=False, max_length=200, label="Street address")
    locality = forms.CharField(required=False, max_length=100, label="City", help_text="For on-site and hybrid jobs.")
    region = forms.CharField(required=False, max_length=100, label="Region or state")
    postal_code = forms.CharField(required=False, max_length=20, label="Postal code")
    country = forms.CharField(
        required=False,
        max_length=2,
        label="Country",
        help_text="For on-site and hybrid jobs: a two-letter code, e.g. DE.",
    )
    pay_min = forms.DecimalField(
        required=False, min_value=0, decimal_places=2, max_digits=12, label="Pay (or the lowest of a range)"
    )
    pay_max = forms.DecimalField(
        required=False, min_value=0, decimal_places=2, max_digits=12, label="Highest pay of a range"
    )
    pay_currency = forms.CharField(required=False, max_length=3, label="Currency", help_text="e.g. EUR or USD.")
    pay_unit = forms.ChoiceField(required=False, choices=[("", "—"), *Job.PayUnit.choices], label="Pay is")
    skills = forms.CharField(
        required=False, max_length=2000, help_text="Separated by commas, e.g. After Effects, Illustration."
    )
    closes_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label="Closing date",
        help_text="The last day applications are taken.",
    )

    def __init__(self, *args, videos=None, **kwargs):
        super().__init__(*args, **kwargs)
        if videos is None:
            del self.fields["video"]  # a job keeps its video
        else:
            cast(VideoChoiceField, self.fields["video"]).queryset = videos

    def service_fields(self) -> dict:
        """The cleaned data as services.jobs takes it (Job field names)."""
        data = dict(self.cleaned_data)
        data.pop("video", None)
        return data

    @staticmethod
    def initial_from(job: Job) -> dict:
        return {
            **{name: getattr(job, name) for name in (
                "title", "description", "employment_type", "workplace", "street_address", "locality", "region",
                "postal_code", "country", "pay_min", "pay_max", "pay_currency", "pay_unit", "closes_on",
            )},
            "remote_countries": ", ".join(job.remote_countries),
            "skills": ", ".join(job.skills),
        }


class QuestionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    prompt = forms.CharField(required=False, max_length=300, label="Question")
    kind = forms.ChoiceField(choices=ScreeningQuestion.Kind.choices, label="Answer")
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Choices",
        help_text="For single choice: one per line, at least two.",
    )
    required = forms.BooleanField(required=False, label="Required")
    prefill_from = forms.ChoiceField(
        required=False,
        choices=[("", "Nothing"), *PREFILL_FIELDS.items()],
        label="Answer in advance from the applicant's profile",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A block left empty is skipped: "(optional)" on each of its fields would only add noise.
        for name in ("prompt", "choices", "prefill_from"):
            self.fields[name].show_optional = False  # type: ignore[attr-defined]  # read by the form template

    def question(self) -> dict | None:
        """The question as services.jobs takes it; None for a block left empty or ticked for removal."""
        data = self.cleaned_data
        if not data or data.get("DELETE") or not (data.get("prompt") or "").strip():
            return None
        return {
            "id": data.get("id"),
            "kind": data["kind"],
            "prompt": data["prompt"],
            "required": data.get("required", False),
            "choices": [line for line in (data.get("choices") or "").splitlines() if line.strip()],
            "prefill_from": data.get("prefill_from") or "",
        }


def question_formset(*, data=None, questions=(), extra: int = 2):
    """The job's questions as a formset, with `extra` empty blocks to add more."""
    factory = forms.formset_factory(QuestionForm, extra=extra, can_delete=True, max_num=20, absolute_max=20)
    initial = [
        {
            "id": q.pk,
            "prompt": q.prompt,
            "kind": q.kind,
            "choices": "\n".join(q.choices),
            "required": q.required,
            "prefill_from": q.prefill_from,
        }
        for q in questions
    ]
    return factory(data=data, initial=initial, prefix="questions")
