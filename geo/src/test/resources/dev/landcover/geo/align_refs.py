"""gdalwarp's resampling of the Zion rasters, the reference of RasterAlignerTest.

Usage: /usr/bin/python3 align_refs.py LANDSAT.tif NLCD.tif OUT_DIR
Writes in OUT_DIR, each target grid as an empty "like" file and gdalwarp's output on it (-et 0,
the exact transformation, so that differences are Landcover's):
  like25.tif   NAD83 / UTM 12N, 25 m, 240 x 240 px inside the Landsat scene (upsampling; its
               pixel centres fall on no Landsat pixel edge, so nearest has no ties);
  landsat_bilinear25.tif, landsat_cubic25.tif, landsat_near25.tif: the Landsat scene on it;
  like90.tif   NAD83 / UTM 12N, 90 m, 200 x 250 px (downsampling);
  landsat_average90.tif, nlcd_mode90.tif, nlcd_near90.tif.
"""
import os
import sys

from osgeo import gdal

gdal.UseExceptions()


def like(path, x0, y0, res, w, h):
    ds = gdal.GetDriverByName("GTiff").Create(path, w, h, 1, gdal.GDT_Byte, ["COMPRESS=DEFLATE"])
    ds.SetGeoTransform((x0, res, 0.0, y0, 0.0, -res))
    ds.SetProjection("EPSG:26912")
    ds = None
    return (x0, y0 - h * res, x0 + w * res, y0)


def warp(src, out, bounds, res, method):
    gdal.Warp(out, src, dstSRS="EPSG:26912", outputBounds=bounds, xRes=res, yRes=res,
              resampleAlg=method, errorThreshold=0, creationOptions=["COMPRESS=DEFLATE"])


def main():
    landsat, nlcd, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    b25 = like(os.path.join(out, "like25.tif"), 310013.7, 4140031.3, 25.0, 240, 240)
    for m in ("bilinear", "cubic", "near"):
        warp(landsat, os.path.join(out, "landsat_%s25.tif" % m), b25, 25.0, m)
    b90 = like(os.path.join(out, "like90.tif"), 302000.0, 4154000.0, 90.0, 200, 250)
    warp(landsat, os.path.join(out, "landsat_average90.tif"), b90, 90.0, "average")
    warp(nlcd, os.path.join(out, "nlcd_mode90.tif"), b90, 90.0, "mode")
    warp(nlcd, os.path.join(out, "nlcd_near90.tif"), b90, 90.0, "near")


if __name__ == "__main__":
    main()
