import csv
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from common import rate_limits, social_cards
from common.errors import ApplicationError
from common.forms import form_add_application_error
from common.spreadsheets import csv_cell
from integrations.oauth.models import LinkedAccount
from portfolio.creators import charts, clicks, qr, selectors, services, short_links
from portfolio.creators.click_details import country_name
from portfolio.creators.forms import (
    AnalyticsRangeForm,
    HandleForm,
    IdentityForm,
    PageLookForm,
    TargetForm,
    VideoFilterForm,
)
from portfolio.creators.models import LinkClickBreakdownDaily, PortfolioAnchor
from portfolio.creators.permissions import creator_required

logger = logging.getLogger(__name__)

VIDEOS_PER_PAGE = 48


def _targets(user, profile):
    return selectors.anchor_targets_for_creator(user=user, handle=profile.handle)


def _target_key(anchor: PortfolioAnchor | None) -> str | None:
    if anchor is None or not anchor.is_active:
        return None
    if anchor.target_kind == PortfolioAnchor.TargetKind.LINKED_PROFILE:
        return f"profile:{anchor.linked_account_id}"
    if anchor.target_kind == PortfolioAnchor.TargetKind.PROJECT:
        return f"project:{anchor.linked_account_id}:{anchor.project_id}"
    if anchor.target_kind == PortfolioAnchor.TargetKind.CUSTOM_URL:
        return selectors.CUSTOM_TARGET_KEY
    return None  # the Reelfolio page, no longer offered


def _initial_target(targets: list[selectors.AnchorTarget], anchor: PortfolioAnchor | None = None) -> dict:
    """The link's current target when it is still offered, else the first linked freelance profile."""
    keys = [t.key for t in targets]
    current = _target_key(anchor)
    if anchor is not None and current == selectors.CUSTOM_TARGET_KEY:
        return {"target": current, "custom_url": anchor.target_url}
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


def _list_url(request) -> str:
    """My videos with the creator's search, filter, sort and page kept."""
    return _with_query(request, reverse("creators:video_list"))


def _attach_message(count: int) -> str:
    return f"“View My Portfolio” is on {count} video{'s' if count != 1 else ''}."


