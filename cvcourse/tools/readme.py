"""The README's results table, generated from the latest full build, never typed by hand.

``cvcourse build --profile full --inplace`` stores each notebook with its run; then
``cvcourse record`` collects those runs into ``notebooks/results.json`` and rewrites the
parts of README.md between ``<!-- results:start -->`` and ``<!-- results:end -->`` (with
:func:`results_section`) and between the syllabus markers.
A test checks that the README matches the recorded results.
"""

from __future__ import annotations

from pathlib import Path

from .files import write_atomic
from .tables import markdown_table

START = "<!-- results:start -->"
END = "<!-- results:end -->"
SYLLABUS_START = "<!-- syllabus:start -->"
SYLLABUS_END = "<!-- syllabus:end -->"

# (notebook, what it teaches, the metric that is its headline result, what that number is)
SYLLABUS: list[tuple[str, str, str | None, str]] = [
    (
        "00_images_as_arrays",
        "images as arrays with Pillow, matplotlib, scikit-image and tf.io; channels, grayscale,"
        " rescaling, resizing; auditing an image folder",
        None,
        "",
    ),
    (
        "01_convolution_relu_pooling",
        "convolution by hand, padding, stride, the output-size formula, classic kernels,"
        " cross-correlation vs convolution, ReLU, pooling",
        None,
        "",
    ),
    (
        "02_dense_vs_convnet_mnist",
        "a dense baseline, why flattening hurts, the MNIST convnet, parameter counting, errors",
        "test_accuracy",
        "MNIST test accuracy, convnet",
    ),
    (
        "03_chinese_mnist_project",
        "a whole project: audit, a split by writer, callbacks, checkpoints, per-class report,"
        " error analysis",
        "test_accuracy",
        "Chinese MNIST test accuracy",
    ),
    (
        "04_small_data_cats_vs_dogs",
        "class folders to `tf.data`, a convnet from scratch on 2,000 images, overfitting",
        "test_accuracy",
        "cats vs dogs test accuracy, from scratch",
    ),
    (
        "05_data_augmentation",
        "preprocessing layers, what replaced ImageDataGenerator, input-pipeline speed",
        "test_accuracy",
        "cats vs dogs test accuracy, with augmentation",
    ),
    (
        "06_modern_convnets",
        "CIFAR-10: the classic CNN, convolution in 1/2/3-D, stride vs pooling, batch norm,"
        " residual and depthwise-separable blocks, MobileNetV2's block, a fast residual"
        " network; the same blocks on cats vs dogs",
        "test_accuracy",
        "CIFAR-10 test accuracy, fast residual network",
    ),
    (
        "07_transfer_learning",
        "an ImageNet network out of the box, feature extraction, fine-tuning, `MirroredStrategy`",
        "test_accuracy",
        "cats vs dogs test accuracy, fine-tuned MobileNetV2",
    ),
    (
        "08_visualizing_convnets",
        "intermediate activations, filter patterns, Grad-CAM",
        "test_accuracy",
        "test accuracy of the classifier it explains",
    ),
    (
        "09_capstone_sign_language",
        "your own network on Sign Language MNIST: rock-paper-scissors, then 24 letters",
        "letters_test_accuracy",
        "24-letter test accuracy",
    ),
]

# (notebook, metric it reports, what the number is, published figure, where it is from)
REFERENCES: list[tuple[str, str, str, str, str]] = [
    (
        "02_dense_vs_convnet_mnist",
        "dense_test_accuracy",
        "MNIST, dense network",
        "97.8%",
        "Keras book",
    ),
    ("02_dense_vs_convnet_mnist", "test_accuracy", "MNIST, convnet", "99.3%", "Keras book"),
    (
        "03_chinese_mnist_project",
        "baseline_cnn_test_accuracy",
        "Chinese MNIST, baseline CNN",
        "-",
        "-",
    ),
    (
        "03_chinese_mnist_project",
        "final_fit_test_accuracy",
        "Chinese MNIST, VGG-style CNN, final fit, new writers",
        "-",
        "-",
    ),
    (
        "03_chinese_mnist_project",
        "averaged_test_accuracy",
        "Chinese MNIST, two VGG-style CNNs averaged, new writers",
        "-",
        "-",
    ),
    (
        "03_chinese_mnist_project",
        "test_accuracy",
        "Chinese MNIST, two CNNs averaged over five shifted views, new writers",
        "-",
        "-",
    ),
    (
        "04_small_data_cats_vs_dogs",
        "test_accuracy",
        "cats vs dogs, from scratch, best-validation epoch",
        "72%",
        "Keras book",
    ),
    (
        "04_small_data_cats_vs_dogs",
        "last_epoch_test_accuracy",
        "cats vs dogs, from scratch, last epoch",
        "-",
        "-",
    ),
    (
        "05_data_augmentation",
        "test_accuracy",
        "cats vs dogs, with augmentation, last epoch",
        "82-84%",
        "Keras book",
    ),
    (
        "05_data_augmentation",
        "checkpoint_test_accuracy",
        "cats vs dogs, with augmentation, best-validation epoch",
        "-",
        "-",
    ),
    (
        "06_modern_convnets",
        "source_cnn_test_accuracy",
        "CIFAR-10, the classic CNN (8 epochs, JPEG copy)",
        "about 70% (original arrays)",
        "TensorFlow CNN tutorial",
    ),
    (
        "06_modern_convnets",
        "test_accuracy",
        "CIFAR-10, fast residual network (<= 15 min, 2 CPU cores)",
        "94% in 3.29 s on one A100 GPU",
        "Jordan (2024), airbench",
    ),
    (
        "06_modern_convnets",
        "cats_vs_dogs_test_accuracy",
        "cats vs dogs, residual separable network from scratch",
        "90.8%",
        "Keras book",
    ),
    (
        "07_transfer_learning",
        "feature_extraction_test_accuracy",
        "cats vs dogs, pretrained features",
        "90% (VGG16); about 96% (MobileNetV2)",
        "Keras book; TensorFlow tutorial",
    ),
    (
        "07_transfer_learning",
        "frozen_base_test_accuracy",
        "cats vs dogs, frozen base with augmentation",
        "-",
        "-",
    ),
    (
        "07_transfer_learning",
        "test_accuracy",
        "cats vs dogs, fine-tuned",
        "96.8% (VGG16); about 98% (MobileNetV2)",
        "Keras book; TensorFlow tutorial",
    ),
    (
        "09_capstone_sign_language",
        "rps_test_accuracy",
        "Sign Language MNIST, rock-paper-scissors",
        "-",
        "-",
    ),
    (
        "09_capstone_sign_language",
        "letters_test_accuracy",
        "Sign Language MNIST, 24 letters",
        "99-100%",
        "Kaggle solutions",
    ),
]


