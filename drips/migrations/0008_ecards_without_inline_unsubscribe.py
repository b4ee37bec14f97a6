"""Seeded eCards lose the raw unsubscribe line (the card's frame carries the link) and
the empty photo, in accounts made before; lines an agent changed are left as they are."""

import re

from django.db import migrations

OLD_LINES = (
    '<p><img src="{{ agent_photo }}" alt=""></p>',
    "<p>Prefer fewer emails? Unsubscribe: {{ unsubscribe_url }}</p>",
)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    content_item = apps.get_model("drips", "ContentItem")
    for item in content_item.objects.filter(kind="ecard").exclude(key=""):
        body = item.body
        for line in OLD_LINES:
            body = body.replace(line, "")
        body = re.sub(r"\n{3,}", "\n\n", body).strip()
        if body != item.body:
            item.body = body
            item.save(update_fields=["body"])


class Migration(migrations.Migration):
    dependencies = [("drips", "0007_send_claimed_at")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
