from django.apps import AppConfig
from django.core import checks


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common foundations"

    def ready(self):
        from common import early_answers

        checks.register(early_answers.check_middleware, checks.Tags.security)
