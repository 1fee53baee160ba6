"""Backtest: the records' applications decided again under a policy, day by day, on a fresh
book run by the ledger's own rules."""

from microlend.service.backtest._result import BacktestResult
from microlend.service.backtest._run import backtest, backtest_start, model_version

__all__ = ["BacktestResult", "backtest", "backtest_start", "model_version"]
