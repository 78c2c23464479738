from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from payesh.core.models import Role, User
from payesh.reference.models import Agency


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str
    agency_code: str | None = None


# The demo's one user per role; passwords are printed by `payesh demo` and documented in the README.
DEMO_USERS = [
    DemoUser("admin", "payesh-admin-2026", Role.ADMINISTRATOR, "Admin", "Payesh"),
    DemoUser("analyst", "payesh-analyst-2026", Role.ANALYST, "Sara", "Analyst"),
    DemoUser("focal", "payesh-focal-2026", Role.FOCAL_POINT, "Reza", "Focal", "AGRICULTURE"),
    DemoUser("member", "payesh-member-2026", Role.WORKING_GROUP, "Maryam", "Member"),
    DemoUser("viewer", "payesh-viewer-2026", Role.VIEWER, "Ali", "Viewer"),
]


@transaction.atomic
def user_create(*, username: str, password: str, role: str, first_name: str = "", last_name: str = "",
                agency_code: str | None = None) -> User:
    """Create or update a user with a role; administrators are superusers, analysts staff."""
    agency = Agency.objects.get(code=agency_code) if agency_code else None
    user, _created = User.objects.get_or_create(username=username)
    user.role = role
    user.agency = agency
    user.first_name, user.last_name = first_name, last_name
    user.is_superuser = role == Role.ADMINISTRATOR
    user.is_staff = role in (Role.ADMINISTRATOR,)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def demo_users_create() -> list[DemoUser]:
    for demo in DEMO_USERS:
        user_create(username=demo.username, password=demo.password, role=demo.role, first_name=demo.first_name,
                    last_name=demo.last_name, agency_code=demo.agency_code)
    return DEMO_USERS
