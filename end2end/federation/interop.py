#!/usr/bin/env python3
"""Interoperability test of twincity's ActivityPub federation against bovine.

bovine (https://codeberg.org/bovine/bovine, PyPI `bovine`) is an ActivityPub
implementation nobody on this project wrote. This script plays a small remote
server built from bovine's own parts and talks to a real twincity portal:

* bovine builds our actor document, our Follow and Undo, signs every request we
  send (HTTP Signatures draft-cavage, rsa-sha256) and makes our RSA key pair;
* bovine looks the portal up with WebFinger, parses its actor, outbox items and
  the activities it delivers (JSON-LD compaction to bovine's context);
* bovine's signature checker verifies every request the portal sends us (the
  Accept, the Create, the signed GET of our actor) against the portal's key.

So what is checked is not our own reading of the specs but the reading of an
independent implementation: if bovine rejects the portal, so will a bovine-based
server in the Fediverse.

Usage (from anywhere; the portal runs with the repository root as its working dir):

    python3.11 -m venv /tmp/bovine-venv
    /tmp/bovine-venv/bin/pip install -r end2end/federation/requirements.txt
    /tmp/bovine-venv/bin/python end2end/federation/interop.py \\
        --bin target/release/twincity [--site-root target/site]

Exit status 0 when every check passed, 1 otherwise. The last line reads
"interop: N passed, N failed".
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import importlib.metadata
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable
from urllib.parse import urlparse

import aiohttp
from aiohttp import web

# bovine opens its JSON-LD context cache, ./bovine_jsonld_cache.sqlite, the
# moment bovine.jsonld is imported. Import it from a scratch directory so the
# cache never lands in the repository (or wherever the script is started from).
_BOVINE_SCRATCH = Path(tempfile.mkdtemp(prefix="twincity-interop-bovine-"))
_cwd = os.getcwd()
os.chdir(_BOVINE_SCRATCH)
try:
    import bovine.jsonld
    from bovine.activitystreams import Actor as ActorDocument
    from bovine.activitystreams import OrderedCollection, factories_for_actor_object
    from bovine.clients import lookup_uri_with_webfinger
    from bovine.clients.signed_http import (
        SignedHttpClient,
        legacy_digest_method_uppercase,
    )
    from bovine.clients.utils import host_target_from_url
    from bovine.crypto import (
        build_validate_http_signature_raw,
        generate_rsa_public_private_key,
    )
    from bovine.crypto.digest import validate_digest
    from bovine.crypto.helper import content_digest_sha256
    from bovine.crypto.http_signature import build_signature
    from bovine.crypto.signature import Signature
    from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret
    from bovine.parse import Activity, Actor
    from bovine.types import Visibility
    from bovine.utils import GMT_STRING, get_gmt_now, webfinger_response_json
    from pyld import jsonld
finally:
    os.chdir(_cwd)

BOVINE_VERSION = importlib.metadata.version("bovine")

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ACTIVITY_JSON = "application/activity+json"
REPO_ROOT = Path(__file__).resolve().parents[2]

ACCEPT_TIMEOUT = 20.0
CREATE_TIMEOUT = 30.0
READY_TIMEOUT = 60.0

log = logging.getLogger("interop")


# --------------------------------------------------------------------------
# JSON-LD without the internet
# --------------------------------------------------------------------------

# The terms of https://w3id.org/security/v1 that an actor's `publicKey` uses,
# with the IRIs that context gives them. bovine ships the ActivityStreams
# context but fetches the security one from w3id.org, which this machine cannot
# reach (and must not try to). Only these terms matter for parsing actors.
SECURITY_V1_TERMS = {
    "id": "@id",
    "type": "@type",
    "sec": "https://w3id.org/security#",
    "publicKey": {"@id": "sec:publicKey", "@type": "@id"},
    "publicKeyPem": "sec:publicKeyPem",
    "owner": {"@id": "sec:owner", "@type": "@id"},
}
OFFLINE_CONTEXTS = {
    SECURITY_CONTEXT: SECURITY_V1_TERMS,
    # Referenced by bovine's own internal context; not needed for what we parse.
    "https://www.w3.org/ns/did/v1": {},
    "https://w3id.org/security/multikey/v1": {},
    "https://www.w3.org/ns/cid/v1": {},
}
unknown_contexts: set[str] = set()


def _is_loopback_url(url: str) -> bool:
    host = urlparse(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def offline_document_loader(url: str, options: dict | None = None, **kwargs):
    """pyld document loader that never leaves the machine.

    Contexts bovine ships (ActivityStreams, its own about:bovine) go through
    bovine's loader unchanged; the security context comes from SECURITY_V1_TERMS;
    a context on a loopback address (the portal's own) is fetched by bovine's
    loader; anything else is treated as empty, which is what bovine itself does
    when a context cannot be fetched, and is listed in the report.
    """
    bovine_builtin = url in ("about:bovine", AS_CONTEXT) or url.startswith(
        "http://joinmastodon.org/ns"
    )
    if bovine_builtin or _is_loopback_url(url):
        return bovine.jsonld.wrapper_with_context(url, options or {}, **kwargs)
    context = OFFLINE_CONTEXTS.get(url)
    if context is None:
        unknown_contexts.add(url)
        context = {}
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": context},
    }


jsonld.set_document_loader(offline_document_loader)


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


class StepFailed(Exception):
    """A check inside a step did not hold; the message says what was expected."""


def check(condition: Any, message: str) -> None:
    if not condition:
        raise StepFailed(message)


@dataclass
class Report:
    results: list[tuple[str, bool, list[str]]] = field(default_factory=list)

    def add(self, name: str, ok: bool, lines: list[str]) -> None:
        self.results.append((name, ok, lines))
        mark = "ok  " if ok else "FAIL"
        print(f"[{mark}] {name}", flush=True)
        for line in lines:
            print(f"         {line}", flush=True)

    @property
    def failed(self) -> int:
        return sum(1 for _, ok, _ in self.results if not ok)

    @property
    def passed(self) -> int:
        return sum(1 for _, ok, _ in self.results if ok)


class BovineLogCapture(logging.Handler):
    """Keeps bovine's log messages: its verifier answers only "None" on failure
    and says why (bad digest, old date, missing field) in its log."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = f"{record.name}: {record.getMessage()}"
        self.messages.append(message if len(message) <= 300 else message[:300] + "…")

    def mark(self) -> int:
        return len(self.messages)

    def since(self, mark: int) -> list[str]:
        return self.messages[mark:]


bovine_log = BovineLogCapture()


# --------------------------------------------------------------------------
# The portal under test
# --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Portal:
    """Runs the twincity binary on a fresh database in a temporary directory."""

    def __init__(self, binary: Path, site_root: str | None, workdir: Path):
        self.binary = binary
        self.workdir = workdir
        self.db = workdir / "db.sqlite"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        if site_root:
            self.env["LEPTOS_SITE_ROOT"] = site_root
        self.stdout_path = workdir / "portal.stdout.log"
        self.stderr_path = workdir / "portal.stderr.log"
        self.process: subprocess.Popen | None = None

    @property
    def actor_url(self) -> str:
        return f"{self.base}/federation/actor"

    @property
    def handle(self) -> str:
        return f"acct:news@127.0.0.1:{self.port}"

    async def start(self, session: aiohttp.ClientSession) -> float:
        """Starts `serve` and waits until GET / answers; returns seconds taken."""
        args = [
            str(self.binary),
            "--db", str(self.db),
            "--addr", f"127.0.0.1:{self.port}",
            "--public-url", self.base,
            "--federation-allow-loopback",
            "serve",
        ]  # fmt: skip
        started = time.monotonic()
        self.process = subprocess.Popen(
            args,
            cwd=REPO_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self.stdout_path.open("wb"),
            stderr=self.stderr_path.open("wb"),
        )
        while time.monotonic() - started < READY_TIMEOUT:
            if self.process.poll() is not None:
                raise StepFailed(f"portal exited with code {self.process.returncode} before answering")
            try:
                async with session.get(self.base + "/", timeout=aiohttp.ClientTimeout(total=5)) as resp:
                    await resp.read()
                    return time.monotonic() - started
            except (aiohttp.ClientError, asyncio.TimeoutError):
                await asyncio.sleep(0.5)
        raise StepFailed(f"GET / did not answer within {READY_TIMEOUT:.0f} s")

    async def generate(self, count: int = 1) -> str:
        """Runs `twincity --db SAME generate N` beside the running server."""
        proc = await asyncio.create_subprocess_exec(
            str(self.binary), "--db", str(self.db), "generate", str(count),
            cwd=REPO_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), 120)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            raise StepFailed("`generate 1` did not finish within 120 s")
        text = out.decode("utf-8", "replace").strip()
        check(proc.returncode == 0, f"`generate {count}` exited with {proc.returncode}: {text[-500:]}")
        return text

    def stop(self) -> None:
        """Terminates the server it started (and only that process)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def stderr_tail(self, lines: int = 40) -> str:
        try:
            text = self.stderr_path.read_text("utf-8", "replace")
        except OSError:
            return "(no stderr captured)"
        return "\n".join(text.splitlines()[-lines:]) or "(stderr is empty)"


# --------------------------------------------------------------------------
# Our side: a tiny remote server made of bovine parts
# --------------------------------------------------------------------------


@dataclass
class Received:
    """One request the portal sent us, with what bovine said about it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    verified_by: str | None  # the key's owner bovine returned, None if it did not verify
    signature: Signature | None  # bovine's parse of the Signature header
    digest_ok: bool | None  # bovine.crypto.digest.validate_digest, POSTs only
    bovine_said: list[str]
    activity: dict | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def type(self) -> str | None:
        return self.activity.get("type") if isinstance(self.activity, dict) else None

    def describe(self) -> str:
        sig = self.signature
        parts = [
            f"keyId={sig.key_id!r}" if sig else "no parsable Signature header",
            f"algorithm={sig.algorithm}" if sig else "",
            f"headers={sig.headers!r}" if sig else "",
        ]
        return ", ".join(p for p in parts if p)


