import csv
import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError
from common.forms import form_add_application_error
from common.spreadsheets import csv_cell
from integrations.oauth.models import LinkedAccount
from portfolio.creators import charts, clicks, selectors, services
from portfolio.creators.forms import HandleForm, IdentityForm, TargetForm
from portfolio.creators.models import PortfolioAnchor

logger = logging.getLogger(__name__)

VIDEOS_PER_PAGE = 48


def creator_required(view):
    """Logged-in creators only; employers get a 403 that says why."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_creator:
            raise PermissionDenied("Only creator accounts have videos and portfolio links.")
        return view(request, *args, **kwargs)

    return wrapper


def _targets(user, profile):
    return selectors.anchor_targets_for_creator(user=user, handle=profile.handle)


def _target_key(anchor: PortfolioAnchor | None) -> str | None:
    if anchor is None or not anchor.is_active:
        return None
    if anchor.target_kind == PortfolioAnchor.TargetKind.LINKED_PROFILE:
        return f"profile:{anchor.linked_account_id}"
    if anchor.target_kind == PortfolioAnchor.TargetKind.PROJECT:
        return f"project:{anchor.linked_account_id}:{anchor.project_id}"
    return None  # the Reelfolio page, no longer offered


def _initial_target(targets: list[selectors.AnchorTarget], anchor: PortfolioAnchor | None = None) -> dict:
    """The link's current target when it is still offered, else the first linked freelance profile."""
    keys = [t.key for t in targets]
    current = _target_key(anchor)
    if current in keys:
        return {"target": current}
    profiles = [t.key for t in targets if t.kind == PortfolioAnchor.TargetKind.LINKED_PROFILE]
    first = profiles or keys
    return {"target": first[0]} if first else {}


def _video_or_404(request, video_id: int):
    video = selectors.video_for_creator(user=request.user, video_id=video_id)
    if video is None:
        raise Http404("No such video among yours.")
    return video


def _selected_video_ids(request) -> list[int] | None:
    try:
        return [int(value) for value in request.POST.getlist("video")]
    except ValueError:
        return None


# --- The creator's pages -------------------------------------------------------------------------------


@creator_required
@require_http_methods(["GET", "POST"])
def video_list(request):
    profile = services.creator_profile_ensure(user=request.user)
    targets = _targets(request.user, profile)
    form = TargetForm(
        request.POST or None, targets=targets, initial=_initial_target(targets), compact=True, prefix="bulk"
    )
    if request.method == "POST":
        if request.POST.get("scope") == "all":
            videos = list(selectors.videos_for_creator(user=request.user))
        else:
            video_ids = _selected_video_ids(request)
            videos = []
            if video_ids:
                found = selectors.videos_for_creator_by_ids(user=request.user, video_ids=video_ids)
                if found is None:
                    raise Http404("No such video among yours.")
                videos = found
        if not videos:
            form.add_error(None, "Tick at least one video, or choose “Attach to all my videos”.")
        elif form.is_valid():
            try:
                anchors = services.anchors_attach(creator=request.user, videos=videos, target=form.chosen_target())
            except ApplicationError as error:
                form_add_application_error(form, error)
            else:
                count = len(anchors)
                messages.success(request, f"“View My Portfolio” is on {count} video{'s' if count != 1 else ''}.")
                return redirect("creators:video_list")
    page = Paginator(selectors.videos_for_creator(user=request.user), VIDEOS_PER_PAGE).get_page(request.GET.get("page"))
    # An unlinked account keeps its row (and its videos, hidden) but no longer counts as "linked".
    has_video_accounts = bool(page.object_list) or (
        selectors.video_accounts_for_creator(user=request.user).exclude(status=LinkedAccount.Status.REVOKED).exists()
    )
    return render(
        request,
        "creators/video_list.html",
        {"page": page, "form": form, "profile": profile, "has_video_accounts": has_video_accounts},
        status=400 if form.errors else 200,
    )


