"""The load run's users (benchmarks/api_load.py starts locust on this file): a seller on the dashboard
reading KPIs, uploads, alerts, proposals, documents, forecasts, price advice and recommendations, a
request every 0.5-1.5 s each (random, so users do not move in step, as real ones do not). Environment: LOAD_TOKEN (a seller's ID token), LOAD_START/LOAD_END (the KPI
range), LOAD_STORE, LOAD_SKU."""

import os

from locust import FastHttpUser, between, task

TOKEN = os.environ.get("LOAD_TOKEN", "")
STORE, SKU = os.environ.get("LOAD_STORE", "S01"), os.environ.get("LOAD_SKU", "BEV-001")
KPI_RANGE = {"start": os.environ.get("LOAD_START", "2026-07-01"), "end": os.environ.get("LOAD_END", "2026-09-30")}


class Seller(FastHttpUser):
    wait_time = between(0.5, 1.5)
    default_headers = {"Authorization": TOKEN}

    @task(3)
    def kpis(self) -> None:
        self.client.get("/kpis", params=KPI_RANGE, name="GET /kpis")

    @task(1)
    def kpis_of_a_store(self) -> None:
        self.client.get("/kpis", params={**KPI_RANGE, "store_id": STORE}, name="GET /kpis?store_id")

    @task(2)
    def uploads(self) -> None:
        self.client.get("/ingest", name="GET /ingest")

    @task(2)
    def alerts(self) -> None:
        self.client.get("/alerts", params={"status": "open"}, name="GET /alerts")

    @task(1)
    def proposals(self) -> None:
        self.client.get("/proposals", name="GET /proposals")

    @task(1)
    def documents(self) -> None:
        self.client.get("/documents", name="GET /documents")

    @task(1)
    def policy(self) -> None:
        self.client.get("/policy", name="GET /policy")

    @task(1)
    def me(self) -> None:
        self.client.get("/me", name="GET /me")

    @task(2)
    def forecast(self) -> None:
        self.client.post("/forecast", json={"store_id": STORE, "sku_ids": [SKU], "horizon_days": 14}, name="POST /forecast")

    @task(1)
    def price_advice(self) -> None:
        self.client.post("/pricing-suggest", json={"store_id": STORE, "sku_id": SKU}, name="POST /pricing-suggest")

    @task(2)
    def recommendations(self) -> None:
        self.client.post("/recommendations", json={"store_id": STORE, "limit": 30}, name="POST /recommendations")
