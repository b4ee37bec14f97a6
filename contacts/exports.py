"""Exports of people (CSV, vCard) as worker jobs with a progress bar. Filled in by the
exports work; the bulk action calls ``start_export``."""

from __future__ import annotations

from crm.models import Account, Job, User


def start_export(*, account: Account, actor: User | None, contact_ids: list[int], kind: str) -> Job:
    raise NotImplementedError
