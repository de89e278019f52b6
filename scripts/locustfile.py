"""Load test (a benchmark, not a test): clients that ask, search and browse, as a partner with an API token.

    kb serve --port 8790 &                                   # a library with users; loopback only
    KB_LOAD_TOKEN=$(kb tokens create partner 2>/dev/null) \\
      .venv/bin/locust -f scripts/locustfile.py --headless -u 50 -r 10 -t 60s \\
      --host http://127.0.0.1:8790 --csv reports/load --only-summary

Every request must succeed (2xx); locust prints the error count and the latency percentiles per endpoint.
Send traffic only to this machine's loopback address.
"""

from __future__ import annotations

import os
import random
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

QUESTIONS = [
    "What are the goals of the strategy?",
    "Who is responsible for completing the distribution of health insurance cards?",
    "What is the monthly benefit of the grant for mothers and young children?",
    "When will the school meals programme be handed over?",
    "How often are office vehicles serviced?",
    "What did the meeting decide about the review?",
    "What share of the population is covered by health insurance?",
    "Which ministry hosts the secretariat?",
]
SEARCHES = ["health insurance coverage", "school meals", "social welfare", "budget", "secretariat", "ການປົກປ້ອງສັງຄົມ"]


@events.test_start.add_listener
def _loopback_only(environment, **_: object) -> None:  # type: ignore[no-untyped-def]
    host = urlsplit(environment.host or "").hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load {host!r}: this load test sends traffic to the loopback address only")


class Reader(HttpUser):
    """A partner reading the library: mostly questions, some searches and pages."""

    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        token = os.environ.get("KB_LOAD_TOKEN", "").strip()
        if token:
            self.client.headers["Authorization"] = f"Bearer {token}"

    @task(5)
    def ask(self) -> None:
        self.client.post("/api/ask", json={"question": random.choice(QUESTIONS)}, name="POST /api/ask")

    @task(2)
    def search(self) -> None:
        self.client.get("/api/search", params={"q": random.choice(SEARCHES), "k": 10}, name="GET /api/search")

    @task(1)
    def health(self) -> None:
        self.client.get("/api/health", name="GET /api/health")

    @task(1)
    def page(self) -> None:
        self.client.get(random.choice(["/", "/documents"]), name="GET page")
