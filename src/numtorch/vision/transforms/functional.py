"""Image operations behind ``numtorch.vision.transforms`` (torchvision.transforms.functional).

Every operation accepts three kinds of image and returns the same kind:
  * a numtorch ``Tensor`` shaped ``[..., C, H, W]``,
  * a NumPy array shaped ``H x W`` or ``H x W x C`` (the layout of a PIL image / MNIST),
  * a PIL image (when Pillow is installed; it is imported only when such an image arrives).
The math runs once, on NumPy arrays in ``[..., C, H, W]`` layout.
"""
import enum
import math
import numbers

import numpy as np

__all__ = ["InterpolationMode", "to_tensor", "pil_to_tensor", "convert_image_dtype",
           "normalize", "resize", "center_crop", "crop", "resized_crop", "hflip", "vflip",
           "rotate", "pad", "rgb_to_grayscale", "to_grayscale", "adjust_brightness",
           "adjust_contrast", "adjust_saturation", "adjust_hue", "get_dimensions",
           "get_image_size", "get_image_num_channels"]


class InterpolationMode(enum.Enum):
    """Interpolation modes (same names and values as torchvision's)."""
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# ---- image kinds -----------------------------------------------------------------------
def _is_pil(img):
    mod = type(img).__module__
    return mod.startswith("PIL.") and hasattr(img, "getbands")


def _is_tensor(img):
    from ..._tensor import Tensor
    return isinstance(img, Tensor)


def _check_image(img):
    if not (_is_tensor(img) or isinstance(img, np.ndarray) or _is_pil(img)):
        raise TypeError(f"img should be PIL Image, Tensor or ndarray. Got {type(img)}")


def _to_chw(img):
    """(array in [..., C, H, W] layout, function turning such an array back into img's kind)."""
    _check_image(img)
    if _is_tensor(img):
        from ..._tensor import _wrap
        if img._data.ndim < 2:
            raise TypeError(f"Tensor is not a torch image. Got {img._data.ndim} dimensions.")
        if img._data.ndim == 2:
            return img._data[None], lambda a: _wrap(np.ascontiguousarray(a[0]))
        return img._data, lambda a: _wrap(np.ascontiguousarray(a))
    if isinstance(img, np.ndarray):
        if img.ndim == 2:
            return img[None], lambda a: np.ascontiguousarray(a[0])
        if img.ndim == 3:
            return img.transpose(2, 0, 1), lambda a: np.ascontiguousarray(a.transpose(1, 2, 0))
        raise ValueError(f"pic should be 2/3 dimensional. Got {img.ndim} dimensions.")
    from PIL import Image
    mode = img.mode
    arr = np.asarray(img)
    if arr.ndim == 2:
        return arr[None], lambda a: Image.fromarray(np.ascontiguousarray(a[0]), mode=mode)
    return arr.transpose(2, 0, 1), lambda a: Image.fromarray(
        np.ascontiguousarray(a.transpose(1, 2, 0)), mode=mode)


def get_dimensions(img):
    """``[channels, height, width]`` of an image."""
    a, _ = _to_chw(img)
    return [int(a.shape[-3]), int(a.shape[-2]), int(a.shape[-1])]


