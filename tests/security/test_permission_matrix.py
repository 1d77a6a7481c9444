"""Every URL of the site, for every role, for GET and for each POST action.

The table `MATRIX` is keyed by URL name. The test walks the URL resolver, so a page added
without a row fails `test_every_url_has_a_row` with its name. A row says how to address
the page in the fixture world (`tests/security/world.py`, one object of each kind) and
what each role gets:

- `PAGE`: the page (200); `REDIRECT`: sent elsewhere, not to sign-in (302);
- `LOGIN`: sent to sign-in; `FORBIDDEN` (403) or `NOT_FOUND` (404): refused;
- `DONE` (POST only): the action was let through (a redirect elsewhere than sign-in, or
  the form again with its French errors: 200/400);
- `NOT_ALLOWED` (405): the method is not one of the page's.

Each request runs inside a savepoint rolled back afterwards, so a POST that changes the
world does not change what the next role sees. An HTML page served with 200 must also
carry no inline script or style (the Content Security Policy would block it).

To add a page: add its objects to `build_world()` if needed, then a row here, e.g.
    "jury:auditions": Row(lambda w: {"slug": w.review_call.slug},
                          get=staff_only(FORBIDDEN), post=staff_only(FORBIDDEN, DONE)),
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from programme.accounts import verification_token
from programme.exceptions import version_token

from .world import (
    ANONYMOUS,
    COACH,
    CONFLICTED,
    JUROR,
    OTHER_JUROR,
    OTHER_STAFF,
    OUTSIDER,
    ROLES,
    STAFF,
    SUPERUSER,
    TEAM,
    attachment_of,
    build_world,
)

PAGE = "page (200)"
REDIRECT = "redirect elsewhere (302)"
LOGIN = "sign-in redirect"
FORBIDDEN = "403"
NOT_FOUND = "404"
DONE = "action let through"
NOT_ALLOWED = "405"


def who(default, **by_role) -> dict[str, str]:
    """`default` for every signed-in role, sign-in for the anonymous, unless said."""
    expected = dict.fromkeys(ROLES, default)
    expected[ANONYMOUS] = LOGIN
    expected.update(by_role)
    return expected


def everyone(outcome) -> dict[str, str]:
    return who(outcome, anonymous=outcome)


def staff_only(denied, allowed=PAGE, **by_role) -> dict[str, str]:
    """Only the programme's staff and superusers; the others get `denied`."""
    return who(denied, staff=allowed, superuser=allowed, **by_role)


def post_only() -> dict[str, str]:
    return who(NOT_ALLOWED)


@dataclass(frozen=True)
class Row:
    kwargs: Callable = lambda w: {}  # noqa: E731 (the world -> the URL's arguments)
    get: dict | None = None
    post: dict | None = None  # None: the page has no POST action
    data: Callable = lambda w: {}  # noqa: E731 (what the POST sends)
    notes: str = field(default="", compare=False)
    # Other addresses of the same page (the object in another state) that must give the
    # same answers; their forms are fuzzed too.
    also: tuple[Callable, ...] = ()

    def addresses(self, world) -> list[dict]:
        return [self.kwargs(world), *(more(world) for more in self.also)]


def call(name):
    return lambda w: {"slug": getattr(w, name).slug}


def proposal(name, **more):
    return lambda w: {"public_id": getattr(w, name).public_id} | {k: v(w) for k, v in more.items()}


def call_item(kind, name):
    return lambda w: {"slug": w.open_call.slug, "pk": getattr(w, name).pk}


def in_cohort(name):
    return lambda w: {"slug": w.cohort.slug, "pk": getattr(w, name).pk}


def pk(name):
    return lambda w: {"pk": getattr(w, name).pk}


MANAGE_CALL = staff_only(FORBIDDEN)
DRAFT_VIEW = who(NOT_FOUND, team=PAGE, staff=PAGE, superuser=PAGE)
DRAFT_ACTION = who(NOT_FOUND, team=DONE, staff=NOT_FOUND, superuser=DONE)
# Staff see the team and the files of a proposal, but only its team changes them.
DRAFT_PAGE_ACTION = who(NOT_FOUND, team=DONE, staff=FORBIDDEN, superuser=DONE)
# The confirmation step of a team's irreversible change (programme.web.confirm): its team.
DRAFT_CONFIRM = who(NOT_FOUND, team=PAGE, superuser=PAGE)

