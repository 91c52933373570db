"""Syntetos-Boylan demand classification (smooth / erratic / intermittent / lumpy).

The class drives which candidates are worth fitting (Croston-type methods for intermittent and
lumpy demand) and which error metric ranks them (MASE instead of RMSSE for intermittent).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
INTERMITTENT_CLASSES = ("intermittent", "lumpy")


def classify_demand(
    history: pd.DataFrame,
    adi_cutoff: float = ADI_CUTOFF,
    cv2_cutoff: float = CV2_CUTOFF,
) -> pd.DataFrame:
    """Classify each series by ADI (mean interval between non-zero demands) and CV².

    ADI = number of periods / number of non-zero periods (inf if never sold); CV² is the squared
    coefficient of variation of the non-zero demand sizes.  Returns one row per series with
    columns ``series_id, adi, cv2, demand_class``.
    """
    y = history["y"].to_numpy(float)
    nz = y != 0
    frame = pd.DataFrame(
        {
            "series_id": history["series_id"].to_numpy(),
            "n": 1,
            "nz": nz.astype(int),
            "size": np.where(nz, np.abs(y), np.nan),
        }
    )
    g = frame.groupby("series_id", sort=True)
    agg = g.agg(n=("n", "sum"), nz=("nz", "sum"), mean=("size", "mean"), std=("size", "std"))
    adi = (agg["n"] / agg["nz"].where(agg["nz"] > 0)).fillna(np.inf)
    cv2 = ((agg["std"].fillna(0.0) / agg["mean"]) ** 2).fillna(0.0)
    high_adi = adi >= adi_cutoff
    high_cv2 = cv2 >= cv2_cutoff
    cls = np.select(
        [~high_adi & ~high_cv2, ~high_adi & high_cv2, high_adi & ~high_cv2],
        ["smooth", "erratic", "intermittent"],
        default="lumpy",
    )
    return pd.DataFrame(
        {"series_id": agg.index, "adi": adi.to_numpy(), "cv2": cv2.to_numpy(), "demand_class": cls}
    )
