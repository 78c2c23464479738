"""The WSGI entry point of the production server (gunicorn, see payesh.serving and docs/deployment.md).

A WSGI server importing this module is the production server, so the production rules apply (SECRET_KEY
required unless DEBUG=true; whitenoise serves the collected static files). Django's runserver imports it
after the settings are loaded, so the development server is unaffected.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "payesh.settings")
if not settings.configured:
    os.environ.setdefault("PAYESH_SERVER", "production")
application = get_wsgi_application()
