"""Checks an uncertainty raster against numpy computed from the float32 probabilities written
beside it: entropy in nats, -sum(p ln p) with 0 ln 0 = 0, or margin, the highest probability
minus the second. Usage: uncertainty_reference.py PROBABILITIES UNCERTAINTY entropy|margin;
prints one JSON object: the largest difference and the pixels whose nodata (NaN) differs."""
import json
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
p = gdal.Open(sys.argv[1]).ReadAsArray().astype(np.float64)  # classes x rows x columns
u = gdal.Open(sys.argv[2]).ReadAsArray().astype(np.float64)
if sys.argv[3] == "entropy":
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1)), 0.0)
    want = terms.sum(axis=0)
else:
    top2 = np.sort(p, axis=0)[-2:]
    want = top2[1] - top2[0]
nodata = np.isnan(p).any(axis=0)
want[nodata] = np.nan
mismatch = int((np.isnan(u) != np.isnan(want)).sum())
both = ~(np.isnan(u) | np.isnan(want))
print(json.dumps({
    "maxDifference": float(np.abs(u[both] - want[both]).max()),
    "nanMismatches": mismatch,
    "pixels": int(both.sum()),
    "max": float(u[both].max()),
    "min": float(u[both].min()),
}))
