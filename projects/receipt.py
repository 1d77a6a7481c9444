"""The PDF receipt of a submitted version (récépissé de dépôt).

Built from the version alone (its stored content, hash and date), so the same version gives
the same document whenever it is asked for: downloaded by the team or the staff, or joined
to the receipt mail. Answers read as on the version page ("Oui", "400 000 €", file names).
"""

from django.utils import formats, translation
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from programme.pdf import Document
from projects.models import ProposalVersion
from projects.queries.proposals import sections


def filename(version: ProposalVersion) -> str:
    return f"recepisse-{version.reference}-v{version.number}.pdf"


def _paris(moment) -> str:
    return formats.date_format(localtime(moment), r"j F Y à H\hi")


def receipt_pdf(version: ProposalVersion) -> bytes:
    """The receipt of `version`, in French, with every answer and each file's SHA-256."""
    proposal = version.proposal
    call = proposal.call
    content = version.content
    with translation.override("fr"):
        when = _paris(version.submitted_at)
        doc = Document(
            _("Récépissé de dépôt"),
            footer=f"{call.programme.name} — {version.reference} — version {version.number}",
        )
        doc.table(
            [_("Dépôt"), ""],
            [
                [_("Référence"), version.reference],
                [_("Version"), str(version.number)],
                [_("Appel"), call.edition],
                [_("Déposée le"), _("%(date)s (heure de Paris)") % {"date": when}],
                [
                    _("Déposée par"),
                    (version.submitted_by.get_full_name() or version.submitted_by.email)
                    if version.submitted_by
                    else "—",
                ],
            ],
            widths=[55, 119],
        )
        # Out of the table: a 64-digit hash fits the full width on one line, so it can be
        # read back and copied whole.
        doc.answer(_("Empreinte SHA-256 du contenu déposé"), version.sha256)
        if version.attested:
            doc.paragraph(
                _(
                    "La personne qui a déposé cette version a attesté sur l'honneur "
                    "l'exactitude des informations fournies."
                )
            )
        for section in sections(content, call):
            doc.heading(section.title)
            for row in section.rows:
                doc.answer(row.label, row.text or _("Non renseigné"))
        doc.heading(_("Équipe"))
        team = content.get("team", [])
        doc.table(
            [_("Nom"), _("Adresse électronique")],
            [[m.get("name") or "—", m.get("email", "")] for m in team] or [["—", ""]],
            widths=[70, 104],
        )
        doc.heading(_("Pièces jointes"))
        attached = content.get("attachments", [])
        for file in attached:
            doc.answer(
                file["name"],
                _("Taille : %(size)s Ko") % {"size": _kilobytes(file["size"])}
                + "\n"
                + _("SHA-256 : %(hash)s") % {"hash": file["sha256"]},
            )
        if not attached:
            doc.paragraph(_("Aucune pièce jointe."))
        doc.paragraph(
            _(
                "L'empreinte SHA-256 identifie le contenu déposé : toute modification de ce "
                "contenu en donnerait une autre. Conservez ce récépissé."
            ),
            small=True,
        )
        return doc.bytes()


def _kilobytes(size: int) -> int:
    return max(1, round(size / 1024))
