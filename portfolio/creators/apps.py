from django.apps import AppConfig


class CreatorsConfig(AppConfig):
    name = "portfolio.creators"
    label = "creators"
    verbose_name = "Creators, videos and portfolio links"

    def ready(self):
        from functools import partial

        from common import early_answers
        from portfolio.creators import api, handlers, short_links, webhook_handlers

        handlers.register()
        webhook_handlers.register_all()
        # The hot paths answered before most of the middleware (common/early_answers.py).
        early_answers.register(
            "api-anchors", methods=["GET"], answer=partial(api.hot_answer, view_class=api.AnchorsApi)
        )
        early_answers.register(
            "api-anchors-lookup", methods=["POST"], answer=partial(api.hot_answer, view_class=api.AnchorsLookupApi)
        )
        early_answers.register("creators:link", methods=["GET", "HEAD"], answer=short_links.warm_redirect)
