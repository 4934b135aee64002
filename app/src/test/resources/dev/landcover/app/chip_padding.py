"""Scenes smaller than one chip, and GDAL's reading of the padded chips Landcover cut from them.

make DIR: writes the scenes (100 x 80, 2 bands unless said) of ChipPaddingTest.
check CHIP SOURCE: prints the chip's nodata value as GDAL reads it, after checking with GDAL that
the chip holds the source's samples where it covers the source, and that the chip's nodata mask
(GetMaskBand) is valid exactly where the source's is, and nowhere outside it.
"""
import sys

import numpy as np
from osgeo import gdal, osr

gdal.UseExceptions()


def make(d):
    drv = gdal.GetDriverByName("GTiff")
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32633)
    ramp = np.arange(8000).reshape(80, 100)
    cases = {
        # name: (GDAL type, bands, width, height, samples of band 1, nodata)
        "u16-none": (gdal.GDT_UInt16, 2, 100, 80, ramp % 5000 + 1, None),
        "u16-minus-one": (gdal.GDT_UInt16, 2, 100, 80, np.where(ramp == 5, 65535, ramp % 900 + 1), -1),
        "u16-in-range": (gdal.GDT_UInt16, 2, 100, 80, ramp % 900 + 1, 7),
        "i16-extremes": (gdal.GDT_Int16, 1, 100, 80, np.select([ramp == 3, ramp == 4], [32767, -32768], ramp - 4000), None),
        "f32-none": (gdal.GDT_Float32, 2, 100, 80, ramp * 0.5 - 10, None),
        "u8-every-value": (gdal.GDT_Byte, 1, 16, 16, np.arange(256).reshape(16, 16), None),
        "labels-none": (gdal.GDT_Byte, 1, 100, 80, ramp % 9 + 1, None),
    }
    for name, (t, bands, w, h, a, nodata) in cases.items():
        ds = drv.Create(f"{d}/{name}.tif", w, h, bands, t)
        ds.SetGeoTransform((500000, 10, 0, 4000000, 0, -10))
        ds.SetProjection(srs.ExportToWkt())
        for b in range(1, bands + 1):
            band = ds.GetRasterBand(b)
            band.WriteArray(np.asarray(a if b == 1 else a[::-1, ::-1]))
            if nodata is not None:
                band.SetNoDataValue(nodata)
        ds = None


def check(chip_path, source_path):
    chip = gdal.Open(chip_path)
    src = gdal.Open(source_path)
    w, h = src.RasterXSize, src.RasterYSize
    nodata = None
    for b in range(1, src.RasterCount + 1):
        cb, sb = chip.GetRasterBand(b), src.GetRasterBand(b)
        c = cb.ReadAsArray()
        s = sb.ReadAsArray()
        if not np.array_equal(c[:h, :w], s, equal_nan=c.dtype.kind == "f"):
            sys.exit(f"{chip_path} band {b}: samples differ from the source")
        mask = cb.GetMaskBand().ReadAsArray() > 0
        expected = np.zeros(c.shape, bool)
        expected[:h, :w] = sb.GetMaskBand().ReadAsArray() > 0
        if not np.array_equal(mask, expected):
            sys.exit(f"{chip_path} band {b}: GDAL's mask has {mask.sum()} valid pixels, the source's {expected.sum()}")
        nodata = cb.GetNoDataValue()
    print(nodata)


if sys.argv[1] == "make":
    make(sys.argv[2])
else:
    check(sys.argv[2], sys.argv[3])
