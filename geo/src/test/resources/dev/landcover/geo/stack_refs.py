"""References for BandStackTest, made with GDAL's own tools.

Usage: stack_refs.py ZION_SOURCES OUT_DIR
Writes into OUT_DIR:
  separate.vrt        gdalbuildvrt -separate of landsat_b2..b5 (absolute source paths)
  b5_90.tif           landsat_b5 averaged to 90 m (gdalwarp -tr 90 90 -r average)
  b5_90_{near,bilinear,cubic}30.tif  b5_90 warped back onto the 30 m grid by gdalwarp
  mixed.vrt, mixed.tif                gdalbuildvrt -separate -resolution highest of b2 and
                                      b5_90 (90 m source read by GDAL with nearest), and GDAL's
                                      reading of it (gdal_translate)
  mixed_bilinear.vrt, mixed_bilinear.tif  the same with resampling="bilinear" on the source
  b3_byte.tif, b4_int16.tif           landsat_b3 as Byte (scaled) and b4 as Int16 (values kept)
  b5_nad83.tif                        landsat_b5 reprojected to NAD83 / UTM 12N
  derived.vrt, kernel.vrt, scaled.vrt, warped.vrt   VRTs Landcover refuses
"""
import os
import subprocess
import sys

src, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)


def run(*args):
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL)


def o(name):
    return os.path.join(out, name)


bands = [os.path.join(src, "landsat_b%d.tif" % b) for b in (2, 3, 4, 5)]
run("gdalbuildvrt", "-q", "-separate", o("separate.vrt"), *bands)
run("gdalwarp", "-q", "-tr", "90", "90", "-r", "average", bands[3], o("b5_90.tif"))
info = subprocess.run(["gdalinfo", "-json", bands[0]], check=True, capture_output=True, text=True)
import json

gt = json.loads(info.stdout)["geoTransform"]
size = json.loads(info.stdout)["size"]
te = [gt[0], gt[3] + size[1] * gt[5], gt[0] + size[0] * gt[1], gt[3]]
for method in ("near", "bilinear", "cubic"):
    run("gdalwarp", "-q", "-et", "0", "-r", method, "-tr", "30", "30",
        "-te", *[repr(v) for v in te], o("b5_90.tif"), o("b5_90_%s30.tif" % method))
run("gdalbuildvrt", "-q", "-separate", "-resolution", "highest", o("mixed.vrt"),
    bands[0], o("b5_90.tif"))
run("gdal_translate", "-q", o("mixed.vrt"), o("mixed.tif"))
text = open(o("mixed.vrt")).read()
mixed = text.replace("<ComplexSource>", '<ComplexSource resampling="bilinear">')
open(o("mixed_bilinear.vrt"), "w").write(mixed)
run("gdal_translate", "-q", o("mixed_bilinear.vrt"), o("mixed_bilinear.tif"))
run("gdal_translate", "-q", "-ot", "Byte", "-scale", "0", "65535", "0", "255", "-a_nodata", "none",
    bands[1], o("b3_byte.tif"))
run("gdal_translate", "-q", "-ot", "Int16", "-a_nodata", "none", bands[2], o("b4_int16.tif"))
run("gdalwarp", "-q", "-t_srs", "EPSG:26912", bands[3], o("b5_nad83.tif"))
sep = open(o("separate.vrt")).read()
first = sep.index("<VRTRasterBand")
end = sep.index("</VRTRasterBand>") + len("</VRTRasterBand>")
band1 = sep[first:end]
derived = band1.replace('band="1"', 'band="1" subClass="VRTDerivedRasterBand"').replace(
    "<NoDataValue>", "<PixelFunctionType>inv</PixelFunctionType><NoDataValue>")
open(o("derived.vrt"), "w").write(sep[:first] + derived + sep[end:])
kernel = band1.replace("ComplexSource", "KernelFilteredSource")
open(o("kernel.vrt"), "w").write(sep[:first] + kernel + sep[end:])
scaled = band1.replace("<NODATA>", "<ScaleRatio>2</ScaleRatio><NODATA>")
open(o("scaled.vrt"), "w").write(sep[:first] + scaled + sep[end:])
run("gdalwarp", "-q", "-of", "VRT", "-t_srs", "EPSG:26912", bands[0], o("warped.vrt"))
print("ok")
