from django.core.management.base import BaseCommand, CommandError

from integrations.sandbox import webhooks
from integrations.sandbox.models import SandboxUser, SandboxVideo


class Command(BaseCommand):
    help = (
        "Sends one signed webhook event from the sandbox partner to Reelfolio over HTTP (SITE_URL), as the "
        "platform would, and prints Reelfolio's answer."
    )

    def add_arguments(self, parser):
        parser.add_argument("event_type", choices=webhooks.EVENT_TYPES)
        parser.add_argument("--user", default="casey", help="The sandbox user it is about (default: casey).")
        parser.add_argument(
            "--video", default="", help="The video it is about, e.g. v-1001 (video events; default: the user's newest)."
        )
        parser.add_argument("--site-url", default="", help="Where Reelfolio runs (default: SITE_URL).")

    def handle(self, *args, event_type, user, video, site_url, **options):
        sandbox_user = SandboxUser.objects.filter(username=user).first()
        if sandbox_user is None:
            raise CommandError(f"The sandbox has no user {user!r}; run `./dev manage seed_demo` first.")
        found = None
        if event_type in webhooks.VIDEO_EVENTS:
            videos = SandboxVideo.objects.filter(user=sandbox_user)
            found = videos.filter(public_id=video).first() if video else videos.first()
            if found is None and (event_type == "video.published" or not video):
                raise CommandError(f"{sandbox_user.username} has no video {video or ''} to send {event_type} about.")
        try:
            sent = webhooks.sandbox_event_send(
                event_type=event_type, user=sandbox_user, video=found, video_id=video, site_url=site_url or None
            )
        except webhooks.SandboxSendError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Sent {event_type} to {sent.partner}: Reelfolio answered {sent.status} {sent.answer}")
        if not 200 <= sent.status < 300:
            raise CommandError("Reelfolio refused the event (see its answer above).")
