from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "portfolio.jobs"
    label = "jobs"
    verbose_name = "Job videos and applications"
