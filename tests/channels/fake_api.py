"""A local HTTP server standing in for the Telegram Bot API, the Twilio REST API, Slack's
chat.postMessage and Messenger's Send API.

It answers like the real APIs (as far as Rasa's connectors need) and records every
request, so tests see exactly what the assistant would have sent to the provider.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List
from urllib.parse import parse_qs, urlsplit

BOT_USERNAME = "impact_test_bot"


@dataclass
class Call:
    method: str
    path: str
    fields: Dict[str, str]
    headers: Dict[str, str] = field(default_factory=dict)


def _fields(content_type: str, body: bytes) -> Dict[str, str]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body).items()}
    if content_type.startswith("multipart/form-data"):
        msg = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        return {
            part.get_param("name", header="content-disposition"): part.get_content()
            for part in msg.iter_parts()
        }
    return {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}


class FakeProviderAPI:
    def __init__(self) -> None:
        self.calls: List[Call] = []
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                url = urlsplit(self.path)
                fields = _fields(self.headers.get("Content-Type", ""), body)
                fields.update({k: v[0] for k, v in parse_qs(url.query).items()})
                call = Call(self.command, url.path, fields, dict(self.headers))
                with api._lock:
                    api.calls.append(call)
                status, payload = api.answer(call)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeProviderAPI:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------ answers
    def answer(self, call: Call):
        if call.path.startswith("/bot"):
            return self._telegram(call)
        if call.path.startswith("/2010-04-01/Accounts/") and call.path.endswith("/Messages.json"):
            sid = call.path.split("/")[3]
            return 201, {
                "sid": f"SM{len(self.calls):032d}",
                "account_sid": sid,
                "status": "queued",
                "to": call.fields.get("To"),
                "from": call.fields.get("From"),
                "body": call.fields.get("Body"),
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "uri": call.path,
            }
        if call.path == "/api/chat.postMessage":  # Slack
            return 200, {"ok": True, "channel": call.fields.get("channel"), "ts": "1.000001"}
        if call.path.endswith("/me/messages"):  # Facebook Messenger (Graph API)
            return 200, {"recipient_id": "1", "message_id": f"m_{len(self.calls)}"}
        return 404, {"error": "unknown path"}

    def _telegram(self, call: Call):
        method = call.path.rsplit("/", 1)[-1].lower()
        if method == "getme":
            result = {
                "id": 123456,
                "is_bot": True,
                "first_name": "Impact",
                "username": BOT_USERNAME,
            }
        elif method in ("setwebhook", "answercallbackquery", "sendchataction"):
            result = True
        elif method == "sendmessage":
            result = {
                "message_id": len(self.calls),
                "date": int(time.time()),
                "chat": {"id": int(call.fields["chat_id"]), "type": "private"},
                "text": call.fields.get("text", ""),
            }
        else:
            return 400, {"ok": False, "error_code": 400, "description": f"no {method}"}
        return 200, {"ok": True, "result": result}

    # ------------------------------------------------------------------ queries
    def sent(self, predicate=lambda c: True) -> List[Call]:
        with self._lock:
            return [c for c in self.calls if predicate(c)]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
