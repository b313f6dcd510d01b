"""Handlers that `integrations.oauth` calls when a linked account syncs its videos or is unlinked.

They are registered from CreatorsConfig.ready(); each is an entry point that calls one service.

The public page /@<handle> shows the creator's freelance profiles, which `integrations.oauth` writes when
an account is linked, synced or unlinked without calling any hook: a `post_save` / `post_delete`
receiver on LinkedAccount drops the cached page then (it changes nothing else).
"""

from django.db.models.signals import post_delete, post_save

from integrations.oauth.hooks import register_account_unlinked, register_videos_synced
from integrations.oauth.models import LinkedAccount
from portfolio.creators import services

# The fields of a linked account that the public page shows or selects by.
_PAGE_FIELDS = frozenset({"profile", "status", "role", "user"})


def on_videos_synced(*, linked_account, videos) -> None:
    services.videos_sync(linked_account=linked_account, videos=videos)


def on_account_unlinked(*, linked_account) -> None:
    services.linked_account_unlinked(linked_account=linked_account)


def on_linked_account_written(*, instance, update_fields=None, **kwargs) -> None:
    if instance.role != LinkedAccount.Role.PORTFOLIO:
        return
    if update_fields is not None and not _PAGE_FIELDS & set(update_fields):
        return
    services.creator_page_invalidate(user_id=instance.user_id)


def register() -> None:
    register_videos_synced(on_videos_synced)
    register_account_unlinked(on_account_unlinked)
    post_save.connect(on_linked_account_written, sender=LinkedAccount, dispatch_uid="creators-page-on-save")
    post_delete.connect(on_linked_account_written, sender=LinkedAccount, dispatch_uid="creators-page-on-delete")
