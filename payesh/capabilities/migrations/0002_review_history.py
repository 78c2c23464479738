"""The capacity registry joins the core review workflow and django-simple-history (step 1 of 3).

Adds the review and version fields and the history table next to the old ``status``/``reviewer_note``/
``reviewed_by`` fields and ``CapacityRevision``; 0003 converts the old revisions, 0004 drops the old.
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('capabilities', '0001_initial'),
        ('reference', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalCapacity',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('lock_version', models.PositiveIntegerField(default=0, editable=False, verbose_name='version')),
                ('review_status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted for review'), ('approved', 'Approved'), ('returned', 'Returned for correction')], db_index=True, default='draft', max_length=12, verbose_name='review status')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('return_reason', models.TextField(blank=True, verbose_name='reason for return')),
                ('kind', models.CharField(choices=[('production', 'Production'), ('processing_plant', 'Processing plant'), ('packaging', 'Packaging'), ('cold_storage', 'Cold storage'), ('border_infrastructure', 'Border infrastructure'), ('labour', 'Labour'), ('other', 'Other')], max_length=30, verbose_name='kind')),
                ('hs_revision', models.CharField(blank=True, choices=[('HS92', 'HS 1992'), ('HS12', 'HS 2012'), ('HS22', 'HS 2022')], max_length=4, verbose_name='HS revision')),
                ('hs_code', models.CharField(blank=True, max_length=6, validators=[django.core.validators.RegexValidator('^(\\d{2}|\\d{4}|\\d{6})$', 'Give 2, 4 or 6 digits of an HS code.')], verbose_name='HS code')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('quantity', models.DecimalField(decimal_places=3, max_digits=18, validators=[django.core.validators.MinValueValidator(0)], verbose_name='quantity')),
                ('unit', models.CharField(choices=[('t', 'tonnes'), ('t_per_year', 'tonnes a year'), ('t_per_day', 'tonnes a day'), ('m3', 'cubic metres'), ('m2', 'square metres'), ('ha', 'hectares'), ('persons', 'persons'), ('units', 'units (plants, lines, facilities)'), ('trucks_per_day', 'trucks a day'), ('other', 'other (see the description)')], max_length=20, verbose_name='unit')),
                ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1300), django.core.validators.MaxValueValidator(1500)], verbose_name='year (Solar Hijri)')),
                ('month', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(12)], verbose_name='month (optional)')),
                ('source', models.CharField(max_length=300, verbose_name='source')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical capacity',
                'verbose_name_plural': 'historical capacities',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='capacity',
            name='decided_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='decided at'),
        ),
        migrations.AddField(
            model_name='capacity',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by'),
        ),
        migrations.AddField(
            model_name='capacity',
            name='lock_version',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='version'),
        ),
        migrations.AddField(
            model_name='capacity',
            name='return_reason',
            field=models.TextField(blank=True, verbose_name='reason for return'),
        ),
        migrations.AddField(
            model_name='capacity',
            name='review_status',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted for review'), ('approved', 'Approved'), ('returned', 'Returned for correction')], db_index=True, default='draft', max_length=12, verbose_name='review status'),
        ),
        migrations.AddField(
            model_name='capacity',
            name='submitted_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='submitted at'),
        ),
        migrations.AddField(
            model_name='capacity',
            name='submitted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='submitted by'),
        ),
        migrations.AddIndex(
            model_name='capacity',
            index=models.Index(fields=['agency', 'review_status'], name='capabilitie_agency__c70742_idx'),
        ),
        migrations.AddField(
            model_name='historicalcapacity',
            name='agency',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reference.agency', verbose_name='agency'),
        ),
        migrations.AddField(
            model_name='historicalcapacity',
            name='county',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reference.county', verbose_name='county'),
        ),
        migrations.AddField(
            model_name='historicalcapacity',
            name='created_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by'),
        ),
        migrations.AddField(
            model_name='historicalcapacity',
            name='decided_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by'),
        ),
        migrations.AddField(
            model_name='historicalcapacity',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalcapacity',
            name='submitted_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='submitted by'),
        ),
    ]
