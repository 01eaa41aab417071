"""/metrics: Prometheus counters by route, only for the holder of the metrics token."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_metrics_need_the_token_and_count_requests_by_route(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404  # off without a token
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    client.get("/healthz")
    client.get("/sessions/424242/")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'essaim_http_requests_total{method="GET",route="core:healthz",status="200"}' in text
    assert 'route="training:detail",status="404"' in text
    assert "/sessions/424242" not in text  # routes, never raw paths
    assert "essaim_http_request_duration_seconds_bucket" in text


def test_error_reporting_is_off_by_default():
    import sentry_sdk

    assert not sentry_sdk.is_initialized()
