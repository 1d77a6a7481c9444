"""The events of the root concepts that the apps follow without programme calling them."""

from django.dispatch import Signal

# Sent after a person saved a new structure on their profile, with `user`, `before_id` (their
# former structure's id, or None) and `now`: the jury's conflicts of interest follow it.
structure_changed = Signal()
