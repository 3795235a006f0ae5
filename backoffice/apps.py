from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Back office"

    def ready(self):
        # Runs after every app's permissions exist (this app comes last): the roles follow
        # backoffice/roles.py, whatever was granted by hand since.
        post_migrate.connect(install_roles_after_migrate, sender=self)


def install_roles_after_migrate(sender, **kwargs):
    from backoffice.roles import install_roles

    install_roles()
