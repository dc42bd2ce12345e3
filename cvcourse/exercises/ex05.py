"""Exercises of notebook 05_data_augmentation.

- ``q1``: build an augmentation pipeline from a description; checked on what it does:
  the layers asked for (the contrast lowered or raised: ``RandomContrast((0.2, 0.2))``, as
  one number alone only raises it), shapes and dtype kept, training images changed,
  inference images left alone (:mod:`.ex05_pipeline`).
- ``q2`` (transfer): which augmentations suit handwritten digits, a dataset the notebook
  does not use, and which suit photos of cats and dogs: two selections (:class:`Picks`).
- ``q3``: spot the setups in which augmentation reaches the validation data (a
  :class:`Picks` of letters). Misses are counted, never named.
"""

from __future__ import annotations

from . import core, ex05_pipeline

NOTEBOOK = "05"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "05_data_augmentation"}


class Picks(core.Selection):
    """A Selection whose misses are counted, not named (naming them gives the answer away);
    ``left_out`` is their message, with ``{name}``, ``{count}`` and ``{s}``."""

    missed = ""
    left_out = "{name} leaves out {count} option{s} that belong in it"

    def judge(self, value, name, answers):
        problem = (super().judge(value, name, answers) or "").strip(". ")
        items = (
            value.replace(",", " ").split() if isinstance(value, str) and self.text_ok else value
        )
        if isinstance(items, (set, frozenset, list, tuple)):
            chosen = [
                self.normalise(v) if self.normalise and isinstance(v, str) else v for v in items
            ]
            count = sum(option not in chosen for option in self.must)
            if count and all(c in self.options for c in chosen):  # else Selection names it
                more = self.left_out.format(name=name, count=count, s="s"[: count - 1])
                problem = core.join_problems([problem, more])
        return problem or None


# ------------------------------------------------------------------------------- q1


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="an augmentation pipeline from a description",
    usage="ex.q1.check(my_augmentation)",
    hints=(
        "One Keras preprocessing layer per change in the description, in a "
        "keras.Sequential: a flip, a rotation, a zoom and a contrast change. Their factors "
        "are fractions: of a full turn for the rotation, of the size for the zoom. For the "
        "contrast, read section 2's table closely: what does one number alone do?",
        "Make a keras.Sequential of RandomFlip('horizontal'), RandomRotation(0.05), "
        "RandomZoom(0.15) and RandomContrast((0.2, 0.2)): given one number, RandomContrast "
        "only raises the contrast. augment.augmentation_pipeline(contrast=0.2) builds the "
        "same pair.",
    ),
    parts={"my_augmentation": ex05_pipeline.Pipeline()},
    correct=(
        "your pipeline has the four layers with the right settings; it changes training "
        "images, leaves inference images alone, and keeps their shape and dtype."
    ),
)


# ------------------------------------------------------------------------------- q2

# The names the notebook lists (small rotation: up to about 15 degrees; large: up to 180).
AUGMENTATIONS = ("horizontal_flip", "vertical_flip", "small_rotation", "large_rotation")
AUGMENTATIONS += ("shift", "zoom", "brightness")

# For each dataset: the augmentations that must be chosen, and those that must not, with why.
Q2_MUST = {
    "digits": ("small_rotation", "shift"),
    "cats_and_dogs": ("horizontal_flip", "small_rotation", "shift", "zoom"),
}
Q2_MUST_NOT = {
    "digits": {
        "horizontal_flip": "a mirrored 2, 3, 4, 5, 7 or 9 is not a digit any more (and "
        "mirrored characters are a different writing)",
        "vertical_flip": "a 6 upside down reads as a 9, so the label would be wrong",
        "large_rotation": "a 6 rotated half a turn is a 9, so the label would be wrong",
    },
    "cats_and_dogs": {
        "vertical_flip": "photos of pets are hardly ever upside down, so the model would "
        "spend its capacity on images it never meets",
        "large_rotation": "photos are hardly ever rotated by a quarter or half turn",
    },
}


