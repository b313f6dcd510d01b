from portfolio.jobs.views import applicant, apply, posting, review

app_name = "jobs"

urlpatterns = [
    # Posting: employers create and manage jobs on their organization's videos; the public job page.
    *posting.urlpatterns,
    # Apply: one click from the job page; the applicant's own pages.
    *apply.urlpatterns,
    *applicant.urlpatterns,
    # Review: the employer's dashboard of a job's applicants.
    *review.urlpatterns,
]
