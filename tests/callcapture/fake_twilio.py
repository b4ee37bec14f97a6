"""A local stand-in for Twilio's REST API at the HTTP boundary: the real twilio library
talks to it (through TWILIO_API_BASE), and tests read what it was sent."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Sent:
    method: str
    path: str
    form: dict[str, str]
    auth: str
    at: float = field(default_factory=time.time)


@dataclass
class FakeTwilio:
    server: ThreadingHTTPServer
    requests: list[Sent] = field(default_factory=list)
    invalid_numbers: set[str] = field(default_factory=set)  # answered with error 21211
    caller_names: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def sent(self, kind: str) -> list[Sent]:
        """What was posted to Messages.json or Calls.json."""
        return [r for r in self.requests if r.path.endswith(f"/{kind}.json")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(fake_ref: list[FakeTwilio]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> Sent:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            sent = Sent(
                self.command, urlparse(self.path).path, form, self.headers.get("Authorization", "")
            )
            fake_ref[0].requests.append(sent)
            return sent

        def do_POST(self) -> None:
            sent = self._record()
            fake = fake_ref[0]
            if sent.path.endswith("/Messages.json"):
                if sent.form.get("To") in fake.invalid_numbers:
                    self._reply(
                        400,
                        {
                            "code": 21211,
                            "message": "The 'To' number is not a valid phone number.",
                            "status": 400,
                        },
                    )
                    return
                self._reply(
                    201,
                    {
                        "sid": "SM" + uuid.uuid4().hex,
                        "status": "queued",
                        "to": sent.form.get("To"),
                        "body": sent.form.get("Body"),
                    },
                )
                return
            if sent.path.endswith("/Calls.json"):
                self._reply(
                    201,
                    {"sid": "CA" + uuid.uuid4().hex, "status": "queued", "to": sent.form.get("To")},
                )
                return
            self._reply(404, {"code": 20404, "message": "Not found", "status": 404})

        def do_GET(self) -> None:
            sent = self._record()
            fake = fake_ref[0]
            if "/lookups/v2/PhoneNumbers/" in sent.path:
                number = sent.path.rsplit("/", 1)[-1]
                name = fake.caller_names.get(number)
                self._reply(
                    200,
                    {
                        "phone_number": number,
                        "valid": True,
                        "caller_name": {"caller_name": name, "caller_type": "CONSUMER"}
                        if name
                        else None,
                    },
                )
                return
            self._reply(404, {"code": 20404, "message": "Not found", "status": 404})

    return Handler


def start_fake_twilio() -> FakeTwilio:
    ref: list[FakeTwilio] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    fake = FakeTwilio(server=server)
    ref.append(fake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake
