"""API of the garbage-bag shop (``/api/v1/goods/``): the catalogue, ordering (with an
``Idempotency-Key`` header: a retry returns the first order), the resident's orders.
Errors come back in the envelope of ``dasan/api.py``."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Header, Router, Schema, Status

from dasan.accounts.api_auth import session_or_token
from dasan.core.schemas import ErrorOut

from . import selectors, services
from .models import Order

router = Router(tags=["goods"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ProductOut(Schema):
    code: str
    name: str
    kind: str
    litres: int | None
    pack_size: int
    price: int
    in_stock: int
    monthly_limit: int | None


class ItemIn(Schema):
    product: str
    quantity: int


class OrderIn(Schema):
    items: list[ItemIn]
    recipient_name: str
    phone: str
    address: str
    address_detail: str = ""
    note: str = ""


class GoodsLineOut(Schema):
    product: str
    name: str
    unit_price: int
    quantity: int
    amount: int


class GoodsOrderOut(Schema):
    number: str
    status: str
    status_label: str
    total_amount: int
    created_at: dt.datetime
    payment_url: str
    lines: list[GoodsLineOut]


def order_out(order: Order) -> dict:
    return {
        "number": order.number,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "total_amount": order.total_amount,
        "created_at": order.created_at,
        "payment_url": selectors.payment_url(order) if order.status == "awaiting_payment" else "",
        "lines": [
            {
                "product": line.product.code,
                "name": line.name,
                "unit_price": line.unit_price,
                "quantity": line.quantity,
                "amount": line.amount,
            }
            for line in order.lines.select_related("product")
        ],
    }


@router.get("/products", response=list[ProductOut], summary="Goods on sale")
def products(request: HttpRequest):
    """Products on sale today with the price of one pack (KRW) and the packs in stock."""
    return [
        {
            "code": p.code,
            "name": p.name,
            "kind": p.kind,
            "litres": p.litres,
            "pack_size": p.pack_size,
            "price": price,
            "in_stock": p.stock,
            "monthly_limit": p.monthly_limit,
        }
        for p, price in selectors.catalogue()
    ]


@router.post(
    "/orders", response={201: GoodsOrderOut, 200: GoodsOrderOut, **ERRORS}, auth=session_or_token, summary="Order goods"
)
def create_order(
    request: HttpRequest,
    data: OrderIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),
):
    """Order packs for home delivery as the signed-in resident; pay at ``payment_url``.
    Prices are the city's, never the client's. With the same ``Idempotency-Key`` a retry
    answers 200 with the first order instead of ordering again."""
    key = (idempotency_key or "").strip()
    existed = bool(key) and Order.objects.filter(resident=request.auth, idempotency_key=key).exists()
    order = services.place_order(
        [(item.product, item.quantity) for item in data.items],
        services.Delivery(
            recipient_name=data.recipient_name,
            phone=data.phone,
            address=data.address,
            address_detail=data.address_detail,
            note=data.note,
        ),
        actor=request.auth,
        idempotency_key=key,
    )
    return Status(200 if existed else 201, order_out(order))


@router.get("/orders", response=list[GoodsOrderOut], auth=session_or_token, summary="My orders")
def my_orders(request: HttpRequest):
    return [order_out(order) for order in selectors.orders_of(request.auth)[:50]]


@router.get("/orders/{number}", response={200: GoodsOrderOut, **ERRORS}, auth=session_or_token, summary="One order")
def one_order(request: HttpRequest, number: str):
    return order_out(selectors.get_order(request.auth, number))