MATRIX: dict[str, Row] = {
    # --- foundation ---------------------------------------------------------------------
    "home": Row(get=everyone(PAGE)),
    # Signed-in people are sent to their dashboard.
    "login": Row(get=who(REDIRECT, anonymous=PAGE), post=everyone(DONE)),
    "logout": Row(get=everyone(NOT_ALLOWED), post=everyone(DONE)),
    "signup": Row(get=who(REDIRECT, anonymous=PAGE), post=everyone(DONE)),
    # The mailed link that confirms an address (here a verified person's: refused).
    "verify-email": Row(
        lambda w: {"token": verification_token(w.people[TEAM])},
        get=everyone(PAGE),
        post=who(DONE),
    ),
    "resend-verification": Row(get=post_only(), post=who(DONE)),
    "profile": Row(get=who(PAGE), post=who(DONE)),
    # Each person's own data: nobody reaches another's through these addresses.
    "my-data": Row(get=who(PAGE)),
    "my-data-export": Row(get=who(PAGE)),
    "delete-account": Row(get=who(PAGE), post=who(DONE)),
    "password_reset": Row(get=everyone(PAGE), post=everyone(DONE)),
    "password_reset_done": Row(get=everyone(PAGE)),
    "password_reset_confirm": Row(
        lambda w: {"uidb64": "MQ", "token": "set-password"}, get=everyone(PAGE)
    ),
    "password_reset_complete": Row(get=everyone(PAGE)),
    "dashboard": Row(get=who(PAGE)),
    "programme-list": Row(get=everyone(PAGE)),
    "programme-detail": Row(call("programme"), get=everyone(PAGE)),
    "programme-manage": Row(call("programme"), get=staff_only(FORBIDDEN)),
    # The programme's people: its staff add, invite and remove them.
    "programme-people": Row(call("programme"), get=staff_only(FORBIDDEN)),
    "programme-journal": Row(call("programme"), get=staff_only(FORBIDDEN)),
    "programme-people-add": Row(
        call("programme"),
        get=post_only(),
        post=staff_only(FORBIDDEN, DONE),
        data=lambda w: {"member-email": "nouvelle.coach@exemple.gouv.fr", "member-role": "coach"},
    ),
    "programme-juror-invite": Row(
        call("programme"),
        get=post_only(),
        post=staff_only(FORBIDDEN, DONE),
        data=lambda w: {
            "juror-call": w.open_call.pk,
            "juror-email": "nouveau.jure@exemple.gouv.fr",
        },
    ),
    "programme-member-remove": Row(
        lambda w: {"slug": w.programme.slug, "pk": w.coach_membership.pk},
        get=post_only(),
        post=staff_only(FORBIDDEN, DONE),
    ),
    "programme-juror-remove": Row(
        lambda w: {"slug": w.programme.slug, "pk": w.juror_seat.pk},
        get=post_only(),
        post=staff_only(FORBIDDEN, DONE),
    ),
    "programme-invitation-resend": Row(
        lambda w: {"slug": w.programme.slug, "pk": w.pending_invitation.pk},
        get=post_only(),
        post=staff_only(FORBIDDEN, DONE),
    ),
    "programme-invitation-cancel": Row(
        lambda w: {"slug": w.programme.slug, "pk": w.pending_invitation.pk},
        get=post_only(),
        post=staff_only(FORBIDDEN, DONE),
    ),
    # Grouped messages: the programme's staff write, review and send them.
    "programme-messages": Row(call("programme"), get=staff_only(FORBIDDEN)),
    "programme-message-create": Row(
        call("programme"),
        get=staff_only(FORBIDDEN),
        post=staff_only(FORBIDDEN, DONE),
        data=lambda w: {"audience": "coaches", "subject": "Bonjour {prénom}", "body": "Texte"},
    ),
    "programme-message": Row(
        lambda w: {"slug": w.programme.slug, "pk": w.group_message.pk}, get=staff_only(FORBIDDEN)
    ),
    "programme-message-edit": Row(
        lambda w: {"slug": w.programme.slug, "pk": w.group_message.pk},
        get=staff_only(FORBIDDEN),
        post=staff_only(FORBIDDEN, DONE),
        data=lambda w: {"audience": "coaches", "subject": "Objet", "body": "Texte"},
    ),
    "programme-message-send": Row(
        lambda w: {"slug": w.programme.slug, "pk": w.group_message.pk},
        get=post_only(),
        post=staff_only(FORBIDDEN, DONE),
    ),
    # The programme's letters in its own words.
    "programme-letters": Row(call("programme"), get=staff_only(FORBIDDEN)),
    "programme-letter": Row(
        lambda w: {"slug": w.programme.slug, "letter": "submission_receipt"},
        get=staff_only(FORBIDDEN),
        post=staff_only(FORBIDDEN, DONE),
        data=lambda w: {"subject": "Reçu {référence}", "body": "Merci {prénom}."},
    ),
    "programme-letter-reset": Row(
        lambda w: {"slug": w.programme.slug, "letter": "submission_receipt"},
        get=post_only(),
        post=staff_only(FORBIDDEN, DONE),
    ),
    # Whoever holds the link sees the invitation; accepting checks the address.
    "programme-invitation": Row(
        lambda w: {"token": w.programme_invitation_token}, get=everyone(PAGE), post=who(DONE)
    ),
    "footer-legal-notice": Row(get=everyone(PAGE)),
    "footer-accessibility-status": Row(get=everyone(PAGE)),
    "footer-personal-data": Row(get=everyone(PAGE)),
    "footer-sitemap": Row(get=everyone(PAGE)),
    "healthz": Row(get=everyone(PAGE)),
    "readyz": Row(get=everyone(PAGE)),
    # ProConnect is switched off in the tests: its addresses answer 404 to all.
    "oidc_authentication_callback": Row(get=everyone(NOT_FOUND)),
    "oidc_authentication_init": Row(get=everyone(NOT_FOUND)),
    "oidc_logout": Row(get=everyone(NOT_FOUND), post=everyone(NOT_FOUND)),
    # --- calls --------------------------------------------------------------------------
    "calls:list": Row(get=everyone(PAGE)),
    "calls:create": Row(
        lambda w: {"slug": w.programme.slug},
        get=staff_only(FORBIDDEN),
        post=staff_only(FORBIDDEN, DONE),
    ),
    "calls:detail": Row(call("open_call"), get=everyone(PAGE)),
    "calls:manage": Row(call("open_call"), get=MANAGE_CALL),
    "calls:journal": Row(call("open_call"), get=MANAGE_CALL),
    "calls:edit": Row(call("open_call"), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)),
    # GET is the confirmation of `?action=` (without one, back to the call's dashboard).
    "calls:transition": Row(
        call("open_call"), get=staff_only(FORBIDDEN, REDIRECT), post=staff_only(FORBIDDEN, DONE)
    ),
    # GET: the confirmation with its reason field; POST closes the open call.
    "calls:close-now": Row(call("open_call"), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)),
    **{
        f"calls:{kind}-add": Row(
            call("open_call"), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)
        )
        for kind in ("criterion", "question", "defi", "eligibility")
    },
    **{
        f"calls:{kind}-edit": Row(
            call_item(kind, kind), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)
        )
        for kind in ("criterion", "question", "defi", "eligibility")
    },
    **{
        f"calls:{kind}-move": Row(
            call_item(kind, kind),
            get=staff_only(FORBIDDEN, NOT_ALLOWED),
            post=staff_only(FORBIDDEN, DONE),
        )
        for kind in ("criterion", "question", "defi", "eligibility")
    },
    # GET: the confirmation of the deletion (what it takes with it); POST deletes.
    **{
        f"calls:{kind}-delete": Row(
            call_item(kind, kind), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)
        )
        for kind in ("criterion", "question", "defi", "eligibility")
    },
    # --- proposals ----------------------------------------------------------------------
    "projects:mine": Row(get=who(PAGE)),
    "projects:start": Row(call("open_call"), get=who(PAGE), post=who(DONE)),
    "projects:call-proposals": Row(call("review_call"), get=MANAGE_CALL),
    "projects:screen-selection": Row(
        call("review_call"),
        get=post_only(),
        post=staff_only(FORBIDDEN, DONE),
    ),
    # GET: the flagged proposals and the confirmation; POST screens them out.
    "projects:screen-flagged": Row(
        call("review_call"), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)
    ),
    "projects:export": Row(
        call("review_call"),
        get=post_only(),
        post=staff_only(FORBIDDEN, DONE),
    ),
    # An export is seen only by who asked for it (the programme's staff member), and by the
    # superuser, who holds every permission and sees the export jobs in the admin anyway.
    "projects:export-job": Row(
        lambda w: {"job_id": w.export_job.public_id},
        get=who(NOT_FOUND, staff=PAGE, superuser=PAGE),
    ),
    "projects:export-status": Row(
        lambda w: {"job_id": w.export_job.public_id},
        get=who(NOT_FOUND, staff=PAGE, superuser=PAGE),
    ),
    "projects:export-file": Row(
        lambda w: {"job_id": w.export_job.public_id},
        get=who(NOT_FOUND, staff=PAGE, superuser=PAGE),
    ),
    # Whoever holds the link sees the invitation; accepting checks the address.
    "projects:join": Row(lambda w: {"token": w.invitation_token}, get=who(PAGE), post=who(DONE)),
    "projects:detail": Row(proposal("draft"), get=DRAFT_VIEW),
    # The proposal's Journal: its staff only; to the others it does not exist.
    "projects:journal": Row(proposal("draft"), get=staff_only(NOT_FOUND)),
    "projects:edit": Row(
        proposal("draft"), get=who(NOT_FOUND, team=PAGE, superuser=PAGE), post=DRAFT_ACTION
    ),
    # The edit form saving itself (JSON): the team only, like the form.
    "projects:autosave": Row(proposal("draft"), get=post_only(), post=DRAFT_ACTION),
    "projects:team": Row(proposal("draft"), get=DRAFT_VIEW, post=DRAFT_PAGE_ACTION),
    "projects:attachments": Row(proposal("draft"), get=DRAFT_VIEW, post=DRAFT_PAGE_ACTION),
    # Team changes: the lead's (TEAM leads the draft); the service refuses a co-editor.
    "projects:team-leave": Row(proposal("draft"), get=DRAFT_CONFIRM, post=DRAFT_ACTION),
    "projects:team-remove": Row(
        proposal("draft", seat_id=lambda w: w.draft_mate.pk),
        get=DRAFT_CONFIRM,
        post=DRAFT_ACTION,
    ),
    "projects:team-hand-over": Row(
        proposal("draft", seat_id=lambda w: w.draft_mate.pk),
        get=DRAFT_CONFIRM,
        post=DRAFT_ACTION,
    ),
    "projects:invitation-cancel": Row(
        proposal("draft", invitation_id=lambda w: w.invitation.public_id),
        get=who(NOT_ALLOWED),
        post=DRAFT_ACTION,
    ),
    "projects:invitation-resend": Row(
        proposal("draft", invitation_id=lambda w: w.invitation.public_id),
        get=who(NOT_ALLOWED),
        post=DRAFT_ACTION,
    ),
    "projects:attachment": Row(
        proposal("draft", attachment_id=lambda w: w.attachment.public_id), get=DRAFT_VIEW
    ),
    "projects:remove-attachment": Row(
        proposal("draft", attachment_id=lambda w: w.attachment.public_id),
        get=who(NOT_ALLOWED),
        post=DRAFT_ACTION,
    ),
    "projects:message-file": Row(
        proposal("draft", message_id=lambda w: w.message_with_file.pk), get=DRAFT_VIEW
    ),
    # The summary before submitting, with its sworn statement: the team's own page.
    "projects:submit": Row(
        proposal("draft"), get=who(NOT_FOUND, team=PAGE, superuser=PAGE), post=DRAFT_ACTION
    ),
    "projects:withdraw": Row(proposal("draft"), get=DRAFT_CONFIRM, post=DRAFT_ACTION),
    "projects:message": Row(
        proposal("draft"),
        get=who(NOT_ALLOWED),
        post=who(NOT_FOUND, team=DONE, staff=DONE, superuser=DONE),
    ),
    "projects:screen": Row(
        proposal("eligible"),
        get=who(NOT_ALLOWED),
        post=who(NOT_FOUND, staff=DONE, superuser=DONE),
    ),
    "projects:retain-defi": Row(
        proposal("eligible"),
        get=who(NOT_ALLOWED),
        post=who(NOT_FOUND, staff=DONE, superuser=DONE),
    ),
    "projects:request-correction": Row(
        proposal("eligible"),
        get=who(NOT_ALLOWED),
        post=who(NOT_FOUND, staff=DONE, superuser=DONE),
    ),
    "projects:send-back": Row(
        proposal("eligible"),
        get=who(NOT_ALLOWED),
        post=who(NOT_FOUND, team=DONE, superuser=DONE),
    ),
    "projects:version": Row(
        proposal("eligible", number=lambda w: 1),
        get=who(NOT_FOUND, team=PAGE, staff=PAGE, superuser=PAGE),
    ),
    # The PDF receipt of a version: the team and the programme's staff.
    "projects:receipt": Row(
        proposal("eligible", number=lambda w: 1),
        get=who(NOT_FOUND, team=PAGE, staff=PAGE, superuser=PAGE),
    ),
    # --- jury ---------------------------------------------------------------------------
    "jury:panel": Row(call("review_call"), get=MANAGE_CALL),
    **{
        f"jury:{name}": Row(
            call("review_call"),
            get=post_only(),
            post=staff_only(FORBIDDEN, DONE),
        )
        for name in ("add-juror", "assign", "phase", "settings", "add-conflict", "move")
    },
    "jury:ranking": Row(call("review_call"), get=MANAGE_CALL),
    "jury:mine": Row(
        call("review_call"),
        get=who(FORBIDDEN, juror=PAGE, conflicted=PAGE),
    ),
    "jury:declare-conflict": Row(
        call("review_call"),
        get=who(NOT_ALLOWED),
        post=who(FORBIDDEN, juror=DONE, conflicted=DONE),
    ),
    "jury:lift-conflict": Row(
        lambda w: {"pk": w.conflict.pk},
        get=who(NOT_ALLOWED),
        post=staff_only(FORBIDDEN, DONE),
    ),
    "jury:reopen": Row(
        lambda w: {"pk": w.evaluation.pk},
        get=who(NOT_ALLOWED),
        post=staff_only(FORBIDDEN, DONE),
    ),
    # The proposal's existence stays private to all but its assigned juror.
    "jury:evaluate": Row(
        proposal("eligible"), get=who(NOT_FOUND, juror=PAGE), post=who(NOT_FOUND, juror=DONE)
    ),
    # The juror's PDF dossier of the call: its jurors (a conflicted one gets the others).
    "jury:dossier-pdf": Row(call("review_call"), get=who(FORBIDDEN, juror=PAGE, conflicted=PAGE)),
    # The jury's discussion: the proposal's staff and its jurors not in conflict; else 404.
    "jury:discussion": Row(
        proposal("eligible"),
        get=who(NOT_FOUND, juror=PAGE, staff=PAGE, superuser=PAGE),
        post=who(NOT_FOUND, juror=DONE, staff=DONE, superuser=DONE),
    ),
    "jury:evaluate-autosave": Row(
        proposal("eligible"),
        get=post_only(),
        post=who(NOT_FOUND, juror=DONE),
        # The version the juror's page was loaded with (an older one is refused: 409).
        data=lambda w: {"autosave_version": version_token(w.evaluation.updated_at)},
    ),
    "jury:join": Row(lambda w: {"token": w.jury_token}, get=who(PAGE), post=who(DONE)),
    "jury:distribution": Row(call("review_call"), get=MANAGE_CALL),
    # The preview of a nudge to late jurors, and the nudge: the programme's staff only.
    "jury:nudge": Row(call("review_call"), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)),
    # What each juror scored, version by version: the programme's staff only.
    "jury:versions": Row(pk("evaluation"), get=MANAGE_CALL),
    # One proposal's evaluations, versions and reopening: staff only, private to others.
    "jury:proposal": Row(proposal("eligible"), get=staff_only(NOT_FOUND)),
    "jury:proposal-themes": Row(
        proposal("eligible"), get=post_only(), post=staff_only(NOT_FOUND, DONE)
    ),
    # Expertise: the call's themes and the matrix (staff), a juror's themes and bids.
    "jury:themes": Row(call("review_call"), get=post_only(), post=staff_only(FORBIDDEN, DONE)),
    "jury:matrix": Row(call("review_call"), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)),
    "jury:bids": Row(
        call("review_call"),
        get=who(FORBIDDEN, juror=PAGE, conflicted=PAGE),
        post=who(FORBIDDEN, juror=DONE, conflicted=DONE),
    ),
    "jury:my-themes": Row(
        call("review_call"),
        get=post_only(),
        post=who(FORBIDDEN, juror=DONE, conflicted=DONE),
    ),
    # --- auditions (a call at its auditions; CONFLICTED in conflict with the heard one) ---
    "jury:auditions": Row(call("audition_call"), get=MANAGE_CALL),
    **{
        f"jury:{name}": Row(
            call("audition_call"), get=post_only(), post=staff_only(FORBIDDEN, DONE)
        )
        for name in ("shortlist-top", "audition-criterion-add")
    },
    "jury:audition-day": Row(call("audition_call"), get=MANAGE_CALL),
    "jury:audition-criterion-edit": Row(
        pk("audition_criterion"), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)
    ),
    "jury:audition-criterion-delete": Row(
        pk("audition_criterion"), get=post_only(), post=staff_only(FORBIDDEN, DONE)
    ),
    "jury:shortlist": Row(proposal("eligible"), get=post_only(), post=staff_only(FORBIDDEN, DONE)),
    "jury:unshortlist": Row(proposal("heard"), get=post_only(), post=staff_only(FORBIDDEN, DONE)),
    "jury:audition-slot": Row(proposal("heard"), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)),
    # Only the call's jurors; the conflicted one's list leaves the proposal out.
    "jury:my-auditions": Row(
        call("audition_call"), get=who(FORBIDDEN, juror=PAGE, conflicted=PAGE)
    ),
    # The proposal's existence stays private to all but its jurors not in conflict.
    "jury:audition-score": Row(
        proposal("heard"), get=who(NOT_FOUND, juror=PAGE), post=who(NOT_FOUND, juror=DONE)
    ),
    # --- deliberation (a call in deliberation; its jurors see none of it) ----------------
    "jury:deliberation": Row(call("delib_call"), get=MANAGE_CALL),
    **{
        f"jury:{name}": Row(call("delib_call"), get=post_only(), post=staff_only(FORBIDDEN, DONE))
        for name in ("weights", "outbox-prepare", "outbox-send")
    },
    # GET: the confirmation (who is told what); POST publishes.
    "jury:publish-results": Row(
        call("delib_call"), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)
    ),
    # GET: the one-row page of a decision (the form open), or its fragment.
    "jury:decide": Row(
        proposal("deliberated"), get=staff_only(FORBIDDEN), post=staff_only(FORBIDDEN, DONE)
    ),
    "jury:outbox": Row(call("delib_call"), get=MANAGE_CALL),
    "jury:outbox-edit": Row(pk("decision_mail"), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)),
    # Public once published; `test_an_unpublished_result_is_seen_by_nobody` for the rest.
    "jury:results": Row(call("published_call"), get=everyone(PAGE)),
    # --- reminders ----------------------------------------------------------------------
    "reminders:call": Row(call("open_call"), get=MANAGE_CALL),
    "reminders:cohort": Row(call("cohort"), get=MANAGE_CALL),
    "reminders:resend": Row(
        lambda w: {"pk": w.reminder.pk},
        get=who(NOT_ALLOWED),
        post=staff_only(FORBIDDEN, DONE),
    ),
    # --- cohorts ------------------------------------------------------------------------
    "cohorts:index": Row(get=everyone(PAGE)),
    "cohorts:all-csv": Row(get=everyone(PAGE)),
    "cohorts:all-json": Row(get=everyone(PAGE)),
    "cohorts:schema": Row(get=everyone(PAGE)),
    "cohorts:catalogue": Row(get=everyone(PAGE)),
    "cohorts:catalogue-jsonld": Row(get=everyone(PAGE)),
    "cohorts:api": Row(get=everyone(PAGE)),
    "cohorts:create": Row(
        lambda w: {"slug": w.programme.slug},
        get=staff_only(FORBIDDEN),
        post=staff_only(FORBIDDEN, DONE),
    ),
    "cohorts:detail": Row(call("cohort"), get=everyone(PAGE)),
    "cohorts:csv": Row(call("cohort"), get=everyone(PAGE)),
    "cohorts:json": Row(call("cohort"), get=everyone(PAGE)),
    "cohorts:manage": Row(call("cohort"), get=MANAGE_CALL),
    "cohorts:journal": Row(call("cohort"), get=MANAGE_CALL),
    "cohorts:laureate-journal": Row(in_cohort("laureate"), get=MANAGE_CALL),
    "cohorts:publication": Row(call("cohort"), get=post_only(), post=staff_only(FORBIDDEN, DONE)),
    "cohorts:selection-figures": Row(
        call("cohort"), get=MANAGE_CALL, post=staff_only(FORBIDDEN, DONE)
    ),
    "cohorts:laureate-edit": Row(
        lambda w: {"slug": w.cohort.slug, "pk": w.laureate.pk},
        get=MANAGE_CALL,
        post=staff_only(FORBIDDEN, DONE),
    ),
    # --- follow-up: staff manage; the team writes its reports; the coach comments them ---
    "cohorts:followup": Row(call("cohort"), get=MANAGE_CALL),
    "cohorts:followup-start": Row(
        call("cohort"), get=everyone(NOT_ALLOWED), post=staff_only(FORBIDDEN, DONE)
    ),
    "cohorts:timeline": Row(
        in_cohort("laureate"),
        get=staff_only(FORBIDDEN, team=PAGE, coach=PAGE),
    ),
    # The world's laureate has no proposal, so no thread: 404 to those who read its follow-up
    # (tests/cohorts/test_report_team.py covers a laureate with one).
    "cohorts:laureate-message": Row(
        in_cohort("laureate"),
        get=everyone(NOT_ALLOWED),
        post=staff_only(FORBIDDEN, NOT_FOUND, team=NOT_FOUND, coach=NOT_FOUND),
        data=lambda w: {"body": "Bonjour"},
    ),
    "cohorts:milestone-add": Row(
        in_cohort("laureate"), get=everyone(NOT_ALLOWED), post=staff_only(FORBIDDEN, DONE)
    ),
    "cohorts:report-autosave": Row(
        in_cohort("open_report"), get=post_only(), post=who(FORBIDDEN, team=DONE)
    ),
    "cohorts:report": Row(
        in_cohort("filed_report"),
        get=staff_only(FORBIDDEN, team=PAGE, coach=PAGE),
        # Only the team writes its reports: a superuser reads them but never writes for it.
        post=who(FORBIDDEN, team=DONE),
        also=(in_cohort("open_report"),),
    ),
    "cohorts:report-comment": Row(
        in_cohort("filed_report"),
        get=everyone(NOT_ALLOWED),
        post=staff_only(FORBIDDEN, DONE, coach=DONE),
    ),
    # The thread under a filed report: its team, its coach and the staff write there.
    "cohorts:report-answer": Row(
        in_cohort("filed_report"),
        get=everyone(NOT_ALLOWED),
        post=staff_only(FORBIDDEN, DONE, coach=DONE, team=DONE),
        data=lambda w: {"body": "Merci pour ce retour."},
    ),
    "cohorts:milestone-skip": Row(
        in_cohort("open_report"), get=everyone(NOT_ALLOWED), post=staff_only(FORBIDDEN, DONE)
    ),
    "cohorts:milestone-review": Row(
        in_cohort("midterm"),
        get=MANAGE_CALL,
        post=staff_only(FORBIDDEN, DONE),
        also=(in_cohort("final_committee"),),
    ),
}