class OwnActor:
    """Our actor on 127.0.0.1:<free port>: actor document, inbox, shared inbox,
    and our own activities by id (so the portal may dereference them)."""

    def __init__(self, portal_identifier: CryptographicIdentifier, portal_key_id: str):
        # bovine.crypto.generate_rsa_public_private_key: PEM (SPKI) public, PEM (PKCS#8) private.
        self.public_pem, self.private_pem = generate_rsa_public_private_key()
        self.portal_identifier = portal_identifier
        self.portal_key_id = portal_key_id
        self.received: list[Received] = []
        self.activities: dict[str, dict] = {}
        self._arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base = ""
        # bovine's verifier, built around our key lookup.
        self.verify = build_validate_http_signature_raw(self._key_for)

    # -- identity ---------------------------------------------------------
    @property
    def actor_id(self) -> str:
        return f"{self.base}/actor"

    @property
    def key_id(self) -> str:
        return f"{self.actor_id}#main-key"

    @property
    def inbox(self) -> str:
        return f"{self.base}/inbox"

    @property
    def shared_inbox(self) -> str:
        return f"{self.base}/shared-inbox"

    def actor_document(self) -> dict:
        """Built by bovine.activitystreams.Actor (Person, publicKey, inbox,
        outbox), plus a sharedInbox so the portal's shared-inbox path is used."""
        return ActorDocument(
            id=self.actor_id,
            type="Person",
            preferred_username="bovine-interop",
            name="bovine interop test",
            inbox=self.inbox,
            outbox=f"{self.base}/outbox",
            public_key=self.public_pem,
            public_key_name="main-key",
            properties={"endpoints": {"sharedInbox": self.shared_inbox}},
        ).build(visibility=Visibility.PUBLIC)

    def factories(self):
        return factories_for_actor_object(
            self.actor_document(), id_generator=self.new_id
        )

    def new_id(self) -> str:
        return f"{self.base}/activities/{uuid.uuid4()}"

    def secret(self) -> CryptographicSecret:
        return CryptographicSecret.from_pem(self.key_id, self.private_pem)

    def remember(self, activity: dict) -> dict:
        if activity.get("id"):
            self.activities[activity["id"]] = activity
        return activity

    # -- server -----------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_get("/actor", self._get_actor)
        app.router.add_get("/outbox", self._get_outbox)
        app.router.add_get("/activities/{id}", self._get_activity)
        app.router.add_get("/.well-known/webfinger", self._webfinger)
        app.router.add_post("/inbox", self._post_inbox)
        app.router.add_post("/shared-inbox", self._post_inbox)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base = f"http://{host}:{port}"

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    async def _key_for(self, key_id: str) -> CryptographicIdentifier | None:
        """Key lookup for bovine's verifier: only the portal's published key
        (publicKey.id of its actor) is accepted."""
        if key_id == self.portal_key_id:
            return self.portal_identifier
        return None

    async def _check(self, request: web.Request, body: bytes) -> Received:
        headers = {k.lower(): v for k, v in request.headers.items()}
        mark = bovine_log.mark()

        async def get_body() -> bytes:
            return body

        try:
            signature = Signature.from_signature_header(headers["signature"]) if "signature" in headers else None
        except Exception as error:  # bovine could not parse it: that is the finding
            signature = None
            bovine_log.messages.append(f"Signature.from_signature_header: {error!r}")
        verified_by = await self.verify(request.method, str(request.url), request.headers, get_body)
        if signature and signature.key_id != self.portal_key_id:
            bovine_log.messages.append(f"interop: keyId {signature.key_id!r} is not the portal's key; refused")
        digest_ok = validate_digest(headers, body) if request.method == "POST" else None
        return Received(
            method=request.method,
            path=request.path,
            headers=headers,
            body=body,
            verified_by=verified_by,
            signature=signature,
            digest_ok=digest_ok,
            bovine_said=bovine_log.since(mark),
        )

    def _record(self, item: Received) -> None:
        self.received.append(item)
        self._arrived.set()

    async def _get_actor(self, request: web.Request) -> web.Response:
        # The portal must fetch us with a signed GET; serve the document either
        # way (so the flow goes on) and let the steps judge the record.
        self._record(await self._check(request, b""))
        return web.json_response(self.actor_document(), content_type=ACTIVITY_JSON)

    async def _get_outbox(self, request: web.Request) -> web.Response:
        outbox = OrderedCollection(id=f"{self.base}/outbox", count=0).build()
        return web.json_response(outbox, content_type=ACTIVITY_JSON)

    async def _get_activity(self, request: web.Request) -> web.Response:
        activity = self.activities.get(f"{self.base}{request.path}")
        if activity is None:
            return web.Response(status=404)
        return web.json_response(activity, content_type=ACTIVITY_JSON)

    async def _webfinger(self, request: web.Request) -> web.Response:
        resource = request.query.get("resource", "")
        return web.json_response(
            webfinger_response_json(resource, self.actor_id),
            content_type="application/jrd+json",
        )

    async def _post_inbox(self, request: web.Request) -> web.Response:
        body = await request.read()
        item = await self._check(request, body)
        try:
            item.activity = json.loads(body)
        except ValueError:
            item.activity = None
        self._record(item)
        if item.activity is None:
            return web.Response(status=400, text="body is not JSON")
        if item.verified_by is None:
            return web.Response(status=401, text="bovine did not verify the signature")
        return web.Response(status=202)

    async def wait_for(self, predicate: Callable[[Received], bool], timeout: float) -> Received | None:
        """Waits until a received request matches `predicate` (or timeout)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for item in self.received:
                if predicate(item):
                    return item
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except asyncio.TimeoutError:
                pass


# --------------------------------------------------------------------------
# Helpers for requests we send
# --------------------------------------------------------------------------


def bovine_signed_post_headers(
    secret: CryptographicSecret,
    url: str,
    body: bytes,
    date: str | None = None,
    digest_prefix: str = "sha-256",
) -> dict[str, str]:
    """The headers bovine.clients.signed_http_methods.signed_post would send,
    built from the same bovine pieces (build_signature, content_digest_sha256,
    HttpSignature.sign_for_http_draft) but with a Date we choose and without
    sending, so a test can alter the body, age the Date, or send it twice."""
    host, target = host_target_from_url(url)
    helper = (
        build_signature(host, "post", target)
        .with_field("date", date or get_gmt_now())
        .with_field("digest", content_digest_sha256(body, prefix=digest_prefix))
        .with_field("content-type", ACTIVITY_JSON)
    )
    return {**helper.headers, "signature": helper.sign_for_http_draft(secret)}


async def read_json(resp: aiohttp.ClientResponse) -> Any:
    text = await resp.text()
    try:
        return json.loads(text)
    except ValueError:
        raise StepFailed(f"{resp.method} {resp.url} answered {resp.status} with non-JSON: {text[:200]!r}")


def media_type(resp: aiohttp.ClientResponse) -> str:
    return resp.headers.get("content-type", "").split(";")[0].strip().lower()


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def link_href(value: Any) -> str | None:
    """`url` may be a string, a Link object or a list of them."""
    for item in as_list(value):
        if isinstance(item, str):
            return item
        if isinstance(item, dict) and item.get("href"):
            return item["href"]
    return None


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def short(data: Any, limit: int = 300) -> str:
    text = json.dumps(data, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


# --------------------------------------------------------------------------
# The steps
# --------------------------------------------------------------------------


@dataclass
class State:
    """What the steps learn and hand on to each other."""

    session: aiohttp.ClientSession
    portal: Portal
    portal_actor: dict | None = None
    portal_parsed: Actor | None = None
    portal_identifier: CryptographicIdentifier | None = None
    portal_key_id: str | None = None
    own: OwnActor | None = None
    client: SignedHttpClient | None = None
    follow: dict | None = None
    follow_sent_at: float = 0.0
    outbox_ids_before: set[str] = field(default_factory=set)
    created_object: dict | None = None


async def step_start_portal(st: State, out: list[str]) -> None:
    """1. Start the portal on a fresh database; it seeds it on first start."""
    seconds = await st.portal.start(st.session)
    out.append(f"`serve` answered GET / after {seconds:.1f} s on {st.portal.base} (db {st.portal.db})")


async def step_discover_portal(st: State, out: list[str]) -> None:
    """2. Find the portal's actor the way a bovine server would: WebFinger via
    bovine's client, then the actor document parsed by bovine.parse.Actor, and
    its key read by bovine's cryptographic_identifiers / publicKeyPem."""
    portal = st.portal
    wf_url = f"{portal.base}/.well-known/webfinger"
    async with st.session.get(wf_url, params={"resource": portal.handle}) as resp:
        check(resp.status == 200, f"WebFinger answered {resp.status}")
        check(media_type(resp) == "application/jrd+json",
              f"WebFinger Content-Type is {resp.headers.get('content-type')!r}, expected application/jrd+json")
        jrd = await read_json(resp)
    check(jrd.get("subject") in (portal.handle, None), f"JRD subject is {jrd.get('subject')!r}")
    selfs = [link for link in jrd.get("links", []) if link.get("rel") == "self"]
    check(any(link.get("type") == ACTIVITY_JSON for link in selfs),
          f"no self link of type {ACTIVITY_JSON}: {short(jrd)}")

    href, _ = await lookup_uri_with_webfinger(st.session, portal.handle, domain=portal.base)
    out.append(f"bovine's lookup_uri_with_webfinger({portal.handle}) -> {href}")
    check(href == portal.actor_url, f"WebFinger points to {href!r}, expected {portal.actor_url!r}")

    async with st.session.get(href, headers={"Accept": ACTIVITY_JSON}) as resp:
        check(resp.status == 200, f"GET actor answered {resp.status}")
        check(media_type(resp) in (ACTIVITY_JSON, "application/ld+json"),
              f"actor Content-Type is {resp.headers.get('content-type')!r}")
        data = await read_json(resp)

    contexts = as_list(data.get("@context"))
    check(AS_CONTEXT in contexts and SECURITY_CONTEXT in contexts,
          f"@context lacks ActivityStreams or security/v1: {contexts}")
    check(data.get("type") == "Service", f"actor type is {data.get('type')!r}, expected Service")
    check(data.get("id") == href, f"actor id {data.get('id')!r} is not {href!r}")
    check(data.get("preferredUsername") == "news", f"preferredUsername is {data.get('preferredUsername')!r}")
    for key in ("inbox", "outbox", "followers"):
        check(isinstance(data.get(key), str), f"actor has no string {key!r}")
    check(isinstance((data.get("endpoints") or {}).get("sharedInbox"), str), "actor has no endpoints.sharedInbox")
    key = data.get("publicKey") or {}
    expected_key_id = f"{href}#main-key"
    check(key.get("id") == expected_key_id, f"publicKey.id is {key.get('id')!r}, expected {expected_key_id!r}")
    check(key.get("owner") == href, f"publicKey.owner is {key.get('owner')!r}")

    # bovine's parser: compacts to bovine's context, insists on inbox/outbox.
    try:
        parsed = Actor(data)
    except Exception as error:
        raise StepFailed(f"bovine.parse.Actor rejected the actor: {error!r}")
    out.append(f"bovine.parse.Actor parsed it: id={parsed.id}, acct={parsed.unvalidated_acct_uri}")
    check(parsed.unvalidated_acct_uri == portal.handle,
          f"bovine derives {parsed.unvalidated_acct_uri!r} from preferredUsername, expected {portal.handle!r}")
    try:
        pem = parsed.publicKeyPem(expected_key_id)  # checks key id and owner
    except Exception as error:
        raise StepFailed(f"bovine's Actor.publicKeyPem refused the key: {error}")
    check(pem and "BEGIN PUBLIC KEY" in pem, "publicKeyPem is not a PEM public key")
    identifiers = [x for x in parsed.cryptographic_identifiers if x.id == expected_key_id]
    check(identifiers, "bovine found no cryptographic identifier with the key id")
    check(identifiers[0].controller == href, f"bovine says the key's controller is {identifiers[0].controller!r}")
    out.append(f"bovine loaded the key {expected_key_id} "
                 f"({type(identifiers[0].public_key).__name__}, {getattr(identifiers[0].public_key, 'key_size', '?')} bit), "
                 f"controller {identifiers[0].controller}")

    st.portal_actor = data
    st.portal_parsed = parsed
    st.portal_identifier = identifiers[0]
    st.portal_key_id = expected_key_id


