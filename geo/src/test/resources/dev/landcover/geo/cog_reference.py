"""GDAL's view of a Cloud-Optimized GeoTIFF written by Landcover: the COG validator's errors and
warnings (full check: leader and trailer bytes too), and the largest difference between each
overview GDAL reads from the file and the overview GDAL's own gdaladdo computes from a copy of
the full resolution (same factors, same resampling).
Usage: cog_reference.py FILE RESAMPLING(mode|nearest|average) WORKDIR; prints one JSON object."""
import json
import os
import subprocess
import sys

import numpy as np
from osgeo import gdal
from osgeo_utils.samples import validate_cloud_optimized_geotiff as cog

gdal.UseExceptions()
path, resampling, work = sys.argv[1], sys.argv[2], sys.argv[3]
errors, warnings = [], []
try:
    warnings, errors, _ = cog.validate(path, full_check=True)
except cog.ValidateCloudOptimizedGeoTIFFException as e:
    errors = [str(e)]
ds = gdal.Open(path)
band = ds.GetRasterBand(1)
count = band.GetOverviewCount()
sizes = [[band.GetOverview(i).XSize, band.GetOverview(i).YSize] for i in range(count)]
plain = os.path.join(work, "plain-" + os.path.basename(path))
gdal.Translate(plain, ds, creationOptions=["TILED=YES", "COMPRESS=DEFLATE"])
if count:
    subprocess.run(
        ["gdaladdo", "-q", "-r", resampling, plain] + [str(2 ** (k + 1)) for k in range(count)],
        check=True,
    )
ref = gdal.Open(plain)
diffs, nodata_mismatch, reference_sizes = [], [], []
for b in range(1, ds.RasterCount + 1):
    for i in range(count):
        got = ds.GetRasterBand(b).GetOverview(i).ReadAsArray().astype(np.float64)
        rb = ref.GetRasterBand(b).GetOverview(i)
        reference_sizes.append([rb.XSize, rb.YSize])
        want = rb.ReadAsArray().astype(np.float64)
        if got.shape != want.shape:
            diffs.append(float("inf"))
            continue
        nan_got, nan_want = np.isnan(got), np.isnan(want)
        nodata_mismatch.append(int((nan_got != nan_want).sum()))
        both = ~(nan_got | nan_want)
        diffs.append(float(np.abs(got[both] - want[both]).max()) if both.any() else 0.0)
print(json.dumps({
    "errors": errors,
    "warnings": warnings,
    "overviews": sizes,
    "referenceOverviews": reference_sizes[:count],
    "maxDifference": max(diffs) if diffs else 0.0,
    "nanMismatches": sum(nodata_mismatch),
    "blockSize": band.GetBlockSize(),
    "geotransform": list(ds.GetGeoTransform()),
    "nodata": band.GetNoDataValue(),
    "colors": band.GetColorTable().GetCount() if band.GetColorTable() else 0,
}))
