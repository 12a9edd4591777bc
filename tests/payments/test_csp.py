"""The checkout page's Content-Security-Policy (core.csp): paying by card posts to `start`,
which redirects to the card company's checkout page, so this page's form-action allows
https: as well; every other directive stays as strict as on any page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_checkout_lets_its_form_redirect_to_the_card_company(client, make_order, resident):
    order = make_order()
    client.force_login(resident)
    policy = client.get(f"/payments/{order.public_id}/")["Content-Security-Policy"]
    assert "form-action 'self' https:;" in policy + ";"
    assert "script-src 'self' 'nonce-" in policy and "object-src 'none'" in policy
    # Elsewhere forms post to Dasan only.
    assert "form-action 'self';" in client.get("/")["Content-Security-Policy"] + ";"