async def snapshot_outbox_ids(st: State) -> set[str]:
    async with st.session.get(st.portal_actor["outbox"], headers={"Accept": ACTIVITY_JSON}) as resp:
        if resp.status != 200:
            return set()
        outbox = await read_json(resp)
    ids = set()
    for item in as_list(outbox.get("orderedItems")):
        obj = item.get("object") if isinstance(item, dict) else None
        ids.add(obj.get("id") if isinstance(obj, dict) else obj)
    return ids


async def step_follow(st: State, out: list[str]) -> None:
    """3. Run our bovine actor and send a Follow signed by bovine's
    SignedHttpClient with its defaults (Digest "sha-256=", signed headers
    "(request-target) host date digest content-type"): exactly what a bovine
    server sends. The portal must answer 202."""
    st.own = OwnActor(st.portal_identifier, st.portal_key_id)
    await st.own.start()
    st.client = SignedHttpClient(st.session, st.own.key_id, st.own.private_pem)
    st.outbox_ids_before = await snapshot_outbox_ids(st)

    activity_factory, _ = st.own.factories()
    st.follow = st.own.remember(activity_factory.follow(st.portal.actor_url).build())
    st.follow_sent_at = time.monotonic()
    resp = await st.client.post(st.portal_actor["inbox"], json.dumps(st.follow))
    text = await resp.text()
    sent = resp.request_info.headers
    resp.release()
    sig = Signature.from_signature_header(sent["signature"])
    out += [
        f"our actor: {st.own.actor_id} (bovine.activitystreams.Actor, RSA key from generate_rsa_public_private_key)",
        f"bovine signed the Follow: keyId={sig.key_id}, algorithm={sig.algorithm}, headers=\"{sig.headers}\", "
        f"Digest: {sent['digest'][:16]}…",
        f"POST {st.portal_actor['inbox']} -> {resp.status} {text[:200]!r}",
    ]
    check(resp.status == 202, f"the portal answered {resp.status} to bovine's signed Follow, expected 202: {text[:300]!r}")