# The admin is Django's: every page sends whoever is not staff to its own sign-in page;
# `test_admin_lists_open_to_superusers_only` walks its lists.
ADMIN_NAMESPACE = "admin"


def url_names(patterns=None, namespace=None):
    """Every named URL of the project, namespaced, from the resolver."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            full = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from url_names(pattern.url_patterns, full)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                # The admin's own catch-all routes; anything else must have a name.
                if namespace != ADMIN_NAMESPACE:
                    yield f"<unnamed: {pattern.pattern}>"
            else:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_a_row():
    names = set(url_names())
    missing = sorted(
        n for n in names if n not in MATRIX and not n.startswith(f"{ADMIN_NAMESPACE}:")
    )
    assert not missing, (
        "These URL names have no row in tests/security/test_permission_matrix.py MATRIX "
        "(say what each role gets for GET and POST): " + ", ".join(missing)
    )
    stale = sorted(set(MATRIX) - names)
    assert not stale, "Rows for URL names that no longer exist: " + ", ".join(stale)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.IGNORECASE)


def outcome(response, method) -> str:
    status = response.status_code
    if status == 302:
        if response.url.startswith(reverse("login")):
            return LOGIN
        return DONE if method == "post" else REDIRECT
    if method == "post" and status in (200, 400):
        return DONE
    return {200: PAGE, 403: FORBIDDEN, 404: NOT_FOUND, 405: NOT_ALLOWED}.get(status, str(status))


@pytest.fixture
def world(db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return build_world()


@pytest.mark.timeout(900)
def test_every_role_gets_the_expected_answer_on_every_url(world):
    mismatches, inline = [], []
    for name, row in sorted(MATRIX.items()):
        for i, kwargs in enumerate(row.addresses(world)):
            url = reverse(name, kwargs=kwargs)
            check(name if i == 0 else f"{name} {url}", url, row, world, mismatches, inline)
    assert not mismatches, f"{len(mismatches)} answers differ:\n" + "\n".join(mismatches)
    assert not inline, "Inline script or style on: " + ", ".join(sorted(set(inline)))


def check(label, url, row, world, mismatches, inline):
    for method, expected_by_role in (("get", row.get), ("post", row.post)):
        if expected_by_role is None:
            continue
        for role in ROLES:
            # Each request in a savepoint: what a POST changes is undone for the next.
            savepoint = transaction.savepoint_create()
            try:
                client = Client(raise_request_exception=False)
                if world.people[role] is not None:
                    client.force_login(world.people[role])
                send = client.get if method == "get" else partial(client.post, data=row.data(world))
                response = send(url)
            finally:
                transaction.savepoint_rollback(savepoint)
            got = outcome(response, method)
            if got != expected_by_role[role]:
                mismatches.append(
                    f"{label:32} {method.upper():4} {role:12} "
                    f"expected {expected_by_role[role]}, got {got}"
                )
            content_type = response.headers.get("Content-Type", "")
            if response.status_code == 200 and content_type.startswith("text/html"):
                html = response.content.decode()
                if INLINE_SCRIPT.search(html) or INLINE_STYLE.search(html):
                    inline.append(f"{label} ({role})")


@pytest.fixture
def dossier_attachment(world):
    """A PDF in the dossier of the proposal under review (assigned to JUROR), in the version
    the jury reads."""
    from projects.models import ProposalVersion
    from projects.queries.proposals import content_hash, snapshot

    team = world.people[TEAM]
    attachment = attachment_of(world.eligible, "budget-eligible.pdf", by=team, now=timezone.now())
    content = snapshot(world.eligible)
    number = world.eligible.versions.count() + 1
    ProposalVersion.objects.create(
        proposal=world.eligible,
        number=number,
        content=content,
        sha256=content_hash(content),
        reference=world.eligible.reference,
        submitted_by=team,
        submitted_at=timezone.now(),
    )
    return attachment


def test_an_assigned_juror_downloads_the_attachment_a_conflicted_one_gets_404(
    world, dossier_attachment
):
    """The jurors assigned the proposal, not in conflict, read its attachments; a conflicted
    juror and a juror of another call learn nothing (404), as everyone outside the team."""
    url = reverse(
        "projects:attachment",
        kwargs={
            "public_id": world.eligible.public_id,
            "attachment_id": dossier_attachment.public_id,
        },
    )
    row = Row(get=who(NOT_FOUND, team=PAGE, staff=PAGE, superuser=PAGE, juror=PAGE))
    mismatches, inline = [], []
    check("projects:attachment (a dossier under review)", url, row, world, mismatches, inline)
    assert not mismatches, "\n".join(mismatches)


def test_the_evaluation_page_links_the_attachments(world, dossier_attachment):
    html = page_text(world, JUROR, "jury:evaluate", public_id=world.eligible.public_id)
    link = reverse(
        "projects:attachment",
        kwargs={
            "public_id": world.eligible.public_id,
            "attachment_id": dossier_attachment.public_id,
        },
    )
    assert f'href="{link}"' in html
    assert "budget-eligible.pdf" in html


def test_admin_lists_open_to_superusers_only(world):
    lists = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    assert len(lists) > 10
    superuser_client, staff_client, anonymous = Client(), Client(), Client()
    superuser_client.force_login(world.people[SUPERUSER])
    staff_client.force_login(world.people[STAFF])
    for url in [reverse("admin:index"), *lists]:
        assert superuser_client.get(url).status_code == 200, url
        for client in (staff_client, anonymous):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("admin:login")), url


# Objects addressed by a number: a neighbour's number gives nothing. Staff of the other
# programme address the programme's objects; staff of the programme address them through
# another call or cohort of theirs.
def test_numbered_addresses_of_another_programme_give_nothing(world):
    from tests import factories

    own_call = factories.CallFactory(programme=world.other_programme, slug="leur-appel")
    own_cohort = factories.CohortFactory(programme=world.other_programme, slug="leur-promo")
    client = Client()
    client.force_login(world.people[OTHER_STAFF])
    addresses = [
        *(
            reverse(f"calls:{kind}-edit", kwargs={"slug": own_call.slug, "pk": obj.pk})
            for kind, obj in (
                ("criterion", world.criterion),
                ("question", world.question),
                ("defi", world.defi),
            )
        ),
        reverse("cohorts:laureate-edit", kwargs={"slug": own_cohort.slug, "pk": world.laureate.pk}),
    ]
    addresses += [
        reverse(name, kwargs={"slug": own_cohort.slug, "pk": obj.pk})
        for name, obj in (
            ("cohorts:timeline", world.laureate),
            ("cohorts:report", world.filed_report),
            ("cohorts:milestone-review", world.midterm),
        )
    ]
    for url in addresses:
        assert client.get(url).status_code == 404, url
    for name, pk in (
        ("jury:lift-conflict", world.conflict.pk),
        ("jury:reopen", world.evaluation.pk),
        ("reminders:resend", world.reminder.pk),
        ("jury:outbox-edit", world.decision_mail.pk),
    ):
        assert client.post(reverse(name, kwargs={"pk": pk})).status_code in (403, 404), name
    for name, pk in (
        ("jury:versions", world.evaluation.pk),
        ("jury:outbox-edit", world.decision_mail.pk),
    ):
        assert client.get(reverse(name, kwargs={"pk": pk})).status_code in (403, 404), name
    # Through their own cohort, they reach none of the programme's milestones either.
    for name, obj in (
        ("cohorts:milestone-add", world.laureate),
        ("cohorts:milestone-skip", world.open_report),
        ("cohorts:report-comment", world.filed_report),
        ("cohorts:report-answer", world.filed_report),
    ):
        url = reverse(name, kwargs={"slug": own_cohort.slug, "pk": obj.pk})
        assert client.post(url).status_code == 404, url
    # Through their own programme, they reach none of the programme's people nor messages.
    theirs = world.other_programme.slug
    for name, obj in (
        ("programme-member-remove", world.coach_membership),
        ("programme-juror-remove", world.juror_seat),
        ("programme-invitation-resend", world.pending_invitation),
        ("programme-invitation-cancel", world.pending_invitation),
        ("programme-message-send", world.group_message),
    ):
        url = reverse(name, kwargs={"slug": theirs, "pk": obj.pk})
        assert client.post(url).status_code == 404, url
    url = reverse("programme-message", kwargs={"slug": theirs, "pk": world.group_message.pk})
    assert client.get(url).status_code == 404, url


def page_text(world, role, name, **kwargs):
    client = Client()
    if world.people[role] is not None:
        client.force_login(world.people[role])
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, (name, role)
    return response.content.decode()


def test_a_conflicted_juror_never_sees_the_proposal_at_the_auditions(world):
    title = world.heard.title
    mine = page_text(world, JUROR, "jury:my-auditions", slug=world.audition_call.slug)
    assert title in mine
    theirs = page_text(world, CONFLICTED, "jury:my-auditions", slug=world.audition_call.slug)
    assert title not in theirs
    for role in (CONFLICTED, OTHER_JUROR, TEAM, COACH):
        assert title not in page_text(world, role, "dashboard"), role


def test_an_unpublished_result_is_seen_by_nobody(world):
    """Nobody, staff included, sees the results page of a call in deliberation; the team
    does not see its decision on its proposal before the results are published."""
    url = reverse("jury:results", kwargs={"slug": world.delib_call.slug})
    for role in ROLES:
        client = Client()
        if world.people[role] is not None:
            client.force_login(world.people[role])
        assert client.get(url).status_code == 404, role
    justification = world.deliberated.decision.justification
    detail = page_text(world, TEAM, "projects:detail", public_id=world.deliberated.public_id)
    assert justification not in detail
    for role in (TEAM, JUROR, CONFLICTED, COACH):
        assert justification not in page_text(world, role, "dashboard"), role
    # Published: the team reads it.
    type(world.delib_call).objects.filter(pk=world.delib_call.pk).update(state="results_published")
    detail = page_text(world, TEAM, "projects:detail", public_id=world.deliberated.public_id)
    assert justification in detail


def test_the_coach_reads_and_comments_the_report_the_team_does_not_comment(world):
    kwargs = {"slug": world.cohort.slug, "pk": world.filed_report.pk}
    comment = reverse("cohorts:report-comment", kwargs=kwargs)
    assert f'action="{comment}"' in page_text(world, COACH, "cohorts:report", **kwargs)
    assert f'action="{comment}"' not in page_text(world, TEAM, "cohorts:report", **kwargs)


def test_roles_are_all_in_the_world(world):
    assert set(world.people) == set(ROLES)
    assert {COACH, CONFLICTED, JUROR, OTHER_JUROR, OUTSIDER, TEAM} <= set(ROLES)
