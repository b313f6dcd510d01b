"""The console email of the embedded run, for a person to read.

Django's console backend prints the MIME message: a subject with any non-ASCII character comes out as
`=?utf-8?...?=` and a long body as quoted-printable. In a Celery worker its lines also went through the
worker's captured stdout into the JSON log, one escaped line each. This backend prints the email as text
(sender, recipients, subject and body as written) on the process's real standard output, in the web
server and the worker alike.
"""

import sys

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

RULE = "-" * 79


class ConsoleEmailBackend(DjangoConsoleBackend):
    def __init__(self, *args, **kwargs):
        # Celery replaces sys.stdout with a proxy into its log; sys.__stdout__ is the terminal (or the file).
        kwargs.setdefault("stream", sys.__stdout__ or sys.stdout)
        super().__init__(*args, **kwargs)

    def write_message(self, message):
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            *([f"Cc: {', '.join(message.cc)}"] if message.cc else []),
            *([f"Reply-To: {', '.join(message.reply_to)}"] if message.reply_to else []),
            f"Subject: {message.subject}",
            "",
            str(message.body).rstrip("\n"),
        ]
        alternatives = [mimetype for _content, mimetype in getattr(message, "alternatives", [])]
        if alternatives:
            lines.append(f"(also sent as {', '.join(alternatives)})")
        attachments = [attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()
                       for attachment in message.attachments]
        if attachments:
            lines.append(f"(attached: {', '.join(str(name) for name in attachments)})")
        self.stream.write("\n".join(lines) + f"\n{RULE}\n")
