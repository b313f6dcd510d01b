from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "portfolio.jobs"
    label = "jobs"
    verbose_name = "Job videos and applications"

    def ready(self):
        from portfolio.creators.anchor_cache import register_anchor_source
        from portfolio.jobs.anchors import JOB_SOURCE

        # "Apply" on a video whose job is open, after any "View My Portfolio".
        register_anchor_source(JOB_SOURCE)

        # Organizations own ATS webhook endpoints: their owners are emailed when one is disabled.
        from portfolio.jobs import events

        events.register()

        # The employer's home page: their jobs, new applicants, ATS endpoints and what to do next.
        from portfolio.core.home import register_home_context
        from portfolio.jobs.home import employer_home

        register_home_context(employer_home)

        # Emails still to send, for GET /metrics.
        from common import metrics
        from portfolio.jobs.selectors.applications import email_backlog

        metrics.register_queue("emails", email_backlog)