async def step_accept(st: State, out: list[str]) -> None:
    """4. The portal fetches our actor (signed GET) and POSTs a signed Accept.
    bovine's verifier checks the signature against the portal's key, bovine's
    validate_digest the body, and bovine.parse.Activity.accept_for_follow that
    it accepts our Follow."""
    own = st.own
    accept = await own.wait_for(lambda r: r.method == "POST" and r.type == "Accept", ACCEPT_TIMEOUT)

    fetches = [r for r in own.received if r.method == "GET" and r.path == "/actor"]
    for fetch in fetches:
        out.append(f"portal GET our actor: signed={fetch.signature is not None} ({fetch.describe()}); "
                     f"bovine verified it: {fetch.verified_by is not None}; Accept: {fetch.headers.get('accept')!r}")
        out += [f"  bovine said: {m}" for m in fetch.bovine_said]
    check(accept is not None, f"no Accept arrived within {ACCEPT_TIMEOUT:.0f} s "
          f"(received: {[(r.method, r.path, r.type) for r in own.received]})")
    out.append(f"Accept arrived at {accept.path} after {accept.at - st.follow_sent_at:.1f} s: {accept.describe()}")
    out.append(f"bovine verified the Accept's signature: {accept.verified_by is not None}"
                 + (f" (owner {accept.verified_by})" if accept.verified_by else ""))
    out.append(f"bovine validate_digest on the Accept body: {accept.digest_ok}")
    out += [f"  bovine said: {m}" for m in accept.bovine_said]
    check(fetches, "the portal never fetched our actor document")
    check(any(f.verified_by == st.portal.actor_url for f in fetches),
          "the portal's GET of our actor was not a signature bovine verifies with the portal's key")
    check(accept.signature and accept.signature.key_id == st.portal_key_id,
          f"Accept keyId is {accept.signature.key_id if accept.signature else None!r}, expected {st.portal_key_id!r}")
    check(accept.digest_ok, "the Accept's Digest does not match its body")
    check(accept.verified_by == st.portal.actor_url, "bovine did not verify the Accept's signature")

    async def retrieve(object_id: str) -> dict | None:
        return own.activities.get(object_id)

    try:
        parsed = Activity(accept.activity, domain=urlparse(st.portal.base).netloc)
        check(parsed.actor_id == st.portal.actor_url, f"Accept actor is {parsed.actor_id!r}")
        follow = await parsed.accept_for_follow(retrieve)
    except StepFailed:
        raise
    except Exception as error:
        raise StepFailed(f"bovine.parse.Activity rejected the Accept: {error!r}: {short(accept.activity)}")
    check(follow is not None, f"bovine's accept_for_follow found no Follow of the portal in it: {short(accept.activity)}")
    check(follow.data.get("id") == st.follow["id"], f"the Accept is for {follow.data.get('id')!r}, not our Follow")
    out.append(f"bovine accept_for_follow -> our Follow {follow.data.get('id')}")


