"""The writers of core, one module per subject: ``accounts`` (users and their scopes) and
``calendar`` (the bureau's working-day entries). Account actions are re-exported here."""

from sunlight.core.actions.accounts import account_create, account_update

__all__ = ["account_create", "account_update"]
