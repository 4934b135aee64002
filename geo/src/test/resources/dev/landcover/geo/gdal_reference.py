"""GDAL's reading of GeoTIFF files, the independent reference for Landcover's tests.

Usage: /usr/bin/python3 gdal_reference.py REQUEST.json OUT_DIR
REQUEST is a JSON list of {"path": str, "windows": [[x, y, w, h], ...] or null for the whole
raster, "wkt": the CRS as Landcover reads it, or null}. Writes OUT_DIR/result.json, a list of
{"path", "ok", "error", "width", "height", "bands", "dtype", "geotransform", "nodata", "epsg",
"crs_same", "colors", "data": [file names]} and, per window, a raw little-endian float64 file with
the window's bands one after the other (band, row, column).
"""
import json
import os
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()


def proj(srs):
    """The PROJ definition without datum-shift hints (+towgs84), which EPSG look-ups add."""
    return " ".join(t for t in srs.ExportToProj4().split() if not t.startswith("+towgs84"))


def describe(item, out_dir, index):
    ds = gdal.Open(item["path"])
    r = {"path": item["path"], "ok": True, "width": ds.RasterXSize, "height": ds.RasterYSize,
         "bands": ds.RasterCount, "geotransform": list(ds.GetGeoTransform(can_return_null=True) or []),
         "dtype": gdal.GetDataTypeName(ds.GetRasterBand(1).DataType),
         "nodata": [ds.GetRasterBand(b + 1).GetNoDataValue() for b in range(ds.RasterCount)],
         "compression": ds.GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE")}
    r["nodata"] = [None if v is None else ("nan" if v != v else v) for v in r["nodata"]]
    signed_byte = ds.GetRasterBand(1).GetMetadataItem("PIXELTYPE", "IMAGE_STRUCTURE") == "SIGNEDBYTE"
    if signed_byte:
        r["dtype"] = "Int8"  # GDAL 3.6 returns the bytes of signed 8-bit samples; GDAL 3.7 Int8
    srs = ds.GetSpatialRef()
    r["has_crs"] = srs is not None
    r["epsg"] = None
    r["crs_same"] = None
    if srs is not None:
        ident = srs.Clone()
        try:
            ident.AutoIdentifyEPSG()
        except RuntimeError:
            pass  # no EPSG code matches: keep the CRS as it is
        code = ident.GetAuthorityCode(None)
        r["epsg"] = int(code) if code and code.isdigit() else None
        if item.get("wkt"):
            ours = osr.SpatialReference()
            try:
                ours.SetFromUserInput(item["wkt"])
                # Same CRS up to axis order and names: IsSame, or the same PROJ definition.
                r["crs_same"] = bool(srs.IsSame(ours, ["IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES",
                                                       "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS"])
                                     or proj(srs) == proj(ours))
                if not r["crs_same"]:
                    r["crs_error"] = "GDAL: %s; ours: %s" % (srs.ExportToProj4(), ours.ExportToProj4())
            except RuntimeError as e:
                r["crs_same"] = False
                r["crs_error"] = str(e)
    ct = ds.GetRasterBand(1).GetColorTable()
    r["colors"] = None if ct is None else [list(ct.GetColorEntry(i)) for i in range(ct.GetCount())]
    r["category_names"] = ds.GetRasterBand(1).GetCategoryNames()
    windows = item.get("windows") or [[0, 0, ds.RasterXSize, ds.RasterYSize]]
    r["data"] = []
    for k, (x, y, w, h) in enumerate(windows):
        arr = ds.ReadAsArray(x, y, w, h)
        if signed_byte:
            arr = np.asarray(arr).astype("i1")
        arr = np.asarray(arr, dtype="<f8").reshape(ds.RasterCount, h, w)
        name = "%05d_%03d.bin" % (index, k)
        arr.tofile(os.path.join(out_dir, name))
        r["data"].append(name)
    return r


def main():
    request = json.load(open(sys.argv[1]))
    out_dir = sys.argv[2]
    results = []
    for i, item in enumerate(request):
        try:
            results.append(describe(item, out_dir, i))
        except Exception as e:  # noqa: BLE001 - a file GDAL refuses is a result too
            results.append({"path": item["path"], "ok": False, "error": str(e)})
    with open(os.path.join(out_dir, "result.json"), "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