def _attach_confirmed(request, form: TargetForm, videos: list, *, scope: str):
    """“Attach to all my videos” and “Attach to selected”: straight away when it replaces no link, else after
    a confirmation that says how many links set by hand it would replace (and offers to leave them as they
    are). When more would be replaced than the creator confirmed (links changed meanwhile), nothing is
    written and the confirmation comes again with the numbers of now (409)."""
    target = services.anchor_target_validate(creator=request.user, target=form.chosen_target())
    preview = selectors.attach_preview(videos=videos, target=target)
    choice = request.POST.get("replace", "")

    def confirmation(videos: list, preview: selectors.AttachPreview, status: int = 200):
        return render(
            request, "creators/attach_all_confirm.html",
            {"form": form, "target": target, "preview": preview, "total": len(videos), "back": _list_url(request),
             "scope": scope, "video_ids": [video.pk for video in videos] if scope == "selected" else []},
            status=status,
        )

    if preview.replaced and choice not in ("all", "keep"):
        return confirmation(videos, preview)
    try:
        confirmed = int(request.POST.get("confirmed_replaced", "0"))
    except ValueError:
        confirmed = 0
    try:
        anchors = services.anchors_attach(
            creator=request.user, videos=videos, target=target,
            keep_other_links=choice == "keep", replacements_confirmed=confirmed,
        )
    except services.ReplacementsChanged:
        # Links changed since the confirmation: ask again with the numbers of now.
        messages.warning(request, "Your links changed since you looked: here are the numbers of now.")
        if scope == "all":
            fresh = list(selectors.videos_for_creator(user=request.user))
        else:
            fresh = selectors.videos_for_creator_by_ids(user=request.user, video_ids=[v.pk for v in videos]) or []
        return confirmation(fresh, selectors.attach_preview(videos=fresh, target=target), status=409)
    if choice == "keep":
        kept = len(videos) - len(anchors)
        messages.success(
            request, f"{_attach_message(len(anchors))} The {kept} link{'s' if kept != 1 else ''} you set by hand "
            f"{'are' if kept != 1 else 'is'} unchanged.",
        )
    else:
        messages.success(request, _attach_message(len(anchors)))
    return redirect(_list_url(request))


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
            scope = "all" if request.POST.get("scope") == "all" else "selected"
            try:
                return _attach_confirmed(request, form, videos, scope=scope)
            except ApplicationError as error:
                form_add_application_error(form, error)
    filters = VideoFilterForm(request.GET)
    chosen = filters.values()
    listed = selectors.videos_for_creator_list(user=request.user, **chosen)
    page = Paginator(listed, VIDEOS_PER_PAGE).get_page(request.GET.get("page"))
    videos = selectors.with_pending_clicks(list(page.object_list))
    names = {platform: selectors.provider_name(platform) for platform in {v.platform for v in videos}}
    for video in videos:
        video.platform_name = names[video.platform]  # type: ignore[attr-defined]  # shown on the page
    filtered = bool(chosen["q"] or chosen["link"])
    # Nothing listed: no videos at all, or none that match. An unlinked account keeps its row (and its
    # videos, hidden) but no longer counts as "linked".
    has_videos = bool(videos) or (filtered and selectors.videos_for_creator(user=request.user).exists())
    has_video_accounts = has_videos or (
        selectors.video_accounts_for_creator(user=request.user).exclude(status=LinkedAccount.Status.REVOKED).exists()
    )
    return render(
        request,
        "creators/video_list.html",
        {
            "page": page, "videos": videos, "form": form, "filters": filters, "chosen": chosen, "filtered": filtered,
            "profile": profile, "has_videos": has_videos, "has_video_accounts": has_video_accounts,
            "site_url": settings.SITE_URL,
        },
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
    short_url = qr.short_link_url(anchor.code) if anchor is not None else ""
    return render(
        request,
        "creators/anchor_form.html",
        {"video": video, "anchor": anchor, "form": form, "short_url": short_url},
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


def _anchor_or_404(request, video_id: int) -> tuple:
    video = _video_or_404(request, video_id)
    anchor = getattr(video, "portfolio_anchor", None)
    if anchor is None or not anchor.is_active:
        raise Http404("This video has no link.")
    return video, anchor


QR_CACHE_SECONDS = 24 * 3600


def _qr_download(request, video_id: int, *, kind: str) -> HttpResponse:
    """The QR code of a video's short link, for its owner only: the code for each video is the creator's
    to hand out (a URL made of video ids anyone could walk through would list every creator's links)."""
    video, anchor = _anchor_or_404(request, video_id)
    if kind == "svg":
        response = HttpResponse(qr.qr_svg(anchor.code), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr.qr_png(anchor.code), content_type="image/png")
    name = slugify(video.title)[:40].strip("-") or "video"
    response["Content-Disposition"] = f'attachment; filename="reelfolio-qr-{name}-{anchor.code}.{kind}"'
    # The code never changes (the short link is the video's for good): the browser may keep it, no one else.
    patch_cache_control(response, private=True, max_age=QR_CACHE_SECONDS)
    return response


@creator_required
@require_http_methods(["GET", "HEAD"])
def anchor_qr_svg(request, video_id: int):
    return _qr_download(request, video_id, kind="svg")


@creator_required
@require_http_methods(["GET", "HEAD"])
def anchor_qr_png(request, video_id: int):
    return _qr_download(request, video_id, kind="png")


def _video_filter(request):
    raw = request.GET.get("video", "")
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("No such video among yours.")
    return _video_or_404(request, int(raw))


TOP_VIDEOS = 10
BREAKDOWN_ROWS = 10


def _analytics_range(request) -> tuple[AnalyticsRangeForm, list, str]:
    """The chosen days (the last 30 when the choice is not valid: the form then shows why), and a label."""
    today = timezone.now().date()
    form = AnalyticsRangeForm(request.GET, today=today)
    if form.is_valid():
        days = form.days()
        choice = form.cleaned_data["range"]
    else:
        days, choice = selectors.analytics_days(today=today), "30"
    label = f"{days[0]:%d %b %Y} to {days[-1]:%d %b %Y}" if choice == "custom" else f"last {len(days)} days"
    return form, days, label


def _range_query(form: AnalyticsRangeForm) -> str:
    """The range as a query string for the CSV links: the chosen one, or none when it was not valid."""
    if not form.is_valid():
        return ""
    if form.cleaned_data["range"] == "custom":
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        return urlencode({"range": "custom", "start": start.isoformat(), "end": end.isoformat()})
    return urlencode({"range": form.cleaned_data["range"]})


@creator_required
@require_http_methods(["GET"])
def analytics(request):
    form, days, range_label = _analytics_range(request)
    total, per_video = selectors.analytics_for_creator(user=request.user, days=days)
    per_video.sort(key=lambda series: (-series.totals["clicks"], series.title))
    breakdowns = selectors.analytics_breakdowns(user=request.user, days=days)
    chosen = form.cleaned_data.get("range", "30") if form.is_valid() else "30"
    context = {
        "form": form,
        "chosen": chosen,
        "presets": [("7", "7 days"), ("30", "30 days"), ("90", "90 days")],
        "range_label": range_label,
        "range_query": _range_query(form),
        "total": total,
        "total_chart": charts.chart_geometry(days=total.days, clicks=total.clicks, uniques=total.uniques),
        "top_videos": [series for series in per_video if series.totals["clicks"]][:TOP_VIDEOS],
        "breakdowns": [
            (key, title, heading, breakdowns[key][:BREAKDOWN_ROWS], len(breakdowns[key]) - BREAKDOWN_ROWS)
            for key, title, heading in (
                ("referrer", "Referring sites", "Site"),
                ("device", "Devices", "Device"),
                ("country", "Countries", "Country"),
            )
        ],
        "per_video": [
            (series, charts.chart_geometry(days=series.days, clicks=series.clicks, uniques=series.uniques))
            for series in per_video
        ],
    }
    return render(request, "creators/analytics.html", context, status=400 if form.errors else 200)


CSV_TABLES = ("videos", "breakdowns", "daily")


@creator_required
@require_http_methods(["GET"])
def analytics_csv(request):
    """The numbers of the analytics page as CSV, over its range: per video and day (by default), each
    video's breakdowns per day (table=breakdowns), or the creator's totals per day (table=daily)."""
    video = _video_filter(request)
    table = request.GET.get("table") or "videos"
    if table not in CSV_TABLES:
        return HttpResponse("Choose table=videos, breakdowns or daily.", status=400, content_type="text/plain")
    form = AnalyticsRangeForm(request.GET, today=timezone.now().date())
    if not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    days = form.days()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    suffix = "" if table == "videos" else f"-{table}"
    response["Content-Disposition"] = (
        f'attachment; filename="reelfolio-clicks{suffix}-{days[0]:%Y-%m-%d}-to-{days[-1]:%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    video_columns = ["video_id", "platform", "platform_video_id", "title", "link"]

    def video_cells(v, code: str) -> list:
        return [v.pk, v.platform, csv_cell(v.platform_video_id), csv_cell(v.title), f"/l/{code}"]

    if table == "breakdowns":
        # country_name: the name of a country row's code (its value), empty on the other rows.
        writer.writerow(["day", *video_columns, "dimension", "value", "clicks", "country_name"])
        for row in selectors.breakdown_rows_for_creator(user=request.user, days=days, video=video):
            name = country_name(row.value) if row.dimension == LinkClickBreakdownDaily.Dimension.COUNTRY else ""
            writer.writerow(
                [row.day.isoformat(), *video_cells(row.anchor.video, row.anchor.code), row.dimension,
                 csv_cell(row.value), row.clicks, csv_cell(name)]
            )
        return response
    total, per_video = selectors.analytics_for_creator(user=request.user, video=video, days=days)
    if table == "daily":
        # unique_visitors: of all the creator's links (or the one video's), each visitor once a day.
        writer.writerow(["day", "clicks", "unique_visitors"])
        for day, day_clicks, day_uniques in zip(total.days, total.clicks, total.uniques, strict=True):
            writer.writerow([day.isoformat(), day_clicks, day_uniques])
        return response
    writer.writerow(["day", *video_columns, "clicks", "unique_visitors"])
    for series in per_video:
        v = series.video
        assert v is not None  # a series per video names it
        for day, day_clicks, day_uniques in zip(series.days, series.clicks, series.uniques, strict=True):
            writer.writerow([day.isoformat(), *video_cells(v, series.code), day_clicks, day_uniques])
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


@creator_required
@require_http_methods(["GET", "POST"])
def creator_page_look(request):
    profile = services.creator_profile_ensure(user=request.user)
    initial = {"theme": profile.theme, "cta_label": profile.cta_label, "cta_url": profile.cta_url}
    form = PageLookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.creator_page_look_update(profile=profile, **form.cleaned_data)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, "Your public page shows its new theme and button.")
            return redirect("creators:page_look")
    return render(
        request, "creators/page_look.html", {"form": form, "profile": profile}, status=400 if form.errors else 200
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
    """/l/<code>: a 302 to the target, counted in the cache (in the database only while the cache is away).
    A warm link on Redis is answered before this view, the same way (short_links.py)."""
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
                anchor_id=link.anchor_id, creator_id=link.creator_id, day=timezone.now().date(),
                address=rate_limits.client_address(request), user_agent=user_agent,
                referer=request.META.get("HTTP_REFERER", ""),
            )
        except Exception:  # a failure to count never costs the visitor the redirect
            logger.exception("click not counted")
    return short_links.link_response(link.target_url)


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
def public_page_card(request, handle: str):
    """The public page's 1200×630 link-preview card (PNG), drawn from the cached page's data."""
    data = selectors.public_page_data(handle=handle.lower())
    if data is None:
        raise Http404("No creator has this handle.")
    handle = data["handle"]
    return social_cards.card_response(
        selectors.public_page_social_card(data), draw_later=lambda: services.creator_card_draw_later(handle=handle)
    )


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
    card = selectors.public_page_social_card(data)
    first_projects, first_videos = selectors.PUBLIC_PAGE_PROJECTS_FIRST, selectors.PUBLIC_PAGE_VIDEOS_FIRST
    context = {
        "creator": data,
        "page_url": page_url,
        "call_to_action": selectors.public_page_call_to_action(data),
        "card_url": social_cards.card_url(
            settings.SITE_URL + reverse("creators:public_page_card", kwargs={"handle": handle}), card
        ),
        "card_alt": f"{data['name']} on Reelfolio",
        "projects_first": data["projects"][:first_projects],
        "projects_more": data["projects"][first_projects:],
        "videos_first": data["videos"][:first_videos],
        "videos_more": data["videos"][first_videos:],
    }
    response = render(request, "creators/public_page.html", context)
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=60)
    return response

