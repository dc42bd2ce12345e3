"""The course's own tooling: the ``cvcourse`` command and what it needs.

No notebook imports this package. It runs notebooks (``build``, ``grade``), writes the
student copies (``release``), the README tables (``record``) and the notebooks' Colab cells
(``tidy``), and checks a machine (``doctor``). It imports the teaching modules of
``cvcourse``; they never import it.
"""
