from django.apps import AppConfig


class CreatorsConfig(AppConfig):
    name = "portfolio.creators"
    label = "creators"
    verbose_name = "Creators, videos and portfolio links"

    def ready(self):
        from portfolio.creators import handlers, webhook_handlers

        handlers.register()
        webhook_handlers.register_all()
