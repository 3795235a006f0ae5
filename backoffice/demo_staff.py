"""Demo staff accounts, one per role, so the console can be tried from each seat."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

DEMO_STAFF = [
    # username, group, superuser
    ("admin", "admin", True),
    ("compliance", "compliance", False),
    ("support", "support", False),
    ("finance", "finance", False),
]


def demo_password(username: str) -> str:
    return f"{username}-demo"


def create_demo_staff() -> list[tuple[str, str]]:
    """Create (or reset) the demo accounts; returns their logins."""
    user_model = get_user_model()
    logins = []
    for username, group_name, superuser in DEMO_STAFF:
        user, _ = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@moneybridge.example"}
        )
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(demo_password(username))
        user.save()
        group = Group.objects.filter(name=group_name).first()
        if group:
            user.groups.add(group)
        logins.append((username, demo_password(username)))
    return logins
