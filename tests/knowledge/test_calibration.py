import numpy as np

from dasan.knowledge import calibration as cal


def test_fit_separates_answerable_from_off_topic_features():
    rng = np.random.default_rng(0)
    n = len(cal.FEATURES)
    pos = rng.normal(1.0, 0.3, size=(200, n))
    neg = rng.normal(0.0, 0.3, size=(300, n))
    model = cal.fit(pos, neg)
    p = np.array([model.confidence(x) for x in pos])
    q = np.array([model.confidence(x) for x in neg])
    assert ((p > 0) & (p <= 1)).all() and ((q >= 0) & (q < 1)).all()
    assert (p > 0.5).mean() > 0.95 and (q < 0.5).mean() > 0.95


def test_threshold_declines_at_most_the_allowed_share_of_real_questions():
    conf = np.linspace(0.0, 1.0, 101)
    t = cal.choose_threshold(conf, [], max_false_decline=0.05)
    assert (conf < t).mean() <= 0.05


def test_calibration_round_trips_and_ignores_foreign_feature_sets():
    model = cal.Calibration([0.5] * len(cal.FEATURES), -1.0, 0.3)
    again = cal.Calibration.from_dict(model.to_dict())
    assert again.to_dict() == model.to_dict()
    assert cal.Calibration.from_dict({**model.to_dict(), "features": ["x"]}) is cal.DEFAULT