def get_image_size(img):
    """``[width, height]`` of an image (torchvision's order)."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


def _max_value(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return 1.0
    if dtype == np.bool_:
        return 1
    return int(np.iinfo(dtype).max)


# ---- conversions -------------------------------------------------------------------------
def to_tensor(pic):
    """PIL image or ``H x W (x C)`` array -> ``C x H x W`` tensor; uint8 is scaled to [0, 1]."""
    from ..._tensor import _wrap
    from ..._dtype import get_default_dtype
    if not (_is_pil(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {_torch_type(pic)}")
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        arr = _pil_to_array(pic)
    chw = np.ascontiguousarray(arr.transpose(2, 0, 1))
    if chw.dtype == np.uint8:
        return _wrap(np.divide(chw, 255, dtype=get_default_dtype().np))
    return _wrap(chw)


def _torch_type(obj):
    return "<class 'numtorch.Tensor'>" if _is_tensor(obj) else str(type(obj))


def _pil_to_array(pic):
    mode_dtypes = {"I": np.int32, "I;16": np.int16, "F": np.float32}
    arr = np.array(pic, dtype=mode_dtypes.get(pic.mode), copy=True)
    if pic.mode == "1":
        arr = 255 * arr.astype(np.uint8)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return arr


def pil_to_tensor(pic):
    """PIL image (or ``H x W (x C)`` array) -> ``C x H x W`` tensor, values unchanged."""
    from ..._tensor import _wrap
    if isinstance(pic, np.ndarray):
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    elif _is_pil(pic):
        arr = np.asarray(pic)
        arr = arr[:, :, None] if arr.ndim == 2 else arr
    else:
        raise TypeError(f"pic should be PIL Image. Got {_torch_type(pic)}")
    return _wrap(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def _convert_dtype_array(a, np_dtype):
    np_dtype = np.dtype(np_dtype)
    if a.dtype == np_dtype:
        return a
    src_float = a.dtype.kind == "f"
    if src_float and np_dtype.kind == "f":
        return a.astype(np_dtype)
    if src_float:
        if ((a.dtype == np.float32 and np_dtype in (np.int32, np.int64))
                or (a.dtype == np.float64 and np_dtype == np.int64)):
            raise RuntimeError(f"The cast from {_dtype_name(a.dtype)} to {_dtype_name(np_dtype)} "
                               "cannot be performed safely.")
        eps = 1e-3
        return (a * (_max_value(np_dtype) + 1.0 - eps)).astype(np_dtype)
    if np_dtype.kind == "f":
        return (a.astype(np_dtype) / np_dtype.type(_max_value(a.dtype)))
    in_max, out_max = _max_value(a.dtype), _max_value(np_dtype)
    if in_max > out_max:
        factor = (in_max + 1) // (out_max + 1)
        return (a // factor).astype(np_dtype)
    factor = (out_max + 1) // (in_max + 1)
    return a.astype(np_dtype) * np_dtype.type(factor)


def _dtype_name(np_dtype):
    from ..._dtype import from_numpy_dtype
    return str(from_numpy_dtype(np.dtype(np_dtype)))


def convert_image_dtype(image, dtype=None):
    """Convert a tensor image to ``dtype``, rescaling values (ints span their full range,
    floats span [0, 1])."""
    from ..._dtype import float32
    from ..._tensor import _wrap
    if not _is_tensor(image):
        raise TypeError("Input img should be Tensor Image")
    dtype = float32 if dtype is None else dtype
    from ..._dtype import as_dtype
    return _wrap(_convert_dtype_array(image._data, as_dtype(dtype).np))


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean) / std`` per channel of a float ``[..., C, H, W]`` tensor."""
    from ..._tensor import _wrap
    if not _is_tensor(tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    a = tensor._data
    m = np.asarray(mean, dtype=a.dtype)
    s = np.asarray(std, dtype=a.dtype)
    if (s == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to "
                         "division by zero.")
    if m.ndim == 1:
        m = m.reshape(-1, 1, 1)
    if s.ndim == 1:
        s = s.reshape(-1, 1, 1)
    if tensor.requires_grad:
        return (tensor - _wrap(m)) / _wrap(s)
    if inplace:
        np.subtract(a, m, out=a)
        np.divide(a, s, out=a)
        tensor._version[0] += 1
        return tensor
    return _wrap((a - m) / s)


# ---- geometry ---------------------------------------------------------------------------
def _setup_size(size, error_msg):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (list, tuple)) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


def hflip(img):
    """Mirror left-right."""
    a, back = _to_chw(img)
    return back(a[..., ::-1])


def vflip(img):
    """Mirror top-bottom."""
    a, back = _to_chw(img)
    return back(a[..., ::-1, :])


def _parse_padding(padding):
    if isinstance(padding, numbers.Number):
        p = int(padding)
        return p, p, p, p
    padding = list(padding)
    if len(padding) == 1:
        return (padding[0],) * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4:
        return tuple(padding)
    raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                     f"{len(padding)} element tuple")


