"""The sandbox partner's pages: its own login, the consent page, public freelancer and video pages.

A sandbox login is kept in the session under its own keys; it has nothing to do with a Reelfolio login.
"""

import time
from urllib.parse import urlencode

from authlib.oauth2 import OAuth2Error
from authlib.oidc.core.errors import ConsentRequiredError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.bad_input import answers_unstorable_text, request_text_problem
from integrations.sandbox import selectors
from integrations.sandbox.forms import ConsentForm, SandboxLoginForm
from integrations.sandbox.partner_api import sandbox_video_anchors
from integrations.sandbox.server import authorization_error_response, server

SESSION_USER_KEY = "sandbox:user_id"
SESSION_AUTH_TIME_KEY = "sandbox:auth_time"


def current_sandbox_user(request):
    user = selectors.sandbox_user_get(user_id=request.session.get(SESSION_USER_KEY))
    if user is not None:
        user.auth_time = request.session.get(SESSION_AUTH_TIME_KEY)
    return user


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/sandbox/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_http_methods(["GET", "POST"])
def login(request):
    next_url = _safe_next(request)
    form = SandboxLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session.cycle_key()
        request.session[SESSION_USER_KEY] = form.user.pk
        request.session[SESSION_AUTH_TIME_KEY] = int(time.time())
        return HttpResponseRedirect(next_url or reverse("sandbox:freelancer", args=[form.user.username]))
    status = 400 if request.method == "POST" else 200
    return render(request, "sandbox/login.html", {"form": form, "next": next_url}, status=status)


@require_POST
def logout(request):
    request.session.pop(SESSION_USER_KEY, None)
    request.session.pop(SESSION_AUTH_TIME_KEY, None)
    next_url = _safe_next(request)
    return HttpResponseRedirect(reverse("sandbox:login") + (f"?{urlencode({'next': next_url})}" if next_url else ""))


def _error_page(request, error: str, description: str):
    context = {"error": error, "description": description}
    return render(request, "sandbox/authorize_error.html", context, status=400)


@answers_unstorable_text
@require_http_methods(["GET", "POST"])
def authorize(request):
    """The authorization endpoint: checks the request, asks the sandbox user to log in, then to consent."""
    if request_text_problem(request) is not None:
        return _error_page(request, "invalid_request", "The authorization request has an invalid parameter.")
    user = current_sandbox_user(request)
    try:
        grant = server.get_consent_grant(request, end_user=user)
    except OAuth2Error as error:
        if error.redirect_uri:
            return authorization_error_response(error)
        # No trustworthy redirect URI (unknown client, unregistered redirect_uri): tell the user here.
        return _error_page(request, error.error, error.get_error_description())
    except ValueError:
        # Authlib refuses to quote some characters of a bad parameter in its error message.
        return _error_page(request, "invalid_request", "The authorization request has an invalid parameter.")

    prompts = request.GET.get("prompt", "").split()
    if user is None or "login" in prompts:
        # After the login, come back without prompt=login (it asked for one login, not a loop).
        params = request.GET.copy()
        if "login" in prompts:
            params["prompt"] = " ".join(p for p in prompts if p != "login")
        next_url = f"{request.path}?{params.urlencode()}"
        return HttpResponseRedirect(f"{reverse('sandbox:login')}?{urlencode({'next': next_url})}")
    if "none" in prompts:
        # prompt=none forbids any page, and the sandbox asks for consent every time.
        refusal = ConsentRequiredError(redirect_uri=grant.redirect_uri, state=request.GET.get("state"))
        return authorization_error_response(refusal)

    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        grant_user = user if form.cleaned_data["decision"] == "allow" else None
        return server.create_authorization_response(request, grant_user=grant_user, grant=grant)

    scopes = [
        {"name": scope, "description": selectors.SCOPE_DESCRIPTIONS.get(scope, scope)}
        for scope in (grant.request.scope or "").split()
    ]
    context = {
        "client": grant.client,
        "scopes": scopes,
        "sandbox_user": user,
        "form": form,
        "action": request.get_full_path(),
    }
    return render(request, "sandbox/consent.html", context, status=400 if request.method == "POST" else 200)


@require_GET
def freelancer(request, username: str):
    user = selectors.sandbox_user_by_username(username=username)
    if user is None:
        raise Http404("No sandbox freelancer with that username.")
    context = {
        "freelancer": user,
        "profile": selectors.sandbox_freelance_profile(user),
        "projects": selectors.sandbox_freelancer_projects(user=user),
    }
    return render(request, "sandbox/freelancer.html", context)


def _video_or_404(public_id: str):
    video = selectors.sandbox_video_get(public_id=public_id)
    if video is None:
        raise Http404("No sandbox video with that id.")
    return video


@require_GET
def video(request, public_id: str):
    video = _video_or_404(public_id)
    context = {
        "video": video,
        "data": selectors.sandbox_video_json(video),
        # What Reelfolio's partner API says to show under the video; None when it could not be asked.
        "anchors": sandbox_video_anchors(video_id=video.public_id),
    }
    return render(request, "sandbox/video.html", context)


@require_GET
@xframe_options_exempt
def video_embed(request, public_id: str):
    video = _video_or_404(public_id)
    return render(request, "sandbox/video_embed.html", {"video": video, "data": selectors.sandbox_video_json(video)})
