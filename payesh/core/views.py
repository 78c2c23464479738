from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate, get_language
from django.views.decorators.http import require_POST

from payesh.core.forms import LoginForm
from payesh.reference.selectors import reference_counts


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"counts": reference_counts(), "today": timezone.localdate()})


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered in a cookie and, when signed in, on the user."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    activate(language)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                        samesite="Lax")
    user = request.user
    if user.is_authenticated and getattr(user, "language", None) != language:
        user.language = language  # type: ignore[union-attr]
        user.save(update_fields=["language"])
    return response


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        """Sign in in the language the sign-in page was shown in: the site's language (cookie or
        switch) becomes the person's, so signing in never flips the interface to another language."""
        response = super().form_valid(form)
        user = form.get_user()
        language = get_language() or settings.LANGUAGE_CODE
        if language in dict(settings.LANGUAGES) and getattr(user, "language", None) != language:
            user.language = language  # type: ignore[attr-defined]
            user.save(update_fields=["language"])
        return response


# ------------------------------------------------------------------ error pages
# In the site's language and layout (navigation, language switch), never Django's bare English page.
def _error_page(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "core/error.html", {"status": status}, status=status)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 404)


def error_500(request: HttpRequest) -> HttpResponse:
    try:
        return _error_page(request, 500)
    except Exception:  # the error page itself must not fail: fall back to plain text
        return HttpResponse("500 · خطای سرور · Server error", status=500, content_type="text/plain; charset=utf-8")
