"""Pick the CJK font matplotlib draws report charts with; fail clearly when none is installed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from metrocircle._errors import MetrocircleError

__all__ = ["CJK_FAMILIES", "MissingFontError", "bundled_font", "cjk_font_family"]

CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Sans CJK JP",
)
"""Font families that cover simplified Chinese, in order of preference."""

_FILE_HINTS = ("notosanscjk", "notosanssc", "sourcehansans", "wqy", "msyh", "simhei", "pingfang")


class MissingFontError(MetrocircleError):
    """No font covering Chinese is installed, so charts cannot be labelled."""


def bundled_font() -> Path | None:
    """The Noto Sans CJK collection shipped by the PyPI package ``noto-cjk-sans-otc``.

    A dependency of metrocircle, so a fresh machine without system CJK fonts still labels
    charts in Chinese (its first face, "Noto Sans CJK JP", covers simplified Chinese too).
    """
    from importlib import resources

    try:
        f = Path(str(resources.files("noto_cjk_sans_otc") / "NotoSansCJK-Regular.ttc"))
    except ModuleNotFoundError:
        return None
    return f if f.is_file() else None


@cache
def cjk_font_family() -> str:
    """Name of an installed font family covering Chinese, registered with matplotlib.

    Looks for :data:`CJK_FAMILIES` among matplotlib's known fonts, then among the system
    font files (registering any found: matplotlib's font cache may predate the install).

    Raises
    ------
    MissingFontError
        When none is installed; the message says which package to install.
    """
    from matplotlib import font_manager as fm

    def known() -> set[str]:
        return {f.name for f in fm.fontManager.ttflist}

    names = known()
    for fam in CJK_FAMILIES:
        if fam in names:
            return fam
    for path in fm.findSystemFonts():
        stem = Path(path).name.lower().replace("-", "").replace("_", "")
        if any(h in stem for h in _FILE_HINTS):
            fm.fontManager.addfont(path)
    names = known()
    for fam in CJK_FAMILIES:
        if fam in names:
            return fam
    bundled = bundled_font()
    if bundled is not None:
        fm.fontManager.addfont(str(bundled))
        names = known()
        for fam in CJK_FAMILIES:
            if fam in names:
                return fam
    msg = (
        "no font covering Chinese is installed (looked for "
        f"{', '.join(CJK_FAMILIES)}); install one, e.g. `apt-get install fonts-noto-cjk`"
    )
    raise MissingFontError(msg)