def check_object_shape(obj: dict, actor_url: str, where: str, both: bool = True) -> None:
    """The contract for an Article/Event: every language the item has, in one
    object. `both` for an item known to have English and Russian (the generated
    one); seeded items may have only one, but their maps must agree."""
    check(obj.get("type") in ("Article", "Event"), f"{where}: type {obj.get('type')!r}, expected Article or Event")
    for key in ("id", "url", "published", "name", "content"):
        check(obj.get(key), f"{where}: {key!r} missing")
    names, contents = obj.get("nameMap"), obj.get("contentMap")
    for key, value in (("nameMap", names), ("contentMap", contents)):
        check(isinstance(value, dict) and value and set(value) <= {"en", "ru"},
              f"{where}: {key} is not a map of 'en'/'ru' texts: {short(value)}")
        if both:
            check(value.get("en") and value.get("ru"), f"{where}: {key} lacks 'en' or 'ru': {short(value)}")
    check(set(names) == set(contents), f"{where}: nameMap and contentMap name different languages")
    check(obj.get("attributedTo") == actor_url, f"{where}: attributedTo is {obj.get('attributedTo')!r}")
    check(PUBLIC in as_list(obj.get("to")), f"{where}: 'to' lacks {PUBLIC}: {obj.get('to')!r}")
    try:
        parse_time(obj["published"])
    except ValueError:
        raise StepFailed(f"{where}: published {obj['published']!r} is not an ISO 8601 time")


