"""GeoTIFFs in many coordinate reference systems, written by GDAL, and GDAL's verdict on copies.

Usage:
  /usr/bin/python3 crs_cases.py make DIR
      writes DIR/<case>.tif for every case and DIR/cases.json: a list of {"name", "path",
      "geotransform" (null without one), "nodata", "epsg" (GDAL's AutoIdentifyEPSG, or null),
      "crs_name" (GDAL's name of the CRS, or null), "metres" (whether GDAL finds the CRS projected
      or local in metres), "gcps" (count)}.
  /usr/bin/python3 crs_cases.py regrid SOURCE.tif DIR CASE...
      writes DIR/<case>.tif for each named case: a copy of SOURCE's pixels and nodata with the
      case's CRS and geotransform (GCP cases excluded), and DIR/cases.json as for make.
  /usr/bin/python3 crs_cases.py check REQUEST.json RESULT.json
      REQUEST is a list of {"source", "copy", "x", "y"}: a copy of the window of the source whose
      upper-left pixel is (x, y). Writes RESULT.json, a list of {"source", "copy", "ok", "errors"}:
      ok when GDAL finds the copy's CRS IsSame as the source's (GCP CRS for GCP files), the copy's
      geotransform equal to the source's moved to pixel (x, y) (GCPs moved by (x, y)), and the
      same nodata value (or the request's "nodata", when it has one).
"""
import json
import os
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()

W, H = 48, 40

ESRI_ALBERS_NAD83 = (
    'PROJCS["USA_Contiguous_Albers_Equal_Area_Conic_Custom",GEOGCS["GCS_North_American_1983",'
    'DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137.0,298.257222101]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],'
    'PROJECTION["Albers"],PARAMETER["False_Easting",1000000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",-96.5],PARAMETER["Standard_Parallel_1",29.5],'
    'PARAMETER["Standard_Parallel_2",45.5],PARAMETER["Latitude_Of_Origin",23.5],'
    'UNIT["Meter",1.0]]')

ESRI_UTM33 = (
    'PROJCS["WGS_1984_UTM_Zone_33N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",'
    'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],'
    'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
    'PARAMETER["Central_Meridian",15.0],PARAMETER["Scale_Factor",0.9996],'
    'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]')

LOCAL = 'LOCAL_CS["Mine site grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]'

# name, CRS (anything SetFromUserInput takes), geotransform, options
NORTH_UP = (500000.0, 30.0, 0.0, 4000000.0, 0.0, -30.0)
CASES = [
    ("utm33n_wgs84", "EPSG:32633", NORTH_UP, {}),
    ("utm33s_wgs84", "EPSG:32733", (500000.0, 30.0, 0.0, 8000000.0, 0.0, -30.0), {}),
    ("utm17n_nad83", "EPSG:26917", NORTH_UP, {}),
    ("web_mercator", "EPSG:3857", (-1000000.0, 100.0, 0.0, 6000000.0, 0.0, -100.0), {}),
    ("laea_europe", "EPSG:3035", (4321000.0, 100.0, 0.0, 3210000.0, 0.0, -100.0), {}),
    ("conus_albers", "EPSG:5070", (-2000000.0, 30.0, 0.0, 3000000.0, 0.0, -30.0), {}),
    ("lambert93", "EPSG:2154", (700000.0, 10.0, 0.0, 6600000.0, 0.0, -10.0), {}),
    ("wgs84", "EPSG:4326", (10.0, 0.001, 0.0, 50.0, 0.0, -0.001), {}),
    ("nad83", "EPSG:4269", (-100.0, 0.001, 0.0, 40.0, 0.0, -0.001), {}),
    ("etrs89", "EPSG:4258", (10.0, 0.001, 0.0, 50.0, 0.0, -0.001), {}),
    ("bng", "EPSG:27700", (400000.0, 25.0, 0.0, 300000.0, 0.0, -25.0), {}),
    ("krovak_5514", "EPSG:5514", (-700000.0, 10.0, 0.0, -1000000.0, 0.0, -10.0), {}),
    ("krovak_2065", "EPSG:2065", (700000.0, 10.0, 0.0, 1000000.0, 0.0, -10.0), {}),
    ("nztm", "EPSG:2193", (1700000.0, 10.0, 0.0, 5900000.0, 0.0, -10.0), {}),
    ("ups_south", "EPSG:32761", (2000000.0, 100.0, 0.0, 2000000.0, 0.0, -100.0), {}),
    ("polar_stereo_3413", "EPSG:3413", (-500000.0, 100.0, 0.0, -1000000.0, 0.0, -100.0), {}),
    ("ny_long_island_ftus", "EPSG:2263", (900000.0, 100.0, 0.0, 250000.0, 0.0, -100.0), {}),
    ("compound_vertical", "EPSG:32633+5773", NORTH_UP, {}),
    ("esri_albers_nad83", ESRI_ALBERS_NAD83, (0.0, 30.0, 0.0, 2000000.0, 0.0, -30.0), {}),
    ("esri_pe_albers_nad83", ESRI_ALBERS_NAD83, (0.0, 30.0, 0.0, 2000000.0, 0.0, -30.0),
     {"flavor": "ESRI_PE"}),
    ("esri_pe_utm33n", ESRI_UTM33, NORTH_UP, {"flavor": "ESRI_PE"}),
    ("local_cs", LOCAL, (1000.0, 1.0, 0.0, 5000.0, 0.0, -1.0), {}),
    ("south_up", "EPSG:32633", (500000.0, 30.0, 0.0, 4000000.0, 0.0, 30.0), {}),
    ("rotated", "EPSG:32633", (500000.0, 25.0, 5.0, 4000000.0, 4.0, -25.0), {}),
    ("pixel_is_point", "EPSG:32633", NORTH_UP, {"point": True}),
    ("no_crs", None, NORTH_UP, {}),
    ("gcp_only", "EPSG:4326", None, {"gcps": True}),
]


def srs_of(text):
    s = osr.SpatialReference()
    s.SetFromUserInput(text)
    return s


def describe(name, path):
    ds = gdal.Open(path)
    srs = ds.GetSpatialRef() or ds.GetGCPSpatialRef()
    epsg = None
    if srs is not None:
        ident = srs.Clone()
        try:
            ident.AutoIdentifyEPSG()
        except RuntimeError:
            pass
        code = ident.GetAuthorityCode(None)
        epsg = int(code) if code and code.isdigit() else None
    return {"name": name, "path": os.path.abspath(path),
            "geotransform": list(ds.GetGeoTransform(can_return_null=True) or []) or None,
            "nodata": ds.GetRasterBand(1).GetNoDataValue(), "epsg": epsg,
            "crs_name": srs.GetName() if srs is not None else None,
            "metres": bool(srs is not None and (srs.IsProjected() or srs.IsLocal())
                           and srs.GetLinearUnits() == 1.0),
            "gcps": ds.GetGCPCount()}


def creation_options(opts):
    co = ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "COMPRESS=DEFLATE"]
    if "flavor" in opts:
        co.append("GEOTIFF_KEYS_FLAVOR=" + opts["flavor"])
    return co


def regrid(source, folder, names):
    os.makedirs(folder, exist_ok=True)
    out = []
    src = gdal.Open(source)
    for name, crs, gt, opts in CASES:
        if name not in names:
            continue
        path = os.path.join(folder, name + ".tif")
        ds = gdal.GetDriverByName("GTiff").CreateCopy(path, src, options=creation_options(opts))
        if opts.get("point"):
            ds.SetMetadataItem("AREA_OR_POINT", "Point")
        ds.SetGeoTransform(gt)
        ds.SetSpatialRef(srs_of(crs) if crs else None)
        ds = None
        out.append(describe(name, path))
    with open(os.path.join(folder, "cases.json"), "w") as f:
        json.dump(out, f, indent=1)


