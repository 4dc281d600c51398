"""What the survey page carries for the browser: the campaign's public facts, its survey
PUBLIC key, the spec as browser_rules renders it, and the site's words. Built once per
campaign and kept in memory (a campaign's spec and key do not change)."""

from __future__ import annotations

import base64
import json
import threading
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from crypto import SurveyPublicKey
from questionnaire_specs import load_spec_body
from sync_server.site.browser_rules import browser_spec
from sync_server.site.campaigns import SITE_REGION, CampaignView, spec_body
from sync_server.site.site_wording import words_for


def page_document(
    session_factory: sessionmaker[Session], view: CampaignView, *, idle_seconds: int
) -> dict[str, Any]:
    spec = load_spec_body(spec_body(session_factory, view.spec))
    document = browser_spec(spec)
    languages = [language["code"] for language in document["languages"]]
    key = SurveyPublicKey.from_text(view.public_key)
    return {
        "campaign": view.slug,
        "station_id": view.station_id,
        "public_key": base64.b64encode(key.to_bytes()).decode("ascii"),
        # Bound in the sealed context (envelope v5): the key the processor opens it with.
        "key_id": key.key_id(),
        "country": view.country,
        "region": SITE_REGION,
        "populations": list(view.populations),
        "requires_codes": view.requires_codes,
        "envelopes": f"/s/{view.slug}/envelopes",
        # No key or click for this long: the page forgets the answers, as the kiosk does.
        "idle_seconds": idle_seconds,
        "spec": document,
        "words": words_for(languages),
    }


def json_for_script(document: Any) -> str:
    """JSON safe inside <script type="application/json">: no "<", ">" or "&" that could end
    the element (the browser reads the escapes back as the same characters)."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class PageCache:
    """Each campaign's page data as script JSON, built on first use."""

    def __init__(self, *, idle_seconds: int) -> None:
        self.idle_seconds = idle_seconds
        self._pages: dict[str, tuple[str, str, bool]] = {}
        self._lock = threading.Lock()

    def get(
        self, session_factory: sessionmaker[Session], view: CampaignView
    ) -> tuple[str, str, bool]:
        """(script JSON, default language, right to left)."""
        with self._lock:
            found = self._pages.get(view.slug)
        if found is None:
            document = page_document(session_factory, view, idle_seconds=self.idle_seconds)
            first = document["spec"]["languages"][0]
            found = (json_for_script(document), first["code"], bool(first.get("rtl")))
            with self._lock:
                self._pages[view.slug] = found
        return found
