"""An SMTP server on 127.0.0.1 for the transport's tests (aiosmtpd), started
and stopped by each test on a free port, with recipients that make it behave
as real servers do when things go wrong:

  nobody@...   550 to RCPT (no such mailbox: a bounce during the exchange)
  busy@...     451 to RCPT (try again later)
  spam@...     554 to the end of the data (refused by a content filter)
  drop@...     takes the data, then drops the connection without answering
  slow@...     takes the data, then answers only after `slow_seconds`

`server.handler.drop_next` makes the next message (any recipient) be taken
and the connection dropped, once; `server.handler.kill_on_data` (a process)
is killed while the server takes a message, after `kill_on_data_after`
messages went through. Every message the server took is in
`server.messages`, parsed, with the envelope and whether TLS was on."""

import email
import email.policy
import os
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    raw: bytes
    tls: bool
    message: email.message.EmailMessage = field(repr=False)

    @property
    def text(self):
        return self.message.get_content()


class Handler:
    def __init__(self):
        self.messages = []
        self.drop_next = False
        self.slow_seconds = 3.0
        self.kill_on_data = None  # a process to kill (SIGKILL) when data arrives,
        self.kill_on_data_after = 0  # after letting this many messages through

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if address.startswith("busy@"):
            return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpt = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        if rcpt.startswith("spam@"):
            return "554 5.7.1 message refused by content filter"
        raw = envelope.original_content or envelope.content
        self.messages.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                raw=raw,
                tls=session.ssl is not None,
                message=email.message_from_bytes(raw, policy=email.policy.default),
            )
        )
        if self.kill_on_data is not None and len(self.messages) > self.kill_on_data_after:
            self.kill_on_data.kill()
            self.kill_on_data.wait()
            self.kill_on_data = None
        if self.drop_next or rcpt.startswith("drop@"):
            self.drop_next = False
            server.transport.abort()
            return "250 OK (never seen: the connection is gone)"
        if rcpt.startswith("slow@"):
            import asyncio

            await asyncio.sleep(self.slow_seconds)
        return "250 2.0.0 OK queued"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tls_context=None, authenticator=None):
        self.handler = Handler()
        self.port = free_port()
        kwargs = {}
        if tls_context is not None:
            kwargs["tls_context"] = tls_context
        if authenticator is not None:
            kwargs["authenticator"] = authenticator
            kwargs["auth_require_tls"] = True
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **kwargs
        )

    @property
    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    @property
    def messages(self):
        return self.handler.messages

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


@pytest.fixture
def smtp_server():
    server = Server().start()
    yield server
    server.stop()


@pytest.fixture
def tls_files(tmp_path):
    """A self-signed certificate for 127.0.0.1 (the client trusts it as its CA)."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(tls_files):
    cert, key = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"ar@example.com"
              and auth_data.password == b"app-password")
        return AuthResult(success=ok, handled=False)

    server = Server(tls_context=context, authenticator=authenticate).start()
    server.ca_file = str(cert)
    yield server
    server.stop()


def probe_path():
    path = os.environ.get("ARCHASE_SMTP_PROBE")
    if not path:
        pytest.fail("ARCHASE_SMTP_PROBE is not set: run through `meson test --suite smtp`")
    return path


@pytest.fixture
def probe():
    """Runs smtp-probe; returns its output lines."""

    def run(*args, check=True, timeout=60):
        p = subprocess.run([probe_path(), *args], capture_output=True, text=True,
                           timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError("smtp-probe failed (%d): %s" % (p.returncode, p.stderr))
        return p.stdout.splitlines()

    return run


def wait_for(predicate, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class SentFolder:
    """A minimal IMAP server on 127.0.0.1 with one folder, "Sent", holding the
    messages whose Message-IDs are in `message_ids` (as Gmail's Sent folder
    holds what its SMTP server accepted). It answers what libcurl asks to
    search a folder: CAPABILITY, LOGIN, SELECT, SEARCH HEADER Message-ID,
    LOGOUT. `searches` counts the searches."""

    def __init__(self, login=b"ar@example.com", password=b"app-password"):
        import asyncio
        import threading

        self.message_ids = set()
        self.searches = 0
        self.login, self.password = login, password
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def serve():
            self.server = await asyncio.start_server(self.session, "127.0.0.1", self.port)
            ready.set()

        self.thread = threading.Thread(
            target=lambda: (self.loop.run_until_complete(serve()), self.loop.run_forever()),
            daemon=True)
        self.thread.start()
        ready.wait(5)

    @property
    def url(self):
        return "imap://127.0.0.1:%d/Sent" % self.port

    async def session(self, reader, writer):
        writer.write(b"* OK IMAP4rev1 ready\r\n")
        logged_in = False
        while True:
            line = await reader.readline()
            if not line:
                break
            tag, _, rest = line.rstrip(b"\r\n").partition(b" ")
            command, _, args = rest.partition(b" ")
            command = command.upper()
            if command == b"CAPABILITY":
                writer.write(b"* CAPABILITY IMAP4rev1\r\n" + tag + b" OK done\r\n")
            elif command == b"LOGIN":
                user, _, password = args.partition(b" ")
                if user.strip(b'"') == self.login and password.strip(b'"') == self.password:
                    logged_in = True
                    writer.write(tag + b" OK logged in\r\n")
                else:
                    writer.write(tag + b" NO [AUTHENTICATIONFAILED] invalid credentials\r\n")
            elif command in (b"SELECT", b"EXAMINE") and logged_in:
                writer.write(b"* %d EXISTS\r\n" % len(self.message_ids) + tag +
                             b" OK [READ-WRITE] selected\r\n")
            elif command == b"SEARCH" and logged_in:
                self.searches += 1
                wanted = args.split(b" ", 2)[-1].strip(b'"').decode()
                hits = sorted(self.message_ids)
                numbers = [str(i + 1) for i, m in enumerate(hits) if m == wanted]
                writer.write(("* SEARCH%s\r\n" % "".join(" " + n for n in numbers)).encode() +
                             tag + b" OK search done\r\n")
            elif command == b"LOGOUT":
                writer.write(b"* BYE\r\n" + tag + b" OK bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(tag + b" BAD unexpected\r\n")
            await writer.drain()
        writer.close()

    def stop(self):
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def sent_folder():
    folder = SentFolder()
    yield folder
    folder.stop()
