"""cvcourse.evaluation: by hand on a small case, and against scikit-learn's own results."""

from __future__ import annotations

import numpy as np
import pytest

from cvcourse import evaluation

# 3 classes; true 0,0,0,1,1,2 predicted 0,1,0,1,2,2
Y_TRUE = np.array([0, 0, 0, 1, 1, 2])
Y_PRED = np.array([0, 1, 0, 1, 2, 2])


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    cm = evaluation.confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(cm, [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
    assert cm.sum() == len(Y_TRUE)
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(Y_TRUE))


def test_confusion_matrix_accepts_one_hot_and_probability_rows():
    one_hot = np.eye(3)[Y_TRUE]
    probabilities = np.eye(3)[Y_PRED] * 0.8 + 0.2 / 3
    cm = evaluation.confusion_matrix(one_hot, probabilities)
    np.testing.assert_array_equal(cm, evaluation.confusion_matrix(Y_TRUE, Y_PRED))


def test_confusion_matrix_pads_to_num_classes_and_refuses_out_of_range():
    cm = evaluation.confusion_matrix([0, 1], [0, 1], num_classes=4)
    assert cm.shape == (4, 4)
    with pytest.raises(ValueError, match="out of range"):
        evaluation.confusion_matrix([0, 5], [0, 1], num_classes=4)


def test_confusion_matrix_refuses_mismatched_lengths_and_bad_labels():
    with pytest.raises(ValueError, match="must match"):
        evaluation.confusion_matrix([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="negative"):
        evaluation.confusion_matrix([0, -1], [0, 1])
    with pytest.raises(ValueError, match="whole"):
        evaluation.confusion_matrix([0.5, 1.0], [0, 1])


def test_confusion_matrix_equals_scikit_learn_on_random_labels():
    from sklearn.metrics import confusion_matrix

    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 6, 300)
    y_pred = np.where(rng.random(300) < 0.6, y_true, rng.integers(0, 6, 300))
    cm = evaluation.confusion_matrix(y_true, y_pred, num_classes=7)
    assert cm.dtype == np.int64
    np.testing.assert_array_equal(cm, confusion_matrix(y_true, y_pred, labels=range(7)))


def test_predicted_labels_is_the_argmax_of_each_row():
    probabilities = np.array([[0.1, 0.9], [0.7, 0.3]])
    np.testing.assert_array_equal(evaluation.predicted_labels(probabilities), [1, 0])
    with pytest.raises(ValueError, match="rows"):
        evaluation.predicted_labels(np.array([0.1, 0.9]))


def test_classification_report_matches_hand_computed_values():
    report = evaluation.classification_report(Y_TRUE, Y_PRED, ["a", "b", "c"])
    assert list(report.index) == ["a", "b", "c", "accuracy", "macro avg", "weighted avg"]
    # class a: 2 of 2 predicted a are right (precision 1), 2 of 3 a found (recall 2/3)
    assert report.loc["a", "precision"] == pytest.approx(1.0)
    assert report.loc["a", "recall"] == pytest.approx(2 / 3)
    assert report.loc["a", "f1-score"] == pytest.approx(0.8)
    # class b: predicted twice, right once; 2 examples, found once
    assert report.loc["b", "precision"] == pytest.approx(0.5)
    assert report.loc["b", "recall"] == pytest.approx(0.5)
    assert report.loc["c", "precision"] == pytest.approx(0.5)
    assert report.loc["c", "recall"] == pytest.approx(1.0)
    assert list(report["support"][:3]) == [3, 2, 1]
    assert report.loc["accuracy", "f1-score"] == pytest.approx(4 / 6)
    assert report.loc["macro avg", "recall"] == pytest.approx((2 / 3 + 0.5 + 1.0) / 3)
    assert report.loc["weighted avg", "recall"] == pytest.approx(4 / 6)


def test_classification_report_equals_scikit_learns_report():
    from sklearn.metrics import classification_report

    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 5, 200)
    y_pred = np.where(rng.random(200) < 0.7, y_true, rng.integers(0, 5, 200))
    names = ["a", "b", "c", "d", "e"]
    report = evaluation.classification_report(y_true, y_pred, names)
    expected = classification_report(
        y_true, y_pred, target_names=names, output_dict=True, zero_division=0
    )
    for row in [*names, "macro avg", "weighted avg"]:
        for column in ("precision", "recall", "f1-score", "support"):
            assert report.loc[row, column] == pytest.approx(expected[row][column]), (row, column)
    assert report.loc["accuracy", "f1-score"] == pytest.approx(expected["accuracy"])
    assert report["support"].dtype == np.int64
    assert report.loc[["accuracy"], ["precision", "recall"]].isna().all(axis=None)


