"""The capacity registry joins the core review workflow (step 3 of 3): the old revision model and the
old review fields go, now that 0003 turned them into history records and review fields."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('capabilities', '0003_revisions_to_history'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='capacityrevision',
            name='capacity',
        ),
        migrations.RemoveField(
            model_name='capacityrevision',
            name='changed_by',
        ),
        migrations.RemoveIndex(
            model_name='capacity',
            name='capabilitie_agency__4e483f_idx',
        ),
        migrations.DeleteModel(
            name='CapacityRevision',
        ),
        migrations.RemoveField(
            model_name='capacity',
            name='reviewed_by',
        ),
        migrations.RemoveField(
            model_name='capacity',
            name='reviewer_note',
        ),
        migrations.RemoveField(
            model_name='capacity',
            name='status',
        ),
    ]
