"""Writes GeoTIFF test files with GDAL from raw sample arrays, for BlockDecoderTest.

Usage: make_tiffs.py spec.json
spec.json: a list of {"path", "raw", "type" (GDAL name), "width", "height", "bands",
"options" (GTiff creation options), "window" (optional [x, y, w, h]: only this part is written)}.
"raw" holds the samples little-endian, band by band, row by row.
"""
import json
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()

NUMPY = {
    "Byte": "u1",
    "UInt16": "<u2",
    "Int16": "<i2",
    "UInt32": "<u4",
    "Int32": "<i4",
    "Float32": "<f4",
    "Float64": "<f8",
}

for item in json.load(open(sys.argv[1])):
    w, h, n = item["width"], item["height"], item["bands"]
    data = np.fromfile(item["raw"], dtype=NUMPY[item["type"]]).reshape(n, h, w)
    ds = gdal.GetDriverByName("GTiff").Create(
        item["path"], w, h, n, gdal.GetDataTypeByName(item["type"]), item["options"]
    )
    x, y, ww, hh = item.get("window") or [0, 0, w, h]
    for b in range(n):
        ds.GetRasterBand(b + 1).WriteArray(data[b, y : y + hh, x : x + ww], x, y)
    ds = None