def _augmentations(key: str) -> core.Selection:
    return Picks(
        options=AUGMENTATIONS,
        must=dict.fromkeys(Q2_MUST[key], ""),
        must_not=Q2_MUST_NOT[key],
        example="{'shift', 'zoom'}",
        option_words="names",
        left_out="{name} leaves out {count} augmentation{s} that would help: label-preserving, "
        "realistic changes",
    )


q2 = core.Answers(
    **COMMON,
    name="q2",
    title="augmentations for digits and for cats and dogs",
    usage="ex.q2.check(for_digits, for_cats_and_dogs)",
    hints=(
        "Ask of each transformation: would a person still give the transformed image the "
        "same label, and does the transformed image look like something the camera (or the "
        "pen) really produces? A 6 turned upside down is a 9.",
        "Digits are written a little tilted and off-centre, but a mirrored or upside-down "
        "digit is another digit or none. A pet's photo may be mirrored, tilted, nearer or "
        "farther, darker or brighter, but is hardly ever upside down.",
    ),
    parts={
        "for_digits": _augmentations("digits"),
        "for_cats_and_dogs": _augmentations("cats_and_dogs"),
    },
    correct=(
        "right: label-preserving, realistic changes only. Digits keep their orientation "
        "(no flips, no large turns); photos of pets may be mirrored but not turned over."
    ),
)


# ------------------------------------------------------------------------------- q3

SETUPS = {
    "A": "The augmentation layers are the first layers of the model; "
    "model.fit(train_ds, validation_data=val_ds).",
    "B": "train_ds = augment.augment_dataset(train_ds, pipeline) and val_ds = "
    "augment.augment_dataset(val_ds, pipeline), then model.fit(train_ds, validation_data=val_ds) "
    "with a model without augmentation layers.",
    "C": "Ten augmented copies of each of the 2,500 labelled images are written to disk "
    "(25,000 files), shuffled, then split 80/20 into training and validation folders.",
    "D": "train_ds = augment.augment_dataset(train_ds, pipeline); val_ds is used as it is; "
    "the model has no augmentation layers.",
    "E": "The augmentation layers are inside the model, and the validation accuracy is "
    "computed by hand with model(x_val, training=True).",
}
Q3_ANSWER = {"B", "C", "E"}
Q3_WHY = {
    "A": "layers inside the model are only active in training; Keras evaluates the "
    "validation data in inference mode, so they pass it through unchanged",
    "B": "augment_dataset was applied to val_ds too, so the validation images are "
    "augmented: the score is noisy and measures something other than real images",
    "C": "copies of the same photo land on both sides of the split, so the model is "
    "validated on near-duplicates of its training images: a real leak, the validation "
    "accuracy is too optimistic",
    "D": "only the training data go through the augmentation; this is the tf.data way done right",
    "E": "training=True switches the random layers (and dropout) on, so the validation "
    "images are augmented",
}


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="spot the augmentation that reaches the validation data",
    usage="ex.q3.check(touches_validation)",
    hints=(
        "For each setup, follow one validation image from disk to the score: is it ever "
        "changed at random, or is it a copy of a training image? Random layers are active "
        "with training=True (fit's training steps) and inactive otherwise.",
        "Three of the five setups touch the validation data: two let random layers change "
        "validation images, one puts copies of the same photo on both sides of the split.",
    ),
    parts={
        "touches_validation": Picks(
            options=tuple(SETUPS),
            must={x: Q3_WHY[x] for x in sorted(Q3_ANSWER)},
            must_not={x: Q3_WHY[x] for x in sorted(set(SETUPS) - Q3_ANSWER)},
            text_ok=True,
            normalise=lambda text: text.strip().upper(),
            example="{'A', 'D'}",
            option_words="setups",
            chosen_wrongly="{option} is fine: {why}",
            left_out="you left out {count} setup{s} in which the validation score is "
            "affected: follow each validation image from disk to the score",
        )
    },
    correct="right: " + "; ".join(f"{x}: {Q3_WHY[x]}" for x in sorted(Q3_ANSWER)) + ".",
)

QUESTIONS = ("q1", "q2", "q3")
