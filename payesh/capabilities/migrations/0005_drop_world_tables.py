# World data sets and complexity runs moved into the ledger (issue 9): world files are batches and
# complexity runs are derived results in the lake, so their two tables go. Files stored under
# PAYESH_LAKE/world by the old loader are not read any more; load the world files again with
# `payesh ingest --format baci|comtrade|atlas` (or `payesh load-world`).
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('capabilities', '0004_drop_revisions'),
    ]

    operations = [
        migrations.DeleteModel(name='ComplexityRun'),
        migrations.DeleteModel(name='WorldDataset'),
    ]
