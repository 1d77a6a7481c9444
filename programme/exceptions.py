from datetime import datetime

from django.utils.translation import gettext as _


class TransitionError(Exception):
    """An illegal change of state; its message is shown to the user as is (in French)."""


class StaleVersionError(TransitionError):
    """Someone saved the object since this form was loaded (another tab, a team mate): the
    save is refused rather than overwriting their changes. Pages answer it with 409."""


def version_token(updated_at: datetime | None) -> str:
    """The optimistic version of an object whose version is its last save time ("" when it
    was never saved): a form carries it, the save refuses if it has moved since."""
    return updated_at.isoformat() if updated_at else ""


def refuse_if_moved(updated_at: datetime | None, loaded: str | None) -> None:
    """Raise `StaleVersionError` when the object was saved since the form was loaded with the
    token `loaded`; `loaded=None` checks nothing (a caller that guards otherwise)."""
    if loaded is not None and version_token(updated_at) != loaded:
        raise StaleVersionError(
            _(
                "Ce formulaire a été enregistré entre-temps (dans un autre onglet ou par une "
                "autre personne) : votre saisie n'a pas été enregistrée. Elle est conservée "
                "ici ; copiez-la, rechargez la page pour voir la version à jour, puis "
                "reportez-y vos changements."
            )
        )
