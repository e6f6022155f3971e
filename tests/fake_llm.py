"""A local HTTP server that speaks the chat-completions API, for driving the real groq client."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeLlm:
    """Behaviours: valid, slow, status:<code>, malformed, invalid, unknown_url, text:<answer>."""

    def __init__(self):
        self.behaviour = "valid"
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                server.respond(self, body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeLlm:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def respond(self, handler: BaseHTTPRequestHandler, body: dict) -> None:
        behaviour = self.behaviour
        if behaviour == "slow":
            time.sleep(2.0)
            behaviour = "valid"
        if behaviour.startswith("status:"):
            code = int(behaviour.split(":")[1])
            payload = json.dumps({"error": {"message": "nope", "type": "error"}}).encode()
            handler.send_response(code)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            return
        content = self.content(behaviour, body)
        payload = json.dumps(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                    }
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            }
        ).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def content(self, behaviour: str, body: dict) -> str:
        if behaviour.startswith("text:"):
            return behaviour[5:]
        if behaviour == "malformed":
            return '{"weeks": {"week1": '
        prompt = json.loads(body["messages"][-1]["content"])
        urls = [r["url"] for rs in prompt.get("resources", {}).values() for r in rs]
        skills = [g["skill"] for g in prompt.get("gaps", [])] or ["core skills"]
        if behaviour == "unknown_url":
            urls = ["https://example.invalid/not-shipped"]
        weeks = {
            f"week{i}": {
                "focus_skills": [skills[(i - 1) % len(skills)]],
                "goals": ["learn it"],
                "resources": [{"title": "course", "url": urls[(i - 1) % len(urls)]}],
                "artefact": "a project",
                "self_check": "explain it",
                "hours": 6,
            }
            for i in range(1, 5)
        }
        if behaviour == "invalid":
            del weeks["week4"]
        return json.dumps({"weeks": weeks, "not_yet": skills[4:]})
