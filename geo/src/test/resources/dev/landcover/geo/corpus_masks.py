"""GDAL's validity of the corpus files that have a mask, alpha or nodata, for CorpusMaskTest.

usage: corpus_masks.py LIST OUT_DIR
For each file named in LIST (one a line) that GDAL opens and whose GetMaskFlags() is not
GMF_ALL_VALID for some band: OUT_DIR/N.valid, one byte per pixel (row-major), 1 where
GetMaskBand() of every band is non-zero; OUT_DIR/masks.json lists {"file", "flags", "valid"}.
"""
import json
import os
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
out = []
with open(sys.argv[1], encoding="utf-8") as f:
    paths = f.read().splitlines()
for n, path in enumerate(paths):
    try:
        ds = gdal.Open(path)
        flags = [ds.GetRasterBand(b + 1).GetMaskFlags() for b in range(ds.RasterCount)]
        if all(f == gdal.GMF_ALL_VALID for f in flags):
            continue
        valid = np.ones((ds.RasterYSize, ds.RasterXSize), bool)
        for b in range(ds.RasterCount):
            valid &= ds.GetRasterBand(b + 1).GetMaskBand().ReadAsArray() != 0
        target = os.path.join(sys.argv[2], "%d.valid" % n)
        valid.astype(np.uint8).tofile(target)
        out.append({"file": path, "flags": flags, "valid": target})
    except Exception:  # a file GDAL cannot read is left out
        continue
with open(os.path.join(sys.argv[2], "masks.json"), "w", encoding="utf-8") as f:
    json.dump(out, f)
