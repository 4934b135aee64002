"""Files whose nodata value lies inside, on the edge of or outside their sample type's range, and
GDAL's validity of each, for CorpusMaskTest.

usage: nodata_masks.py OUT_DIR
Writes OUT_DIR/<type>_<k>.tif (one row of samples at the type's limits and around the nodata
value), OUT_DIR/<type>_<k>.valid (one byte per pixel, 1 where GetMaskBand() is non-zero) and
OUT_DIR/masks.json listing {"file", "flags", "valid"} for every file.
"""
import json
import math
import os
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
out_dir = sys.argv[1]
F32 = float(np.finfo(np.float32).max)
# Nodata values inside, on the edges of and outside each integer type's range, fractional ones,
# and values that wrap to a sample when cast (40000 is Int16 -25536, 70000 is UInt16 4464).
INTEGER_NODATA = [
    -3e9, -2147483648.5, -2147483648, -40000, -32769, -32768.9, -32768, -1.5, -1, -0.5, -0.1, 0,
    0.5, 1.5, 254.5, 255, 255.5, 256, 32767, 32767.5, 32768, 40000, 65535, 65535.9, 65536, 70000,
    2147483647, 2147483647.5, 2147483648, 4294967295, 4294967295.5, 5e9,
]
cases = {
    "Byte": (gdal.GDT_Byte, np.uint8, [0, 1, 2, 254, 255], INTEGER_NODATA),
    "UInt16": (gdal.GDT_UInt16, np.uint16, [0, 1, 2, 4464, 32767, 32768, 65534, 65535],
               INTEGER_NODATA),
    "Int16": (gdal.GDT_Int16, np.int16, [-32768, -32767, -25536, -2, -1, 0, 1, 4464, 32767],
              INTEGER_NODATA),
    "UInt32": (gdal.GDT_UInt32, np.uint32,
               [0, 1, 2, 255, 65535, 2147483647, 2147483648, 4294967295], INTEGER_NODATA),
    "Int32": (gdal.GDT_Int32, np.int32,
              [-2147483648, -40000, -32769, -2, -1, 0, 1, 40000, 70000, 2147483647],
              INTEGER_NODATA),
    "Float32": (gdal.GDT_Float32, np.float32, [-math.inf, -F32, -1.5, 0, 1.5, F32, math.inf],
                [-1e300, -math.inf, -F32, -1.5, 1.5, F32, math.inf, 1e39, 1e300]),
    "Float64": (gdal.GDT_Float64, np.float64, [-math.inf, -1e300, -1.5, 0, 1.5, 1e300, math.inf],
                [-math.inf, -1e300, -1.5, 1.5, 1e300, math.inf]),
}
out = []
for name, (gdal_type, np_type, values, nodatas) in cases.items():
    for k, nodata in enumerate(nodatas):
        path = os.path.join(out_dir, "%s_%d.tif" % (name, k))
        ds = gdal.GetDriverByName("GTiff").Create(path, len(values), 1, 1, gdal_type)
        band = ds.GetRasterBand(1)
        band.WriteArray(np.array([values], dtype=np_type))
        band.SetNoDataValue(nodata)
        ds = None
        ds = gdal.Open(path)
        band = ds.GetRasterBand(1)
        valid = (band.GetMaskBand().ReadAsArray() != 0).astype(np.uint8)
        target = os.path.join(out_dir, "%s_%d.valid" % (name, k))
        valid.tofile(target)
        out.append({"file": path, "flags": [band.GetMaskFlags()], "valid": target})
with open(os.path.join(out_dir, "masks.json"), "w", encoding="utf-8") as f:
    json.dump(out, f)
