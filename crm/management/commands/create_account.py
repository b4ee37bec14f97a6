"""Create an account and its owner; the last word printed is the account id."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.models import User
from crm.services import account_create, user_create


class Command(BaseCommand):
    help = "Create an account with an owner (a new user, or an existing one by email)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="The account's name.")
        parser.add_argument("--owner", required=True, help="The owner's email address.")
        parser.add_argument("--password", help="The owner's password (default: a random one).")
        parser.add_argument("--full-name", default="", help="The owner's name.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["owner"].strip().lower()
        owner = User.objects.filter(email__iexact=email).first()
        password = None
        try:
            if owner is None:
                password = options["password"] or secrets.token_urlsafe(12)
                owner = user_create(email=email, password=password, full_name=options["full_name"])
            elif options["password"]:
                raise CommandError(f"{email} already exists; leave out --password.")
            account = account_create(name=options["name"], owner=owner)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        if password is not None:
            self.stdout.write(f"Owner: {owner.email}  password: {password}")
        else:
            self.stdout.write(f"Owner: {owner.email} (existing user)")
        self.stdout.write(f"Created account {account.name!r} with id {account.pk}")
