"""The portal's settings, with a mail backend that kills the worker on its first send."""

import os

from programme.settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "tests.security.killing_mail.KillOnFirstSend",
        "OPTIONS": {
            "file_path": os.environ["EMAIL_FILE_PATH"],
            "marker": os.environ["KILL_MARKER"],
        },
    }
}
