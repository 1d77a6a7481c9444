"""The demo's people who do not sign in: found by address, or created with an unusable
password and a confirmed address (the demo's jurors and teams are real-looking accounts)."""

from django.utils import timezone

from programme.models import Structure, User


def demo_person(email: str, first: str, last: str, structure: Structure | None = None) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(
            email=email,
            first_name=first,
            last_name=last,
            structure=structure,
            email_verified_at=timezone.now(),
        )
        user.set_unusable_password()
        user.save()
    return user
