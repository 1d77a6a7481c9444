class TransitionError(Exception):
    """An illegal change of state; its message is shown to the user as is (in French)."""
