"""Inputs and checks for BandStackCommandsTest, with GDAL.

stack_cli.py make SHARED_DATA OUT_DIR
  zion_b{2,3,4,5}.tif  256 x 256 crops (gdal_translate -srcwin) of the Zion Landsat band files
  zion_4band.tif       the same crop of the shared four-band scene
  zion.vrt             gdalbuildvrt -separate of the four crops
  derived.vrt          zion.vrt with band 1 made a pixel function (refused)
  b5_nad83.tif         zion_b5.tif reprojected to NAD83 / UTM 12N (refused in a stack)
  s2/S2_SLO_Bnn.tif    the 13 bands of the shared Sentinel-2 scene, one file each, without
                       band descriptions (named from the file names)
stack_cli.py same A.tif B.tif
  prints "same" when GDAL reads both with equal size, bands, pixels, geotransform, nodata and an
  IsSame CRS; else what differs
"""
import os
import subprocess
import sys

from osgeo import gdal, osr

gdal.UseExceptions()


def run(*args):
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL)


def make(data, out):
    os.makedirs(out, exist_ok=True)
    src = os.path.join(data, "zion-sources")
    win = ["-srcwin", "400", "600", "256", "256"]
    bands = []
    for b in (2, 3, 4, 5):
        f = os.path.join(out, "zion_b%d.tif" % b)
        run("gdal_translate", "-q", *win, os.path.join(src, "landsat_b%d.tif" % b), f)
        bands.append(f)
    run("gdal_translate", "-q", *win, os.path.join(data, "scenes", "landsat8-zion-4band.tif"),
        os.path.join(out, "zion_4band.tif"))
    run("gdalbuildvrt", "-q", "-separate", os.path.join(out, "zion.vrt"), *bands)
    text = open(os.path.join(out, "zion.vrt")).read()
    text = text.replace('band="1">', 'band="1" subClass="VRTDerivedRasterBand">', 1)
    open(os.path.join(out, "derived.vrt"), "w").write(text)
    run("gdalwarp", "-q", "-t_srs", "EPSG:26912", bands[3], os.path.join(out, "b5_nad83.tif"))
    s2 = gdal.Open(os.path.join(data, "scenes", "s2-slovenia-13band.tif"))
    os.makedirs(os.path.join(out, "s2"), exist_ok=True)
    for i in range(1, s2.RasterCount + 1):
        band = s2.GetRasterBand(i)
        name = band.GetDescription()
        f = os.path.join(out, "s2", "S2_SLO_%s.tif" % name)
        d = gdal.GetDriverByName("GTiff").Create(
            f, s2.RasterXSize, s2.RasterYSize, 1, band.DataType)
        d.SetGeoTransform(s2.GetGeoTransform())
        d.SetProjection(s2.GetProjection())
        if band.GetNoDataValue() is not None:
            d.GetRasterBand(1).SetNoDataValue(band.GetNoDataValue())
        d.GetRasterBand(1).WriteArray(band.ReadAsArray())
        d = None
    print("ok")


def same(a, b):
    x, y = gdal.Open(a), gdal.Open(b)
    problems = []
    if (x.RasterXSize, x.RasterYSize, x.RasterCount) != (y.RasterXSize, y.RasterYSize,
                                                         y.RasterCount):
        problems.append("size or band count")
    if x.GetGeoTransform() != y.GetGeoTransform():
        problems.append("geotransform %s vs %s" % (x.GetGeoTransform(), y.GetGeoTransform()))
    sx, sy = x.GetSpatialRef(), y.GetSpatialRef()
    if (sx is None) != (sy is None) or (sx is not None and not sx.IsSame(sy)):
        problems.append("CRS")
    if not problems:
        for i in range(1, x.RasterCount + 1):
            bx, by = x.GetRasterBand(i), y.GetRasterBand(i)
            if bx.GetNoDataValue() != by.GetNoDataValue():
                problems.append("nodata of band %d" % i)
            if (bx.ReadAsArray() != by.ReadAsArray()).any():
                problems.append("pixels of band %d" % i)
    print("same" if not problems else "differ: " + "; ".join(problems))


if sys.argv[1] == "make":
    make(sys.argv[2], sys.argv[3])
else:
    same(sys.argv[2], sys.argv[3])
