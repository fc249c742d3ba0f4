"""A seller at the sandbox's Seller Central, driven over real HTTP with requests."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import requests
from conftest import csrf_from


class Seller:
    def __init__(self, login="seller@example.com", password="sandbox", otp="123456"):
        self.login, self.password, self.otp = login, password, otp
        self.http = requests.Session()

    def _post(self, url, data):
        return self.http.post(url, data=data, allow_redirects=False, timeout=10)

    def open(self, url) -> requests.Response:
        return self.http.get(url, timeout=10)

    def sign_in_at(self, page: requests.Response) -> requests.Response:
        """Fill the sign-in (and 2FA) forms; returns the page signing in leads to."""
        assert "Sign in" in page.text, page.text[:500]
        response = self._post(page.url, {"csrf_token": csrf_from(page.text), "login": self.login,
                                         "password": self.password,
                                         **_next_field(page.text)})
        if response.status_code != 302:
            return response
        page = self.http.get(urljoin(page.url, response.headers["Location"]), timeout=10)
        if "Two-Step Verification" in page.text:
            response = self._post(page.url, {"csrf_token": csrf_from(page.text), "otp": self.otp,
                                             **_next_field(page.text)})
            assert response.status_code == 302, response.text[:500]
            page = self.http.get(urljoin(page.url, response.headers["Location"]), timeout=10)
        return page

    def authorize(self, consent_url: str, *, cancel: bool = False) -> str:
        """Walk the seed's screens; return the URL Amazon sends the browser back to."""
        page = self.open(consent_url)
        if "Sign in" in page.text and "I understand" not in page.text:
            page = self.sign_in_at(page)
        assert "I understand" in page.text, page.text[:800]
        if cancel:
            url = urljoin(page.url, re.search(r'formaction="([^"]+)"', page.text).group(1))
            response = self._post(url, {"csrf_token": csrf_from(page.text)})
            return response.headers["Location"]
        response = self._post(page.url, {"csrf_token": csrf_from(page.text), "understand": "yes"})
        page = self.http.get(urljoin(page.url, response.headers["Location"]), timeout=10)
        assert "You are almost done" in page.text
        response = self._post(page.url, {"csrf_token": csrf_from(page.text)})
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]


def _next_field(html: str) -> dict:
    match = re.search(r'name="next" value="([^"]*)"', html)
    return {"next": match.group(1)} if match else {}
