"""Online decisions equal the batch path's, are stored, and can be replayed."""

from __future__ import annotations

from api_support import Served

from microlend.features import CATALOG
from microlend.policy import CreditRequest, Exposure, decide
from microlend.scoring import rate
from microlend.service import merchant_features, replay_decision


def _approved(served: Served, merchant_ids: list[str]) -> dict[str, object]:
    for merchant_id in merchant_ids:
        body = {"merchant_id": merchant_id}
        answer = served.client.post("/v1/applications", json=body, headers=served.headers("risk"))
        assert answer.status_code == 201, answer.text
        if answer.json()["approved"]:
            return dict(answer.json())
    raise AssertionError("no merchant approved")


def test_online_decision_equals_the_batch_path(served: Served) -> None:
    context = served.context
    as_of = context.today()
    rows = merchant_features(context.data, as_of)
    for merchant_id in list(rows.index[:40:8]):
        answer = served.client.post(
            "/v1/applications", json={"merchant_id": merchant_id}, headers=served.headers("risk")
        )
        assert answer.status_code == 201, answer.text
        online = answer.json()
        row = rows.loc[[merchant_id]]
        rating = rate(context.model, row, CATALOG, currency=context.policy.currency).ratings[0]
        features = {k: float(v) for k, v in row.iloc[0].items() if isinstance(v, int | float)}
        batch = decide(
            CreditRequest(online["decision_id"], merchant_id),
            rating,
            features,
            context.policy,
            exposure=Exposure.none(context.policy.currency),
            as_of=as_of,
            model_version=context.model_version,
        )
        assert online["pd"] == batch.pd
        assert online["score"] == batch.score
        assert online["approved"] == batch.approved
        assert [o["amount"] for o in online["offers"]] == [
            str(o.amount.amount) for o in batch.offers
        ]
        assert [r["code"] for r in online["reasons"]] == [r.code for r in batch.reasons]
        assert [r["value"] for r in online["reasons"]] == [r.value for r in batch.reasons]


def test_a_stored_decision_replays_to_the_same_answer(served: Served) -> None:
    merchants = served.context.data.table("merchants").column("merchant_id").to_pylist()
    decision = _approved(served, merchants[:200])
    replay = replay_decision(
        served.context.engine,
        str(decision["decision_id"]),
        served.context.model,
        served.context.policy,
        improver=served.context.improver,
        model_version=served.context.model_version,
    )
    assert replay.same
    assert replay.replayed.offers == replay.stored.offers
    assert replay.stored.score == decision["score"]
    offers = decision["offers"]
    assert isinstance(offers, list)
    assert [str(o.amount.amount) for o in replay.stored.offers] == [o["amount"] for o in offers]


def test_score_shows_sub_scores_reasons_and_improvements(served: Served) -> None:
    merchant_id = served.context.data.table("merchants").column("merchant_id")[0].as_py()
    answer = served.client.get(
        f"/v1/merchants/{merchant_id}/score", headers=served.headers("merchant_a")
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert 350 <= body["score"] <= 950
    assert body["sub_scores"]
    assert body["reasons"]
    for reason in body["reasons"]:  # each with its code, value and wording
        assert reason["code"] == reason["feature"]
        assert "value" in reason
        assert reason["text"]
        assert "(missing)" not in reason["text"]
    assert body["as_of"] == served.context.today().isoformat()