def make(folder):
    os.makedirs(folder, exist_ok=True)
    out = []
    for i, (name, crs, gt, opts) in enumerate(CASES):
        path = os.path.join(folder, name + ".tif")
        ds = gdal.GetDriverByName("GTiff").Create(path, W, H, 3, gdal.GDT_UInt16,
                                                  creation_options(opts))
        if opts.get("point"):
            ds.SetMetadataItem("AREA_OR_POINT", "Point")
        if opts.get("gcps"):
            gcps = [gdal.GCP(10.0 + 0.01 * px + 0.001 * ln, 50.0 - 0.01 * ln + 0.002 * px, 0.0,
                             px, ln) for px, ln in ((0, 0), (W, 0), (0, H), (W, H), (20, 10))]
            ds.SetGCPs(gcps, srs_of(crs))
        else:
            ds.SetGeoTransform(gt)
            if crs is not None:
                ds.SetSpatialRef(srs_of(crs))
        rng = np.random.default_rng(i)
        for b in range(3):
            band = ds.GetRasterBand(b + 1)
            band.SetNoDataValue(65535 if i % 2 else 0)
            band.WriteArray(rng.integers(1, 5000, size=(H, W), dtype=np.uint16))
        ds = None
        out.append(describe(name, path))
    with open(os.path.join(folder, "cases.json"), "w") as f:
        json.dump(out, f, indent=1)


def show(srs):
    if srs is None:
        return "none"
    return "%s (%s)" % (srs.GetName(), srs.ExportToProj4())


def same_srs(a, b):
    if a is None or b is None:
        return a is None and b is None
    return bool(a.IsSame(b))


def check_pair(item):
    src = gdal.Open(item["source"])
    cpy = gdal.Open(item["copy"])
    x, y = item["x"], item["y"]
    errors = []
    if src.GetGCPCount():
        if not same_srs(src.GetGCPSpatialRef(), cpy.GetGCPSpatialRef()):
            errors.append("GCP CRS differs: source %s; copy %s" % (
                show(src.GetGCPSpatialRef()), show(cpy.GetGCPSpatialRef())))
        moved = [(g.GCPPixel - x, g.GCPLine - y, g.GCPX, g.GCPY, g.GCPZ) for g in src.GetGCPs()]
        got = [(g.GCPPixel, g.GCPLine, g.GCPX, g.GCPY, g.GCPZ) for g in cpy.GetGCPs()]
        if len(moved) != len(got) or any(
                abs(p - q) > 1e-9 * max(1.0, abs(p)) for m, g in zip(moved, got)
                for p, q in zip(m, g)):
            errors.append("GCPs %s, expected %s" % (got, moved))
    else:
        if not same_srs(src.GetSpatialRef(), cpy.GetSpatialRef()):
            errors.append("CRS differs: source %s; copy %s" % (
                show(src.GetSpatialRef()), show(cpy.GetSpatialRef())))
        g = src.GetGeoTransform()
        want = [g[0] + x * g[1] + y * g[2], g[1], g[2], g[3] + x * g[4] + y * g[5], g[4], g[5]]
        got = list(cpy.GetGeoTransform())
        scale = abs(g[1]) + abs(g[2]) + abs(g[4]) + abs(g[5])
        if any(abs(p - q) > 1e-9 * scale for p, q in zip(want, got)):
            errors.append("geotransform %s, expected %s" % (got, want))
    nd_src = item["nodata"] if "nodata" in item else src.GetRasterBand(1).GetNoDataValue()
    nd_cpy = cpy.GetRasterBand(1).GetNoDataValue()
    if nd_src != nd_cpy:
        errors.append("nodata %s, expected %s" % (nd_cpy, nd_src))
    return {"source": item["source"], "copy": item["copy"], "ok": not errors, "errors": errors}


def check(request_path, result_path):
    results = []
    for item in json.load(open(request_path)):
        try:
            results.append(check_pair(item))
        except Exception as e:  # noqa: BLE001 - a copy GDAL cannot open is a failure too
            results.append({"source": item["source"], "copy": item["copy"], "ok": False,
                            "errors": [str(e)]})
    with open(result_path, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "regrid":
        regrid(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        check(sys.argv[2], sys.argv[3])
