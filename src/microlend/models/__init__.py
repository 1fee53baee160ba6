"""Models: the PD model (LightGBM, monotone, calibrated), the WoE scorecard challenger,
evaluation, artefacts saved without pickle, and training on a lender's own table, where a
linear model, a scorecard, LightGBM and their blend are compared and one chosen.

``PD = calibrator(sigmoid(margin))``; every model's ``contributions`` splits ``margin`` exactly
into one term per feature plus ``base``.
"""

from microlend.models._artifacts import (
    FORMAT,
    KINDS,
    ModelArtifact,
    file_sha256,
    kind_of,
    save_model,
)
from microlend.models._binning import FeatureBins
from microlend.models._blend import BlendPD
from microlend.models._calibration import PD_FLOOR, CalibrationMethod, Calibrator
from microlend.models._calibration_tests import (
    Banding,
    BandTest,
    CalibrationTests,
    HosmerLemeshow,
    binomial_p_value,
    calibration_tests,
    expected_calibration_error,
    hosmer_lemeshow,
    jeffreys_p_value,
)
from microlend.models._evaluation import CalibrationBin, Evaluation, evaluate
from microlend.models._linear import LinearPD
from microlend.models._loading import load_artifact, load_model
from microlend.models._metadata import ModelMetadata, TableFacts, Window
from microlend.models._parse import parse_dates, parse_text_numbers
from microlend.models._pd_model import PDModel
from microlend.models._preparer import POST_OUTCOME_WORDS, ColumnPlan, Finding, TablePreparer
from microlend.models._scorecard import Scorecard
from microlend.models._selection import (
    CANDIDATES,
    PREFERENCE,
    CandidateScore,
    SelectedModel,
    Selection,
    TableModel,
    lightgbm_settings,
)
from microlend.models._table import (
    CrossValidation,
    LabelledTable,
    TableEvaluation,
    TableFit,
    cross_validate,
    evaluate_table,
    fit_table,
    labelled_table,
    read_table,
)

__all__ = [
    "CANDIDATES",
    "FORMAT",
    "KINDS",
    "PD_FLOOR",
    "POST_OUTCOME_WORDS",
    "PREFERENCE",
    "BandTest",
    "Banding",
    "BlendPD",
    "CalibrationBin",
    "CalibrationMethod",
    "CalibrationTests",
    "Calibrator",
    "CandidateScore",
    "ColumnPlan",
    "CrossValidation",
    "Evaluation",
    "FeatureBins",
    "Finding",
    "HosmerLemeshow",
    "LabelledTable",
    "LinearPD",
    "ModelArtifact",
    "ModelMetadata",
    "PDModel",
    "Scorecard",
    "SelectedModel",
    "Selection",
    "TableEvaluation",
    "TableFacts",
    "TableFit",
    "TableModel",
    "TablePreparer",
    "Window",
    "binomial_p_value",
    "calibration_tests",
    "cross_validate",
    "evaluate",
    "evaluate_table",
    "expected_calibration_error",
    "file_sha256",
    "fit_table",
    "hosmer_lemeshow",
    "jeffreys_p_value",
    "kind_of",
    "labelled_table",
    "lightgbm_settings",
    "load_artifact",
    "load_model",
    "parse_dates",
    "parse_text_numbers",
    "read_table",
    "save_model",
]