def test_classification_report_refuses_no_examples():
    with pytest.raises(ValueError, match="empty"):
        evaluation.classification_report([], [], ["a", "b"])


def test_classification_report_class_never_predicted_has_zero_precision():
    report = evaluation.classification_report([0, 1, 1], [0, 0, 0], ["x", "y"])
    assert report.loc["y", "precision"] == 0
    assert report.loc["y", "f1-score"] == 0


def test_classification_report_names_every_class_even_unseen_ones():
    report = evaluation.classification_report([0, 1], [0, 1], ["a", "b", "c"])
    assert list(report.index[:3]) == ["a", "b", "c"]
    assert report.loc["c", "support"] == 0
    assert report.loc["c", "precision"] == 0 and report.loc["c", "recall"] == 0
    assert report.loc["macro avg", "recall"] == pytest.approx(2 / 3)  # c counts, as 0
    with pytest.raises(ValueError, match="out of range"):
        evaluation.classification_report([0, 1, 2], [0, 1, 2], ["a", "b"])


def test_most_confused_orders_off_diagonal_cells_by_count():
    cm = np.array([[50, 3, 0], [7, 40, 7], [1, 0, 60]])
    table = evaluation.most_confused(cm, ["zero", "one", "two"], top=3)
    assert list(table["true"]) == ["one", "one", "zero"]
    assert list(table["predicted"]) == ["zero", "two", "one"]
    assert list(table["count"]) == [7, 7, 3]
    assert table["share"].iloc[0] == pytest.approx(7 / 54)
    # zero counts are left out
    assert len(evaluation.most_confused(cm, top=10)) == 4


def test_most_confused_refuses_a_non_square_matrix():
    with pytest.raises(ValueError, match="square"):
        evaluation.most_confused(np.zeros((2, 3)))


def test_mistakes_lists_wrong_predictions_most_confident_first():
    probabilities = np.array(
        [
            [0.9, 0.1, 0.0],  # true 0: right
            [0.2, 0.7, 0.1],  # true 0: wrong (1, 0.7)
            [0.1, 0.0, 0.9],  # true 1: wrong (2, 0.9)
            [0.3, 0.6, 0.1],  # true 1: right
        ]
    )
    table = evaluation.mistakes([0, 0, 1, 1], probabilities, class_names=["a", "b", "c"])
    assert list(table["index"]) == [2, 1]
    assert list(table["true"]) == [1, 0]
    assert list(table["predicted"]) == [2, 1]
    np.testing.assert_allclose(table["confidence"], [0.9, 0.7])
    np.testing.assert_allclose(table["true_probability"], [0.0, 0.2])
    assert list(table["true_name"]) == ["b", "a"]
    assert list(table["predicted_name"]) == ["c", "b"]


def test_mistakes_of_a_perfect_model_is_an_empty_table():
    table = evaluation.mistakes([0, 1], np.eye(2))
    assert len(table) == 0
    assert {"index", "true", "predicted", "confidence"} <= set(table.columns)


def test_mistakes_refuses_labels_beyond_the_probability_columns():
    with pytest.raises(ValueError, match="out of range"):
        evaluation.mistakes([0, 3], np.eye(2))