async def step_create(st: State, out: list[str]) -> None:
    """5. `generate 1` makes a new news item; the portal must deliver a signed
    Create to us (bovine verifies it), and bovine's object_for_create must see
    an object attributed to the portal, with both languages."""
    own = st.own
    generated = await st.portal.generate(1)
    generated_at = time.monotonic()
    out.append(f"`generate 1` done: {generated[-200:]!r}" if generated else "`generate 1` done")

    def is_new_create(r: Received) -> bool:
        if r.method != "POST" or r.type != "Create":
            return False
        obj = r.activity.get("object")
        obj_id = obj.get("id") if isinstance(obj, dict) else obj
        return obj_id not in st.outbox_ids_before

    create = await own.wait_for(is_new_create, CREATE_TIMEOUT)
    check(create is not None, f"no Create of a new item arrived within {CREATE_TIMEOUT:.0f} s "
          f"(received: {[(r.method, r.path, r.type) for r in own.received]})")
    out.append(f"Create arrived at {create.path} after {create.at - generated_at:.1f} s: {create.describe()}")
    out.append(f"bovine verified the Create's signature: {create.verified_by is not None}; "
                 f"validate_digest: {create.digest_ok}")
    out += [f"  bovine said: {m}" for m in create.bovine_said]
    check(create.signature and create.signature.key_id == st.portal_key_id, "the Create is not signed with the portal's key")
    check(create.digest_ok, "the Create's Digest does not match its body")
    check(create.verified_by == st.portal.actor_url, "bovine did not verify the Create's signature")
    check(PUBLIC in as_list(create.activity.get("to")), f"Create 'to' lacks Public: {create.activity.get('to')!r}")

    async def retrieve(object_id: str) -> dict | None:
        async with st.session.get(object_id, headers={"Accept": ACTIVITY_JSON}) as resp:
            return await read_json(resp) if resp.status == 200 else None

    try:
        parsed = await Activity(create.activity, domain=urlparse(st.portal.base).netloc).object_for_create(retrieve)
    except Exception as error:
        raise StepFailed(f"bovine.parse.Activity.object_for_create rejected it: {error!r}")
    check(parsed is not None, "bovine found no object in the Create")
    out.append(f"bovine object_for_create: {parsed.data.get('type')} {parsed.identifier}, "
                 f"attributed to {parsed.attributed_to_id}")
    # bovine's compacted view keeps the language maps only if the JSON-LD is right.
    for key in ("nameMap", "contentMap"):
        langs = sorted((parsed.data.get(key) or {}).keys())
        out.append(f"bovine sees {key} languages: {langs}")
        check({"en", "ru"} <= set(langs), f"after bovine's JSON-LD compaction {key} has only {langs}")

    obj = create.activity["object"]
    if isinstance(obj, str):
        obj = await retrieve(obj)
        check(obj, "the Create's object id does not resolve")
    check_object_shape(obj, st.portal.actor_url, "delivered object")
    out.append(f"nameMap: {short(obj['nameMap'], 160)}")

    url = link_href(obj.get("url"))
    async with st.session.get(url, headers={"Accept": "text/html"}) as resp:
        await resp.read()
        out.append(f"GET url {url} -> {resp.status} {media_type(resp)}")
        check(resp.status == 200 and media_type(resp) == "text/html",
              f"the object's url answered {resp.status} {media_type(resp)!r}, expected 200 text/html")
    st.created_object = obj


