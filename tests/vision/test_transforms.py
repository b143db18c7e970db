"""numtorch.vision.transforms: values against torch where torch computes the same thing
(interpolate, flips, pads, crops, normalize, dtype conversion), reprs against torchvision's
documented formats, randomness through numtorch's generator, and array/tensor/PIL inputs."""
import math

import numpy as np
import pytest

import numtorch as nt
from numtorch.vision import transforms as T
from numtorch.vision.transforms import functional as F

from ..conftest import torch, assert_close, to_torch

RNG = np.random.default_rng(0)
IMG_U8 = RNG.integers(0, 256, (3, 9, 11), dtype=np.uint8)
IMG_F = RNG.random((3, 9, 11), dtype=np.float32)


def test_to_tensor_and_pil_to_tensor():
    hwc = IMG_U8.transpose(1, 2, 0).copy()
    x = T.ToTensor()(hwc)
    assert_close(x, torch.from_numpy(IMG_U8).float().div(255))
    gray = IMG_U8[0]
    assert T.ToTensor()(gray).shape == (1, 9, 11)
    assert_close(T.PILToTensor()(hwc), torch.from_numpy(IMG_U8))
    f64 = np.zeros((2, 2, 1))
    assert T.ToTensor()(f64).dtype == nt.float64  # non-uint8 arrays are not rescaled
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        T.ToTensor()(nt.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        T.ToTensor()(np.zeros((1, 1, 1, 1), np.uint8))


@pytest.mark.parametrize("src,dst", [("uint8", "float32"), ("float32", "uint8"),
                                     ("uint8", "int32"), ("int32", "uint8"),
                                     ("float64", "float32")])
def test_convert_image_dtype_formula(src, dst):
    a = IMG_U8.astype(src) if src != "float32" and src != "float64" else IMG_F.astype(src)
    out = T.ConvertImageDtype(getattr(nt, dst))(nt.from_numpy(a))
    t = torch.from_numpy(a)
    tdst = getattr(torch, dst)
    # torchvision's rules, written with torch ops
    if t.is_floating_point() and tdst.is_floating_point:
        ref = t.to(tdst)
    elif t.is_floating_point():
        ref = t.mul(torch.iinfo(tdst).max + 1.0 - 1e-3).to(tdst)
    elif tdst.is_floating_point:
        ref = t.to(tdst) / torch.iinfo(t.dtype).max
    elif torch.iinfo(t.dtype).max > torch.iinfo(tdst).max:
        ref = torch.div(t, (torch.iinfo(t.dtype).max + 1) // (torch.iinfo(tdst).max + 1),
                        rounding_mode="floor").to(tdst)
    else:
        ref = t.to(tdst) * ((torch.iinfo(tdst).max + 1) // (torch.iinfo(t.dtype).max + 1))
    assert_close(out, ref)
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        T.ConvertImageDtype(nt.int64)(nt.from_numpy(IMG_F))


def test_normalize_matches_torch_and_errors():
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    x = nt.from_numpy(IMG_F.copy())
    ref = (torch.from_numpy(IMG_F) - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(
        std).view(-1, 1, 1)
    assert_close(T.Normalize(mean, std)(x), ref)
    y = nt.from_numpy(IMG_F.copy())
    assert T.Normalize(mean, std, inplace=True)(y) is y
    assert_close(y, ref)
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        T.Normalize(mean, std)(nt.from_numpy(IMG_U8))
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize(mean, (1.0, 0.0, 1.0))(x)
    with pytest.raises(ValueError, match="Expected tensor to be a tensor image"):
        T.Normalize(mean, std)(nt.zeros(4, 4))


@pytest.mark.parametrize("size,mode,antialias", [
    ((5, 6), "bilinear", True), ((5, 6), "bilinear", False), ((18, 25), "bilinear", True),
    ((4, 17), "bilinear", True), ((5, 6), "nearest", True), ((20, 7), "nearest", True),
    ((5, 6), "bicubic", False), ((14, 30), "bicubic", True)])
def test_resize_matches_torch_interpolate(size, mode, antialias):
    x = torch.from_numpy(IMG_F)[None]
    kw = {} if mode == "nearest" else dict(align_corners=False, antialias=antialias)
    ref = torch.nn.functional.interpolate(x, size=size, mode=mode, **kw)[0]
    out = F.resize(nt.from_numpy(IMG_F), list(size), T.InterpolationMode(mode),
                   antialias=antialias)
    assert_close(out, ref, rtol=1e-4, atol=1e-5)


def test_resize_smaller_edge_and_max_size():
    x = nt.from_numpy(IMG_F)  # 9 x 11
    assert T.Resize(6)(x).shape == (3, 6, 7)
    assert T.Resize(6, max_size=7)(x).shape == (3, 6, 7)
    assert T.Resize(6, max_size=7)(nt.zeros(3, 9, 20)).shape == (3, 3, 7)
    assert T.Resize((4, 4))(IMG_U8.transpose(1, 2, 0)).shape == (4, 4, 3)  # HWC array stays HWC
    with pytest.raises(ValueError, match="max_size = 6 must be strictly greater"):
        T.Resize(6, max_size=6)(x)


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


@pytest.mark.parametrize("name,fn,ref", [
    ("hflip", F.hflip, lambda t: t.flip(-1)),
    ("vflip", F.vflip, lambda t: t.flip(-2)),
    ("crop", lambda x: F.crop(x, 2, 3, 4, 5), lambda t: t[..., 2:6, 3:8]),
    ("crop_out", lambda x: F.crop(x, -1, 8, 4, 5),
     lambda t: torch.nn.functional.pad(t, (0, 2, 1, 0))[..., 0:4, 8:13]),
    ("center_crop", lambda x: F.center_crop(x, [5, 4]), lambda t: t[..., 2:7, 4:8]),
    ("center_crop_pad", lambda x: F.center_crop(x, [12, 12]),
     lambda t: torch.nn.functional.pad(t, (0, 1, 1, 2))),
    ("pad_const", lambda x: F.pad(x, [1, 2], fill=7), lambda t: torch.nn.functional.pad(
        t, (1, 1, 2, 2), value=7)),
    ("pad_reflect", lambda x: F.pad(x, [1, 2, 3, 1], padding_mode="reflect"),
     lambda t: torch.nn.functional.pad(t[None].float(), (1, 3, 2, 1), mode="reflect")[0].to(
         t.dtype)),
    ("pad_edge", lambda x: F.pad(x, 2, padding_mode="edge"),
     lambda t: torch.nn.functional.pad(t[None].float(), (2, 2, 2, 2), mode="replicate")[0].to(
         t.dtype)),
    ("gray", lambda x: F.rgb_to_grayscale(x), lambda t: (0.2989 * t[0] + 0.587 * t[1]
                                                          + 0.114 * t[2]).to(t.dtype)[None]),
    ("brightness", lambda x: F.adjust_brightness(x, 1.7),
     lambda t: (1.7 * t.float()).clamp(0, 255).to(t.dtype)),
    ("contrast", lambda x: F.adjust_contrast(x, 0.6),
     lambda t: (0.6 * t.float() + 0.4 * (0.2989 * t[0] + 0.587 * t[1] + 0.114 * t[2]).to(
         t.dtype).float().mean()).clamp(0, 255).to(t.dtype)),
    ("rotate_180", lambda x: F.rotate(x, 180), lambda t: t.flip(-1).flip(-2)),
])
def test_geometry_and_colour_ops_match_torch(name, fn, ref):
    out = fn(nt.from_numpy(IMG_U8))
    expect = ref(_t(IMG_U8))
    if name == "contrast":  # float rounding of the blend may differ by one level
        assert np.abs(out._data.astype(int) - expect.numpy().astype(int)).max() <= 1
    else:
        assert_close(out, expect, rtol=0, atol=0)
    # the same op on an HWC array gives the same pixels, still HWC
    hwc = fn(IMG_U8.transpose(1, 2, 0).copy())
    assert isinstance(hwc, np.ndarray)
    np.testing.assert_array_equal(hwc.transpose(2, 0, 1), out._data)


def test_rotate_quarter_turn_is_counter_clockwise():
    sq = IMG_U8[..., :9]
    out = F.rotate(nt.from_numpy(sq.copy()), 90)
    assert_close(out, torch.rot90(_t(sq), 1, (-2, -1)), rtol=0, atol=0)
    wide = F.rotate(nt.from_numpy(IMG_U8), 90, expand=True)
    assert wide.shape == (3, 11, 9)


def test_random_transforms_follow_numtorch_generator():
    x = nt.from_numpy(IMG_U8)
    for t in (T.RandomHorizontalFlip(), T.RandomVerticalFlip(0.7), T.RandomCrop(5, padding=2),
              T.RandomResizedCrop(6), T.RandomRotation(30), T.ColorJitter(0.4, 0.4, 0.3, 0.1)):
        nt.manual_seed(3)
        a = t(x)
        nt.manual_seed(3)
        b = t(x)
        assert np.array_equal(a._data, b._data), repr(t)
    # flip decision: torchvision draws torch.rand(1) < p
    nt.manual_seed(0)
    u = nt.rand(1).item()
    nt.manual_seed(0)
    flipped = T.RandomHorizontalFlip(0.5)(x)
    assert np.array_equal(flipped._data, IMG_U8[..., ::-1] if u < 0.5 else IMG_U8)
    # crop offsets: torch.randint(0, h - th + 1, (1,)) then the same for w
    nt.manual_seed(1)
    i = nt.randint(0, 9 - 4 + 1, size=(1,)).item()
    j = nt.randint(0, 11 - 6 + 1, size=(1,)).item()
    nt.manual_seed(1)
    assert np.array_equal(T.RandomCrop((4, 6))(x)._data, IMG_U8[:, i:i + 4, j:j + 6])
    nt.manual_seed(2)
    i, j, h, w = T.RandomResizedCrop.get_params(x, (0.08, 1.0), (3 / 4, 4 / 3))
    assert 0 < h <= 9 and 0 < w <= 11 and i + h <= 9 and j + w <= 11
    with pytest.raises(ValueError, match=r"Required crop size \(10, 10\) is larger than input "
                                         r"image size \(9, 11\)"):
        T.RandomCrop(10)(x)
    assert T.RandomCrop(12, pad_if_needed=True)(x).shape == (3, 12, 12)


def test_reprs_match_torchvision():
    t = T.Compose([T.Resize(32), T.CenterCrop(24), T.ToTensor(),
                   T.Normalize((0.5,), (0.5,))])
    assert repr(t) == ("Compose(\n    Resize(size=32, interpolation=bilinear, max_size=None, "
                       "antialias=True)\n    CenterCrop(size=(24, 24))\n    ToTensor()\n"
                       "    Normalize(mean=(0.5,), std=(0.5,))\n)")
    assert repr(T.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(T.RandomResizedCrop(224)) == ("RandomResizedCrop(size=(224, 224), "
                                              "scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
                                              "interpolation=bilinear, antialias=True)")
    assert repr(T.RandomRotation(10)) == ("RandomRotation(degrees=[-10.0, 10.0], "
                                          "interpolation=nearest, expand=False, fill=0)")
    assert repr(T.ColorJitter(brightness=0.5, contrast=0.2)) == (
        "ColorJitter(brightness=[0.5, 1.5], contrast=[0.8, 1.2], saturation=None, hue=None)")
    assert repr(T.Pad(2)) == "Pad(padding=2, fill=0, padding_mode=constant)"
    assert repr(T.Grayscale(3)) == "Grayscale(num_output_channels=3)"
    assert repr(T.Lambda(lambda x: x)) == "Lambda()"


def test_pil_images_when_pillow_installed():
    Image = pytest.importorskip("PIL.Image")
    hwc = IMG_U8.transpose(1, 2, 0).copy()
    img = Image.fromarray(hwc, mode="RGB")
    assert_close(T.ToTensor()(img), torch.from_numpy(IMG_U8).float().div(255))
    assert_close(T.PILToTensor()(img), torch.from_numpy(IMG_U8))
    flipped = T.RandomHorizontalFlip(p=1.0)(img)
    assert isinstance(flipped, Image.Image)
    np.testing.assert_array_equal(np.asarray(flipped), hwc[:, ::-1])
    gray = T.Grayscale()(img)
    assert gray.mode == "L" and gray.size == (11, 9)
    assert T.Resize((4, 5))(img).size == (5, 4)