def _pad_array(a, left, top, right, bottom, fill=0, padding_mode="constant"):
    # negative padding crops
    h, w = a.shape[-2:]
    a = a[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
    widths = [(0, 0)] * (a.ndim - 2) + [(max(top, 0), max(bottom, 0)),
                                        (max(left, 0), max(right, 0))]
    if padding_mode == "constant":
        if isinstance(fill, (list, tuple)) and len(fill) > 1:
            channels = [np.pad(a[..., c:c + 1, :, :], widths, mode="constant",
                               constant_values=fill[c]) for c in range(a.shape[-3])]
            return np.concatenate(channels, axis=-3)
        if isinstance(fill, (list, tuple)):
            fill = fill[0]
        return np.pad(a, widths, mode="constant", constant_values=fill or 0)
    return np.pad(a, widths, mode=padding_mode)


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders: ``padding`` is an int, ``(left/right, top/bottom)`` or
    ``(left, top, right, bottom)``; modes constant, edge, reflect, symmetric."""
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _parse_padding(padding)
    a, back = _to_chw(img)
    return back(_pad_array(a, left, top, right, bottom, fill, padding_mode))


def crop(img, top, left, height, width):
    """The ``height x width`` region at ``(top, left)``; outside the image reads as zeros."""
    a, back = _to_chw(img)
    h, w = a.shape[-2:]
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        a = _pad_array(a, max(-left, 0), max(-top, 0), max(right - w, 0), max(bottom - h, 0))
        top, left = max(top, 0), max(left, 0)
    return back(a[..., top:top + height, left:left + width])


def center_crop(img, output_size):
    """Crop the center ``output_size`` region (padding with zeros if the image is smaller)."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, h, w = get_dimensions(img)
    ch, cw = output_size
    if cw > w or ch > h:
        ltrb = [(cw - w) // 2 if cw > w else 0, (ch - h) // 2 if ch > h else 0,
                (cw - w + 1) // 2 if cw > w else 0, (ch - h + 1) // 2 if ch > h else 0]
        img = pad(img, ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if cw == w and ch == h:
            return img
    top = int(round((h - ch) / 2.0))
    left = int(round((w - cw) / 2.0))
    return crop(img, top, left, ch, cw)


def _resample_matrix(in_size, out_size, mode, antialias):
    """(out_size x in_size) float64 matrix that resamples one axis."""
    scale = in_size / out_size
    if mode in ("nearest", "nearest-exact"):
        dst = np.arange(out_size)
        if mode == "nearest":
            src = np.floor(dst * scale).astype(np.int64)
        else:
            src = np.floor((dst + 0.5) * scale).astype(np.int64)
        m = np.zeros((out_size, in_size))
        m[dst, np.minimum(src, in_size - 1)] = 1.0
        return m
    kernel = _cubic if mode == "bicubic" else _triangle
    if antialias and (scale > 1.0 or mode == "bicubic"):
        # PIL-style separable filter (torch's antialias path): when shrinking it widens to
        # cover every input pixel; taps outside the image are dropped and weights renormalised
        width = max(scale, 1.0)
        center = (np.arange(out_size) + 0.5) * scale
        j = np.arange(in_size)
        x = (j[None, :] + 0.5 - center[:, None]) / width
        w = _cubic(x, a=-0.5) if mode == "bicubic" else kernel(x)
        return w / w.sum(axis=1, keepdims=True)
    # plain interpolation, align_corners=False, out-of-range taps clamped to the edge
    src = (np.arange(out_size) + 0.5) * scale - 0.5
    if mode == "bilinear":
        src = np.maximum(src, 0.0)
    taps = np.arange(-1, 3) if mode == "bicubic" else np.arange(0, 2)
    idx = np.floor(src).astype(np.int64)[:, None] + taps[None, :]
    weights = kernel(src[:, None] - idx)
    m = np.zeros((out_size, in_size))
    rows = np.repeat(np.arange(out_size), idx.shape[1])
    np.add.at(m, (rows, np.clip(idx, 0, in_size - 1).ravel()), weights.ravel())
    return m


def _triangle(x):
    return np.maximum(0.0, 1.0 - np.abs(x))


def _cubic(x, a=-0.75):
    x = np.abs(x)
    return np.where(x <= 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0.0))


def _resize_array(a, out_h, out_w, mode, antialias):
    h, w = a.shape[-2:]
    if (h, w) == (out_h, out_w):
        return a.copy()
    if mode in ("nearest", "nearest-exact"):
        rows = _resample_matrix(h, out_h, mode, False).argmax(1)
        cols = _resample_matrix(w, out_w, mode, False).argmax(1)
        return a[..., rows[:, None], cols[None, :]]
    work = np.float32 if a.dtype != np.float64 else np.float64
    mh = _resample_matrix(h, out_h, mode, antialias).astype(work)
    mw = _resample_matrix(w, out_w, mode, antialias).astype(work)
    out = mh @ a.astype(work, copy=False) @ mw.T
    if a.dtype.kind != "f":
        out = np.clip(np.round(out), 0, _max_value(a.dtype))
    return out.astype(a.dtype, copy=False)


def _output_size(h, w, size, max_size):
    if isinstance(size, numbers.Number) or len(size) == 1:
        requested = size if isinstance(size, numbers.Number) else size[0]
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = requested, int(requested * long / short)
        if max_size is not None:
            if max_size <= requested:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                                 f"requested size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        return (new_long, new_short) if w <= h else (new_short, new_long)
    return int(size[0]), int(size[1])


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` ((h, w), or an int for the smaller edge keeping the aspect ratio)."""
    if isinstance(interpolation, str):
        interpolation = InterpolationMode(interpolation)
    if isinstance(size, (list, tuple)) and len(size) not in (1, 2):
        raise ValueError("Size must be an int or a 1 or 2 element tuple/list, not a "
                         f"{len(size)} element tuple/list")
    if max_size is not None and not (isinstance(size, numbers.Number) or len(size) == 1):
        raise ValueError("max_size should only be passed if size specifies the length of the "
                         "smaller edge, i.e. size should be an int or a sequence of length 1 in "
                         "torchscript mode.")
    a, back = _to_chw(img)
    out_h, out_w = _output_size(a.shape[-2], a.shape[-1], size, max_size)
    aa = bool(antialias) or _is_pil(img)
    return back(_resize_array(a, out_h, out_w, interpolation.value, aa))


def resized_crop(img, top, left, height, width, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def _inverse_rotation_matrix(center, angle):
    """Output -> input pixel map (torchvision's ``_get_inverse_affine_matrix`` for a pure
    rotation by ``angle`` degrees counter-clockwise about ``center``)."""
    rot = math.radians(angle)
    cx, cy = center
    a, b = math.cos(rot), math.sin(rot)
    # inverse of rotation about the center: R(-angle)
    m = [a, -b, 0.0, b, a, 0.0]
    m[2] = m[0] * (-cx) + m[1] * (-cy) + cx
    m[5] = m[3] * (-cx) + m[4] * (-cy) + cy
    return m


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None,
           fill=None):
    """Rotate by ``angle`` degrees counter-clockwise; pixels from outside read as ``fill``."""
    if isinstance(interpolation, str):
        interpolation = InterpolationMode(interpolation)
    a, back = _to_chw(img)
    h, w = a.shape[-2:]
    if center is None:
        cx, cy = (w - 1) * 0.5, (h - 1) * 0.5
    else:
        cx, cy = center[0], center[1]
    m = _inverse_rotation_matrix((cx, cy), angle)
    out_h, out_w = h, w
    off_x = off_y = 0.0
    if expand:
        corners = np.array([[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]], dtype=np.float64)
        fwd = _inverse_rotation_matrix((cx, cy), -angle)
        xs = fwd[0] * corners[:, 0] + fwd[1] * corners[:, 1] + fwd[2]
        ys = fwd[3] * corners[:, 0] + fwd[4] * corners[:, 1] + fwd[5]
        out_w = int(math.ceil(xs.max() - xs.min() + 1 - 1e-6))
        out_h = int(math.ceil(ys.max() - ys.min() + 1 - 1e-6))
        off_x, off_y = xs.min(), ys.min()
    yy, xx = np.meshgrid(np.arange(out_h, dtype=np.float64) + off_y,
                         np.arange(out_w, dtype=np.float64) + off_x, indexing="ij")
    sx = m[0] * xx + m[1] * yy + m[2]
    sy = m[3] * xx + m[4] * yy + m[5]
    fill_v = np.zeros(a.shape[-3]) if fill is None else np.broadcast_to(
        np.asarray(fill, dtype=np.float64), (a.shape[-3],))
    fill_v = fill_v.reshape(-1, 1, 1)
    if interpolation == InterpolationMode.BILINEAR:
        x0, y0 = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
        fx, fy = sx - x0, sy - y0
        out = np.zeros(a.shape[:-2] + (out_h, out_w), dtype=np.float64)
        for dy, dx, wgt in ((0, 0, (1 - fx) * (1 - fy)), (0, 1, fx * (1 - fy)),
                            (1, 0, (1 - fx) * fy), (1, 1, fx * fy)):
            xi, yi = x0 + dx, y0 + dy
            ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            vals = a[..., np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)]
            out += np.where(ok, vals, fill_v) * wgt
    else:
        xi, yi = np.round(sx).astype(np.int64), np.round(sy).astype(np.int64)
        ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        out = np.where(ok, a[..., np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)], fill_v)
    if a.dtype.kind != "f":
        out = np.clip(np.round(out), 0, _max_value(a.dtype))
    return back(out.astype(a.dtype))


# ---- colour --------------------------------------------------------------------------------
def _gray_array(a):
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    work = a.dtype if a.dtype.kind == "f" else np.float32
    gray = (0.2989 * r.astype(work) + 0.587 * g + 0.114 * b).astype(a.dtype)
    return gray[..., None, :, :]


def rgb_to_grayscale(img, num_output_channels=1):
    """Luma ``0.2989 R + 0.587 G + 0.114 B``, with 1 or 3 (identical) output channels."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    a, back = _to_chw(img)
    c = a.shape[-3]
    if c not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {c}")
    gray = _gray_array(a) if c == 3 else a
    if num_output_channels == 3:
        gray = np.repeat(gray, 3, axis=-3) if gray.shape[-3] == 1 else gray
    if _is_pil(img):
        from PIL import Image
        g = np.ascontiguousarray(gray[0]) if num_output_channels == 1 else None
        if g is not None:
            return Image.fromarray(g, mode="L")
        return Image.fromarray(np.ascontiguousarray(gray.transpose(1, 2, 0)), mode="RGB")
    return back(gray)


to_grayscale = rgb_to_grayscale


def _blend(a, b, ratio):
    bound = _max_value(a.dtype)
    work = a.dtype if a.dtype.kind == "f" else np.float32
    out = ratio * a.astype(work) + (1.0 - ratio) * b
    out = np.clip(out, 0, bound)
    return out.astype(a.dtype)


def _check_color(a):
    c = a.shape[-3]
    if c not in (1, 3):
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {c}")


def adjust_brightness(img, brightness_factor):
    """Multiply by ``brightness_factor`` (0 gives black, 1 the original)."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    a, back = _to_chw(img)
    _check_color(a)
    return back(_blend(a, 0.0, brightness_factor))


def adjust_contrast(img, contrast_factor):
    """Blend with the mean gray level (0 gives a solid gray image, 1 the original)."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    a, back = _to_chw(img)
    _check_color(a)
    work = a.dtype if a.dtype.kind == "f" else np.float32
    gray = _gray_array(a) if a.shape[-3] == 3 else a
    mean = gray.astype(work).mean(axis=(-3, -2, -1), keepdims=True)
    return back(_blend(a, mean, contrast_factor))


def adjust_saturation(img, saturation_factor):
    """Blend with the grayscale image (0 gives gray, 1 the original)."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    a, back = _to_chw(img)
    _check_color(a)
    if a.shape[-3] == 1:
        return back(a.copy())
    return back(_blend(a, _gray_array(a), saturation_factor))


def adjust_hue(img, hue_factor):
    """Shift the hue by ``hue_factor`` turns (in [-0.5, 0.5])."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    a, back = _to_chw(img)
    _check_color(a)
    if a.shape[-3] == 1:
        return back(a.copy())
    x = a.astype(np.float32) / np.float32(_max_value(a.dtype)) if a.dtype.kind != "f" else a
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc, minc = np.maximum(np.maximum(r, g), b), np.minimum(np.minimum(r, g), b)
    v = maxc
    cr = maxc - minc
    s = cr / np.where(maxc == 0, 1, maxc)
    crd = np.where(cr == 0, 1, cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    h = np.where(maxc == r, bc - gc, np.where(maxc == g, 2.0 + rc - bc, 4.0 + gc - rc))
    h = np.where(cr == 0, 0.0, h)
    h = ((h / 6.0 + 1.0) % 1.0 + hue_factor) % 1.0
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int64) % 6
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    choices_r = [v, q, p, p, t, v]
    choices_g = [t, v, v, q, p, p]
    choices_b = [p, p, t, v, v, q]
    out = np.stack([np.choose(i, choices_r), np.choose(i, choices_g), np.choose(i, choices_b)],
                   axis=-3)
    if a.dtype.kind != "f":
        out = np.round(out * _max_value(a.dtype))
    return back(out.astype(a.dtype))