async def step_outbox(st: State, out: list[str]) -> None:
    """6. The outbox and one object fetched by id, both with bovine's signed
    GET (headers "(request-target) host date accept"): the collection's shape,
    newest first, and every item parsed by bovine."""
    outbox_url = st.portal_actor["outbox"]
    resp = await st.client.get(outbox_url)
    outbox = await read_json(resp)
    resp.release()
    out.append(f"bovine signed GET {outbox_url} -> {resp.status}")
    check(resp.status == 200, f"outbox answered {resp.status}")
    check(outbox.get("type") == "OrderedCollection", f"outbox type is {outbox.get('type')!r}")
    items = as_list(outbox.get("orderedItems"))
    check(isinstance(outbox.get("totalItems"), int), f"totalItems is {outbox.get('totalItems')!r}")
    check(items, "outbox has no orderedItems")
    out.append(f"totalItems={outbox['totalItems']}, orderedItems on this page: {len(items)}")

    netloc = urlparse(st.portal.base).netloc
    published = []
    for n, item in enumerate(items):
        where = f"orderedItems[{n}]"
        check(isinstance(item, dict) and item.get("type") == "Create", f"{where} is not a Create: {short(item)}")
        obj = item.get("object")
        check(isinstance(obj, dict), f"{where}.object is not embedded")
        check_object_shape(obj, st.portal.actor_url, f"{where}.object", both=False)
        try:
            await Activity(item, domain=netloc).object_for_create(None)
        except Exception as error:
            raise StepFailed(f"bovine rejected {where}: {error!r}")
        published.append(parse_time(obj["published"]))
    out.append(f"bovine parsed all {len(items)} items (Create, actor/attributedTo consistent)")
    check(all(a >= b for a, b in zip(published, published[1:])), "orderedItems are not newest first by published")

    target = st.created_object or items[0]["object"]
    if st.created_object:
        ids = [it["object"]["id"] for it in items]
        check(target["id"] in ids, "the delivered item is not in the outbox")
        out.append(f"the delivered item is orderedItems[{ids.index(target['id'])}]")
    resp = await st.client.get(target["id"])
    obj = await read_json(resp)
    resp.release()
    out.append(f"bovine signed GET {target['id']} -> {resp.status} {media_type(resp)}")
    check(resp.status == 200, f"GET object by id answered {resp.status}")
    check(obj.get("id") == target["id"] and obj.get("type") == target["type"],
          f"GET by id returned something else: {short(obj)}")
    check_object_shape(obj, st.portal.actor_url, "object fetched by id", both=st.created_object is not None)
    check(obj.get("nameMap") == target.get("nameMap"), "the object fetched by id differs from the outbox's")


