from urllib.parse import urljoin

from django.conf import settings
from django.templatetags.static import static


def site(request):
    return {
        "SANDBOX_ENABLED": settings.SANDBOX_ENABLED,
        # Reelfolio's own 1200×630 card, for a page without a card of its own (templates/includes/social_meta.html).
        "SOCIAL_IMAGE_URL": urljoin(settings.SITE_URL, static("social-card.png")),
    }
