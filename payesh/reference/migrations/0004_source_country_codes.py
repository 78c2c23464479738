from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reference', '0003_reference_history'),
    ]

    operations = [
        migrations.CreateModel(
            name='SourceCountryCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(max_length=20, verbose_name='source')),
                ('code', models.CharField(max_length=10, verbose_name='code in the source')),
                ('iso3', models.CharField(max_length=3, verbose_name='ISO3 code')),
                ('name_en', models.CharField(max_length=200, verbose_name='name in the source')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
            ],
            options={
                'verbose_name': 'source country code',
                'verbose_name_plural': 'source country codes',
                'ordering': ['source', 'code'],
                'constraints': [models.UniqueConstraint(fields=('source', 'code'), name='source_country_code_unique')],
            },
        ),
    ]