@creator_required
@require_http_methods(["GET", "POST"])
def anchor_edit(request, video_id: int):
    video = _video_or_404(request, video_id)
    profile = services.creator_profile_ensure(user=request.user)
    anchor = getattr(video, "portfolio_anchor", None)
    targets = _targets(request.user, profile)
    form = TargetForm(request.POST or None, targets=targets, initial=_initial_target(targets, anchor))
    if request.method == "POST" and form.is_valid():
        try:
            services.anchors_attach(creator=request.user, videos=[video], target=form.chosen_target())
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            title = video.title or video.platform_video_id
            if anchor and anchor.is_active:
                message = f"“View My Portfolio” on “{title}” now leads to {form.chosen_target().label}."
            else:
                message = f"“View My Portfolio” is on “{title}”."
            messages.success(request, message)
            return redirect("creators:video_list")
    return render(
        request,
        "creators/anchor_form.html",
        {"video": video, "anchor": anchor, "form": form},
        status=400 if form.errors else 200,
    )


@creator_required
@require_http_methods(["GET", "POST"])
def anchor_detach(request, video_id: int):
    video = _video_or_404(request, video_id)
    anchor = getattr(video, "portfolio_anchor", None)
    if anchor is None or not anchor.is_active:
        raise Http404("This video has no link to detach.")
    if request.method == "POST":
        services.anchor_detach(creator=request.user, anchor=anchor)
        messages.success(request, f"“View My Portfolio” is off “{video.title or video.platform_video_id}”.")
        return redirect("creators:video_list")
    return render(request, "creators/anchor_confirm_detach.html", {"video": video, "anchor": anchor})


