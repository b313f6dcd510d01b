"""Writes for creators, one module per area:

- `profiles`: creator profiles and handles;
- `anchors`: "View My Portfolio" links on videos;
- `videos`: videos from linked accounts, their sync and removal;
- `click_counts`: counting clicks, and folding click counters into daily rows;
- `invalidation`: the after-commit cache invalidation they all share;
- `social_card`: the link-preview card drawn with the creator's avatar (by a task).

The services are re-exported here, so callers write `services.anchors_attach(...)`.
"""

from portfolio.creators.services.anchors import (
    CODE_LENGTH,
    ReplacementsChanged,
    anchor_detach,
    anchor_target_validate,
    anchors_attach,
)
from portfolio.creators.services.click_counts import FOLD_LOCK_KEY, click_count, clicks_fold
from portfolio.creators.services.invalidation import creator_caches_invalidate, creator_page_invalidate
from portfolio.creators.services.profiles import (
    HANDLE_RULES,
    HANDLE_TAKEN,
    creator_identity_update,
    creator_page_look_update,
    creator_profile_create,
    creator_profile_ensure,
    creator_profile_update,
    creator_projects_arrange,
    handle_validate,
)
from portfolio.creators.services.social_card import creator_card_draw, creator_card_draw_later
from portfolio.creators.services.videos import (
    linked_account_unlinked,
    video_import_one,
    video_remove,
    video_removed_at_platform,
    videos_sync,
)

__all__ = [
    "CODE_LENGTH",
    "FOLD_LOCK_KEY",
    "HANDLE_RULES",
    "HANDLE_TAKEN",
    "ReplacementsChanged",
    "anchor_detach",
    "anchor_target_validate",
    "anchors_attach",
    "click_count",
    "clicks_fold",
    "creator_caches_invalidate",
    "creator_card_draw",
    "creator_card_draw_later",
    "creator_identity_update",
    "creator_page_invalidate",
    "creator_page_look_update",
    "creator_profile_create",
    "creator_profile_ensure",
    "creator_profile_update",
    "creator_projects_arrange",
    "handle_validate",
    "linked_account_unlinked",
    "video_import_one",
    "video_remove",
    "video_removed_at_platform",
    "videos_sync",
]
