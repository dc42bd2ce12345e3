"""Fonts for labels: which installed font can draw a text, and labels that never come out
as empty boxes (Chinese class names on a machine without a CJK font).

Taught in notebook 03 (Chinese MNIST); the evaluation figures use it for their labels.
"""

from __future__ import annotations

# Fonts that show Chinese characters, by the names their families usually go by; any other
# installed font that covers the text is found too. Matplotlib's "Last Resort" font maps
# every character to a placeholder box, so it never counts.
CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Hiragino Sans GB",
    "AR PL UMing CN",
    "Arial Unicode MS",
)


_CHARMAPS: dict[str, frozenset] = {}  # font file -> the characters it has glyphs for


def _charmap(path: str) -> frozenset:
    """The code points the font file at ``path`` has glyphs for (cached; empty if unreadable)."""
    if path not in _CHARMAPS:
        try:
            from matplotlib.ft2font import FT2Font

            _CHARMAPS[path] = frozenset(FT2Font(path).get_charmap())
        except Exception:  # noqa: BLE001 - an unreadable font covers nothing
            _CHARMAPS[path] = frozenset()
    return _CHARMAPS[path]


def font_for_text(text: str) -> str | None:
    """The family name (str) of an installed font that has a glyph for every character of
    ``text``, or None when there is none (matplotlib would then draw empty boxes).

    Whitespace needs no glyph. Plain ASCII needs no special font: the answer is then
    matplotlib's default family. Well-known CJK families (``CJK_FONT_FAMILIES``) are
    tried first. Used by :func:`readable_labels` (notebook 03).
    """
    import matplotlib
    from matplotlib import font_manager

    wanted = {ord(c) for c in str(text) if not c.isspace()}
    default = matplotlib.rcParams["font.family"][0]
    if all(c < 128 for c in wanted):
        return default
    entries = [f for f in font_manager.fontManager.ttflist if not f.name.startswith("Last Resort")]
    rank = {name: i for i, name in enumerate(CJK_FONT_FAMILIES)}
    entries.sort(key=lambda f: rank.get(f.name, len(rank)))
    for entry in entries:
        if wanted <= _charmap(entry.fname):
            return entry.name
    return None


def readable_labels(names, fallback_names=None) -> tuple[list[str], str | None]:
    """Labels that the installed fonts can draw: ``(labels, font_family)``.

    ``names`` and ``fallback_names`` are sequences of labels (anything ``str`` takes),
    of the same length. Returns ``names`` as strings if one installed font covers all of
    them (``font_family`` is that font's family, to pass as ``fontfamily=``; None for
    plain ASCII), else ``fallback_names`` (e.g. the values of Chinese characters) with
    the default font (None), else the class indices "0", "1", ... Never returns labels
    that would be drawn as empty boxes. Notebook 03.
    """
    names = [str(n) for n in names]
    text = "".join(names)
    if text.isascii():
        return names, None
    family = font_for_text(text)
    if family is not None:
        return names, family
    if fallback_names is not None:
        fallback = [str(n) for n in fallback_names]
        if len(fallback) != len(names):
            raise ValueError(
                f"got {len(fallback)} fallback names for {len(names)} names; "
                "pass one fallback name per class"
            )
        if font_for_text("".join(fallback)) is not None:
            return fallback, None
    return [str(i) for i in range(len(names))], None


def font_kwargs(family: str | None) -> dict:
    """Keyword arguments for matplotlib text in ``family`` (with DejaVu Sans for the
    characters it lacks), or {} for the default font."""
    return {} if family is None else {"fontfamily": [family, "DejaVu Sans"]}
