from django.contrib.auth.models import Group, User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def staff_login(client, user):
    """Sign a staff member in as the console requires: password and a verified TOTP device."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return user


def as_role(client, role: str) -> User:
    """A new staff member in one of the console's groups, signed in on `client`."""
    user = User.objects.create_user(f"{role}-{User.objects.count()}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return staff_login(client, user)


def signed_in(role: str) -> Client:
    client = Client()
    as_role(client, role)
    return client
