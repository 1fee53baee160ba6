"""Watching the portfolio: stability (PSI, CSI) overall and by month, vintages, roll rates,
calibration by band, approvals and scores over time, the cut-off trade-off. Functions return
tables; the dashboard draws them. Verdicts (stability, calibration) need a minimum sample, else
they are ``insufficient``."""

from microlend.monitoring._alerts import verdict_label, worst_verdict
from microlend.monitoring._calibration import CalibrationVerdict, calibration_verdict
from microlend.monitoring._distributions import decisions_by_month, score_histogram
from microlend.monitoring._drift import psi_over_time
from microlend.monitoring._estimate import (
    EstimatedPerformance,
    estimate_performance,
    estimated_performance,
    expected_auc,
)
from microlend.monitoring._fairness import (
    FOUR_FIFTHS,
    MIN_GROUP_APPLICATIONS,
    PROXY_FLAG_AUC,
    SCREEN_NOTICE,
    TRUTH_BAND,
    FairnessScreen,
    GroupFigures,
    ProxyCheck,
    fairness_screen,
    screened_groups,
)
from microlend.monitoring._performance import (
    BUCKET_ORDER,
    calibration_by_band,
    roll_rates,
    vintage_curves,
)
from microlend.monitoring._stability import (
    STABLE_BELOW,
    WATCH_BELOW,
    Stability,
    Verdict,
    psi,
    psi_table,
)
from microlend.monitoring._tradeoff import Candidate, CutoffPoint, TradeOff, candidate, tradeoff

__all__ = [
    "BUCKET_ORDER",
    "FOUR_FIFTHS",
    "MIN_GROUP_APPLICATIONS",
    "PROXY_FLAG_AUC",
    "SCREEN_NOTICE",
    "STABLE_BELOW",
    "TRUTH_BAND",
    "WATCH_BELOW",
    "CalibrationVerdict",
    "Candidate",
    "CutoffPoint",
    "EstimatedPerformance",
    "FairnessScreen",
    "GroupFigures",
    "ProxyCheck",
    "Stability",
    "TradeOff",
    "Verdict",
    "calibration_by_band",
    "calibration_verdict",
    "candidate",
    "decisions_by_month",
    "estimate_performance",
    "estimated_performance",
    "expected_auc",
    "fairness_screen",
    "psi",
    "psi_over_time",
    "psi_table",
    "roll_rates",
    "score_histogram",
    "screened_groups",
    "tradeoff",
    "verdict_label",
    "vintage_curves",
    "worst_verdict",
]
