"""A lighter scenario: window shoppers who browse the catalogue and view 1-3 products, never buy.

Same pacing and load-test header as the checkout scenario (see conductor_plugin). It never orders, so it does not
count the KPI: the conductor runs it next to CheckoutUser (the ``mixed`` scenario, docs/scenarios.md), never alone.
"""

from __future__ import annotations

import os
import random
import sys

_LOCUST_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _LOCUST_DIR not in sys.path:
    sys.path.insert(0, _LOCUST_DIR)

from conductor_plugin import jittered_pacing, load_test_headers, pacing_seconds  # noqa: E402
from locust import FastHttpUser, task  # noqa: E402


class BrowseUser(FastHttpUser):
    wait_time = jittered_pacing(pacing_seconds())
    default_headers = load_test_headers()
    network_timeout = 30.0
    connection_timeout = 10.0

    @task
    def browse(self) -> None:
        resp = self.client.get("/api/products", name="browse: products")
        try:
            products = resp.json() if resp.status_code == 200 else []
        except Exception:  # noqa: BLE001
            products = []
        ids = [p["id"] for p in products if isinstance(p, dict) and "id" in p] if isinstance(products, list) else []
        for product_id in random.sample(ids, k=min(len(ids), random.randint(1, 3))):
            self.client.get(f"/api/products/{product_id}", name="product: view")