def _percent(value) -> str:
    return f"{100 * value:.1f}%" if isinstance(value, (int, float)) else "not reported"


def results_section(payload: dict) -> str:
    """The README's results section (Markdown) for a recorded build."""
    env = payload["environment"]
    by_name = {n["notebook"]: n for n in payload["notebooks"]}
    runs = []
    for n in payload["notebooks"]:
        memory = f"{n['peak_memory_mb'] / 1024:.1f} GB" if n.get("peak_memory_mb") else "?"
        runs.append([n["notebook"], n["status"], f"{n['seconds'] / 60:.1f}", memory])
    compared = []
    for notebook, metric, label, published, source in REFERENCES:
        reported = by_name.get(notebook, {}).get("metrics", {}).get(metric)
        if reported is not None:  # a row only for a number the run reported
            compared.append([f"{label} ({notebook[:2]})", _percent(reported), published, source])
    return "\n".join(
        [
            f"Measured by `cvcourse build --profile {env['profile']}` on {env['date'][:10]}, "
            f"{env['machine']}, TensorFlow {env['tensorflow']}, Keras {env['keras']} "
            "(from `notebooks/results.json`; regenerate with `cvcourse record`).",
            "",
            markdown_table(
                ["notebook", "status", "minutes", "peak memory"],
                runs,
                right={"minutes", "peak memory"},
            ),
            "",
            markdown_table(
                ["result", "this course", "published", "source"],
                compared,
                right={"this course", "published"},
            ),
        ]
    )


def syllabus_section(payload: dict) -> str:
    """The README's syllabus (Markdown): each notebook, what it teaches, its minutes and
    headline result in the recorded full run ("not run yet" where none is recorded)."""
    by_name = {n["notebook"]: n for n in payload["notebooks"]}
    rows = []
    for notebook, teaches, metric, label in SYLLABUS:
        run = by_name.get(notebook)
        minutes = f"{run['seconds'] / 60:.1f}" if run else "not run yet"
        if not metric:
            headline = "- (nothing is trained)"
        elif run is None:
            headline = f"{label}: not run yet"
        else:
            headline = f"{label}: {_percent(run.get('metrics', {}).get(metric))}"
        rows.append([notebook, teaches, minutes, headline])
    minutes_column = "minutes (full, 2-core CPU)"
    header = ["notebook", "what it teaches", minutes_column, "headline result"]
    return markdown_table(header, rows, right={minutes_column})


def _replace_between(text: str, start: str, end: str, body: str, readme: Path) -> str:
    if start not in text or end not in text:
        raise ValueError(f"{readme} has no {start} ... {end} section")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def update_readme(readme: Path, payload: dict, *, check: bool = False) -> bool:
    """Rewrite (or, with ``check``, only compare) the README's syllabus and results sections.

    Takes the README's path and the recorded results (``notebooks/results.json``'s
    content, a dict); returns True when either section changed (would change). Raises
    ``ValueError`` naming the README when a section's markers are missing.
    """
    text = readme.read_text(encoding="utf-8")
    new = _replace_between(text, START, END, results_section(payload), readme)
    new = _replace_between(new, SYLLABUS_START, SYLLABUS_END, syllabus_section(payload), readme)
    if new == text:
        return False
    if not check:
        write_atomic(readme, new)
    return True
