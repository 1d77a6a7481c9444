"""A mail server that refuses the first messages, at the edge of the system (the mail backend).

Configured with the `settings` fixture:

    settings.MAILERS = {"default": {"BACKEND": "tests.fake_mail.FlakyBackend",
                                    "OPTIONS": {"failures": 2}}}

The refusals are counted across backend instances (Django makes one per message), and
reset by `FlakyBackend.reset()`. Accepted messages land in `django.core.mail.outbox`.
"""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FlakyBackend(EmailBackend):
    refused = 0

    def __init__(self, *args, failures: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.failures = failures

    @classmethod
    def reset(cls):
        cls.refused = 0

    def send_messages(self, messages):
        if FlakyBackend.refused < self.failures:
            FlakyBackend.refused += 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
