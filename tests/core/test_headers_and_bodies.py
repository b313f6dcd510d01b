"""Security headers on every page (a CSP with no inline script, a Permissions-Policy) and file uploads refused."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/admin/login/", "/api/docs/", "/api/v1/jobs/", "/healthz"])
def test_every_page_the_admin_and_the_api_docs_carry_a_csp_without_inline_script(client, path):
    """A script that finds its way into a page (an XSS) cannot run: only our own script files may."""
    response = client.get(path)
    assert response.status_code in (200, 302, 401, 403)
    directives = _directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_no_template_has_an_inline_script_or_event_handler():
    """The pages keep to the CSP: scripts are files in static/, JSON-LD data blocks excepted."""
    import re
    from pathlib import Path

    offenders = []
    templates = [*Path("templates").rglob("*.html"), *Path().glob("[ip][no]*/**/templates/**/*.html")]
    assert len(templates) > 50
    for template in templates:
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/ld+json"' not in tag:
                offenders.append(f"{template}: {tag}")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{template}: an on...= event handler attribute")
    assert offenders == []


def test_the_swagger_ui_start_up_script_is_a_file_the_csp_allows(client):
    docs = client.get("/api/docs/")
    html = docs.content.decode()
    assert "<script>" not in html
    assert client.get("/api/docs/?script=")["Content-Type"].startswith("application/javascript")


# --- Bodies ---------------------------------------------------------------------------------------


def test_a_file_upload_to_a_page_is_refused_with_415_and_changes_nothing(client):
    """No view takes files: an upload is refused before a view (or a temporary file) sees it."""
    response = client.post(
        "/accounts/signup/",
        {"email": "upload@example.com", "avatar": SimpleUploadedFile("a.png", b"\x89PNG" + b"0" * 1000)},
    )
    assert response.status_code == 415
    assert response.content.decode() == "Reelfolio takes no file uploads: send JSON or an ordinary form."
    assert not get_user_model().objects.filter(email="upload@example.com").exists()


def test_a_file_upload_to_the_api_is_refused_with_415_in_the_api_error_shape(client):
    response = client.post("/api/v1/jobs/", {"title": "x", "file": SimpleUploadedFile("cv.pdf", b"%PDF-1.7")})
    assert response.status_code == 415
    assert response.json() == {
        "error": {
            "code": "unsupported_media_type",
            "message": "Reelfolio takes no file uploads: send JSON or an ordinary form.",
        }
    }


def test_a_multipart_put_is_refused_and_a_multipart_form_without_files_is_read_as_usual(client):
    """Forms sent as multipart/form-data without a file still work (the login page answers as usual)."""
    put = client.put("/api/v1/jobs/1/", b"--x--\r\n", content_type="multipart/form-data; boundary=x")
    assert put.status_code == 415
    login = client.post("/accounts/login/", {"username": "nobody@example.com", "password": "wrong"})
    assert login.status_code == 200  # the form again, with its error: not 415


def test_a_malformed_multipart_body_is_a_400_in_the_api_error_shape(client):
    response = client.generic(
        "POST", "/api/v1/jobs/", b"garbage", content_type="multipart/form-data; boundary="
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