async def post_raw(st: State, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with st.session.post(st.portal_actor["inbox"], data=body, headers=headers) as resp:
        return resp.status, (await resp.text())[:200]


def follow_body(st: State, **extra: Any) -> bytes:
    activity_factory, _ = st.own.factories()
    follow = st.own.remember(activity_factory.follow(st.portal.actor_url).build())
    follow.update(extra)
    return json.dumps(follow).encode()


async def step_unsigned(st: State, out: list[str]) -> None:
    """7a. A POST with Date and a correct Digest but no Signature: 401."""
    body = follow_body(st)
    headers = {"content-type": ACTIVITY_JSON, "date": get_gmt_now(), "digest": content_digest_sha256(body, "SHA-256")}
    status, text = await post_raw(st, body, headers)
    check(status == 401, f"unsigned POST answered {status}, expected 401: {text!r}")
    out.append(f"unsigned POST -> {status}")


async def step_altered_body(st: State, out: list[str]) -> None:
    """7b. bovine signs one body, another is sent (Digest no longer matches)."""
    body = follow_body(st, summary="original")
    headers = bovine_signed_post_headers(st.own.secret(), st.portal_actor["inbox"], body)
    altered = body.replace(b'"original"', b'"tampered"')
    status, text = await post_raw(st, altered, headers)
    check(status in (400, 401), f"altered body answered {status}, expected 400 or 401: {text!r}")
    out.append(f"bovine-signed request with altered body -> {status}")


async def step_replay(st: State, out: list[str]) -> None:
    """7c. The very same bovine-signed request twice: first 202, then 4xx."""
    body = follow_body(st)
    headers = bovine_signed_post_headers(st.own.secret(), st.portal_actor["inbox"], body)
    first, text1 = await post_raw(st, body, headers)
    second, text2 = await post_raw(st, body, headers)
    out.append(f"first send -> {first}, replay -> {second}")
    check(first == 202, f"the original request answered {first}, expected 202: {text1!r}")
    check(400 <= second < 500, f"the replay answered {second}, expected 4xx: {text2!r}")


async def step_old_date(st: State, out: list[str]) -> None:
    """7d. Correctly signed by bovine, but the Date is two hours old: 401."""
    body = follow_body(st)
    old = (datetime.now(timezone.utc) - timedelta(hours=2)).strftime(GMT_STRING)
    headers = bovine_signed_post_headers(st.own.secret(), st.portal_actor["inbox"], body, date=old)
    status, text = await post_raw(st, body, headers)
    check(status == 401, f"a 2-hour-old Date answered {status}, expected 401: {text!r}")
    out.append(f"Date {old!r} -> {status}")


async def step_big_body(st: State, out: list[str]) -> None:
    """7e. A correctly signed 300 KB body (limit 256 KB): 413."""
    body = follow_body(st, summary="x" * (300 * 1024))
    headers = bovine_signed_post_headers(st.own.secret(), st.portal_actor["inbox"], body)
    try:
        status, text = await post_raw(st, body, headers)
    except aiohttp.ClientError as error:
        raise StepFailed(f"the portal dropped the connection instead of answering 413: {error!r}")
    check(status == 413, f"{len(body)} byte body answered {status}, expected 413: {text!r}")
    out.append(f"{len(body)} byte body -> {status}")


async def step_undo(st: State, out: list[str]) -> None:
    """8. Undo of our Follow (the Follow embedded, as Mastodon sends it),
    signed by bovine with the "SHA-256=" Digest variant: 202."""
    activity_factory, _ = st.own.factories()
    undo = st.own.remember(activity_factory.undo(st.follow, include_activity=True).build())
    client = SignedHttpClient(st.session, st.own.key_id, st.own.private_pem,
                              digest_method=legacy_digest_method_uppercase)
    resp = await client.post(st.portal_actor["inbox"], json.dumps(undo))
    text = await resp.text()
    digest = resp.request_info.headers.get("digest", "")
    resp.release()
    check(resp.status == 202, f"Undo answered {resp.status}, expected 202: {text[:200]!r}")
    out.append(f"Undo (Digest {digest[:8]}…) -> {resp.status}")


async def step_no_delivery_after_undo(st: State, out: list[str]) -> None:
    """8b (--verify-undo). After the Undo a new item must not reach us."""
    before = len(st.own.received)
    await st.portal.generate(1)
    late = await st.own.wait_for(
        lambda r: r.method == "POST" and r.type == "Create" and st.own.received.index(r) >= before,
        CREATE_TIMEOUT,
    )
    check(late is None, f"a Create still arrived after the Undo: {short(late.activity) if late else ''}")
    out.append(f"no Create within {CREATE_TIMEOUT:.0f} s of `generate 1` after the Undo")


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

Step = Callable[[State, list[str]], Awaitable[None]]


async def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="twincity-interop-"))
    portal = Portal(Path(args.bin).resolve(), args.site_root, workdir)
    atexit.register(portal.stop)  # also on SystemExit; stop() is a no-op once stopped
    report = Report()
    print(f"bovine {BOVINE_VERSION}; portal {portal.binary} (cwd {REPO_ROOT}); temp dir {workdir}", flush=True)

    # Steps 1-3 build on each other: if one fails the rest cannot run.
    essential: list[tuple[str, Step]] = [
        ("1. start the portal", step_start_portal),
        ("2. WebFinger + actor, parsed by bovine", step_discover_portal),
        ("3. bovine-signed Follow -> 202", step_follow),
    ]
    rest: list[tuple[str, Step]] = [
        ("4. signed Accept, verified by bovine", step_accept),
        ("5. generate 1 -> signed Create, verified by bovine", step_create),
        ("6. outbox and object by id", step_outbox),
        ("7a. unsigned POST -> 401", step_unsigned),
        ("7b. altered body -> 400/401", step_altered_body),
        ("7c. replayed request -> 4xx", step_replay),
        ("7d. Date 2 h old -> 401", step_old_date),
        ("7e. 300 KB body -> 413", step_big_body),
        ("8. bovine-signed Undo -> 202", step_undo),
    ]
    if args.verify_undo:
        rest.append(("8b. no delivery after Undo", step_no_delivery_after_undo))

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        st = State(session=session, portal=portal)
        try:
            steps = essential + rest
            for index, (name, step) in enumerate(steps):
                out: list[str] = []
                try:
                    await step(st, out)
                    report.add(name, True, out)
                    continue
                except StepFailed as error:
                    report.add(name, False, out + [f"-> {error}"])
                except Exception as error:  # a bug or a dropped connection: still a failure
                    report.add(name, False, out + [f"-> {type(error).__name__}: {error}"])
                if index < len(essential):
                    for skipped, _ in steps[index + 1:]:
                        report.add(skipped, False, ["not run: an earlier step it needs failed"])
                    break
        finally:
            if st.own:
                await st.own.stop()
            portal.stop()

    if unknown_contexts:
        print(f"note: JSON-LD contexts treated as empty (offline): {sorted(unknown_contexts)}")
    if report.failed:
        print(f"\n--- portal stderr (last 40 lines, {portal.stderr_path}) ---")
        print(portal.stderr_tail())
        print("--- end of portal stderr ---")
        print(f"\nFAILED: {report.failed} of {len(report.results)} checks; "
              f"first: {next(n for n, ok, _ in report.results if not ok)}")
    if not args.keep_tmp and not report.failed:
        shutil.rmtree(workdir, ignore_errors=True)
    elif report.failed:
        print(f"(temp dir kept for inspection: {workdir})")
    print(f"interop: {report.passed} passed, {report.failed} failed")
    return 0 if report.failed == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, help="path to the twincity binary")
    parser.add_argument("--site-root", help="LEPTOS_SITE_ROOT for the portal (pages only)")
    parser.add_argument("--verify-undo", action="store_true",
                        help="after the Undo, generate another item and check it is not delivered (+30 s)")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temp directory (database, logs)")
    parser.add_argument("--verbose", action="store_true", help="print bovine's and aiohttp's logs")
    args = parser.parse_args()

    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="  log %(name)s: %(message)s")
    # bovine's messages go to the report (BovineLogCapture), not to stderr.
    bovine_logger = logging.getLogger("bovine")
    bovine_logger.setLevel(logging.DEBUG)
    bovine_logger.addHandler(bovine_log)
    bovine_logger.propagate = args.verbose

    if not Path(args.bin).is_file():
        print(f"--bin {args.bin}: no such file", file=sys.stderr)
        return 1
    try:
        return asyncio.run(run(args))
    finally:
        shutil.rmtree(_BOVINE_SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
