"""A mail backend that kills its worker process the first time it is asked to send.

Used by the worker-kill test through `tests.security.worker_kill_settings`: the worker has
claimed the reminder rows (state "sending") and dies before the mail leaves and before the
rows are marked sent, as a worker killed by the OOM killer or a redeploy would. The marker
file makes the death happen once, whatever process comes next.
"""

import os
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class KillOnFirstSend(EmailBackend):
    def __init__(self, *args, marker: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.marker = Path(marker)

    def send_messages(self, messages):
        if not self.marker.exists():
            self.marker.write_text("killed while sending\n")
            os._exit(137)  # no cleanup, no ack: as SIGKILL would
        return super().send_messages(messages)
