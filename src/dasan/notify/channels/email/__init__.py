"""E-mail through Django's SMTP backend (``DASAN_SMTP_*`` settings).

The Message-ID header is built from the message's reference, so a re-send after a
crash carries the same Message-ID. SMTP offers no way to ask the server whether it
already took a message, so this channel cannot look up: when a worker dies between
the server's "250 OK" and our database update, recovery sends the mail again with
the same Message-ID. Most receiving systems (and mail clients' threading) treat the
two as one message, but a duplicate in the inbox is possible. See src/dasan/notify/README.md.
"""

from __future__ import annotations

import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from ..base import Channel, PermanentFailure, TemporaryFailure


def message_id_for(message) -> str:
    """``<reference@domain>``: the same for every send of one message."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] or "dasan.invalid"
    return f"<{message.reference}@{domain}>"


class EmailChannel(Channel):
    name = "email"
    address = "email"

    def __init__(self):
        # Always SMTP (the DASAN_SMTP_* relay): this channel is the real transport, whatever
        # Django's EMAIL_BACKEND says (the test runner swaps that one for an in-memory outbox;
        # our tests speak to a local SMTP server instead).
        self.backend = "django.core.mail.backends.smtp.EmailBackend"

    def build(self, message, connection=None) -> EmailMultiAlternatives:
        from dasan.notify.selectors import unsubscribe_url

        headers = {"Message-ID": message_id_for(message), "X-Dasan-Reference": str(message.reference)}
        if message.category == "promotional" and message.recipient_id:
            url = unsubscribe_url(message.recipient, absolute=True)
            headers["List-Unsubscribe"] = f"<{url}>"
            # RFC 8058 one-click: mail clients POST to the link, which needs no login.
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers=headers,
            connection=connection,
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        return email

    def send(self, message) -> str:
        try:
            connection = get_connection(self.backend, fail_silently=False)
            self.build(message, connection=connection).send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _msg in exc.recipients.values()]
            if codes and all(400 <= code < 500 for code in codes):
                raise TemporaryFailure(f"recipient refused {codes}") from exc
            raise PermanentFailure(f"recipient refused {codes}") from exc
        except smtplib.SMTPResponseException as exc:
            error = f"SMTP {exc.smtp_code}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(error) from exc
            raise TemporaryFailure(error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(f"SMTP unavailable: {exc.__class__.__name__}") from exc
        return message_id_for(message)
