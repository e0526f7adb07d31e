"""Samples to lab results (next-capabilities.md §3): a sample's lab life after sealing, the
reference rows that prefill the result form and the verdict, the 检验结果告知书, the 复检 window
(in the 待办 lists), and lab time as pauses of the case and complaint clocks.

`life` owns the status machine; `reference` the §3.3 rows and `judge`; `pauses` the
`lab_pauses(inspection_id)` the clocks call; `importing` a lab's CSV; `notice` the PDF's content.
"""
from __future__ import annotations

from . import deadlines  # noqa: F401  (registers the 复检 window with the 待办 sources)
from .life import LAB_ROLES, STEPS, current_report, lab_sample, retest_due, samples_in_scope, status_of, step
from .pauses import lab_pauses, sample_pauses
from .reference import BY_CODE, REFERENCE_ROWS, conclusion_of, judge

__all__ = ["BY_CODE", "LAB_ROLES", "REFERENCE_ROWS", "STEPS", "conclusion_of", "current_report", "judge",
           "lab_pauses", "lab_sample", "retest_due", "sample_pauses", "samples_in_scope", "status_of", "step"]
