"""Plans and 双随机 draws (抽查计划, 随机抽取, 一公开; next-capabilities §2).

- `plans`: create a plan, its target and inspector directories, the witnessed draw and its
  re-run check, recusal by child draw; every drawn party becomes a task (`tasks.create_task`).
- `algorithm`: the documented, versioned draw algorithm (pure; recompute a draw with it).
- `results`: results from the inspections done, publication within 20 working days, the
  public list and its CSV without personal data.
"""
from __future__ import annotations
