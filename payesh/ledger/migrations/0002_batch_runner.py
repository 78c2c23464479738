from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="batch",
            name="runner_pid",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="process id"),
        ),
        migrations.AddField(
            model_name="batch",
            name="runner_host",
            field=models.CharField(blank=True, max_length=255, verbose_name="host"),
        ),
        migrations.AddField(
            model_name="batch",
            name="runner_started",
            field=models.FloatField(blank=True, null=True, verbose_name="process start time"),
        ),
    ]
