"""Middleware every app's answers go through, whatever app answers: the Permissions-Policy header, the
refusal of file uploads, and the product's own 404 under DEBUG. `common.early_answers` knows what each does
(its table of what may sit below it)."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, get_resolver


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY on every response: no page of ours uses the camera, the microphone,
    geolocation, payments or USB, so no script that finds its way in may ask for them either."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response


class _RefuseFiles(FileUploadHandler):
    """An upload handler that takes no file: the first file part stops the parse, before any byte of it is
    kept in memory or written to a temporary file."""

    saw_file = False

    def new_file(self, *args, **kwargs):
        self.saw_file = True
        raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):  # pragma: no cover - never reached: new_file stops first
        return None

    def file_complete(self, file_size):  # pragma: no cover
        return None


class RefuseUploadsMiddleware:
    """Answers 415 to file uploads: no view of Reelfolio takes a file, so a multipart body with a file part
    (or any multipart body other than a POSTed form) is refused before a view sees it, and the file is never
    stored, not even in a temporary file. Form fields sent as multipart/form-data are read as usual. Paths
    under settings.MULTIPART_ALLOWED_PATHS are let through, for a view that comes to take files. API paths
    get the API's JSON error shape."""

    MESSAGE = "Reelfolio takes no file uploads: send JSON or an ordinary form."

    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed = tuple(settings.MULTIPART_ALLOWED_PATHS)

    def __call__(self, request):
        content_type = request.META.get("CONTENT_TYPE", "").lower()
        if not content_type.startswith("multipart/") or request.path.startswith(self.allowed):
            return self.get_response(request)
        if request.method != "POST" or request.content_type != "multipart/form-data":
            return self._refuse(request)
        refuse = _RefuseFiles(request)
        request.upload_handlers = [refuse]
        try:
            request.POST  # noqa: B018 - parses the form now, with the handler that refuses files
        except MultiPartParserError:
            return self._refuse(request, status=400, code="bad_request", message="The multipart body is malformed.")
        if refuse.saw_file:
            return self._refuse(request)
        return self.get_response(request)

    def _refuse(self, request, *, status=415, code="unsupported_media_type", message=MESSAGE):
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": code, "message": message}}, status=status)
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class NotFoundPagesMiddleware:
    """Under DEBUG, a 404 is still the product's own answer (the site's page, the API's JSON error shape under
    /api/), never Django's debug page that lists every URL pattern. Outside DEBUG, Django already calls
    handler404, and this does nothing. Last in MIDDLEWARE, so the early answers and APPEND_SLASH above it work
    as they do in production."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG:
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404 as exception:
                return self._not_found(request, exception)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request, exception):
        handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(404)  # the urls' handler404
        return handler(request, exception)  # type: ignore[call-arg]  # handler404 takes the exception too
