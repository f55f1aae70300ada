"""Actor keys: one per chapter and exactly one for the instance, on both databases."""

import pytest
from django.db import IntegrityError, transaction

from federation import keys
from federation.models import ActorKey

pytestmark = pytest.mark.django_db


def test_there_is_one_instance_key_and_one_key_per_chapter(chapter):
    instance, chapter_key = keys.key_for(None), keys.key_for(chapter)
    assert keys.key_for(None) == instance and keys.key_for(chapter) == chapter_key
    for owner in (None, chapter):
        with pytest.raises(IntegrityError), transaction.atomic():
            ActorKey.objects.create(chapter=owner, public_pem="x", private_pem="y")
    assert ActorKey.objects.count() == 2