def _video_filter(request):
    raw = request.GET.get("video", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("No such video among yours.")
    return _video_or_404(request, int(raw))


@creator_required
@require_http_methods(["GET"])
def analytics(request):
    total, per_video = selectors.analytics_for_creator(user=request.user)
    per_video.sort(key=lambda series: (-series.totals["clicks"], series.title))
    context = {
        "total": total,
        "total_chart": charts.chart_geometry(days=total.days, clicks=total.clicks, uniques=total.uniques),
        "per_video": [
            (series, charts.chart_geometry(days=series.days, clicks=series.clicks, uniques=series.uniques))
            for series in per_video
        ],
    }
    return render(request, "creators/analytics.html", context)


@creator_required
@require_http_methods(["GET"])
def analytics_csv(request):
    video = _video_filter(request)
    total, per_video = selectors.analytics_for_creator(user=request.user, video=video)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reelfolio-clicks-{timezone.now():%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(["day", "video_id", "platform", "platform_video_id", "title", "link", "clicks", "unique_visitors"])
    for series in per_video:
        v = series.video
        assert v is not None  # a series per video names it
        for day, day_clicks, day_uniques in zip(series.days, series.clicks, series.uniques, strict=True):
            writer.writerow(
                [day.isoformat(), v.pk, v.platform, csv_cell(v.platform_video_id), csv_cell(v.title),
                 f"/l/{series.code}", day_clicks, day_uniques]
            )
    return response


@creator_required
@require_http_methods(["GET", "POST"])
def creator_settings(request):
    profile = services.creator_profile_ensure(user=request.user)
    form = HandleForm(request.POST or None, initial={"handle": profile.handle})
    if request.method == "POST" and form.is_valid():
        try:
            services.creator_profile_update(profile=profile, handle=form.cleaned_data["handle"])
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, f"Your public page is now /@{profile.handle}.")
            return redirect("creators:settings")
    return render(
        request, "creators/settings.html", {"form": form, "profile": profile}, status=400 if form.errors else 200
    )


@creator_required
@require_http_methods(["GET", "POST"])
def creator_identity(request):
    profile = services.creator_profile_ensure(user=request.user)
    initial = {"display_name": profile.display_name, "bio": profile.bio, "avatar_url": profile.avatar_url}
    form = IdentityForm(
        request.POST or None, initial=initial, defaults=selectors.identity_defaults_for_creator(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.creator_identity_update(profile=profile, **form.cleaned_data)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Your public page shows your new name, bio and avatar.")
            return redirect("creators:identity")
    return render(
        request, "creators/identity.html", {"form": form, "profile": profile}, status=400 if form.errors else 200
    )


def _moved(order: list[str], move: str) -> tuple[list[str], str]:
    """`order` with the project named by `move` ("up:<key>" or "down:<key>") one place up or down."""
    direction, _, key = move.partition(":")
    if direction not in ("up", "down") or key not in order:
        return order, ""
    index = order.index(key)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(order):
        order = list(order)
        order[index], order[other] = order[other], order[index]
    return order, key


def _focus_after_move(request, projects: list[selectors.ProjectEntry]) -> str:
    """The button to focus after a move: the same one, or the other one of that project when the project
    reached an end of the list (where the same one is disabled)."""
    direction, _, key = request.GET.get("moved", "").partition(":")
    keys = [p.key for p in projects]
    if direction not in ("up", "down") or key not in keys:
        return ""
    if direction == "up" and keys.index(key) == 0:
        direction = "down"
    elif direction == "down" and keys.index(key) == len(keys) - 1:
        direction = "up"
    return f"{direction}:{key}" if len(keys) > 1 else ""


@creator_required
@require_http_methods(["GET", "POST"])
def creator_projects(request):
    """Which projects the public page shows, and in which order: a checkbox and Up/Down buttons per project,
    all in one form that works without JavaScript."""
    profile = services.creator_profile_ensure(user=request.user)
    error = ""
    if request.method == "POST":
        order, moved = _moved(request.POST.getlist("order"), request.POST.get("move", ""))
        try:
            services.creator_projects_arrange(profile=profile, order=order, shown=set(request.POST.getlist("shown")))
        except ApplicationError as failure:
            error = failure.message
        else:
            if moved:  # back to the same button, so that a keyboard user can press it again
                direction = request.POST["move"].partition(":")[0]
                return redirect(f"{reverse('creators:projects')}?moved={direction}:{moved}")
            messages.success(request, "Your public page shows these projects in this order.")
            return redirect("creators:projects")
    projects = selectors.projects_for_creator(profile=profile)
    return render(
        request,
        "creators/projects.html",
        {"profile": profile, "projects": projects, "error": error, "focus": _focus_after_move(request, projects)},
        status=409 if error else 200,
    )


# --- Public pages --------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def link_redirect(request, code: str):
    """/l/<code>: a 302 to the target, counted in the cache (in the database only while the cache is away)."""
    link = selectors.link_resolve(code=code)
    if link is None:
        return _no_store(render(request, "creators/link_not_found.html", status=404))
    if link.gone:
        # Not kept by browsers or proxies: attached again, the link must work at once.
        return _no_store(render(request, "creators/link_gone.html", {"handle": link.handle}, status=410))
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    if request.method == "GET" and not clicks.is_bot(user_agent) and not clicks.is_prefetch(request):
        try:
            services.click_count(
                anchor_id=link.anchor_id, day=timezone.now().date(),
                address=clicks.client_address(request), user_agent=user_agent,
            )
        except Exception:  # a failure to count never costs the visitor the redirect
            logger.exception("click not counted")
    response = _no_store(HttpResponseRedirect(link.target_url))
    response["X-Robots-Tag"] = "noindex"
    return response


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _with_query(request, url: str) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


@require_http_methods(["GET", "HEAD"])
def link_redirect_slash(request, code: str):
    """/l/<code>/ is the short link with a slash too many: a 301 to /l/<code>."""
    return HttpResponsePermanentRedirect(_with_query(request, reverse("creators:link", kwargs={"code": code})))


@require_http_methods(["GET", "HEAD"])
def public_page_slash(request, handle: str):
    """/@<handle>/ is the public page with a slash too many: a 301 to /@<handle>."""
    url = reverse("creators:public_page", kwargs={"handle": handle.lower()})
    return HttpResponsePermanentRedirect(_with_query(request, url))


@require_http_methods(["GET", "HEAD"])
def public_page(request, handle: str):
    if handle != handle.lower():
        return redirect("creators:public_page", handle=handle.lower(), permanent=True)
    data = selectors.public_page_data(handle=handle)
    if data is None:
        moved_to = selectors.handle_moved_to(handle=handle)
        if moved_to is None:
            raise Http404("No creator has this handle.")
        # Temporary: the old handle is free for another creator to take.
        return redirect(_with_query(request, reverse("creators:public_page", kwargs={"handle": moved_to})))
    page_url = settings.SITE_URL + request.path
    response = render(request, "creators/public_page.html", {"creator": data, "page_url": page_url})
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=60)
    return response

