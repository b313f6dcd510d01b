"""Who may link which account, asked by integrations.oauth (registered from AccountsConfig.ready()).

Creators link accounts for themselves. Employers link a video-platform account only for an organization
they belong to, from its page: the link belongs to the organization's video holder, so its videos stay
with the organization when the member who linked it leaves.
"""

from integrations.oauth.hooks import register_link_policy
from portfolio.accounts.models import Organization, User

VIDEOS = "videos"


def link_policy(*, user, provider, owner_id: int) -> str | None:
    if owner_id == user.pk:
        if provider.role == VIDEOS and getattr(user, "role", None) == User.Role.EMPLOYER:
            return (
                f"Employer accounts link a {provider.name} account for their organization, not for themselves: "
                "open your organization's page (Organizations) and connect it there."
            )
        return None
    organization = Organization.objects.filter(video_holder_id=owner_id, memberships__user=user).first()
    if organization is None:
        return "You can link accounts only for yourself or for an organization you belong to."
    if provider.role != VIDEOS:
        return f"{organization.name} links only a video-platform account."
    return None


def register() -> None:
    register_link_policy(link_policy)
