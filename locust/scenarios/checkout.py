"""Checkout journey of the demo shop: browse, view a product, cart with 1-3 items, checkout, place order.

One journey per user every LTC_PACING_SECONDS on average (jittered_pacing, default 20 s ≈ 3 orders/min per user),
so users map roughly linearly to orders per minute. Every request carries the load-test header
(X-Load-Test: true unless LTC_LOAD_TEST_HEADER / LTC_LOAD_TEST_HEADER_VALUE say otherwise).
The order request is named LTC_ORDER_REQUEST_NAME (default "checkout: place order") and only counts as a
success when the shop answers 201 with {"orderId": "...", "status": "placed"}.

No LoadTestShape here on purpose: with a shape class, /swarm ignores user_count and spawn_rate.
"""

from __future__ import annotations

import os
import random
import sys
from typing import Any

# The plugin lives one directory up (locust/conductor_plugin.py, /home/locust in the image).
_LOCUST_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _LOCUST_DIR not in sys.path:
    sys.path.insert(0, _LOCUST_DIR)

from conductor_plugin import (  # noqa: E402
    counts_kpi,
    jittered_pacing,
    kpi_request_name,
    load_test_headers,
    pacing_seconds,
)
from locust import FastHttpUser, task  # noqa: E402

ORDER_REQUEST_NAME = kpi_request_name()


def _json(response: Any) -> Any:
    try:
        return response.json()
    except Exception:  # noqa: BLE001 - any parse problem means "not the JSON we expect"
        return None


def _ok(response: Any) -> bool:
    return 200 <= (response.status_code or 0) < 300


def _product_ids(products: Any) -> list[Any]:
    if not isinstance(products, list):
        return []
    return [p["id"] for p in products if isinstance(p, dict) and p.get("id") not in (None, "")]


@counts_kpi
class CheckoutUser(FastHttpUser):
    """A customer who buys something on every visit."""

    wait_time = jittered_pacing(pacing_seconds())
    default_headers = load_test_headers()
    network_timeout = 30.0
    connection_timeout = 10.0

    @task
    def checkout_journey(self) -> None:
        # 1. Browse the catalogue.
        with self.client.get("/api/products", name="browse: products", catch_response=True) as resp:
            product_ids = _product_ids(_json(resp)) if resp.status_code == 200 else []
            if resp.status_code == 200 and not product_ids:
                resp.failure("product list is empty or not a JSON list of {id, ...}")
        if not product_ids:
            return

        # 2. Look at one product.
        viewed = random.choice(product_ids)
        self.client.get(f"/api/products/{viewed}", name="product: view")

        # 3. Create a cart.
        with self.client.post("/api/carts", name="cart: create", catch_response=True) as resp:
            body = _json(resp)
            cart_id = body.get("cartId") if isinstance(body, dict) else None
            if _ok(resp) and not cart_id:
                resp.failure("cart response has no cartId")
        if not _ok(resp) or not cart_id:
            return

        # 4. Add 1-3 items (the viewed product first).
        items = [viewed] + random.sample(product_ids, k=min(len(product_ids), random.randint(0, 2)))
        for product_id in items:
            added = self.client.post(
                f"/api/carts/{cart_id}/items",
                name="cart: add item",
                json={"productId": product_id, "quantity": random.randint(1, 3)},
            )
            if not _ok(added):
                return

        # 5. Check out.
        with self.client.post(
            "/api/checkouts", name="checkout: create", json={"cartId": cart_id}, catch_response=True
        ) as resp:
            body = _json(resp)
            checkout_id = body.get("checkoutId") if isinstance(body, dict) else None
            if _ok(resp) and not checkout_id:
                resp.failure("checkout response has no checkoutId")
        if not _ok(resp) or not checkout_id:
            return

        # 6. Place the order: the business transaction the conductor counts.
        with self.client.post(
            "/api/orders", name=ORDER_REQUEST_NAME, json={"checkoutId": checkout_id}, catch_response=True
        ) as resp:
            body = _json(resp)
            if resp.status_code != 201:
                resp.failure(f"order not placed: HTTP {resp.status_code}")
            elif not isinstance(body, dict) or not body.get("orderId") or body.get("status") != "placed":
                resp.failure(f"order not placed: unexpected body {str(resp.text)[:200]!r}")
            else:
                resp.success()
