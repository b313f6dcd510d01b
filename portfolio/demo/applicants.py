"""The applicants of the demo: a handful of people who applied to Northwind Studio's published job, each at a
different point of the review (new, reviewing, interview, offer, not selected), with the members' notes and
the status history, so the Applicants page shows its worth before anyone applies.

They are written as apply and review write them (a snapshot of the profile, the answers, one history row per
move), with their emails already sent: the demo's past is not mailed again. None of them has a sandbox
login, so `jordan` and `sam` stay free to apply in the tour. Written once per person: running it again adds
nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.templatetags.static import static
from django.utils import timezone

from integrations.providers.types import PortfolioItem, Profile
from integrations.sandbox.seed_data import COVERS
from portfolio.accounts.models import Membership, User
from portfolio.jobs.models import Application, ApplicationNote, ApplicationStatusChange, Job

# (name, email name, headline, skills, rate, location, the statuses they went through, a note, days ago)
APPLICANTS = [
    ("Alex Rivera", "alex", "Motion designer for brands", ["After Effects", "Illustration"], "60 EUR/hour",
     "Lisbon, PT", ["reviewing", "interview", "offer"], "Strong launch-film reel; offer sent on Monday.", 12),
    ("Priya Nair", "priya", "3D and motion artist", ["Cinema 4D", "After Effects", "Redshift"], "75 EUR/hour",
     "Berlin, DE", ["reviewing", "interview"], "Interview on Thursday with the director.", 8),
    ("Tomás Silva", "tomas", "Animator and illustrator", ["Illustration", "Animate"], "50 EUR/hour",
     "Porto, PT", ["reviewing"], "Lovely illustration; check the 3D side.", 5),
    ("Mei Chen", "mei", "Motion graphics generalist", ["After Effects", "Premiere Pro"], "55 EUR/hour",
     "Amsterdam, NL", ["reviewing", "not_selected"], "Great work, but no availability before March.", 10),
    ("Noah Becker", "noah", "Junior motion designer", ["After Effects"], "35 EUR/hour",
     "Madrid, ES", [], "", 1),
]
EMAIL_DOMAIN = "applicants.demo.reelfolio.test"


def _snapshot(site: str, name: str, handle: str, headline: str, skills: list[str], rate: str, location: str,
              cover: int) -> dict:
    profile = Profile(
        display_name=name, headline=headline, bio=f"{headline}, based in {location.split(',')[0]}.",
        skills=skills, rate=rate, location=location, profile_url=f"https://freelance.example/{handle}",
        portfolio_items=[
            PortfolioItem(
                id=f"{handle}-{n}", title=title, url=f"https://freelance.example/{handle}/{n}",
                cover_image_url=f"{site}{static(COVERS[(cover + n) % len(COVERS)])}",
            )
            for n, title in enumerate(["Product launch film", "Brand loop", "Explainer"][: 2 + cover % 2], start=1)
        ],
    )
    return {"name": name, "email": f"{handle}@{EMAIL_DOMAIN}", **profile.as_json()}


@transaction.atomic
def seed_applicants(*, job: Job | None, site_url: str) -> int:
    """Gives the job its demo applicants; returns how many it added (0 on a second run)."""
    if job is None or job.status != Job.Status.PUBLISHED:
        return 0
    members = list(
        Membership.objects.filter(organization=job.organization).select_related("user").order_by("-role", "created_at")
    )
    if not members:
        return 0
    reviewer = members[0].user
    questions = list(job.questions.all())
    added = 0
    for cover, (name, handle, headline, skills, rate, location, moves, note, days_ago) in enumerate(APPLICANTS):
        email = f"{handle}@{EMAIL_DOMAIN}"
        user, created = User.objects.get_or_create(email=email, defaults={"name": name, "role": User.Role.CREATOR})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if Application.objects.filter(job=job, applicant=user).exists():
            continue
        applied_at = timezone.now() - timedelta(days=days_ago)
        answers = [
            {"question_id": q.pk, "prompt": q.prompt,
             "answer": ("yes" if q.kind == "yes_no" else location) if q.required or q.prefill_from else ""}
            for q in questions
        ]
        application = Application.objects.create(
            job=job, applicant=user, status=moves[-1] if moves else Application.Status.NEW,
            provider_id="sandbox-freelance",
            snapshot=_snapshot(site_url, name, handle, headline, skills, rate, location, cover),
            snapshot_source=Application.SnapshotSource.LIVE, snapshot_taken_at=applied_at,
            answers=[answer for answer in answers if answer["answer"]], employer_notified_at=applied_at,
        )
        history = [ApplicationStatusChange(application=application, to_status="new", changed_by=user)]
        history += [
            ApplicationStatusChange(application=application, from_status=before, to_status=after, changed_by=reviewer)
            for before, after in zip(["new", *moves], moves, strict=False)
        ]
        for row in history:
            row.applicant_notified_at = applied_at
        ApplicationStatusChange.objects.bulk_create(history)
        # The history is dated as it happened: one move a day or so after the application.
        at = applied_at
        for step, row in enumerate(history):
            at = applied_at + timedelta(days=step * days_ago / (len(history) + 1))
            ApplicationStatusChange.objects.filter(pk=row.pk).update(created_at=at, applicant_notified_at=at)
        Application.objects.filter(pk=application.pk).update(created_at=applied_at)
        if note:  # written with the last move
            written = ApplicationNote.objects.create(application=application, author=reviewer, body=note)
            ApplicationNote.objects.filter(pk=written.pk).update(created_at=at + timedelta(minutes=5))
        added += 1
    return added
